"""The flows every store gets, switched and tuned from the plugin configuration.

Their rows are the truth the scheduler reads. The dashboard's values are applied to a row when they
differ from the ones applied last time (``settings_fingerprint``), so an edit through the API stays
until the merchant changes that flow's settings in the dashboard again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from datetime import datetime

from django.db import transaction

from ..settings import CRMSettings, check_setting
from .actions import switch_flow
from .models import Flow, FlowStep

_WAIT = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}


@check_setting("automation_abandoned_checkout_waits", "automation_post_purchase_wait")
def parse_waits(text: str) -> list[int]:
    """'0h, 24h' -> [0, 1440] minutes; a malformed part raises ValueError naming it."""
    waits = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = _WAIT.match(part.lower())
        if not match:
            raise ValueError(f"'{part.strip()}' is not a wait like '30m', '4h' or '2d'.")
        waits.append(int(match.group(1)) * _MINUTES[match.group(2)])
    return waits


@dataclasses.dataclass(frozen=True)
class StepSpec:
    subject: str
    text: str
    html: str
    wait_minutes: int = 0
    send_window_hours: int = 0
    incentive_points: int = 0
    discount_code: str = ""


@dataclasses.dataclass(frozen=True)
class FlowSpec:
    slug: str
    name: str
    description: str
    trigger: str
    steps: tuple[StepSpec, ...]
    enabled: bool
    trigger_segment: str = ""
    goals: tuple[str, ...] = ()
    transactional: bool = False


CART = (
    "{% for line in cart_lines %}- {{ line.quantity }} \u00d7 {{ line.name }}: {{ line.total }}\n{% endfor %}"
    "Total: {{ cart_total }}"
)
CART_HTML = (
    "<table>{% for line in cart_lines %}<tr><td>{{ line.quantity }} \u00d7 {{ line.name }}</td>"
    "<td>{{ line.total }}</td></tr>{% endfor %}<tr><th>Total</th><th>{{ cart_total }}</th></tr></table>"
    '{% if checkout_url %}<p><a href="{{ checkout_url }}">Return to your cart</a></p>{% endif %}'
)
PICKS = "{% for product in recommended_products %}- {{ product.name }}\n{% endfor %}"
PICKS_HTML = "<ul>{% for product in recommended_products %}<li>{{ product.name }}</li>{% endfor %}</ul>"
INCENTIVE = (
    "{% if bonus_points %}We added {{ bonus_points }} bonus points to your account.\n{% endif %}"
    "{% if discount_code %}Use the code {{ discount_code }} at checkout.\n{% endif %}"
)
INCENTIVE_HTML = (
    "{% if bonus_points %}<p>We added <b>{{ bonus_points }}</b> bonus points to your account.</p>{% endif %}"
    "{% if discount_code %}<p>Use the code <b>{{ discount_code }}</b> at checkout.</p>{% endif %}"
)


def _reminder(position: int, wait: int, last: bool, settings: CRMSettings) -> StepSpec:
    return StepSpec(
        subject="You left something in your cart" if position == 1 else "Your cart is still waiting",
        text=f"Hi {{{{ first_name }}}},\n\nyou left these in your cart:\n{CART}\n"
        f"{{% if checkout_url %}}Return to your cart: {{{{ checkout_url }}}}\n{{% endif %}}{INCENTIVE}",
        html=f"<p>Hi {{{{ first_name }}}},</p><p>you left these in your cart:</p>{CART_HTML}{INCENTIVE_HTML}",
        wait_minutes=wait,
        incentive_points=settings.automation_abandoned_checkout_bonus_points if last else 0,
        discount_code=settings.automation_abandoned_checkout_discount_code if last else "",
    )


def builtin_flows(settings: CRMSettings) -> list[FlowSpec]:
    waits = parse_waits(settings.automation_abandoned_checkout_waits) or [0]
    post_purchase_wait = (parse_waits(settings.automation_post_purchase_wait) or [7 * 24 * 60])[0]
    return [
        FlowSpec(
            "abandoned-checkout",
            "Abandoned checkout",
            "Reminds a shopper of the checkout they left, with its lines.",
            "checkout.abandoned",
            tuple(_reminder(i + 1, wait, i == len(waits) - 1, settings) for i, wait in enumerate(waits)),
            settings.automation_abandoned_checkout,
            goals=("checkout_completed", "order_placed"),
            transactional=True,
        ),
        FlowSpec(
            "win-back",
            "Win-back",
            "Customers entering the win-back segment get recommendations and an incentive.",
            "segment.entered",
            (
                StepSpec(
                    "We miss you, {{ first_name }}",
                    f"It's been a while. Picked for you:\n{PICKS}{INCENTIVE}",
                    f"<p>It's been a while. Picked for you:</p>{PICKS_HTML}{INCENTIVE_HTML}",
                    send_window_hours=24,
                    incentive_points=settings.automation_winback_bonus_points,
                    discount_code=settings.automation_winback_discount_code,
                ),
            ),
            settings.automation_winback,
            trigger_segment=settings.automation_winback_segment,
            goals=("order_placed",),
        ),
        FlowSpec(
            "post-purchase",
            "Post-purchase",
            "Thanks the customer after fulfilment and asks for a rating (NPS 0-10) and a comment.",
            "order.fulfilled",
            (
                StepSpec(
                    "How was your order {{ order_number }}?",
                    "Thank you for your order {{ order_number }}, {{ first_name }}!\n"
                    "How likely are you to recommend us to a friend? Tell us: {{ survey_url }}\n",
                    "<p>Thank you for your order {{ order_number }}, {{ first_name }}!</p>"
                    '<p><a href="{{ survey_url }}">How likely are you to recommend us to a friend?</a></p>',
                    wait_minutes=post_purchase_wait,
                    send_window_hours=24,
                ),
            ),
            settings.automation_post_purchase,
        ),
        FlowSpec(
            "welcome",
            "Welcome",
            "Welcomes a new account and introduces the loyalty program.",
            "customer.registered",
            (
                StepSpec(
                    "Welcome, {{ first_name }}!",
                    "Welcome to our store, {{ first_name }}!\n"
                    "{% if loyalty_balance is not None %}You have {{ loyalty_balance }} points: "
                    "every order earns more, and points buy rewards.\n{% endif %}",
                    "<p>Welcome to our store, {{ first_name }}!</p>{% if loyalty_balance is not None %}"
                    "<p>You have <b>{{ loyalty_balance }}</b> points: every order earns more, and points buy "
                    "rewards.</p>{% endif %}",
                ),
            ),
            settings.automation_welcome,
        ),
        FlowSpec(
            "points-expiring",
            "Loyalty: points expiring",
            "Tells customers their points are about to expire.",
            "loyalty.points_expiring",
            (
                StepSpec(
                    "Your {{ expiring_points }} points expire soon",
                    "{{ expiring_points }} of your {{ loyalty_balance }} points expire on {{ expiring_at }}. "
                    "Use them before then!\n",
                    "<p><b>{{ expiring_points }}</b> of your {{ loyalty_balance }} points expire on "
                    "{{ expiring_at }}. Use them before then!</p>",
                    send_window_hours=24,
                ),
            ),
            settings.automation_loyalty,
        ),
        FlowSpec(
            "tier-reached",
            "Loyalty: tier reached",
            "Congratulates customers on a new loyalty tier.",
            "loyalty.tier_changed",
            (
                StepSpec(
                    "Welcome to {{ loyalty_tier }}!",
                    "Congratulations {{ first_name }}, you reached {{ loyalty_tier }}.\n",
                    "<p>Congratulations {{ first_name }}, you reached <b>{{ loyalty_tier }}</b>.</p>",
                    send_window_hours=24,
                ),
            ),
            settings.automation_loyalty,
        ),
        FlowSpec(
            "birthday",
            "Birthday",
            "A birthday greeting, for customers whose birth date is known.",
            "customer.birthday",
            (
                StepSpec(
                    "Happy birthday, {{ first_name }}!",
                    "Happy birthday, {{ first_name }}! Picked for you:\n" + PICKS,
                    "<p>Happy birthday, {{ first_name }}!</p>" + PICKS_HTML,
                    send_window_hours=12,
                ),
            ),
            settings.automation_birthday,
        ),
    ]


TUNABLE_STEP_FIELDS = ("wait_minutes", "incentive_points", "discount_code")


def fingerprint(spec: FlowSpec) -> str:
    """The dashboard's values for this flow (not its templates, which merchants edit through the API)."""
    tuned = [
        spec.enabled,
        spec.trigger_segment,
        [[getattr(step, f) for f in TUNABLE_STEP_FIELDS] for step in spec.steps],
    ]
    return hashlib.sha256(json.dumps(tuned).encode()).hexdigest()


@transaction.atomic
def sync_builtin_flows(settings: CRMSettings, now: datetime) -> int:
    """Create missing built-in flows and apply changed dashboard values; the number of flows changed."""
    rows = {flow.slug: flow for flow in Flow.objects.select_for_update().filter(is_builtin=True)}
    changed = 0
    for spec in builtin_flows(settings):
        flow, tuned = rows.get(spec.slug), fingerprint(spec)
        if flow is not None and flow.settings_fingerprint == tuned:
            continue
        if flow is None:
            flow = Flow(slug=spec.slug, is_builtin=True, name=spec.name, description=spec.description)
            flow.goals, flow.transactional = list(spec.goals), spec.transactional
            flow.is_active, flow.active_since = spec.enabled, now if spec.enabled else None
        else:
            switch_flow(flow, spec.enabled, now)  # off: its enrollments end, its scheduled messages are skipped
        flow.trigger, flow.trigger_segment, flow.settings_fingerprint = spec.trigger, spec.trigger_segment, tuned
        flow.save()
        _apply_steps(flow, spec.steps)
        changed += 1
    return changed


def _apply_steps(flow: Flow, steps: tuple[StepSpec, ...]) -> None:
    """New steps get the default templates; existing ones only the dashboard's tunables."""
    FlowStep.objects.filter(flow=flow, position__gt=len(steps)).delete()
    existing = {step.position: step for step in FlowStep.objects.filter(flow=flow)}
    for position, spec in enumerate(steps, start=1):
        step = existing.get(position) or FlowStep(flow=flow, position=position, **dataclasses.asdict(spec))
        for field in TUNABLE_STEP_FIELDS:
            setattr(step, field, getattr(spec, field))
        step.save()
