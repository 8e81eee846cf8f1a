"""One GraphQL endpoint: Hive Gateway (Node, federation/gateway/) in front of a real Saleor and the CRM.

Saleor is served over real HTTP from this process (``SaleorServer``) inside each test's transaction,
so Saleor's fixtures and the orders placed through its API are what the gateway's subgraph calls
see. The supergraph is composed by scripts/compose-supergraph with both subgraph URLs on that
server (Saleor's ``/graphql/`` and the plugin's route); the gateway forwards ``Authorization`` to both.
"""

from tests.saleor import require_saleor

require_saleor()

import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.servers.basehttp import WSGIServer  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connections  # noqa: E402
from django.test.testcases import QuietWSGIRequestHandler  # noqa: E402

from saleor_crm_plugin.graphql.schema import print_sdl  # noqa: E402
from saleor_crm_plugin.loyalty.models import LoyaltyAccount  # noqa: E402
from saleor_crm_plugin.profiles.models import CustomerProfile  # noqa: E402

from ..federation import COMPOSE, ROOT, SALEOR_SDL, compose, require_composer  # noqa: E402
from .test_api import saleor_token  # noqa: E402
from .test_flows import gid, shop  # noqa: E402, F401  (shop is a fixture)
from .test_tickets import CREATE  # noqa: E402

pytestmark = pytest.mark.django_db

GATEWAY_DIR = ROOT / "federation" / "gateway"
CRM_PATH = "/plugins/global/saleor.crm/graphql/"
SHOPPER = "{ me { email crmProfile { email ordersCount } loyalty { available } } }"
ORDER = """query($id: ID!) {
  order(id: $id) { number crmOrder { number total { amount currency } } crmTickets { reference subject } }
}"""
# The same answers from each side directly, for the latency comparison.
SALEOR_ME = "{ me { email } }"
CRM_ME = "{ crmMe { email ordersCount } loyaltyAccount { available } }"
STOREFRONT = "https://shop.example.com"
LATENCY_RUNS = int(os.environ.get("CRM_GATEWAY_LATENCY_RUNS", "20"))


@contextmanager
def _connections_kept():
    """Django closes "old" connections around each request; here that would roll the test's transaction back."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class _InTestTransaction(WSGIHandler):
    def __call__(self, environ, start_response):
        with _connections_kept():
            response = super().__call__(environ, start_response)
        close = response.close

        def close_keeping_connections():
            with _connections_kept():
                close()

        response.close = close_keeping_connections
        return response


class SaleorServer(threading.Thread):
    """Saleor (and the plugin's route) over HTTP on the test's own database connections.

    One request at a time (Django answers ``Connection: close`` on a single-threaded server), while
    the test waits on the gateway: the connections are never used by two threads at once.
    """

    def __init__(self):
        super().__init__(daemon=True)
        self.httpd = WSGIServer(("127.0.0.1", 0), QuietWSGIRequestHandler)
        self.httpd.set_app(_InTestTransaction())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.shared = {alias: connections[alias] for alias in connections}
        for connection in self.shared.values():
            connection.inc_thread_sharing()

    def run(self):
        for alias, connection in self.shared.items():
            connections[alias] = connection
        self.httpd.serve_forever()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.join()
        for connection in self.shared.values():
            connection.dec_thread_sharing()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def saleor_server():
    server = SaleorServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(saleor_server, tmp_path_factory):
    """Hive Gateway on the supergraph of Saleor's SDL and ours, both routed to ``saleor_server``."""
    require_composer()
    workdir = tmp_path_factory.mktemp("gateway")
    supergraph = workdir / "supergraph.graphql"
    composed = compose(
        print_sdl(), supergraph, saleor_url=f"{saleor_server.url}/graphql/", crm_url=f"{saleor_server.url}{CRM_PATH}"
    )
    assert composed.returncode == 0, composed.stderr
    subprocess.run([ROOT / "scripts" / "npm-ci-if-changed", GATEWAY_DIR], check=True)
    port = _free_port()
    log = (workdir / "gateway.log").open("w")
    process = subprocess.Popen(
        ["node", "node_modules/.bin/hive-gateway", "supergraph", "--host", "127.0.0.1", "--port", str(port)],
        cwd=GATEWAY_DIR,
        env={**os.environ, "SUPERGRAPH": str(supergraph), "STOREFRONT_ORIGINS": STOREFRONT},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, f"{url}/readiness", workdir / "gateway.log")
        yield f"{url}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the gateway exited ({process.returncode}):\n{log.read_text()}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the gateway did not get ready in 60 s:\n{log.read_text()}")


def post(url: str, query: str, token: str | None = None, variables: dict | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.post(url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def store(
    gateway,
    crm_plugin,
    shop,  # noqa: F811
    user_api_client,
    api_client,
    customer_user,
    staff_user,
    permission_group_manage_orders,
):
    """Two shoppers with a real order each, a ticket on the first one's (opened through the gateway: a CRM
    mutation), and staff who manage orders."""
    _, order = shop.checkout_order(user_api_client, None)
    _, other_order = shop.checkout_order(api_client, "grace@example.com")
    shopper = saleor_token(api_client, customer_user.email)
    body = post(gateway, CREATE, shopper, {"order": gid("Order", order.pk)})
    assert "errors" not in body and body["data"]["crmTicketCreate"]["errors"] == [], body
    opened = body["data"]["crmTicketCreate"]
    permission_group_manage_orders.user_set.add(staff_user)

    class Store:
        order_id, other_order_id = gid("Order", order.pk), gid("Order", other_order.pk)
        number = str(order.number)
        ticket = opened["ticket"]["reference"]
        shopper_token = shopper
        staff_token = saleor_token(api_client, staff_user.email)
        email = customer_user.email

    return Store


def test_a_shopper_reads_saleor_and_crm_fields_in_one_query(gateway, saleor_server, store):
    profile = CustomerProfile.objects.get(email=store.email)
    account = LoyaltyAccount.objects.filter(profile=profile).first()
    body = post(gateway, SHOPPER, store.shopper_token)
    assert "errors" not in body, body
    assert body["data"] == {
        "me": {
            "email": store.email,  # Saleor's
            "crmProfile": {"email": store.email, "ordersCount": profile.orders_count},  # the CRM's
            "loyalty": {"available": account.available} if account else None,
        }
    }
    assert profile.orders_count == 1
    # the same figures as each side answers directly
    direct = post(f"{saleor_server.url}{CRM_PATH}", CRM_ME, store.shopper_token)["data"]
    assert body["data"]["me"]["crmProfile"] == direct["crmMe"]
    assert body["data"]["me"]["loyalty"] == direct["loyaltyAccount"]


def test_staff_read_an_orders_crm_record_and_tickets_through_saleors_order(gateway, store):
    body = post(gateway, ORDER, store.staff_token, {"id": store.order_id})
    assert "errors" not in body, body
    order = body["data"]["order"]
    assert order["number"] == store.number
    assert order["crmOrder"]["number"] == store.number
    assert order["crmOrder"]["total"]["currency"] == "USD"
    assert order["crmTickets"] == [{"reference": store.ticket, "subject": "Wrong colour"}]


def test_another_shoppers_order_gets_no_crm_data(gateway, store):
    """Saleor hands anyone an order by its UUID; the CRM's part of it stays the owner's."""
    body = post(gateway, ORDER, store.shopper_token, {"id": store.other_order_id})
    order = body["data"]["order"]
    assert order is not None and order["crmOrder"] is None and order["crmTickets"] in (None, [])
    own = post(gateway, ORDER, store.shopper_token, {"id": store.order_id})["data"]["order"]
    assert own["crmOrder"]["number"] == store.number  # the owner does see it


def test_an_anonymous_me_is_null(gateway, store):
    assert post(gateway, SHOPPER) == {"data": {"me": None}}


def test_the_gateway_answers_cors_for_the_storefront_origin_only(gateway, store):
    def preflight(origin):
        asks = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
        return requests.options(gateway, headers={"Origin": origin, **asks}, timeout=10)

    allowed = preflight(STOREFRONT)
    assert allowed.status_code == 204 and allowed.headers["Access-Control-Allow-Origin"] == STOREFRONT
    assert allowed.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type"
    assert "Access-Control-Allow-Credentials" not in allowed.headers and "Origin" in allowed.headers["Vary"]
    denied = preflight("https://evil.example.com")
    assert not [name for name in denied.headers if name.lower().startswith("access-control-")]
    answer = requests.post(gateway, json={"query": SHOPPER}, headers={"Origin": STOREFRONT}, timeout=10)
    assert answer.json() == {"data": {"me": None}} and answer.headers["Access-Control-Allow-Origin"] == STOREFRONT


def test_the_live_schemas_compose_as_the_shared_sdl_does(saleor_server, tmp_path, store):
    """scripts/compose-supergraph pointed at the running store (how the README regenerates after an upgrade)."""
    require_composer()
    from_files = tmp_path / "files.graphql"
    assert compose(print_sdl(), from_files).returncode == 0
    live = tmp_path / "live.graphql"
    command = [COMPOSE, "--saleor-sdl", f"{saleor_server.url}/graphql/", "--crm-sdl", f"{saleor_server.url}{CRM_PATH}"]
    run = subprocess.run([*command, "--out", live], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert live.read_text() == from_files.read_text()
    assert SALEOR_SDL is not None


def test_latency_through_the_gateway_next_to_the_two_direct_calls(gateway, saleor_server, store):
    """Printed (pytest -s): median of the mixed query through the gateway vs Saleor's and the CRM's own calls."""

    def median_ms(call) -> float:
        call()  # warm up
        times = []
        for _ in range(LATENCY_RUNS):
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def direct():
        saleor = post(f"{saleor_server.url}/graphql/", SALEOR_ME, store.shopper_token)["data"]["me"]
        crm = post(f"{saleor_server.url}{CRM_PATH}", CRM_ME, store.shopper_token)["data"]
        return {"email": saleor["email"], "crmProfile": crm["crmMe"], "loyalty": crm["loyaltyAccount"]}

    through = post(gateway, SHOPPER, store.shopper_token)["data"]["me"]
    assert through == direct()  # both ways compute the same answer
    gateway_ms = median_ms(lambda: post(gateway, SHOPPER, store.shopper_token))
    direct_ms = median_ms(direct)
    print(
        f"\nlatency, median of {LATENCY_RUNS}: gateway (me + crmProfile + loyalty) {gateway_ms:.1f} ms; "
        f"direct Saleor me + CRM crmMe/loyaltyAccount {direct_ms:.1f} ms"
    )
    assert gateway_ms > 0 and direct_ms > 0
