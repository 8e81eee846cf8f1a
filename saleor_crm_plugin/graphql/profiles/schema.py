"""Profile queries and mutations, gathered into the CRM schema by ``graphql/schema.py``."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...auth import Permission
from ...events import normalise_email
from ...profiles.models import CustomerProfile
from ..core.connection import paginate
from ..core.errors import int_pk_or_error
from ..core.permissions import caller_of, require
from . import mutations
from .dataloaders import ProfileByIdLoader, ProfileByUserIdLoader
from .filters import CrmCustomerFilterInput, CrmCustomerSortingInput, filter_customers, sort_customers
from .types import CrmCustomer, CrmCustomerCountableConnection, visible_profile


class ProfileQueries(graphene.ObjectType):
    crm_customers = graphene.Field(
        CrmCustomerCountableConnection,
        first=graphene.Int(),
        after=graphene.String(),
        last=graphene.Int(),
        before=graphene.String(),
        filter=CrmCustomerFilterInput(),
        sort_by=CrmCustomerSortingInput(),
        description="Customer profiles. Requires MANAGE_USERS.",
    )
    crm_customer = graphene.Field(
        CrmCustomer,
        id=graphene.ID(),
        email=graphene.String(),
        description="One customer by ID or email. Staff with MANAGE_USERS, or the shopper themself.",
    )
    crm_me = graphene.Field(CrmCustomer, description="The signed-in shopper's own profile.")

    @staticmethod
    def resolve_crm_customers(root, info, filter=None, sort_by=None, **page):
        require(info, Permission.MANAGE_USERS)
        filter = filter or {}
        queryset = filter_customers(CustomerProfile.objects.filter(anonymised_at__isnull=True), filter)
        queryset, ordering = sort_customers(queryset, sort_by, filter.get("currency"))
        return paginate(queryset, ordering, page, "crmCustomers")

    @staticmethod
    def resolve_crm_customer(root, info, id=None, email=None):
        if id is not None and email is not None:
            raise GraphQLError("Argument 'id' cannot be combined with 'email'")
        if id is None and email is None:
            raise GraphQLError("At least one of arguments is required: 'id', 'email'.")
        if id is not None:
            profile = ProfileByIdLoader(info.context).load(int_pk_or_error(id, "CrmCustomer"))
            return profile.then(lambda found: visible_profile(info, found))
        caller = caller_of(info)
        own_email = caller.user is not None and normalise_email(caller.user.email) == normalise_email(email)
        if not own_email:
            require(info, Permission.MANAGE_USERS)  # no probing which emails are customers
        found = (
            CustomerProfile.objects.filter(email=normalise_email(email), anonymised_at__isnull=True)
            .order_by("saleor_user_id")  # the account's profile before a leftover guest one
            .first()
        )
        return visible_profile(info, found)

    @staticmethod
    def resolve_crm_me(root, info):
        own = caller_of(info).user_global_id
        return ProfileByUserIdLoader(info.context).load(own) if own else None


class ProfileMutations(graphene.ObjectType):
    crm_customer_tags_update = mutations.CrmCustomerTagsUpdate.Field()
    crm_customer_note_add = mutations.CrmCustomerNoteAdd.Field()
    crm_customer_note_delete = mutations.CrmCustomerNoteDelete.Field()
    crm_customer_consent_update = mutations.CrmCustomerConsentUpdate.Field()
    crm_customer_export = mutations.CrmCustomerExport.Field()
