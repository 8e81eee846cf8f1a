"""The customer 360 profile as the API shows it; every relation goes through a dataloader."""

from __future__ import annotations

from datetime import datetime

import graphene
from graphene import relay

from ...auth import Permission
from ...ids import global_id
from ...profiles.aggregates import UNCOUNTED_STATUSES
from ...profiles.models import CustomerProfile, OrderSnapshot
from ..analytics.predictions import CustomerPredictionFields
from ..automation import customer as automation
from ..core import scalars
from ..core.connection import CountableConnection, Page, cursor_for, page_size
from ..core.permissions import caller_of
from ..core.types import Money, MoneyAmount
from ..core.visibility import MANAGERS, SHOPPER_OR_MANAGER, SHOPPER_OR_SUPPORT, guard_fields, sees_any
from ..dashboard.customer_fields import CustomerPageFields
from ..dashboard.widget_fields import CustomerWidgetFields, OrderWidgetFields
from .dataloaders import (
    TIMELINE_ORDERING,
    FavouritesLoader,
    NotesByProfileIdLoader,
    ProfileByIdLoader,
    SpendByProfileIdLoader,
    TagsByProfileIdLoader,
    TimelineCountLoader,
    TimelineLoader,
)

USER_ENTITY = "saleor_crm_plugin.graphql.entities.User"
ORDER_ENTITY = "saleor_crm_plugin.graphql.entities.Order"


def user_entity(user_global_id: str | None):
    from ..entities import User

    return User(id=user_global_id) if user_global_id else None


class CrmFavourite(graphene.ObjectType):
    id = graphene.ID(required=True, description="Saleor's ID of the category or product.")
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True, description="Units bought.")

    class Meta:
        description = "A category or product the customer buys most, by units."

    @staticmethod
    def resolve_id(root, info):
        return root.ref_id


class CrmTouch(graphene.ObjectType):
    source = graphene.String(description="utm_source")
    medium = graphene.String(description="utm_medium")
    campaign = graphene.String(description="utm_campaign")
    at = graphene.DateTime(description="When the shopper came this way.")
    via = graphene.String(description="Where it was seen, e.g. `order #1042` or `checkout`.")

    class Meta:
        description = "Marketing attribution: the UTM parameters of one visit that led to a checkout or order."

    @staticmethod
    def from_dict(touch: dict, at: datetime | None = None, via: str | None = None) -> CrmTouch | None:
        if not touch:
            return None
        when = touch.get("at")
        return CrmTouch(
            source=touch.get("utm_source"),
            medium=touch.get("utm_medium"),
            campaign=touch.get("utm_campaign"),
            at=datetime.fromisoformat(when) if when else at,
            via=touch.get("via", via),
        )


class CrmAttribution(graphene.ObjectType):
    first_touch = graphene.Field(CrmTouch, description="The earliest attributed visit.")
    last_touch = graphene.Field(CrmTouch, description="The latest attributed visit.")


class CrmCustomerNote(graphene.ObjectType):
    message = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    author = graphene.Field(USER_ENTITY, description="The staff member who wrote it.")

    class Meta:
        interfaces = (relay.Node,)
        description = "A staff note on a customer. Requires MANAGE_USERS."

    @staticmethod
    def resolve_message(root, info):
        return root.body

    @staticmethod
    def resolve_author(root, info):
        return user_entity(global_id("User", root.author_id) if root.author_id else None)


class CrmTimelineEntry(graphene.ObjectType):
    kind = graphene.String(required=True, description="What happened, e.g. `order.paid`, `checkout.abandoned`.")
    occurred_at = graphene.DateTime(required=True)
    summary = graphene.String(required=True)
    data = scalars.JSONString(description="Details: order or checkout ID, amounts, channel.")

    class Meta:
        interfaces = (relay.Node,)
        description = "One interaction on a customer's timeline."


class CrmTimelineEntryCountableConnection(CountableConnection):
    class Meta:
        node = CrmTimelineEntry


class CrmCustomer(CustomerPageFields, CustomerWidgetFields, CustomerPredictionFields, graphene.ObjectType):
    email = graphene.String(required=True, description="Empty once the customer is anonymised.")
    user = graphene.Field(USER_ENTITY, description="The Saleor account, for registered customers.")
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    name = graphene.String(required=True, description="First and last name.")
    is_active = graphene.Boolean(required=True)
    orders_count = graphene.Int(required=True, description="Orders placed, excluding drafts, cancelled and expired.")
    cancellations_count = graphene.Int(required=True)
    refunds_count = graphene.Int(required=True)
    spend = graphene.List(
        graphene.NonNull(Money), required=True, description="Lifetime spend net of refunds, per currency."
    )
    average_order_value = graphene.List(graphene.NonNull(Money), required=True, description="Per currency.")
    first_order_at = graphene.DateTime()
    last_order_at = graphene.DateTime()
    last_activity_at = graphene.DateTime()
    joined_at = graphene.DateTime(description="When the account was created; null for guests.")
    favourite_categories = graphene.List(graphene.NonNull(CrmFavourite), required=True)
    favourite_products = graphene.List(graphene.NonNull(CrmFavourite), required=True)
    channels = graphene.List(graphene.NonNull(graphene.String), required=True, description="Channel slugs.")
    attribution = graphene.Field(CrmAttribution, required=True)
    marketing_consent = graphene.Boolean(description="Null when the customer never said.")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Requires MANAGE_USERS.")
    notes = graphene.List(graphene.NonNull(CrmCustomerNote), description="Requires MANAGE_USERS.")
    timeline = graphene.Field(
        CrmTimelineEntryCountableConnection,
        first=graphene.Int(required=True, description="Up to 100 entries, newest first."),
        after=graphene.String(),
        required=True,
    )
    marketing = graphene.Field(automation.CrmMarketingState, required=True, description="Staff or the shopper.")
    survey_responses = graphene.List(
        graphene.NonNull(automation.CrmSurveyResponse), description="Newest first. Requires MANAGE_USERS."
    )
    nps = graphene.Int(description="Net Promoter Score of the survey answers (-100..100). Requires MANAGE_USERS.")

    class Meta:
        interfaces = (relay.Node,)
        description = (
            "A shopper's 360° profile: one per Saleor account, or per email for guests. The contact card (id, "
            "email, names, user) is shown to the shopper, staff with MANAGE_USERS and helpdesk staff with "
            "MANAGE_ORDERS; everything else needs MANAGE_USERS or being the shopper, wherever the profile is reached."
        )

    @staticmethod
    def resolve_user(root: CustomerProfile, info):
        return user_entity(root.saleor_user_id)

    @staticmethod
    def resolve_name(root: CustomerProfile, info):
        return f"{root.first_name} {root.last_name}".strip()

    @staticmethod
    def resolve_spend(root: CustomerProfile, info):
        return _per_currency(info, root, lambda row: row.total)

    @staticmethod
    def resolve_average_order_value(root: CustomerProfile, info):
        return _per_currency(info, root, lambda row: row.average_order_value)

    @staticmethod
    def resolve_favourite_categories(root: CustomerProfile, info):
        return FavouritesLoader(info.context).load((root.pk, "category"))

    @staticmethod
    def resolve_favourite_products(root: CustomerProfile, info):
        return FavouritesLoader(info.context).load((root.pk, "product"))

    @staticmethod
    def resolve_attribution(root: CustomerProfile, info):
        return CrmAttribution(
            first_touch=CrmTouch.from_dict(root.first_touch), last_touch=CrmTouch.from_dict(root.last_touch)
        )

    @staticmethod
    def resolve_tags(root: CustomerProfile, info):
        return TagsByProfileIdLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_notes(root: CustomerProfile, info):
        return NotesByProfileIdLoader(info.context).load(root.pk)

    @staticmethod
    def resolve_timeline(root: CustomerProfile, info, first, after=None):
        size, _ = page_size({"first": first, "after": after}, "timeline")
        staff = caller_of(info).has_permission(Permission.MANAGE_USERS)

        def to_page(entries):
            rows = entries[:size]
            return Page(
                rows=rows,
                cursors=[cursor_for(row, TIMELINE_ORDERING) for row in rows],
                has_next=len(entries) > size,
                has_previous=after is not None,
                count=lambda: TimelineCountLoader(info.context).load((root.pk, staff)),
            )

        return TimelineLoader(info.context).load((root.pk, size, after, staff)).then(to_page)

    resolve_marketing = staticmethod(automation.resolve_marketing)
    resolve_survey_responses = staticmethod(automation.resolve_survey_responses)
    resolve_nps = staticmethod(automation.resolve_nps)


# The customer decides what each caller sees, whatever the path to it (a ticket, an order, an entity,
# a payload): helpdesk staff get the contact card, the rest is the shopper's and customer managers'.
CONTACT_CARD = ("id", "email", "first_name", "last_name", "name", "user")
guard_fields(
    CrmCustomer,
    owner=lambda profile, info: profile,
    default=SHOPPER_OR_MANAGER,
    audiences={
        **dict.fromkeys(CONTACT_CARD, SHOPPER_OR_SUPPORT),
        **dict.fromkeys(("tags", "notes", "survey_responses", "nps"), MANAGERS),
    },
)


def _per_currency(info, profile: CustomerProfile, amount_of):
    """One Money per currency the shopper bought in, from the batched spend rows."""
    rows = SpendByProfileIdLoader(info.context).load(profile.pk)
    return rows.then(lambda spend: [MoneyAmount(amount_of(row), row.currency) for row in spend])


class CrmCustomerCountableConnection(CountableConnection):
    class Meta:
        node = CrmCustomer


class CrmOrder(OrderWidgetFields, graphene.ObjectType):
    order = graphene.Field(
        ORDER_ENTITY, required=True, description="Saleor's order: its `id` names it, e.g. to open a ticket about it."
    )
    number = graphene.String(required=True)
    status = graphene.String(required=True, description="Saleor's order status, lower case.")
    charge_status = graphene.String(required=True)
    channel = graphene.String(required=True, description="Channel slug.")
    total = graphene.Field(Money, required=True)
    total_refunded = graphene.Field(Money, required=True)
    counts_towards_spend = graphene.Boolean(
        required=True, description="False for drafts, cancelled and expired orders."
    )
    placed_at = graphene.DateTime(required=True)
    paid_at = graphene.DateTime()
    fulfilled_at = graphene.DateTime()
    cancelled_at = graphene.DateTime()
    refunded_at = graphene.DateTime()
    attribution = graphene.Field(CrmTouch, description="UTM parameters the order was placed with.")
    customer = graphene.Field(CrmCustomer, required=True)

    class Meta:
        description = "What the CRM knows of a Saleor order."

    @staticmethod
    def resolve_order(root: OrderSnapshot, info):
        from ..entities import Order

        return Order(id=root.saleor_order_id)

    @staticmethod
    def resolve_total(root: OrderSnapshot, info):
        return MoneyAmount(root.total, root.currency)

    @staticmethod
    def resolve_total_refunded(root: OrderSnapshot, info):
        return MoneyAmount(root.total_refunded, root.currency)

    @staticmethod
    def resolve_counts_towards_spend(root: OrderSnapshot, info):
        return root.status not in UNCOUNTED_STATUSES

    @staticmethod
    def resolve_attribution(root: OrderSnapshot, info):
        return CrmTouch.from_dict(root.attribution, at=root.placed_at, via="order")

    @staticmethod
    def resolve_customer(root: OrderSnapshot, info):
        return ProfileByIdLoader(info.context).load(root.profile_id)


class CrmOrderCountableConnection(CountableConnection):
    class Meta:
        node = CrmOrder


def visible_profile(info, profile: CustomerProfile | None) -> CustomerProfile | None:
    """The profile if the caller may see anything of it, else None: another customer's profile
    answers exactly like a missing one, so an ID tells nothing about who is a customer."""
    return profile if sees_any(info, profile) else None


def owner_by_profile_id(row, info):
    """The profile a row belongs to, through the request's batching loader."""
    return ProfileByIdLoader(info.context).load(row.profile_id)


guard_fields(CrmOrder, owner=owner_by_profile_id, default=SHOPPER_OR_SUPPORT)
