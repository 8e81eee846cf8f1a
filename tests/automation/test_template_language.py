"""A message template can use what a message needs and nothing that reads files, dumps the context
or multiplies output; whatever was saved, rendering stays bounded."""

from __future__ import annotations

import time

import pytest

from saleor_crm_plugin.auth import Permission
from saleor_crm_plugin.automation import rendering
from saleor_crm_plugin.automation.models import FlowStep, Message, MessageStatus
from saleor_crm_plugin.automation.rendering import check_template
from saleor_crm_plugin.automation.sending import send_messages
from saleor_crm_plugin.sandbox.auth import user_token

from ..factories import at
from ..graphql.conftest import API, make_user
from .test_abandoned_checkout import abandon

REFUSED = [
    ("{% debug %}", "Invalid block tag on line 1: 'debug'"),
    ("{% lorem 99999999 %}", "Invalid block tag on line 1: 'lorem'"),
    ("{% include 'x.html' %}", "Invalid block tag on line 1: 'include'"),
    ("{% load static %}", "Invalid block tag on line 1: 'load'"),
    ("{% with x=first_name %}{{ x }}{% endwith %}", "Invalid block tag on line 1: 'with'"),
    ('{{ first_name|ljust:"999999999" }}', "Invalid filter: 'ljust'"),
    ('{{ first_name|stringformat:"0999999999d" }}', "Invalid filter: 'stringformat'"),
    ('{{ bonus_points|floatformat:"99999" }}', "Invalid filter: 'floatformat'"),
    ("{{ first_name|safe }}", "Invalid filter: 'safe'"),
    ('{% for c in "xxxxxxxxxx" %}{{ c }}{% endfor %}', "A loop runs over a placeholder"),
    (
        "{% for a in cart_lines %}{% for b in cart_lines %}{% for c in cart_lines %}x"
        "{% endfor %}{% endfor %}{% endfor %}",
        "Loops nest at most 2 deep.",
    ),
]


@pytest.mark.parametrize(("source", "problem"), REFUSED)
def test_templates_outside_the_message_language_are_refused(source, problem):
    assert problem in check_template(source)


def test_what_messages_need_is_allowed():
    source = (
        "{% if first_name %}Hi {{ first_name|title }}{% else %}Hello{% endif %}, "
        "{% for line in cart_lines %}{% for p in recommended_products %}{{ p.name }}{% endfor %}"
        "{{ line.quantity }} x {{ line.name|truncatechars:40 }}{% empty %}nothing{% endfor %} "
        "{{ cart_total|default:'-' }}{{ bonus_points|pluralize }}"
    )
    assert check_template(source, html=True) is None


def test_saving_a_flow_with_a_forbidden_tag_is_a_field_error(client, db):
    staff_token = user_token(make_user(900, "manager@store.test", Permission.MANAGE_USERS, is_staff=True))
    flow = {
        "name": "Debug me",
        "trigger": "order.paid",
        "steps": [
            {"subject": "Hi", "text": "Thanks"},
            {"subject": "Hi", "text": "Thanks", "html": "<p>{% debug %}</p>"},
        ],
    }
    query = "mutation($input: CrmFlowInput!) { crmFlowCreate(input: $input) { errors { field code message } } }"
    [error] = API(client).data(query, {"input": flow}, token=staff_token)["crmFlowCreate"]["errors"]
    assert (error["field"], error["code"]) == ("steps.2.html", "INVALID")
    assert "'debug'" in error["message"]


def test_rendering_a_saved_template_that_would_explode_fails_that_message_quickly(ada, scheduler, crm_settings):
    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5), send=False)
    step = FlowStep.objects.get(position=1, flow__slug="abandoned-checkout")
    step.text = "{% lorem 99999999 %}"  # saved before the language was bounded
    step.save()
    started = time.monotonic()
    assert send_messages(scheduler.handed[0], at(hours=5)) == {"failed": 1}
    assert time.monotonic() - started < 5
    assert Message.objects.get().status == MessageStatus.FAILED


def test_rendered_output_is_bounded(ada, scheduler, crm_settings, monkeypatch):
    crm_settings(automation_abandoned_checkout=True)
    abandon()
    scheduler.tick(at(hours=5), send=False)
    monkeypatch.setattr(rendering, "MAX_OUTPUT", 50)
    send_messages(scheduler.handed[0], at(hours=5))
    failed = Message.objects.get()
    assert failed.status == MessageStatus.FAILED and "longer than 50 characters" in failed.reason
