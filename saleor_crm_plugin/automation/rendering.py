"""Rendering a batch of messages: Django's template language over plain values only (no model objects,
so a template can't reach anything but its placeholders), HTML autoescaped, text not.

Every placeholder of the batch is loaded with a few queries (profiles, checkouts, last orders, then
one call per registered provider), then each message is rendered from dictionaries.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from functools import lru_cache

from django.db.models import OuterRef, Subquery
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Variable, VariableNode
from django.template.defaulttags import ForNode, IfNode
from django.utils.html import escape

from ..profiles.models import CheckoutSnapshot, CustomerProfile, OrderSnapshot
from ..settings import get_settings
from . import registry, tracking
from .models import Message


class _MessageEngine(Engine):
    """Django's engine with the message language (``template_language``) instead of every built-in."""

    default_builtins = ["saleor_crm_plugin.automation.template_language"]


HTML_ENGINE = _MessageEngine(autoescape=True, string_if_invalid="")
TEXT_ENGINE = _MessageEngine(autoescape=False, string_if_invalid="")
MAX_TEMPLATE = 100_000  # characters of a template's source
MAX_OUTPUT = 500_000  # characters of one rendered part: far beyond an email, far below a worker's memory
HREF = re.compile(r'href="(https?://[^"]+)"')

PLACEHOLDERS = {
    "first_name": "The customer's first name (or 'there').",
    "last_name": "The customer's last name.",
    "customer_name": "First and last name, or the email.",
    "email": "The customer's email.",
    "cart_lines": "The checkout's lines: each has name, variant, quantity, price, total.",
    "cart_total": "The checkout's total with currency.",
    "checkout_url": "Link back to the checkout (from the storefront checkout URL setting).",
    "last_order": "The customer's last order: number, total, placed_at, lines.",
    "order_number": "The number of the order that started the flow (else the last order's).",
    "segment": "The slug of the segment that started the flow.",
    "bonus_points": "The step's incentive points.",
    "discount_code": "The step's discount code.",
    "survey_url": "Link to the NPS survey for this message.",
    "unsubscribe_url": "The customer's one-click unsubscribe link.",
}


def available_placeholders() -> dict[str, str]:
    extra = {name: description for name, (description, _) in registry.placeholders().items()}
    return dict(sorted({**PLACEHOLDERS, **extra}.items()))


def check_template(source: str, html: bool = False) -> str | None:
    """Why a template can't be used (syntax, unknown placeholder), or None."""
    if len(source) > MAX_TEMPLATE:
        return f"A template is at most {MAX_TEMPLATE:,} characters."
    try:
        template = (HTML_ENGINE if html else TEXT_ENGINE).from_string(source)
    except TemplateSyntaxError as error:
        return f"Template error: {error}"
    unknown = sorted(_names(template.nodelist) - set(available_placeholders()))
    return f"Unknown placeholder(s): {', '.join(unknown)}." if unknown else None


def _names(nodes, local: frozenset[str] = frozenset()) -> set[str]:
    """Top-level variable names a template reads (loop variables excluded)."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ForNode):
            names |= _expression_names(node.sequence, local)
            names |= _names(node.nodelist_loop, local | set(node.loopvars) | {"forloop"})
            names |= _names(node.nodelist_empty, local)
            continue
        if isinstance(node, VariableNode):
            names |= _expression_names(node.filter_expression, local)
        if isinstance(node, IfNode):
            for condition, _ in node.conditions_nodelists:
                names |= _condition_names(condition, local)
        for attr in getattr(node, "child_nodelists", ()):
            names |= _names(getattr(node, attr, None) or [], local)
    return names


def _expression_names(expression, local) -> set[str]:
    if isinstance(expression, FilterExpression) and isinstance(expression.var, Variable):
        head = (expression.var.lookups or ("",))[0]
        return set() if head in local or not head else {head}
    return set()


def _condition_names(condition, local) -> set[str]:
    if condition is None:
        return set()
    names = _expression_names(getattr(condition, "value", None), local)
    for side in ("first", "second"):
        if (part := getattr(condition, side, None)) is not None:
            names |= _condition_names(part, local)
    return names


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str
    headers: dict[str, str]


def render_batch(messages: list[Message]) -> dict[int, Rendered | Exception]:
    """Each message rendered (or the error that stopped it), from one batch load of their placeholders."""
    contexts = _contexts(messages)
    languages = _channel_languages(get_settings().automation_channel_languages)
    rendered: dict[int, Rendered | Exception] = {}
    for message in messages:
        try:
            rendered[message.pk] = _render(message, contexts[message.pk], languages.get(message.channel, ""))
        except Exception as error:  # a merchant's template: report it on the message, don't stop the batch
            rendered[message.pk] = error
    return rendered


def _render(message: Message, context: dict, language: str) -> Rendered:
    step = message.step
    parts = {"subject": step.subject, "text": step.text, "html": step.html}
    translated = step.translations.get(language) if language else None
    if translated:
        parts.update({key: value for key, value in translated.items() if key in parts and value})
    else:
        language = ""
    subject = " ".join(_fill(False, parts["subject"], context).split())
    unsubscribe = context["unsubscribe_url"]
    text = _fill(False, parts["text"], context).strip()
    text += f"\n\n--\nUnsubscribe: {unsubscribe}\n"
    html = ""
    if parts["html"]:
        body = _fill(True, parts["html"], context)
        body = HREF.sub(lambda m: f'href="{escape(tracking.click_url(message.pk, _unescape(m.group(1))))}"', body)
        html = (
            f'{body}<hr><p style="font-size:12px"><a href="{escape(unsubscribe)}">Unsubscribe</a></p>'
            f'<img src="{escape(tracking.open_url(message.pk))}" width="1" height="1" alt="">'
        )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-CRM-Message": str(message.pk),  # which message a copy in a mailbox is: duplicates are visible
    }
    return Rendered(subject[:255], text, html, language, headers)


def _fill(html: bool, source: str, context: dict) -> str:
    rendered = _compiled(html, source).render(Context(context, autoescape=html))
    if len(rendered) > MAX_OUTPUT:
        raise ValueError(f"The rendered message is longer than {MAX_OUTPUT:,} characters.")
    return rendered


@lru_cache(maxsize=512)
def _compiled(html: bool, source: str):
    """A template is compiled once per worker, not once per message."""
    return (HTML_ENGINE if html else TEXT_ENGINE).from_string(source)


def _unescape(url: str) -> str:
    return url.replace("&amp;", "&")


def _channel_languages(text: str) -> dict[str, str]:
    pairs = (part.split(":", 1) for part in (text or "").split(",") if ":" in part)
    return {channel.strip(): language.strip().lower() for channel, language in pairs}


def _contexts(messages: list[Message]) -> dict[int, dict]:
    profile_ids = sorted({m.profile_id for m in messages})
    profiles = {p.pk: p for p in CustomerProfile.objects.filter(pk__in=profile_ids)}
    tokens = {m.enrollment.context.get("token") for m in messages} - {None}
    checkouts = {c.token: c for c in CheckoutSnapshot.objects.filter(token__in=tokens)}
    newest = OrderSnapshot.objects.filter(profile_id=OuterRef("pk")).order_by("-placed_at", "-pk").values("pk")[:1]
    last_ids = CustomerProfile.objects.filter(pk__in=profile_ids).values_list(Subquery(newest), flat=True)
    last_orders = {o.profile_id: o for o in OrderSnapshot.objects.filter(pk__in=[i for i in last_ids if i])}
    provided = {name: provider(profile_ids) for name, (_, provider) in registry.placeholders().items()}
    checkout_url = get_settings().automation_checkout_url
    contexts = {}
    for message in messages:
        profile, trigger = profiles[message.profile_id], message.enrollment.context
        checkout = checkouts.get(trigger.get("token"))
        last = last_orders.get(message.profile_id)
        context = {
            "first_name": profile.first_name or "there",
            "last_name": profile.last_name,
            "customer_name": f"{profile.first_name} {profile.last_name}".strip() or profile.email,
            "email": profile.email,
            "cart_lines": _lines(checkout.lines, checkout.currency) if checkout else [],
            "cart_total": _money(checkout.total, checkout.currency) if checkout else "",
            "checkout_url": checkout_url.replace("{token}", checkout.token) if checkout and checkout_url else "",
            "last_order": _order(last) if last else None,
            "order_number": trigger.get("number") or (last.number if last else ""),
            "segment": trigger.get("segment", ""),
            "bonus_points": message.step.incentive_points,
            "discount_code": message.step.discount_code,
            "survey_url": tracking.survey_url(message.pk),
            "unsubscribe_url": tracking.unsubscribe_url(message.profile_id),
        }
        context.update({name: values.get(message.profile_id) for name, values in provided.items()})
        contexts[message.pk] = context
    return contexts


def _money(amount: Decimal, currency: str) -> str:
    return f"{Decimal(amount).quantize(Decimal('0.01')):f} {currency}"


def _lines(lines: list[dict], currency: str) -> list[dict]:
    return [
        {
            "name": line.get("product_name", ""),
            "variant": line.get("variant_name", ""),
            "quantity": line.get("quantity", 0),
            "price": _money(Decimal(line.get("unit_price", "0")), currency),
            "total": _money(Decimal(line.get("unit_price", "0")) * line.get("quantity", 0), currency),
        }
        for line in lines
    ]


def _order(order: OrderSnapshot) -> dict:
    return {
        "number": order.number,
        "total": _money(order.total, order.currency),
        "placed_at": order.placed_at.date().isoformat(),
        "lines": _lines(order.lines, order.currency),
    }
