"""Root queries of the Dashboard App's automation pages: flow results over a chosen period, the NPS
answers over time, and a step's preview for one customer.

The preview goes through ``automation.rendering.render_batch``, the function sending uses: the same
autoescaped engine over plain values (no model reaches a template), the same placeholders and
translations. Nothing is stored; the tracking links in a preview point at no message.
"""

from __future__ import annotations

from decimal import Decimal

import graphene
from django.db.models import Count, Q, Sum
from django.utils import timezone
from graphql.error import GraphQLError

from ...auth import Permission
from ...automation.errors import AutomationError
from ...automation.models import Enrollment, FlowStep, Message, MessageStatus, SurveyResponse
from ...automation.rendering import check_template, render_batch
from ...profiles.models import CheckoutSnapshot
from ..automation.dataloaders import FlowByIdLoader
from ..automation.mutations import CrmAutomationError, CrmFlowStepInput
from ..automation.types import CrmFlow
from ..core.permissions import require
from ..core.types import Money, MoneyAmount
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import CrmCustomer, visible_profile
from .customer_pages import profile_by_any_id
from .periods import CrmStatsPeriod, bucket_starts, period_window, truncate

LATEST_ANSWERS = 20
PREVIEW_MESSAGE_ID = 0  # no message has it: a preview's open/click links count nothing


class CrmFlowPeriodStats(graphene.ObjectType):
    flow = graphene.Field(CrmFlow, required=True)
    sent = graphene.Int(required=True, description="Messages sent in the period.")
    opened = graphene.Int(required=True, description="Of those, opened at least once.")
    clicked = graphene.Int(required=True, description="Of those, clicked at least once.")
    converted = graphene.Int(required=True, description="Of those, with an attributed order.")
    revenue = graphene.List(graphene.NonNull(Money), required=True, description="Attributed orders, per currency.")

    class Meta:
        description = "What one flow's messages sent in a period achieved."

    @staticmethod
    def resolve_flow(root, info):
        return FlowByIdLoader(info.context).load(root.flow_id)


class CrmNpsPeriod(graphene.ObjectType):
    start = graphene.DateTime(required=True)
    answers = graphene.Int(required=True)
    score = graphene.Int(description="NPS of the period's answers (-100..100); null without answers.")


class CrmNpsAnswer(graphene.ObjectType):
    score = graphene.Int(required=True, description="0..10.")
    comment = graphene.String(required=True)
    answered_at = graphene.DateTime(required=True)
    customer = graphene.Field(CrmCustomer)

    @staticmethod
    def resolve_customer(root: SurveyResponse, info):
        return ProfileByIdLoader(info.context).load(root.profile_id).then(lambda found: visible_profile(info, found))


class CrmNpsOverview(graphene.ObjectType):
    score = graphene.Int(description="NPS over the whole window; null without answers.")
    answers = graphene.Int(required=True)
    promoters = graphene.Int(required=True, description="Answers of 9 or 10.")
    passives = graphene.Int(required=True, description="Answers of 7 or 8.")
    detractors = graphene.Int(required=True, description="Answers of 0 to 6.")
    history = graphene.List(graphene.NonNull(CrmNpsPeriod), required=True)
    latest = graphene.List(
        graphene.NonNull(CrmNpsAnswer), required=True, description=f"The {LATEST_ANSWERS} newest answers of the window."
    )

    class Meta:
        description = "Net Promoter Score answers over time. Requires MANAGE_USERS."


class CrmFlowPreview(graphene.ObjectType):
    subject = graphene.String()
    text = graphene.String()
    html = graphene.String(description="Null for a text-only step.")
    language = graphene.String(description="The translation used; null for the default.")
    errors = graphene.List(
        graphene.NonNull(CrmAutomationError),
        required=True,
        description="What stops the step from rendering, at its field (`steps.2.html`); the parts are null then.",
    )

    class Meta:
        description = "A flow step rendered for one customer as sending would render it; nothing is stored."


class AutomationPageQueries(graphene.ObjectType):
    crm_flow_period_stats = graphene.List(
        graphene.NonNull(CrmFlowPeriodStats),
        required=True,
        since=graphene.DateTime(required=True),
        until=graphene.DateTime(description="Default: now."),
        description="Per flow, what its messages sent in the period achieved (flows that sent nothing are left "
        "out). Requires MANAGE_USERS.",
    )
    crm_nps_overview = graphene.Field(
        CrmNpsOverview,
        required=True,
        period=CrmStatsPeriod(description="Default: WEEK."),
        since=graphene.DateTime(description="Default: 12 periods back."),
        until=graphene.DateTime(description="Default: now."),
        description="NPS answers and the score per period. Requires MANAGE_USERS.",
    )
    crm_flow_preview = graphene.Field(
        CrmFlowPreview,
        required=True,
        customer=graphene.ID(required=True, description="A CrmCustomer or Saleor User ID."),
        step=CrmFlowStepInput(required=True),
        position=graphene.Int(default_value=1, description="The step's position, for error fields."),
        channel=graphene.String(description="The channel the message speaks for (picks the translation)."),
        description="A step rendered for a customer through the sending path. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_flow_period_stats(root, info, since, until=None):
        require(info, Permission.MANAGE_USERS)
        until = until or timezone.now()
        if since >= until:
            raise GraphQLError("'since' must be before 'until'.")
        return flow_period_stats(since, until)

    @staticmethod
    def resolve_crm_nps_overview(root, info, period=CrmStatsPeriod.WEEK.value, since=None, until=None):
        require(info, Permission.MANAGE_USERS)
        since, until = period_window(period, since, until)
        return nps_overview(period, since, until)

    @staticmethod
    def resolve_crm_flow_preview(root, info, customer, step, position, channel=None):
        require(info, Permission.MANAGE_USERS)
        return profile_by_any_id(info, customer).then(
            lambda profile: preview(visible_profile(info, profile), dict(step), position, channel or "")
        )


def flow_period_stats(since, until) -> list[CrmFlowPeriodStats]:
    """One grouped query: flow and revenue currency of the messages sent in ``[since, until)``."""
    converted = Q(converted_at__isnull=False)
    rows = (
        Message.objects.filter(status=MessageStatus.SENT, sent_at__gte=since, sent_at__lt=until)
        .values("flow_id", "currency")
        .annotate(
            sent=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            converted=Count("pk", filter=converted),
            revenue=Sum("revenue", filter=converted),
        )
        .order_by("flow_id", "currency")
    )
    stats: dict[int, CrmFlowPeriodStats] = {}
    for row in rows:
        flow = stats.setdefault(
            row["flow_id"],
            CrmFlowPeriodStats(sent=0, opened=0, clicked=0, converted=0, revenue=[]),
        )
        flow.flow_id = row["flow_id"]
        for name in ("sent", "opened", "clicked", "converted"):
            setattr(flow, name, getattr(flow, name) + row[name])
        if row["converted"] and row["currency"]:
            flow.revenue.append(MoneyAmount(Decimal(row["revenue"]), row["currency"]))
    return list(stats.values())


def nps_overview(period: str, since, until) -> CrmNpsOverview:
    answers = SurveyResponse.objects.filter(answered_at__gte=since, answered_at__lt=until)

    def counts(queryset):
        return queryset.aggregate(
            answers=Count("pk"),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )

    total = counts(answers)
    rows = (
        answers.annotate(start=truncate(period, "answered_at"))
        .values("start")
        .annotate(
            answers=Count("pk"),
            promoters=Count("pk", filter=Q(score__gte=9)),
            detractors=Count("pk", filter=Q(score__lte=6)),
        )
        .order_by()
    )
    by_start = {row["start"]: row for row in rows}
    history = []
    for start in bucket_starts(period, since, until):
        row = by_start.get(start, {"answers": 0, "promoters": 0, "detractors": 0})
        history.append(CrmNpsPeriod(start=start, answers=row["answers"], score=net_promoter_score(**_split(row))))
    return CrmNpsOverview(
        score=net_promoter_score(**_split(total)),
        answers=total["answers"],
        promoters=total["promoters"],
        passives=total["answers"] - total["promoters"] - total["detractors"],
        detractors=total["detractors"],
        history=history,
        latest=list(answers.order_by("-answered_at", "-pk")[:LATEST_ANSWERS]),
    )


def _split(row: dict) -> dict:
    return {"answers": row["answers"], "promoters": row["promoters"], "detractors": row["detractors"]}


def net_promoter_score(answers: int, promoters: int, detractors: int) -> int | None:
    """``automation.surveys.nps`` from counts (SQL counted them): % promoters minus % detractors, rounded."""
    return round(100 * (promoters - detractors) / answers) if answers else None


def preview(profile, step: dict, position: int, channel: str) -> CrmFlowPreview:
    if profile is None:
        return CrmFlowPreview(errors=[_error("customer", "NOT_FOUND", "There is no such customer.")])
    prefix = f"steps.{position}"
    parts = {part: step.get(part) or "" for part in ("subject", "text", "html")}
    errors = [
        _error(f"{prefix}.{part}", "INVALID", problem)
        for part, source in parts.items()
        if (problem := check_template(source, html=part == "html"))
    ]
    translations = step.get("translations") or {}
    if not isinstance(translations, dict):
        errors.append(_error(f"{prefix}.translations", "INVALID", "Translations are an object of languages."))
        translations = {}
    for language, translated in translations.items():
        for part, source in (translated if isinstance(translated, dict) else {}).items():
            if part in parts and (problem := check_template(str(source or ""), html=part == "html")):
                errors.append(_error(f"{prefix}.translations.{language}.{part}", "INVALID", problem))
    if errors:
        return CrmFlowPreview(errors=errors)
    unsaved_step = FlowStep(
        position=position,
        translations=translations,
        incentive_points=max(0, int(step.get("incentive_points") or 0)),
        discount_code=step.get("discount_code") or "",
        **parts,
    )
    # The customer's newest checkout stands in for the trigger's, so cart placeholders show something real.
    checkout = CheckoutSnapshot.objects.filter(profile=profile).order_by("-started_at").values_list("token", flat=True)
    context = {"token": token} if (token := checkout.first()) else {}
    message = Message(
        pk=PREVIEW_MESSAGE_ID, profile_id=profile.pk, step=unsaved_step, enrollment=Enrollment(context=context),
        channel=channel,
    )  # fmt: skip
    rendered = render_batch([message])[PREVIEW_MESSAGE_ID]
    if isinstance(rendered, Exception):
        return CrmFlowPreview(errors=[_error(prefix, "INVALID", f"The step can't be rendered: {rendered}")])
    return CrmFlowPreview(
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html or None,
        language=rendered.language or None,
        errors=[],
    )


def _error(field: str, code: str, message: str) -> dict:
    return AutomationError(field, code, message).as_error()
