"""The Loyalty and Automation pages (issue 13) in headless Chromium, through the sandbox's dashboard shell.

What a merchant does there: read the program's figures and edit a reward; edit a flow step, see a template
error at its field, preview the step for a customer and save; pause and resume a flow; read the messages
log and the NPS; and what a staff member without "Manage customers" sees instead.
``CRM_SCREENSHOTS=docs/screenshots`` saves the README's screenshots on the way.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.automation.actions import create_flow
from saleor_crm_plugin.automation.models import Enrollment, Flow, FlowStep, Message, MessageStatus, SurveyResponse
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.loyalty.actions import adjust_points
from saleor_crm_plugin.loyalty.models import Reward

from .conftest import APP_PAGE, api_calls, screenshot, staff

pytestmark = pytest.mark.django_db(transaction=True)

STEP = {"subject": "Hi {{ first_name }}", "text": "We miss you, {{ first_name }}.", "html": "<p>Hello</p>"}


def time_to_data(app) -> float:
    """Seconds from the frame's navigation to the moment the screen first showed its data."""
    return app.locator("body").evaluate("() => performance.getEntriesByName('crm:data-shown')[0].startTime") / 1000


@pytest.fixture
def flow(store):
    """A win-back flow that sent Ada one message she opened and bought from; she answered the survey with 9."""
    now = timezone.now()
    flow = create_flow(name="Win back", trigger="order.paid", steps=[STEP], is_active=True, now=now)
    enrollment = Enrollment.objects.create(
        flow=flow, profile=store, trigger_key="t1", triggered_at=now, enrolled_at=now
    )
    message = Message.objects.create(
        enrollment=enrollment, flow=flow, position=1, profile=store, send_at=now, status=MessageStatus.SENT,
        sent_at=now, subject="Hi Ada", opened_at=now, converted_at=now, revenue=Decimal("42.50"), currency="USD",
    )  # fmt: skip
    SurveyResponse.objects.create(profile=store, message=message, score=9, comment="Lovely shop", answered_at=now)
    return flow


def test_read_the_program_and_edit_a_reward(store, shell):
    Reward.objects.create(
        name="5 off", points_cost=500, value=Decimal(5), currency="USD", channel="default-channel"
    )  # fmt: skip
    adjust_points(store, 50, "welcome gift")  # points move today: the chart has something to show
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, "/dashboard/crm/loyalty")
    app = page.frame_locator(APP_PAGE)
    app.locator('[data-test-id="crm-reward-row"]').wait_for()
    print(f"\nloyalty page time-to-data: {time_to_data(app):.2f} s")
    assert api_calls(app) == 1  # figures, catalogue and earn rules in one request
    assert app.locator('[data-test-id="crm-loyalty-outstanding"]').inner_text().endswith("250")  # Ada's 120 + 80 + 50
    assert "Bronze\n1 member" in app.locator('[data-test-id="crm-loyalty-tiers"]').inner_text()
    assert "Other channels\n1 point per unit" in app.locator('[data-test-id="crm-earn-rules"]').inner_text()
    screenshot(page, "crm-loyalty")

    app.locator('[data-test-id="crm-reward-edit"]').click()
    app.locator('[data-test-id="crm-reward-points"]').fill("0")
    app.locator('[data-test-id="crm-reward-save"]').click()
    form = app.locator('[data-test-id="crm-reward-form"]')
    form.get_by_text("A reward costs at least one point.").wait_for()  # the API's refusal, at its field
    app.locator('[data-test-id="crm-reward-points"]').fill("450")
    app.locator('[data-test-id="crm-reward-name"]').fill("5 USD off")
    app.locator('[data-test-id="crm-reward-save"]').click()
    form.wait_for(state="detached")
    app.locator('[data-test-id="crm-reward-row"]', has_text="5 USD off").wait_for()
    assert "450" in app.locator('[data-test-id="crm-reward-row"]').inner_text()
    reward = Reward.objects.get()
    assert (reward.name, reward.points_cost, reward.value, reward.currency) == ("5 USD off", 450, Decimal(5), "USD")


def test_edit_a_flow_step_see_the_error_at_its_field_then_preview_and_save(flow, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, f"/dashboard/crm/automation/flows/{global_id('CrmFlow', flow.pk)}")
    app = page.frame_locator(APP_PAGE)
    html = app.locator('[data-test-id="crm-step-1-html"]')
    html.wait_for()
    print(f"\nflow editor time-to-data: {time_to_data(app):.2f} s")
    assert api_calls(app) == 1
    assert "{{ first_name }}" in app.locator('[data-test-id="crm-placeholders"]').inner_text()

    html.fill("<p>Dear {{ frist_name }}, <b>come back</b></p>")
    app.locator('[data-test-id="crm-step-1-preview"]').click()
    step = app.locator('[data-test-id="crm-step-1"]')
    step.get_by_text("Unknown placeholder(s): frist_name.").wait_for()  # under the HTML field of step 1
    assert app.locator('[data-test-id="crm-preview-result"]').count() == 0
    screenshot(page, "crm-flow-editor-error")

    html.fill("<p>Dear {{ first_name }}, <b>come back</b></p>")
    app.locator('[data-test-id="crm-step-1-preview"]').click()
    app.locator('[data-test-id="crm-preview-result"]').wait_for()
    assert step.get_by_text("Unknown placeholder(s)").count() == 0
    assert app.locator('[data-test-id="crm-preview-subject"]').inner_text() == "Hi Ada"
    assert "We miss you, Ada." in app.locator('[data-test-id="crm-preview-text"]').inner_text()
    preview_html = app.locator('[data-test-id="crm-preview-html"]').get_attribute("srcdoc")
    assert preview_html.startswith("<p>Dear Ada, <b>come back</b></p>")
    screenshot(page, "crm-flow-editor")

    app.locator('[data-test-id="crm-step-1-subject"]').fill("We kept your cart, {{ first_name }}")
    app.locator('[data-test-id="crm-flow-save"]').click()
    page.get_by_text("Flow saved").wait_for()  # the dashboard's toast
    saved = FlowStep.objects.get(flow=flow)
    assert (saved.subject, saved.html) == (
        "We kept your cart, {{ first_name }}",
        "<p>Dear {{ first_name }}, <b>come back</b></p>",
    )


def test_pause_and_resume_a_flow_and_read_what_flows_sent(flow, shell):
    manager = staff("manager", Permission.MANAGE_USERS)
    page = shell(manager, "/dashboard/crm/automation", theme="dark")
    app = page.frame_locator(APP_PAGE)
    row = app.locator('[data-test-id="crm-flow-row"]', has_text="Win back")
    row.wait_for()
    print(f"\nflow list time-to-data: {time_to_data(app):.2f} s")
    assert api_calls(app) == 1
    cells = row.locator("td").all_inner_texts()
    assert cells[1:7] == ["Active", "1", "1\n100 %", "0\n0 %", "1\n100 %", "$42.50"]
    screenshot(page, "crm-automation-dark")

    row.get_by_role("button", name="Pause Win back").click()
    row.get_by_text("Paused").wait_for()
    assert Flow.objects.get(pk=flow.pk).is_active is False
    row.get_by_role("button", name="Resume Win back").click()
    row.get_by_text("Active").wait_for()
    assert Flow.objects.get(pk=flow.pk).is_active is True

    app.locator('[data-test-id="crm-automation-tab-messages"]').click()
    message = app.locator('[data-test-id="crm-message-row"]')
    message.wait_for()
    assert "Ada Lovelace" in message.inner_text() and "Hi Ada" in message.inner_text()
    assert app.locator('[data-test-id="crm-nps-score"]').inner_text() == "100"
    assert "Lovely shop" in app.locator('[data-test-id="crm-nps"]').inner_text()
    screenshot(page, "crm-messages-dark")
    started = time.monotonic()
    message.get_by_text("Ada Lovelace").click()  # the customer's link opens their CRM page
    app.locator('[data-test-id="crm-headline"]').wait_for()
    print(f"messages → customer page: {time.monotonic() - started:.2f} s")


def test_staff_without_manage_customers_see_why(store, shell):
    packer = staff("packer", Permission.MANAGE_ORDERS)
    for path in ("/dashboard/crm/loyalty", "/dashboard/crm/automation"):
        page = shell(packer, path)
        explanation = page.frame_locator(APP_PAGE).locator('[data-test-id="crm-no-permission"]')
        explanation.wait_for()
        assert "Manage customers" in explanation.inner_text()
    screenshot(page, "crm-automation-no-permission")
