"""Staff actions on flows and on a customer's marketing state (Zulip style): each validates, then
writes in one transaction. The GraphQL mutations only call these.

Pausing a flow cancels its active enrollments and skips what it still had scheduled, so nothing goes
out after a merchant says stop; switching it on again starts from that moment (``active_since``), so
facts that happened while it was off don't flood customers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from ..profiles.models import CustomerProfile
from ..segments.models import Segment
from . import tracking
from .errors import BUILTIN_FLOW, INVALID, NOT_FOUND, REQUIRED, UNIQUE, AutomationError
from .goals import GOALS
from .models import Enrollment, EnrollmentStatus, Flow, FlowStep, MarketingPreference, Message, MessageStatus
from .rendering import check_template
from .triggers import SEGMENT_TRIGGERS, TRIGGERS

MAX_NAME = 128
MAX_STEPS = 10
MAX_WAIT_MINUTES = 365 * 24 * 60
MAX_SEND_WINDOW_HOURS = 7 * 24
MAX_INCENTIVE_POINTS = 2**31 - 1
MAX_SUBJECT = 255
MAX_DISCOUNT_CODE = 64
TEMPLATE_PARTS = ("subject", "text", "html")
LANGUAGE = re.compile(r"^[a-z]{2,3}([-_][a-z0-9]{2,8})*$")
PAUSED, STEP_REMOVED = "flow_paused", "step_removed"


@transaction.atomic
def create_flow(
    *,
    name: str | None,
    trigger: str | None,
    steps: list[dict] | None,
    now: datetime,
    slug: str | None = None,
    description: str = "",
    trigger_segment: str = "",
    segment_filter: str = "",
    goals: Iterable[str] = (),
    is_active: bool = False,
) -> Flow:
    """A merchant's own flow; switched on only when asked (and from ``now``)."""
    name = _clean_name(name)
    trigger, trigger_segment = _clean_trigger(trigger, trigger_segment)
    flow = Flow(
        name=name,
        slug=_clean_slug(slug, name),
        description=(description or "").strip(),
        trigger=trigger,
        trigger_segment=trigger_segment,
        segment_filter=_clean_segment_filter(segment_filter),
        goals=_clean_goals(goals),
        is_active=bool(is_active),
        active_since=now if is_active else None,
    )
    cleaned_steps = _clean_steps(steps)
    _save_flow(flow)
    _save_steps(flow, cleaned_steps, now)
    return flow


@transaction.atomic
def update_flow(
    flow: Flow,
    now: datetime,
    *,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
    trigger: str | None = None,
    trigger_segment: str | None = None,
    segment_filter: str | None = None,
    goals: Iterable[str] | None = None,
    is_active: bool | None = None,
    steps: list[dict] | None = None,
) -> Flow:
    """Change what is given (None: unchanged). Built-in flows keep their slug and trigger; ``steps``
    replace the flow's steps by position, so messages already scheduled render the new templates."""
    flow = Flow.objects.select_for_update().get(pk=flow.pk)
    if flow.is_builtin:
        if slug is not None and slugify(slug) != flow.slug:
            raise AutomationError("slug", BUILTIN_FLOW, "A built-in flow's slug can't change.")
        if trigger is not None and trigger != flow.trigger:
            raise AutomationError("trigger", BUILTIN_FLOW, "A built-in flow's trigger can't change.")
    if name is not None:
        flow.name = _clean_name(name)
    if slug is not None and not flow.is_builtin:
        flow.slug = _clean_slug(slug, flow.name, exclude_pk=flow.pk)
    if description is not None:
        flow.description = description.strip()
    if trigger is not None or trigger_segment is not None:
        new_trigger = flow.trigger if trigger is None else trigger
        keep_segment = trigger_segment is None and new_trigger in SEGMENT_TRIGGERS
        segment = (flow.trigger_segment if keep_segment else trigger_segment) or ""
        new_trigger, segment = _clean_trigger(new_trigger, segment)
        if flow.is_active and (new_trigger, segment) != (flow.trigger, flow.trigger_segment):
            flow.active_since = now  # a different trigger is a new start: earlier facts start nothing
        flow.trigger, flow.trigger_segment = new_trigger, segment
    if segment_filter is not None:
        flow.segment_filter = _clean_segment_filter(segment_filter)
    if goals is not None:
        flow.goals = _clean_goals(goals)
    cleaned_steps = _clean_steps(steps) if steps is not None else None
    _save_flow(flow)
    if cleaned_steps is not None:
        _save_steps(flow, cleaned_steps, now)
    if is_active is not None:
        switch_flow(flow, is_active, now)
    return flow


@transaction.atomic
def set_flow_active(flow: Flow, active: bool, now: datetime) -> Flow:
    """Resume (from ``now``) or pause a flow."""
    flow = Flow.objects.select_for_update().get(pk=flow.pk)
    switch_flow(flow, active, now)
    return flow


def switch_flow(flow: Flow, active: bool, now: datetime) -> None:
    """Switch a (locked) flow on or off: the API's pause and resume, and the dashboard's switch."""
    if flow.is_active == active:
        return
    flow.is_active = active
    if active:
        flow.active_since = now
    flow.save(update_fields=["is_active", "active_since", "updated_at"])
    if not active:
        # Enrollments first: a scheduler holding them commits its new messages before this goes on,
        # and the next statement (a fresh snapshot) skips those messages too.
        Enrollment.objects.filter(flow=flow, status=EnrollmentStatus.ACTIVE).update(
            status=EnrollmentStatus.CANCELLED, ended_at=now, next_at=None
        )
        Message.objects.filter(flow=flow, status=MessageStatus.SCHEDULED).update(
            status=MessageStatus.SKIPPED, reason=PAUSED
        )


@transaction.atomic
def delete_flow(flow: Flow) -> None:
    """A merchant's own flow goes with its enrollments and messages; built-in ones can only be paused."""
    if flow.is_builtin:
        raise AutomationError("id", BUILTIN_FLOW, "Built-in flows can't be deleted; pause them instead.")
    flow.delete()


def set_customer_unsubscribed(
    profile: CustomerProfile, unsubscribed: bool, now: datetime, by=None
) -> MarketingPreference:
    """Staff (``by``) unsubscribing (or re-subscribing) a customer, recorded on their timeline as done by staff."""
    return tracking.set_unsubscribed(profile.pk, unsubscribed, "staff", now, by=by)


# -- validation -----------------------------------------------------------------------------------


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise AutomationError("name", REQUIRED, "A flow needs a name.")
    if len(name) > MAX_NAME:
        raise AutomationError("name", INVALID, f"A name is at most {MAX_NAME} characters.")
    return name


def _clean_slug(slug: str | None, name: str, exclude_pk: int | None = None) -> str:
    """A given slug must be free; one made from the name gets a number when it is taken."""
    taken = Flow.objects.exclude(pk=exclude_pk)
    if slug is not None and slug.strip():
        cleaned = slugify(slug)[:MAX_NAME]
        if not cleaned:
            raise AutomationError("slug", INVALID, "A slug needs letters or digits.")
        if taken.filter(slug=cleaned).exists():
            raise AutomationError("slug", UNIQUE, f"A flow with the slug '{cleaned}' exists.")
        return cleaned
    base = slugify(name)[: MAX_NAME - 4] or "flow"
    candidate, number = base, 1
    while taken.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _clean_trigger(trigger: str | None, trigger_segment: str | None) -> tuple[str, str]:
    trigger, segment = (trigger or "").strip(), (trigger_segment or "").strip()
    if not trigger:
        raise AutomationError("trigger", REQUIRED, "A flow needs a trigger.")
    if trigger not in TRIGGERS:
        raise AutomationError(
            "trigger", INVALID, f"Unknown trigger '{trigger}'. Choose one of: {', '.join(sorted(TRIGGERS))}."
        )
    if trigger not in SEGMENT_TRIGGERS:
        if segment:
            raise AutomationError("triggerSegment", INVALID, f"The trigger '{trigger}' doesn't take a segment.")
        return trigger, ""
    if not segment:
        raise AutomationError("triggerSegment", REQUIRED, f"The trigger '{trigger}' needs a segment.")
    if not Segment.objects.filter(slug=segment).exists():
        raise AutomationError("triggerSegment", NOT_FOUND, f"There is no segment with the slug '{segment}'.")
    return trigger, segment


def _clean_segment_filter(segment_filter: str | None) -> str:
    segment = (segment_filter or "").strip()
    if segment and not Segment.objects.filter(slug=segment).exists():
        raise AutomationError("segmentFilter", NOT_FOUND, f"There is no segment with the slug '{segment}'.")
    return segment


def _clean_goals(goals: Iterable[str] | None) -> list[str]:
    cleaned = list(dict.fromkeys(goal.strip() for goal in goals or ()))
    unknown = [goal for goal in cleaned if goal not in GOALS]
    if unknown:
        raise AutomationError(
            "goals", INVALID, f"Unknown goal(s): {', '.join(unknown)}. Choose from: {', '.join(sorted(GOALS))}."
        )
    return cleaned


def _clean_steps(steps: list[dict] | None) -> list[dict]:
    """Each step as ``FlowStep`` field values; errors name the step from 1, e.g. ``steps.2.text``."""
    if not steps:
        raise AutomationError("steps", REQUIRED, "A flow needs at least one step.")
    if len(steps) > MAX_STEPS:
        raise AutomationError("steps", INVALID, f"A flow has at most {MAX_STEPS} steps.")
    return [_clean_step(step, f"steps.{position}") for position, step in enumerate(steps, start=1)]


def _clean_step(step: dict, prefix: str) -> dict:
    values = {
        "wait_minutes": _bounded(step, "wait_minutes", f"{prefix}.waitMinutes", MAX_WAIT_MINUTES, "365 days"),
        "send_window_hours": _bounded(
            step, "send_window_hours", f"{prefix}.sendWindowHours", MAX_SEND_WINDOW_HOURS, "a week"
        ),
        "incentive_points": _bounded(
            step, "incentive_points", f"{prefix}.incentivePoints", MAX_INCENTIVE_POINTS, str(MAX_INCENTIVE_POINTS)
        ),
        "subject": (step.get("subject") or "").strip(),
        "text": (step.get("text") or "").strip(),
        "html": (step.get("html") or "").strip(),
        "discount_code": (step.get("discount_code") or "").strip(),
    }
    for part in ("subject", "text"):
        if not values[part]:
            raise AutomationError(f"{prefix}.{part}", REQUIRED, f"Every step needs a {part}.")
    if len(values["subject"]) > MAX_SUBJECT:
        raise AutomationError(f"{prefix}.subject", INVALID, f"A subject is at most {MAX_SUBJECT} characters.")
    if len(values["discount_code"]) > MAX_DISCOUNT_CODE:
        raise AutomationError(
            f"{prefix}.discountCode", INVALID, f"A discount code is at most {MAX_DISCOUNT_CODE} characters."
        )
    _check_templates(values, prefix)
    values["translations"] = _clean_translations(step.get("translations"), f"{prefix}.translations")
    return values


def _bounded(step: dict, key: str, field: str, maximum: int, in_words: str) -> int:
    value = step.get(key) or 0
    if not isinstance(value, int) or not 0 <= value <= maximum:
        raise AutomationError(field, INVALID, f"Give a whole number from 0 to {maximum} ({in_words}).")
    return value


def _check_templates(parts: dict, prefix: str) -> None:
    for part in TEMPLATE_PARTS:
        if parts.get(part) and (problem := check_template(parts[part], html=part == "html")):
            raise AutomationError(f"{prefix}.{part}", INVALID, problem)


def _clean_translations(translations: object, prefix: str) -> dict[str, dict[str, str]]:
    """``{"pl": {"subject": ..., "text": ..., "html": ...}}``; a part left out falls back to the step's."""
    if translations in (None, ""):
        return {}
    if not isinstance(translations, dict):
        raise AutomationError(prefix, INVALID, 'Translations are an object like {"pl": {"subject": "…"}}.')
    cleaned = {}
    for language, parts in translations.items():
        code = str(language).strip().lower()
        if not LANGUAGE.match(code):
            raise AutomationError(prefix, INVALID, f"'{language}' is not a language code like 'pl' or 'pt-br'.")
        field = f"{prefix}.{code}"
        if not isinstance(parts, dict) or not set(parts) <= set(TEMPLATE_PARTS):
            raise AutomationError(field, INVALID, "A translation has only subject, text and html.")
        if not all(isinstance(value, str) for value in parts.values()):
            raise AutomationError(field, INVALID, "A translation's parts are text.")
        parts = {part: value.strip() for part, value in parts.items() if value.strip()}
        _check_templates(parts, field)
        cleaned[code] = parts
    return cleaned


# -- writing --------------------------------------------------------------------------------------


def _save_flow(flow: Flow) -> None:
    """Two staff taking the same slug at once: the database decides, the loser hears why."""
    try:
        with transaction.atomic():
            flow.save()
    except IntegrityError as error:
        raise AutomationError("slug", UNIQUE, f"A flow with the slug '{flow.slug}' exists.") from error


def _save_steps(flow: Flow, steps: list[dict], now: datetime) -> None:
    """Steps by position: kept ones get the new values, removed ones skip what they had scheduled
    and end the enrollments still waiting for them."""
    Message.objects.filter(flow=flow, position__gt=len(steps), status=MessageStatus.SCHEDULED).update(
        status=MessageStatus.SKIPPED, reason=STEP_REMOVED
    )
    Enrollment.objects.filter(flow=flow, status=EnrollmentStatus.ACTIVE, next_position__gt=len(steps)).update(
        status=EnrollmentStatus.CANCELLED, ended_at=now, next_at=None
    )
    FlowStep.objects.filter(flow=flow, position__gt=len(steps)).delete()
    existing = {step.position: step for step in FlowStep.objects.filter(flow=flow)}
    for position, values in enumerate(steps, start=1):
        step = existing.get(position) or FlowStep(flow=flow, position=position)
        for field, value in values.items():
            setattr(step, field, value)
        step.save()
