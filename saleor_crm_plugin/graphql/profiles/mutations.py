"""Staff (and the shopper, for consent and export) changing a profile through its actions."""

from __future__ import annotations

import json

import graphene
from django.core.serializers.json import DjangoJSONEncoder
from graphql.error import GraphQLError

from ...auth import Permission
from ...profiles import actions
from ...profiles.export import export_customer_data
from ...profiles.models import ConsentSource, CustomerNote, CustomerProfile
from ..core import scalars
from ..core.errors import MutationError, error_type, int_pk_or_error
from ..core.mutations import CRMMutation
from ..core.permissions import caller_of, owns_profile, require
from ..core.visibility import SHOPPER_OR_MANAGER, sees_any
from .enums import CrmCustomerErrorCode
from .types import CrmCustomer, CrmCustomerNote

CrmCustomerError = error_type("CrmCustomerError", CrmCustomerErrorCode, "An error on a CRM customer mutation.")
ERRORS = graphene.List(graphene.NonNull(CrmCustomerError), required=True)


def profile_or_error(global_id: str | None, info, field: str = "id") -> CustomerProfile:
    """The profile named by ``global_id``, or the caller's own when the caller is a shopper and gave none.

    A profile the caller may not act on answers NOT_FOUND, exactly like a missing one.
    """
    if global_id is None:
        own = caller_of(info).user_global_id
        profile = CustomerProfile.objects.filter(saleor_user_id=own).first() if own else None
        if profile is None:
            raise MutationError(field, "REQUIRED", "Give the customer's ID.")
        return profile
    try:
        pk = int_pk_or_error(global_id, "CrmCustomer")
    except GraphQLError as error:
        raise MutationError(field, "GRAPHQL_ERROR", error.message) from error
    profile = CustomerProfile.objects.filter(pk=pk).first()
    if not sees_any(info, profile, SHOPPER_OR_MANAGER):
        raise MutationError(field, "NOT_FOUND", f"Couldn't resolve to a node: {global_id}")
    return profile


class CrmCustomerTagsUpdate(CRMMutation):
    customer = graphene.Field(CrmCustomer)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True, description="ID of a CrmCustomer.")
        add_tags = graphene.List(graphene.NonNull(graphene.String), description="Tags to add.")
        remove_tags = graphene.List(graphene.NonNull(graphene.String), description="Tags to remove.")

    class Meta:
        description = "Adds and removes a customer's tags. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id, add_tags=(), remove_tags=()):
        require(info, Permission.MANAGE_USERS)
        profile = profile_or_error(id, info)
        actions.update_tags(profile, add=add_tags or (), remove=remove_tags or ())
        return cls(customer=profile, errors=[])


class CrmCustomerNoteInput(graphene.InputObjectType):
    message = graphene.String(required=True, description="The note's text.")


class CrmCustomerNoteAdd(CRMMutation):
    customer = graphene.Field(CrmCustomer)
    note = graphene.Field(CrmCustomerNote)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True, description="ID of a CrmCustomer.")
        input = CrmCustomerNoteInput(required=True)

    class Meta:
        description = "Adds a staff note to a customer (and its timeline). Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id, input):
        require(info, Permission.MANAGE_USERS)
        profile = profile_or_error(id, info)
        author = caller_of(info).user
        try:
            note = actions.add_note(profile, input["message"], author=author)
        except actions.ProfileActionError as error:
            raise MutationError("message", error.code, str(error)) from error
        return cls(customer=profile, note=note, errors=[])


class CrmCustomerNoteDelete(CRMMutation):
    customer = graphene.Field(CrmCustomer)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(required=True, description="ID of a CrmCustomerNote.")

    class Meta:
        description = "Deletes a staff note. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id):
        require(info, Permission.MANAGE_USERS)
        try:
            pk = int_pk_or_error(id, "CrmCustomerNote")
        except GraphQLError as error:
            raise MutationError("id", "GRAPHQL_ERROR", error.message) from error
        note = CustomerNote.objects.select_related("profile").filter(pk=pk).first()
        if note is None:
            raise MutationError("id", "NOT_FOUND", f"Couldn't resolve to a node: {id}")
        actions.delete_note(note)
        return cls(customer=note.profile, errors=[])


class CrmCustomerConsentUpdate(CRMMutation):
    customer = graphene.Field(CrmCustomer)
    errors = ERRORS

    class Arguments:
        id = graphene.ID(description="ID of a CrmCustomer; a signed-in shopper may leave it out for their own.")
        marketing_consent = graphene.Boolean(required=True)

    class Meta:
        description = "Records a customer's marketing consent. The shopper themself, or staff with MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, marketing_consent, id=None):
        profile = profile_or_error(id, info)
        caller = caller_of(info)
        source = ConsentSource.SHOPPER if owns_profile(caller, profile) else ConsentSource.STAFF
        actions.set_marketing_consent(profile, marketing_consent, source=source, by=caller.user)
        return cls(customer=profile, errors=[])


class CrmCustomerExport(CRMMutation):
    data = scalars.JSONString(description="Everything the CRM holds about the customer.")
    errors = ERRORS

    class Arguments:
        id = graphene.ID(description="ID of a CrmCustomer; a signed-in shopper may leave it out for their own.")

    class Meta:
        description = (
            "Exports a customer's CRM data as JSON: staff with MANAGE_USERS get everything; the shopper "
            "themself what the API shows them (no staff notes, tags or internal ticket notes)."
        )

    @classmethod
    def perform_mutation(cls, info, id=None):
        profile = profile_or_error(id, info)
        staff = caller_of(info).has_permission(Permission.MANAGE_USERS)
        data = json.loads(json.dumps(export_customer_data(profile, staff=staff), cls=DjangoJSONEncoder))
        return cls(data=data, errors=[])
