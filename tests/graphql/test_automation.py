"""Flows over the CRM API: staff list, configure, pause, resume and delete them; the API says
exactly what is wrong with a flow; nobody without MANAGE_USERS gets in."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.utils import timezone

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.automation.builtin import sync_builtin_flows
from saleor_crm_plugin.automation.models import (
    Enrollment,
    EnrollmentStatus,
    Flow,
    FlowStep,
    MarketingPreference,
    Message,
    MessageStatus,
)
from saleor_crm_plugin.automation.sending import send_messages
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.sandbox.auth import app_token
from saleor_crm_plugin.segments.actions import create_segment
from saleor_crm_plugin.settings import get_settings

from ..automation.conftest import OPEN_ALL_DAY, Scheduler
from ..automation.test_abandoned_checkout import abandon
from ..factories import at

DENIED = "To access this path, you need one of the following permissions: MANAGE_USERS"
ERRORS = "errors { field code message }"
FLOW_FIELDS = """id slug name description trigger triggerSegment segmentFilter goals transactional isBuiltin
  isActive activeSince steps { position waitMinutes sendWindowHours subject text html translations
  incentivePoints discountCode }"""
CREATE = f"""mutation($input: CrmFlowInput!) {{
  crmFlowCreate(input: $input) {{ flow {{ {FLOW_FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: CrmFlowInput!) {{
  crmFlowUpdate(id: $id, input: $input) {{ flow {{ {FLOW_FIELDS} }} {ERRORS} }}
}}"""
PAUSE = f"mutation($id: ID!) {{ crmFlowPause(id: $id) {{ flow {{ isActive activeSince }} {ERRORS} }} }}"
RESUME = f"mutation($id: ID!) {{ crmFlowResume(id: $id) {{ flow {{ isActive activeSince }} {ERRORS} }} }}"
DELETE = f"mutation($id: ID!) {{ crmFlowDelete(id: $id) {{ flow {{ id slug }} {ERRORS} }} }}"
FLOWS = """query($filter: CrmFlowFilterInput, $after: String) {
  crmFlows(first: 3, filter: $filter, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { slug name isActive isBuiltin trigger } }
  }
}"""
STEP = {"subject": "Hi {{ first_name }}", "text": "Hello {{ first_name }}!", "html": "<p>Hello {{ first_name }}</p>"}


@pytest.fixture
def builtins(db, crm_settings):
    crm_settings(automation_abandoned_checkout=True, **OPEN_ALL_DAY)
    sync_builtin_flows(get_settings(), at())
    return {flow.slug: flow for flow in Flow.objects.all()}


@pytest.fixture
def vip(db):
    return create_segment("VIP", "orders_count >= 3", slug="vip")


def flow_id(flow: Flow) -> str:
    return global_id("CrmFlow", flow.pk)


def create(api, token, **input):
    input.setdefault("name", "Thank-you")
    input.setdefault("trigger", "order.paid")
    input.setdefault("steps", [STEP])
    return api.data(CREATE, {"input": input}, token=token)["crmFlowCreate"]


def errors_of(result) -> list[tuple]:
    return [(e["field"], e["code"]) for e in result["errors"]]


def test_staff_list_and_filter_flows(api, builtins, staff_token):
    page = api.data(FLOWS, token=staff_token)["crmFlows"]
    assert page["totalCount"] == 7
    assert [e["node"]["slug"] for e in page["edges"]] == ["abandoned-checkout", "birthday", "points-expiring"]
    assert page["pageInfo"]["hasNextPage"]
    rest = api.data(FLOWS, {"after": page["pageInfo"]["endCursor"]}, token=staff_token)["crmFlows"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["Loyalty: tier reached", "Post-purchase", "Welcome"]

    active = api.data(FLOWS, {"filter": {"isActive": True}}, token=staff_token)["crmFlows"]
    assert [e["node"]["slug"] for e in active["edges"]] == ["abandoned-checkout"]
    by_trigger = api.data(FLOWS, {"filter": {"trigger": "order.fulfilled"}}, token=staff_token)["crmFlows"]
    assert [e["node"]["slug"] for e in by_trigger["edges"]] == ["post-purchase"]
    searched = api.data(FLOWS, {"filter": {"search": "NPS"}}, token=staff_token)["crmFlows"]  # in the description
    assert [e["node"]["slug"] for e in searched["edges"]] == ["post-purchase"]

    one = (
        "query($id: ID, $slug: String) { crmFlow(id: $id, slug: $slug) { slug goals transactional steps { subject } } }"
    )
    by_id = api.data(one, {"id": flow_id(builtins["abandoned-checkout"])}, token=staff_token)["crmFlow"]
    assert by_id == {
        "slug": "abandoned-checkout",
        "goals": ["checkout_completed", "order_placed"],
        "transactional": True,
        "steps": [{"subject": "You left something in your cart"}, {"subject": "Your cart is still waiting"}],
    }
    assert api.data(one, {"slug": "win-back"}, token=staff_token)["crmFlow"]["slug"] == "win-back"
    assert api.data(one, {"slug": "nope"}, token=staff_token)["crmFlow"] is None


def test_staff_create_a_flow_with_steps_and_translations(api, staff_token, vip):
    translations = {"PL": {"subject": "Cześć {{ first_name }}", "text": "Dziękujemy, {{ first_name }}!"}}
    result = create(
        api,
        staff_token,
        description="  After payment. ",
        segmentFilter="vip",
        goals=["order_placed", "order_placed"],
        isActive=True,
        steps=[
            {**STEP, "translations": json.dumps(translations)},
            {
                "subject": "Still there?",
                "text": "{{ cart_total }}",
                "waitMinutes": 1440,
                "sendWindowHours": 12,
                "incentivePoints": 50,
                "discountCode": "THANKS5",
            },
        ],
    )
    assert result["errors"] == []
    flow = result["flow"]
    assert flow["slug"] == "thank-you" and flow["description"] == "After payment."
    assert (flow["trigger"], flow["triggerSegment"], flow["segmentFilter"]) == ("order.paid", None, "vip")
    assert flow["goals"] == ["order_placed"]
    assert (flow["isActive"], flow["isBuiltin"], flow["transactional"]) == (True, False, False)
    assert flow["activeSince"] is not None
    first, second = flow["steps"]
    assert json.loads(first["translations"]) == {"pl": translations["PL"]}
    assert (second["position"], second["waitMinutes"], second["sendWindowHours"]) == (2, 1440, 12)
    assert (second["incentivePoints"], second["discountCode"], second["html"]) == (50, "THANKS5", "")

    again = create(api, staff_token)  # the same name: the slug made from it gets a number
    assert again["flow"]["slug"] == "thank-you-2" and again["flow"]["isActive"] is False
    assert again["flow"]["activeSince"] is None
    taken = create(api, staff_token, slug="thank-you")
    assert errors_of(taken) == [("slug", "UNIQUE")] and taken["flow"] is None


def test_updating_replaces_steps_by_position_and_skips_what_a_removed_step_scheduled(api, staff_token, ada):
    flow = create(api, staff_token, steps=[STEP, {**STEP, "subject": "Second"}])["flow"]
    row = Flow.objects.get(slug=flow["slug"])
    first, second = FlowStep.objects.filter(flow=row).order_by("position")
    enrollment = Enrollment.objects.create(
        flow=row, profile=ada, trigger_key="k", triggered_at=at(), enrolled_at=at(), next_position=2, next_at=at(days=1)
    )
    scheduled = Message.objects.create(
        enrollment=enrollment, flow=row, step=second, position=2, profile=ada, send_at=at(days=1)
    )

    result = api.data(
        UPDATE,
        {"id": flow["id"], "input": {"name": "Thanks", "steps": [{**STEP, "subject": "New {{ first_name }}"}]}},
        token=staff_token,
    )["crmFlowUpdate"]

    assert result["errors"] == []
    assert result["flow"]["name"] == "Thanks" and result["flow"]["slug"] == "thank-you"  # the slug stays
    assert [s["subject"] for s in result["flow"]["steps"]] == ["New {{ first_name }}"]
    assert FlowStep.objects.get(flow=row).pk == first.pk  # kept, so its messages keep their step
    scheduled.refresh_from_db()
    enrollment.refresh_from_db()
    assert (scheduled.status, scheduled.reason) == (MessageStatus.SKIPPED, "step_removed")
    assert enrollment.status == EnrollmentStatus.CANCELLED

    cleared = api.data(UPDATE, {"id": flow["id"], "input": {"segmentFilter": "", "goals": []}}, token=staff_token)
    assert cleared["crmFlowUpdate"]["flow"]["goals"] == [] and Flow.objects.get(pk=row.pk).steps.count() == 1


@pytest.mark.parametrize(
    ("input", "expected"),
    [
        ({"trigger": "order.teleported"}, ("trigger", "INVALID", "Unknown trigger 'order.teleported'")),
        ({"name": " "}, ("name", "REQUIRED", "A flow needs a name.")),
        ({"trigger": "segment.entered"}, ("triggerSegment", "REQUIRED", "needs a segment")),
        (
            {"trigger": "segment.left", "triggerSegment": "nope"},
            ("triggerSegment", "NOT_FOUND", "no segment with the slug 'nope'"),
        ),
        ({"triggerSegment": "vip"}, ("triggerSegment", "INVALID", "doesn't take a segment")),
        ({"segmentFilter": "gold"}, ("segmentFilter", "NOT_FOUND", "no segment with the slug 'gold'")),
        ({"goals": ["order_placed", "got_rich"]}, ("goals", "INVALID", "Unknown goal(s): got_rich.")),
        ({"steps": []}, ("steps", "REQUIRED", "at least one step")),
        ({"steps": [STEP] * 11}, ("steps", "INVALID", "at most 10 steps")),
        ({"steps": [STEP, {**STEP, "subject": ""}]}, ("steps.2.subject", "REQUIRED", "Every step needs a subject.")),
        ({"steps": [{**STEP, "text": None}]}, ("steps.1.text", "REQUIRED", "Every step needs a text.")),
        ({"steps": [{**STEP, "waitMinutes": 525601}]}, ("steps.1.waitMinutes", "INVALID", "0 to 525600 (365 days)")),
        ({"steps": [{**STEP, "waitMinutes": -1}]}, ("steps.1.waitMinutes", "INVALID", "0 to 525600")),
        ({"steps": [{**STEP, "sendWindowHours": 169}]}, ("steps.1.sendWindowHours", "INVALID", "0 to 168")),
        (
            {"steps": [STEP, {**STEP, "text": "Hi {{ first_name }}{% if %}"}]},
            ("steps.2.text", "INVALID", "Template error:"),
        ),
        (
            {"steps": [{**STEP, "html": "<p>{{ shoe_size }} {{ first_name }} {{ hat_size|upper }}</p>"}]},
            ("steps.1.html", "INVALID", "Unknown placeholder(s): hat_size, shoe_size."),
        ),
        (
            {"steps": [{**STEP, "subject": "{% for x in cart_lines %}{{ x.name }}{% endfor %} {{ y }}"}]},
            ("steps.1.subject", "INVALID", "Unknown placeholder(s): y."),
        ),
        (
            {"steps": [{**STEP, "translations": json.dumps({"de": {"text": "Hallo {{ vorname }}"}})}]},
            ("steps.1.translations.de.text", "INVALID", "Unknown placeholder(s): vorname."),
        ),
        (
            {"steps": [{**STEP, "translations": json.dumps({"de": {"footer": "x"}})}]},
            ("steps.1.translations.de", "INVALID", "only subject, text and html"),
        ),
        (
            {"steps": [{**STEP, "translations": json.dumps({"not a language": {}})}]},
            ("steps.1.translations", "INVALID", "is not a language code"),
        ),
        ({"steps": [{**STEP, "translations": json.dumps(["pl"])}]}, ("steps.1.translations", "INVALID", "object")),
    ],
)
def test_what_is_wrong_with_a_flow_is_said_field_by_field(api, staff_token, vip, input, expected):
    result = create(api, staff_token, **input)
    field, code, message = expected
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert message in result["errors"][0]["message"]
    assert result["flow"] is None
    assert not Flow.objects.exists()


def test_a_built_in_flow_keeps_its_slug_and_trigger_and_cannot_be_deleted(api, builtins, staff_token):
    flow = builtins["win-back"]
    for change in ({"slug": "comeback"}, {"trigger": "order.paid"}):
        result = api.data(UPDATE, {"id": flow_id(flow), "input": change}, token=staff_token)["crmFlowUpdate"]
        assert errors_of(result) == [(next(iter(change)), "BUILTIN_FLOW")]

    steps = [{**STEP, "subject": "We miss you, {{ first_name }}!", "sendWindowHours": 24}]
    edited = api.data(
        UPDATE,
        {"id": flow_id(flow), "input": {"name": "Come back", "slug": "win-back", "steps": steps}},
        token=staff_token,
    )["crmFlowUpdate"]
    assert edited["errors"] == []
    assert edited["flow"]["name"] == "Come back" and edited["flow"]["steps"][0]["subject"] == steps[0]["subject"]
    sync_builtin_flows(get_settings(), at(hours=1))  # the dashboard's values didn't change: the edit stays
    assert Flow.objects.get(pk=flow.pk).steps.get().subject == steps[0]["subject"]

    deleted = api.data(DELETE, {"id": flow_id(flow)}, token=staff_token)["crmFlowDelete"]
    assert errors_of(deleted) == [("id", "BUILTIN_FLOW")]
    assert Flow.objects.filter(pk=flow.pk).exists()


def test_deleting_a_custom_flow_and_naming_missing_ones(api, staff_token):
    flow = create(api, staff_token)["flow"]
    deleted = api.data(DELETE, {"id": flow["id"]}, token=staff_token)["crmFlowDelete"]
    assert deleted == {"flow": {"id": flow["id"], "slug": "thank-you"}, "errors": []}
    assert not Flow.objects.exists()

    again = api.data(DELETE, {"id": flow["id"]}, token=staff_token)["crmFlowDelete"]
    assert errors_of(again) == [("id", "NOT_FOUND")]
    wrong_type = api.data(PAUSE, {"id": global_id("CrmSegment", 1)}, token=staff_token)["crmFlowPause"]
    assert wrong_type["errors"] == [{"field": "id", "code": "GRAPHQL_ERROR", "message": "Must receive a CrmFlow id."}]


def test_pausing_cancels_enrollments_and_skips_scheduled_messages(api, ada, builtins, staff_token):
    scheduler = Scheduler()
    mail.outbox = []
    abandon()
    scheduler.tick(at(hours=5), send=False)  # the first reminder is scheduled and handed to a worker
    flow = builtins["abandoned-checkout"]

    paused = api.data(PAUSE, {"id": flow_id(flow)}, token=staff_token)["crmFlowPause"]
    assert paused["errors"] == [] and paused["flow"]["isActive"] is False

    assert send_messages(scheduler.handed[0], at(hours=5, minutes=1)) == {}  # nothing left to send
    message = Message.objects.get()
    assert (message.status, message.reason) == (MessageStatus.SKIPPED, "flow_paused")
    assert Enrollment.objects.get().status == EnrollmentStatus.CANCELLED
    abandon(token="checkout-2", now=at(hours=6))  # left while the flow is paused
    scheduler.tick(at(hours=30))
    assert mail.outbox == [] and Message.objects.count() == 1

    before = timezone.now()
    resumed = api.data(RESUME, {"id": flow_id(flow)}, token=staff_token)["crmFlowResume"]
    assert resumed["flow"]["isActive"] is True
    assert Flow.objects.get(pk=flow.pk).active_since >= before
    scheduler.tick(at(hours=31))  # what happened while it was paused starts nothing
    assert Enrollment.objects.count() == 1 and mail.outbox == []

    repeated = api.data(RESUME, {"id": flow_id(flow)}, token=staff_token)["crmFlowResume"]
    assert repeated["flow"]["activeSince"] == resumed["flow"]["activeSince"]  # already on: unchanged


def test_is_active_in_an_update_pauses_like_pause_does(api, ada, builtins, staff_token):
    abandon()
    Scheduler().tick(at(hours=5), send=False)
    flow = builtins["abandoned-checkout"]
    result = api.data(UPDATE, {"id": flow_id(flow), "input": {"isActive": False}}, token=staff_token)
    assert result["crmFlowUpdate"]["flow"]["isActive"] is False
    assert Message.objects.get().reason == "flow_paused"
    assert Enrollment.objects.get().status == EnrollmentStatus.CANCELLED


def test_editor_listings(api, staff_token):
    query = """{ crmAutomationTriggers { name description needsSegment }
      crmAutomationGoals { name } crmAutomationPlaceholders { name description } }"""
    data = api.data(query, token=staff_token)
    triggers = {t["name"]: t for t in data["crmAutomationTriggers"]}
    assert triggers["checkout.abandoned"]["needsSegment"] is False
    assert triggers["segment.entered"]["needsSegment"] is True
    assert {g["name"] for g in data["crmAutomationGoals"]} == {"checkout_completed", "order_placed"}
    placeholders = {p["name"] for p in data["crmAutomationPlaceholders"]}
    assert {"first_name", "cart_lines", "unsubscribe_url", "loyalty_balance", "recommended_products"} <= placeholders


OPERATIONS = [
    "{ crmFlows(first: 5) { totalCount } }",
    '{ crmFlow(slug: "welcome") { name } }',
    "{ crmMessages(first: 5) { totalCount } }",
    "{ crmAutomationTriggers { name } }",
    "{ crmAutomationGoals { name } }",
    "{ crmAutomationPlaceholders { name } }",
    'mutation { crmFlowCreate(input: {name: "x", trigger: "order.paid"}) { errors { code } } }',
    f'mutation {{ crmFlowUpdate(id: "{global_id("CrmFlow", 1)}", input: {{name: "x"}}) {{ errors {{ code }} }} }}',
    f'mutation {{ crmFlowPause(id: "{global_id("CrmFlow", 1)}") {{ errors {{ code }} }} }}',
    f'mutation {{ crmFlowResume(id: "{global_id("CrmFlow", 1)}") {{ errors {{ code }} }} }}',
    f'mutation {{ crmFlowDelete(id: "{global_id("CrmFlow", 1)}") {{ errors {{ code }} }} }}',
    f'mutation {{ crmCustomerMarketingUpdate(id: "{global_id("CrmCustomer", 1)}", unsubscribed: true) '
    "{ errors { code } } }",
]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("caller", ["anonymous", "shopper", "staff without MANAGE_USERS", "app with MANAGE_ORDERS"])
def test_automation_needs_manage_users(api, builtins, ada, ada_token, plain_staff_token, operation, caller):
    token = {
        "anonymous": None,
        "shopper": ada_token,
        "staff without MANAGE_USERS": plain_staff_token,
        "app with MANAGE_ORDERS": app_token("orders", [Permission.MANAGE_ORDERS]),
    }[caller]
    before = list(Flow.objects.order_by("pk").values_list("name", "is_active"))
    error = api.error(operation, token=token)
    assert error["message"] == (DENIED if token else "You need to sign in to perform this action.")
    assert error["extensions"]["exception"]["code"] == "PermissionDenied"
    assert list(Flow.objects.order_by("pk").values_list("name", "is_active")) == before
    assert not MarketingPreference.objects.exists()


def test_an_app_with_manage_users_configures_flows(api, builtins):
    token = app_token("dashboard", [Permission.MANAGE_USERS])
    assert api.data("{ crmFlows(first: 1) { totalCount } }", token=token)["crmFlows"]["totalCount"] == 7
    assert create(api, token)["errors"] == []


def test_the_flow_list_costs_a_constant_number_of_queries(api, builtins, staff_token, django_assert_max_num_queries):
    for number in range(10):
        create(api, staff_token, name=f"Flow {number}", steps=[STEP, STEP])
    query = """{ crmFlows(first: 100) { totalCount edges { node {
      slug steps { subject } stats { sent skippedByReason { reason count } revenue { amount } openRate }
      messages(first: 3) { totalCount edges { node { subject flowName customer { email } } } }
    } } } }"""
    # auth (2), flows, count, steps, stats (enrollments, messages), message pages, message counts
    with django_assert_max_num_queries(9) as captured:
        edges = api.data(query, token=staff_token)["crmFlows"]["edges"]
    assert len(edges) == 17
    assert sum(len(e["node"]["steps"]) for e in edges) == 2 + 6 + 20
    assert "crm_automation_message" in " ".join(q["sql"] for q in captured.captured_queries)
