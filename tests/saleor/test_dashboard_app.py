"""The CRM's dashboard App inside a real Saleor: installed from the manifest the plugin serves, through
Saleor's own ``appInstall`` (its Celery task, ``install_app``, manifest validation), then used with
the extension tokens Saleor hands the dashboard.

Only Saleor's outgoing HTTP is redirected: ``HTTPSession.request`` (requests_hardened, which
``fetch_manifest`` uses) is answered by this store's own Django app through Saleor's URL routing,
so the manifest Saleor validates is the one ``GET /plugins/global/saleor.crm/app/manifest`` serves.
Tokens come from Saleor: ``appExtensions { accessToken }`` as the dashboard queries it, and
``create_access_token_for_app`` (the App page's token).
"""

from tests.saleor import require_saleor

require_saleor()

import base64  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from datetime import timedelta  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from django.utils import timezone  # noqa: E402
from freezegun import freeze_time  # noqa: E402
from requests_hardened import HTTPSession  # noqa: E402
from saleor.app.models import App, AppInstallation  # noqa: E402
from saleor.core.jwt import create_access_token_for_app, jwt_decode  # noqa: E402
from saleor.graphql.tests.utils import get_graphql_content  # noqa: E402

from saleor_crm_plugin.dashboard.views import BUILD_DIR  # noqa: E402
from saleor_crm_plugin.ids import global_id  # noqa: E402

from .test_api import crm  # noqa: E402

pytestmark = pytest.mark.django_db

HOST = "localhost"  # in ALLOWED_HOSTS, and a valid host for the URLField the installation is kept in
STORE = f"http://{HOST}:8000"  # the store's PUBLIC_URL: on a port, which its manifest fetcher drops from Host
APP = "/plugins/global/saleor.crm/app/"
MANIFEST_URL = f"{STORE}{APP}manifest"
APP_INSTALL = """mutation($url: String!) {
  appInstall(input: {appName: "CRM", manifestUrl: $url, permissions: [MANAGE_USERS, MANAGE_ORDERS]}) {
    errors { field code message }
  }
}"""
# The dashboard's own query (src/extensions/queries.ts, ExtensionList), as it mounts extensions.
EXTENSIONS = """query($filter: AppExtensionFilterInput!) {
  appExtensions(filter: $filter, first: 100) {
    edges { node {
      identifier label url mountName targetName settings accessToken
      permissions { code } app { id appUrl name }
    } }
  }
}"""
CUSTOMERS = "{ crmCustomers(first: 10) { totalCount edges { node { email } } } }"
# The customer widget's first query (frontend/src/widgets/CustomerWidget.tsx), on the id the dashboard posts.
WIDGET = """query($customerId: ID!) {
  crmCustomerLookup(id: $customerId) { email user { id } }
  loyaltyAccount(customerId: $customerId) { available }
}"""
DENIED = "To access this path, you need one of the following permissions: MANAGE_USERS"
NOT_OUR_APP = "Invalid token. It was issued to another app, or to an app that is not installed and active."

# identifier: (mountName, targetName, widget method, permissions, url under appUrl or APP_PAGE path)
INTENDED = {
    "customer-widget": ("CUSTOMER_DETAILS_WIDGETS", "WIDGET", "GET", ["MANAGE_USERS"], "widgets/customer"),
    "order-widget": ("ORDER_DETAILS_WIDGETS", "WIDGET", "GET", ["MANAGE_ORDERS"], "widgets/order"),
    "customers": ("NAVIGATION_CUSTOMERS", "APP_PAGE", None, ["MANAGE_USERS"], "/customers"),
    "segments": ("NAVIGATION_CUSTOMERS", "APP_PAGE", None, ["MANAGE_USERS"], "/segments"),
    "helpdesk": ("NAVIGATION_ORDERS", "APP_PAGE", None, ["MANAGE_ORDERS"], "/helpdesk"),
    "loyalty": ("NAVIGATION_CUSTOMERS", "APP_PAGE", None, ["MANAGE_USERS"], "/loyalty"),
    "automation": ("NAVIGATION_CUSTOMERS", "APP_PAGE", None, ["MANAGE_USERS"], "/automation"),
    "analytics": ("NAVIGATION_CUSTOMERS", "APP_PAGE", None, ["MANAGE_USERS"], "/analytics"),
    "adjust-points": ("CUSTOMER_DETAILS_MORE_ACTIONS", "POPUP", None, ["MANAGE_USERS"], "popups/adjust-points"),
    "open-ticket": ("CUSTOMER_DETAILS_MORE_ACTIONS", "POPUP", None, ["MANAGE_USERS"], "popups/open-ticket"),
    "order-open-ticket": ("ORDER_DETAILS_MORE_ACTIONS", "POPUP", None, ["MANAGE_ORDERS"], "popups/open-ticket"),
    "export": ("CUSTOMER_DETAILS_MORE_ACTIONS", "POPUP", None, ["MANAGE_USERS"], "popups/export"),
}


@pytest.fixture
def store_http(client, monkeypatch):
    """Saleor's outgoing HTTP answered by this store itself; returns the requests Saleor made."""
    sent = []

    def request(session, method, url, **kwargs):
        sent.append((method, url, kwargs.get("allow_redirects")))
        parts = urlsplit(url)
        assert parts.hostname == HOST, f"Saleor tried to reach {url}"
        # requests_hardened's IP filter sends Host without the port; the test client does the same.
        answer = client.generic(method, parts.path, headers=kwargs.get("headers"), HTTP_HOST=HOST)
        response = requests.Response()
        response.status_code, response._content, response.url = answer.status_code, answer.content, url
        response.headers.update(answer.headers)
        response.request = requests.Request(method, url).prepare()
        return response

    monkeypatch.setattr(HTTPSession, "request", request)
    return sent


@pytest.fixture
def staff(staff_user, permission_manage_apps, permission_manage_users, permission_manage_orders):
    """A staff member who may install apps granting MANAGE_USERS and MANAGE_ORDERS, and use them."""
    staff_user.user_permissions.add(permission_manage_apps, permission_manage_users, permission_manage_orders)
    return staff_user


@pytest.fixture
def crm_app(crm_plugin, staff, staff_api_client, store_http, settings):
    """The CRM App, installed as a merchant does it: Dashboard → Apps → Install from manifest."""
    settings.PUBLIC_URL = STORE
    body = get_graphql_content(staff_api_client.post_graphql(APP_INSTALL, {"url": MANIFEST_URL}))
    assert body["data"]["appInstall"]["errors"] == []
    failed = AppInstallation.objects.values_list("message", flat=True)
    assert not failed, f"Saleor could not install the App: {list(failed)}"
    return App.objects.get(identifier="saleor.crm.app")


def dashboard_extensions(staff_api_client, *mounts: str) -> dict[str, dict]:
    variables = {"filter": {"mountName": list(mounts)}}
    edges = get_graphql_content(staff_api_client.post_graphql(EXTENSIONS, variables))["data"]["appExtensions"]["edges"]
    return {edge["node"]["identifier"]: edge["node"] for edge in edges}


def test_the_manifest_installs_through_saleors_own_installation(crm_app, staff_api_client, store_http):
    assert store_http == [("GET", MANIFEST_URL, False)]  # one fetch, redirects not followed
    assert (crm_app.name, crm_app.is_active, crm_app.is_installed, crm_app.type) == ("CRM", True, True, "thirdparty")
    assert crm_app.app_url == f"{STORE}{APP}"  # the port survives
    assert crm_app.manifest_url == MANIFEST_URL
    assert sorted(p.codename for p in crm_app.permissions.all()) == ["manage_orders", "manage_users"]
    assert not crm_app.tokens.exists()  # no tokenTargetUrl: nothing long-lived to keep

    extensions = dashboard_extensions(staff_api_client, *{mount for mount, *_ in INTENDED.values()})
    assert set(extensions) == set(INTENDED)
    for identifier, (mount, target, method, permissions, path) in INTENDED.items():
        node = extensions[identifier]
        assert (node["mountName"], node["targetName"]) == (mount, target), identifier
        assert [p["code"] for p in node["permissions"]] == permissions, identifier
        assert node["url"] == (path if target == "APP_PAGE" else crm_app.app_url + path), identifier
        if method:
            assert node["settings"] == {"widgetTarget": {"method": method}}, identifier
        assert node["app"]["id"] == global_id("App", crm_app.pk)
        assert node["accessToken"], identifier  # the staff member holds every extension's permissions


def test_the_dashboards_extension_tokens_read_the_crm(crm_app, staff, staff_api_client, shopper_profile, client):
    widget = dashboard_extensions(staff_api_client, "CUSTOMER_DETAILS_WIDGETS")["customer-widget"]
    claims = jwt_decode(widget["accessToken"])
    assert claims["type"] == "thirdparty"
    assert (claims["app"], claims["permissions"]) == (widget["app"]["id"], ["MANAGE_USERS"])
    page_token = create_access_token_for_app(crm_app, staff)  # the CRM pages (APP_PAGE) get the App's token
    expected = {"totalCount": 1, "edges": [{"node": {"email": shopper_profile.email}}]}
    for token in (widget["accessToken"], page_token):
        assert crm(client, CUSTOMERS, token)["data"]["crmCustomers"] == expected


def test_a_posted_customer_widget_renders_that_customers_page_with_its_boot_data(
    crm_app, staff_api_client, shopper_profile, customer_user, client
):
    if not (BUILD_DIR / "index.html").is_file():
        pytest.fail("The dashboard pages are not built: run scripts/build-frontend first.")
    widget = dashboard_extensions(staff_api_client, "CUSTOMER_DETAILS_WIDGETS")["customer-widget"]
    customer_id = global_id("User", customer_user.pk)
    # The form Saleor Dashboard's IframePost submits into the widget's frame.
    form = {
        "saleorApiUrl": f"{STORE}/graphql/",
        "accessToken": widget["accessToken"],
        "appId": widget["app"]["id"],
        "customerId": customer_id,
    }
    response = client.post(urlsplit(widget["url"]).path, form)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert "X-Frame-Options" not in response  # the dashboard frames it from another origin
    html = response.content.decode()
    boot = json.loads(re.search(r'<script id="crm-boot" type="application/json">(.*?)</script>', html).group(1))
    assert boot == {
        "token": form["accessToken"],
        "saleorApiUrl": form["saleorApiUrl"],
        "appId": form["appId"],
        "customerId": customer_id,
    }
    # The page's code and styles load through Saleor's routing too.
    assets = re.findall(r'(?:src|href)="(/plugins/global/saleor\.crm/app/assets/[^"]+)"', html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        loaded = client.get(asset)
        assert loaded.status_code == 200, asset
        assert loaded["Content-Type"] in ("text/javascript", "text/css"), asset
    # What the page then asks for with the posted token: this customer.
    data = crm(client, WIDGET, boot["token"], variables={"customerId": boot["customerId"]})["data"]
    assert data["crmCustomerLookup"] == {"email": customer_user.email, "user": {"id": customer_id}}


def test_expired_forged_and_other_apps_tokens_are_refused(crm_app, staff, app, permission_manage_users, client):
    with freeze_time(timezone.now() - timedelta(minutes=6)):  # extension tokens live five minutes
        expired = create_access_token_for_app(crm_app, staff)
    body = crm(client, CUSTOMERS, expired, status=401)
    assert body["errors"][0]["extensions"] == {"exception": {"code": "ExpiredSignatureError"}}
    assert "data" not in body

    app.permissions.add(permission_manage_users)  # another installed, active App with the same grant
    foreign = create_access_token_for_app(app, staff)
    assert crm(client, CUSTOMERS, foreign, status=401)["errors"][0]["message"] == NOT_OUR_APP

    # That token relabelled as the CRM App's: Saleor's signature no longer holds.
    header, payload, signature = foreign.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["app"] = global_id("App", crm_app.pk)
    relabelled = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = crm(client, CUSTOMERS, f"{header}.{relabelled}.{signature}", status=401)
    assert forged["errors"][0]["extensions"] == {"exception": {"code": "InvalidSignatureError"}}


def test_a_deactivated_or_removed_crm_app_no_longer_opens_the_crm(crm_app, staff, client):
    token = create_access_token_for_app(crm_app, staff)
    crm_app.is_active = False
    crm_app.save(update_fields=["is_active"])
    assert crm(client, CUSTOMERS, token, status=401)["errors"][0]["message"] == NOT_OUR_APP
    crm_app.is_active, crm_app.removed_at = True, timezone.now()
    crm_app.save(update_fields=["is_active", "removed_at"])
    assert crm(client, CUSTOMERS, token, status=401)["errors"][0]["message"] == NOT_OUR_APP


def test_the_caller_holds_only_what_both_the_staff_member_and_the_app_hold(
    crm_app, staff, staff_api_client, permission_manage_users, shopper_profile, client
):
    # The App without MANAGE_USERS: Saleor mints the token without it, the customer list is refused.
    crm_app.permissions.remove(permission_manage_users)
    assert crm(client, CUSTOMERS, create_access_token_for_app(crm_app, staff))["errors"][0]["message"] == DENIED

    # Granted when minted, revoked since (the token lives on for five minutes): refused at once.
    crm_app.permissions.add(permission_manage_users)
    token = create_access_token_for_app(crm_app, staff)
    assert crm(client, CUSTOMERS, token)["data"]["crmCustomers"]["totalCount"] == 1
    crm_app.permissions.remove(permission_manage_users)
    assert crm(client, CUSTOMERS, token)["errors"][0]["message"] == DENIED

    crm_app.permissions.add(permission_manage_users)
    token = create_access_token_for_app(crm_app, staff)
    staff.user_permissions.remove(permission_manage_users)
    assert crm(client, CUSTOMERS, token)["errors"][0]["message"] == DENIED
