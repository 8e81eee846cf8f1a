"""Root queries of the Dashboard App's customer pages (list and 360 page).

The dashboard names a customer by Saleor's ``User`` ID, the CRM by its ``CrmCustomer`` ID: every
field here takes either, so a page opened from Saleor's customer page needs no extra round trip.
"""

from __future__ import annotations

import graphene
from django.db.models import Count, Q
from graphql.error import GraphQLError

from ...auth import Permission
from ...profiles.models import CustomerSpend, CustomerTag
from ..core.connection import MAX_PAGE_SIZE, paginate
from ..core.errors import from_global_id_or_error, int_pk_or_error
from ..core.permissions import caller_of, require
from ..core.visibility import SHOPPER_OR_MANAGER, sees_any
from ..profiles.dataloaders import TIMELINE_ORDERING, ProfileByIdLoader, ProfileByUserIdLoader, visible_timeline
from ..profiles.types import CrmCustomer, CrmTimelineEntryCountableConnection, visible_profile


class CrmTimelineCategory(graphene.Enum):
    """Groups of timeline kinds, by the domain before the dot (``order.paid`` is an ORDERS entry)."""

    ORDERS = "order"
    CHECKOUTS = "checkout"
    LOYALTY = "loyalty"
    MARKETING = "message marketing consent survey"
    SUPPORT = "ticket"
    NOTES = "note"
    SEGMENTS = "segment"
    ACCOUNT = "customer profile"

    @property
    def description(self):
        return f"Entries whose kind starts with {', '.join(f'`{p}.`' for p in self.value.split())}."


class CrmTagUsage(graphene.ObjectType):
    name = graphene.String(required=True)
    customers = graphene.Int(required=True, description="Customers with this tag.")

    class Meta:
        description = "A customer tag in use, with how many customers carry it."


def profile_by_any_id(info, global_id: str):
    """A promise of the profile named by a ``CrmCustomer`` ID or by its account's Saleor ``User`` ID."""
    try:
        from_global_id_or_error(global_id, "User")
    except GraphQLError:
        pass
    else:
        return ProfileByUserIdLoader(info.context).load(global_id)
    try:
        pk = int_pk_or_error(global_id, "CrmCustomer")
    except GraphQLError as error:
        raise GraphQLError(f"Couldn't resolve id: {global_id}. Give a CrmCustomer or a Saleor User ID.") from error
    return ProfileByIdLoader(info.context).load(pk)


def kinds_of(categories: list[str]) -> Q:
    prefixes = [prefix for category in categories for prefix in category.split()]
    condition = Q()
    for prefix in prefixes:
        condition |= Q(kind__startswith=f"{prefix}.")
    return condition


class CustomerPageQueries(graphene.ObjectType):
    crm_customer_lookup = graphene.Field(
        CrmCustomer,
        id=graphene.ID(required=True, description="A CrmCustomer ID or the Saleor User ID of the account."),
        description="One customer by either ID; null when unknown or not visible to the caller (see CrmCustomer).",
    )
    crm_customer_timeline = graphene.Field(
        CrmTimelineEntryCountableConnection,
        customer=graphene.ID(required=True, description="A CrmCustomer ID or the Saleor User ID of the account."),
        categories=graphene.List(graphene.NonNull(CrmTimelineCategory), description="Only these; all if empty."),
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        description="A customer's timeline, newest first, filtered by category. Staff with MANAGE_USERS, or "
        "the shopper themself (who doesn't see staff notes); null for anyone else, as for an unknown customer.",
    )
    crm_viewer_permissions = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="The Saleor permissions the caller holds here (a staff user's, intersected with the app's for "
        "a dashboard extension token): lets a page explain a refusal instead of showing nothing. Public.",
    )
    crm_customer_tags = graphene.Field(
        graphene.List(graphene.NonNull(CrmTagUsage)),
        required=True,
        search=graphene.String(description="Part of the tag."),
        first=graphene.Int(default_value=50, description=f"Up to {MAX_PAGE_SIZE}, most used first."),
        description="Customer tags in use. Requires MANAGE_USERS.",
    )
    crm_customer_currencies = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="The currencies customers have spent in: what spend filters and sorting take. "
        "Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_customer_lookup(root, info, id):
        return profile_by_any_id(info, id).then(lambda found: visible_profile(info, found))

    @staticmethod
    def resolve_crm_customer_timeline(root, info, customer, categories=None, **page):
        def to_page(profile):
            if not sees_any(info, profile, SHOPPER_OR_MANAGER):
                return None  # another customer's timeline answers like a missing one
            entries = visible_timeline(caller_of(info).has_permission(Permission.MANAGE_USERS))
            entries = entries.filter(profile=profile)
            if categories:
                entries = entries.filter(kinds_of(categories))
            return paginate(entries, TIMELINE_ORDERING, page, "crmCustomerTimeline")

        return profile_by_any_id(info, customer).then(to_page)

    @staticmethod
    def resolve_crm_viewer_permissions(root, info):
        caller = caller_of(info)
        return [permission.value for permission in Permission if caller.has_permission(permission)]

    @staticmethod
    def resolve_crm_customer_tags(root, info, first, search=None):
        require(info, Permission.MANAGE_USERS)
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise GraphQLError(f"Argument `first` must be between 0 and {MAX_PAGE_SIZE}.")
        tags = CustomerTag.objects.all()
        if search := (search or "").strip():
            tags = tags.filter(name__icontains=search)
        rows = tags.values("name").annotate(customers=Count("profile_id")).order_by("-customers", "name")[:first]
        return [CrmTagUsage(name=row["name"], customers=row["customers"]) for row in rows]

    @staticmethod
    def resolve_crm_customer_currencies(root, info):
        require(info, Permission.MANAGE_USERS)
        spend = CustomerSpend.objects.filter(orders_count__gt=0)
        return list(spend.values_list("currency", flat=True).distinct().order_by("currency"))
