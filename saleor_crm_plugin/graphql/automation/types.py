"""Flows and their messages as the API shows them; every relation through a dataloader.

Flows are staff-only (the queries check ``MANAGE_USERS``). A message is also shown to its own shopper
through ``User.crmMessages``: they see what reached them (subject, when, status, the flow's name);
delivery details and tracking stay staff-only.
"""

from __future__ import annotations

import graphene
from graphene import relay
from promise import Promise

from ...automation.models import Flow, Message
from ...automation.stats import FlowStats
from ..core import scalars
from ..core.connection import CountableConnection, Page, cursor_for, decode_cursor, page_size
from ..core.types import Money, MoneyAmount
from ..core.visibility import MANAGERS, SHOPPER_OR_MANAGER, guard_fields
from ..profiles.dataloaders import ProfileByIdLoader
from ..profiles.types import CrmCustomer, owner_by_profile_id, visible_profile
from .dataloaders import (
    MESSAGE_ORDERING,
    FlowByIdLoader,
    FlowStatsLoader,
    MessageCountLoader,
    MessagePageLoader,
    StepsByFlowIdLoader,
)
from .enums import CrmMessageStatusEnum
from .filters import Conditions, CrmMessageFilterInput, message_conditions


class CrmFlowStep(graphene.ObjectType):
    position = graphene.Int(required=True, description="From 1.")
    wait_minutes = graphene.Int(required=True, description="After the trigger (first step) or the previous step.")
    send_window_hours = graphene.Int(
        required=True, description="0: send when due; else at the customer's best hour within this many hours."
    )
    subject = graphene.String(required=True, description="A template, like text.")
    text = graphene.String(required=True, description="The plain-text template.")
    html = graphene.String(required=True, description="The HTML template (autoescaped); empty for text only.")
    translations = scalars.JSONString(
        required=True, description='Per language: {"pl": {"subject": …, "text": …, "html": …}}.'
    )
    incentive_points = graphene.Int(required=True, description="Loyalty points given when the message is sent.")
    discount_code = graphene.String(required=True)

    class Meta:
        description = "A wait, then a message."


class CrmSkipReasonCount(graphene.ObjectType):
    reason = graphene.String(
        required=True, description="no_consent, unsubscribed, frequency_cap, goal_reached, no_email, flow_paused, …"
    )
    count = graphene.Int(required=True)


class CrmFlowStats(graphene.ObjectType):
    enrolled = graphene.Int(required=True, description="Customers who entered the flow (each time counts).")
    active_enrollments = graphene.Int(required=True, description="Still waiting for a step.")
    goal_reached = graphene.Int(required=True, description="Enrollments ended early by a goal.")
    pending = graphene.Int(required=True, description="Messages scheduled or being sent.")
    sent = graphene.Int(required=True)
    skipped = graphene.Int(required=True)
    skipped_by_reason = graphene.List(graphene.NonNull(CrmSkipReasonCount), required=True)
    failed = graphene.Int(required=True)
    opened = graphene.Int(required=True, description="Sent messages opened at least once.")
    clicked = graphene.Int(required=True, description="Sent messages with at least one click.")
    converted = graphene.Int(required=True, description="Messages an order is attributed to.")
    revenue = graphene.List(
        graphene.NonNull(Money), required=True, description="Attributed orders' totals, per currency."
    )
    open_rate = scalars.Decimal(description="Opened / sent, 4 places (0.2500 is 25 %); null when nothing was sent.")
    click_rate = scalars.Decimal(description="Clicked / sent; null when nothing was sent.")
    conversion_rate = scalars.Decimal(description="Converted / sent; null when nothing was sent.")

    class Meta:
        description = "What a flow achieved, over its whole history."

    @staticmethod
    def resolve_active_enrollments(root: FlowStats, info):
        return root.active

    @staticmethod
    def resolve_skipped_by_reason(root: FlowStats, info):
        return [CrmSkipReasonCount(reason=reason, count=n) for reason, n in root.skipped_by_reason.items()]

    @staticmethod
    def resolve_revenue(root: FlowStats, info):
        return [MoneyAmount(amount, currency) for currency, amount in root.revenue.items()]


class CrmFlow(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    trigger = graphene.String(required=True, description="What starts it; see `crmAutomationTriggers`.")
    trigger_segment = graphene.String(description="For segment triggers: the segment's slug.")
    segment_filter = graphene.String(description="Only members of this segment (slug) enter.")
    goals = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="What ends it early; see `crmAutomationGoals`."
    )
    transactional = graphene.Boolean(
        required=True, description="Reminders that may go without marketing consent if the merchant allows."
    )
    is_builtin = graphene.Boolean(required=True, description="Built-in flows keep their slug and trigger.")
    is_active = graphene.Boolean(required=True)
    active_since = graphene.DateTime(description="Facts before this moment start nothing.")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    steps = graphene.List(graphene.NonNull(CrmFlowStep), required=True)
    stats = graphene.Field(CrmFlowStats, required=True)
    messages = graphene.Field(
        lambda: CrmMessageCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        filter=CrmMessageFilterInput(),
        required=True,
        description="The flow's messages, newest first.",
    )

    class Meta:
        interfaces = (relay.Node,)
        description = (
            "A marketing automation flow: a trigger, steps (a wait, then a message) and goals. Requires MANAGE_USERS."
        )

    @staticmethod
    def resolve_trigger_segment(root: Flow, info):
        return root.trigger_segment or None

    @staticmethod
    def resolve_segment_filter(root: Flow, info):
        return root.segment_filter or None

    @staticmethod
    def resolve_steps(root: Flow, info):
        return StepsByFlowIdLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_stats(root: Flow, info):
        return FlowStatsLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_messages(root: Flow, info, first=None, after=None, filter=None):
        return message_page(info, "flow_id", root.pk, {"first": first, "after": after}, message_conditions(filter))


class CrmFlowCountableConnection(CountableConnection):
    class Meta:
        node = CrmFlow


class CrmMessage(graphene.ObjectType):
    flow = graphene.Field(CrmFlow, description="Requires MANAGE_USERS.")
    flow_name = graphene.String(required=True)
    position = graphene.Int(required=True, description="The flow step it was made for, from 1.")
    customer = graphene.Field(CrmCustomer)
    email = graphene.String(description="Where it was sent. Requires MANAGE_USERS.")
    subject = graphene.String(required=True, description="As sent; empty until then.")
    status = graphene.Field(CrmMessageStatusEnum, required=True)
    reason = graphene.String(description="Why it was skipped or failed. Requires MANAGE_USERS.")
    send_at = graphene.DateTime(description="When it is (or was) due. Requires MANAGE_USERS.")
    sent_at = graphene.DateTime()
    opened_at = graphene.DateTime(description="First open. Requires MANAGE_USERS.")
    opens = graphene.Int(description="Requires MANAGE_USERS.")
    clicked_at = graphene.DateTime(description="First click. Requires MANAGE_USERS.")
    clicks = graphene.Int(description="Requires MANAGE_USERS.")
    converted_at = graphene.DateTime(description="When the attributed order was placed. Requires MANAGE_USERS.")
    order_id = graphene.ID(description="Saleor's ID of the attributed order. Requires MANAGE_USERS.")
    revenue = graphene.Field(
        Money, description="The attributed order's total; null when not converted. Requires MANAGE_USERS."
    )
    language = graphene.String(description="The translation used; null for the default.")
    channel = graphene.String(description="The channel slug it speaks for.")

    class Meta:
        interfaces = (relay.Node,)
        description = "A message a flow made for one customer and step."

    @staticmethod
    def resolve_email(root: Message, info):
        return root.email or None

    @staticmethod
    def resolve_reason(root: Message, info):
        return root.reason or None

    @staticmethod
    def resolve_order_id(root: Message, info):
        return root.order_id or None

    @staticmethod
    def resolve_revenue(root: Message, info):
        return MoneyAmount(root.revenue, root.currency) if root.converted_at else None

    @staticmethod
    def resolve_flow(root: Message, info):
        return FlowByIdLoader(info.context).load(root.flow_id)

    @staticmethod
    def resolve_flow_name(root: Message, info):
        return FlowByIdLoader(info.context).load(root.flow_id).then(lambda flow: flow.name)

    @staticmethod
    def resolve_customer(root: Message, info):
        return ProfileByIdLoader(info.context).load(root.profile_id).then(lambda found: visible_profile(info, found))

    @staticmethod
    def resolve_language(root: Message, info):
        return root.language or None

    @staticmethod
    def resolve_channel(root: Message, info):
        return root.channel or None


# The shopper sees what reached them; delivery details and tracking are the merchant's.
DELIVERY_AND_TRACKING = ("flow", "email", "reason", "send_at", "opened_at", "opens", "clicked_at", "clicks")
CONVERSION = ("converted_at", "order_id", "revenue")
guard_fields(
    CrmMessage,
    owner=owner_by_profile_id,
    default=SHOPPER_OR_MANAGER,
    audiences=dict.fromkeys((*DELIVERY_AND_TRACKING, *CONVERSION), MANAGERS),
)


class CrmMessageCountableConnection(CountableConnection):
    class Meta:
        node = CrmMessage


def message_page(info, parent: str, parent_id: int, page: dict, conditions: Conditions) -> Promise:
    """One page of a flow's or a customer's messages through the batching loaders."""
    size, _ = page_size(page, "messages")
    after = page.get("after")
    if after:
        decode_cursor(after, len(MESSAGE_ORDERING))  # a bad cursor fails this field, not the whole batch

    def to_page(found: list[Message]) -> Page:
        rows = found[:size]
        return Page(
            rows=rows,
            cursors=[cursor_for(row, MESSAGE_ORDERING) for row in rows],
            has_next=len(found) > size,
            has_previous=bool(after),
            count=lambda: MessageCountLoader(info.context).load((parent, parent_id, conditions)),
        )

    return MessagePageLoader(info.context).load((parent, parent_id, size, after or None, conditions)).then(to_page)


def empty_page() -> Page:
    return Page(rows=[], cursors=[], has_next=False, has_previous=False, count=lambda: 0)


class CrmAutomationTrigger(graphene.ObjectType):
    name = graphene.String(required=True, description="What `CrmFlow.trigger` holds, e.g. `checkout.abandoned`.")
    description = graphene.String(required=True)
    needs_segment = graphene.Boolean(required=True, description="The flow names the segment (`triggerSegment`).")


class CrmAutomationGoal(graphene.ObjectType):
    name = graphene.String(required=True)
    description = graphene.String(required=True)


class CrmAutomationPlaceholder(graphene.ObjectType):
    name = graphene.String(required=True, description="Write it as {{ name }} in a step's templates.")
    description = graphene.String(required=True)
