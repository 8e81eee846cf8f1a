"""Staff configuring flows and a customer's marketing state, thin over ``automation.actions``.

Every mutation needs MANAGE_USERS (a GraphQL error without it, as in Saleor); what the action refuses
comes back as ``errors { field code message }``, with a step's fields named like ``steps.2.text``.
"""

from __future__ import annotations

import graphene
from django.utils import timezone
from graphql.error import GraphQLError

from ...auth import Permission
from ...automation import actions
from ...automation.errors import NOT_FOUND, AutomationError
from ...automation.models import Flow
from ...profiles.models import CustomerProfile
from ..core import scalars
from ..core.errors import error_type, int_pk_or_error
from ..core.mutations import CRMMutation
from ..core.permissions import caller_of, require
from ..profiles.types import CrmCustomer
from .customer import CrmMarketingState
from .enums import CrmAutomationErrorCode
from .types import CrmFlow

CrmAutomationError = error_type("CrmAutomationError", CrmAutomationErrorCode, "An error on a CRM automation mutation.")
ERRORS = graphene.List(graphene.NonNull(CrmAutomationError), required=True)
FLOW_FIELDS = ("name", "slug", "description", "trigger", "trigger_segment", "segment_filter", "goals", "is_active")


class CrmFlowStepInput(graphene.InputObjectType):
    wait_minutes = graphene.Int(description="0 to 525600 (365 days); default 0.")
    send_window_hours = graphene.Int(description="0 (send when due) to 168; default 0.")
    subject = graphene.String(description="Required; a template.")
    text = graphene.String(description="Required; the plain-text template.")
    html = graphene.String(description="The HTML template (autoescaped).")
    translations = scalars.JSONString(description='{"pl": {"subject": …, "text": …, "html": …}}')
    incentive_points = graphene.Int(description="Loyalty points given with the message.")
    discount_code = graphene.String()


class CrmFlowInput(graphene.InputObjectType):
    name = graphene.String(description="Required when creating.")
    slug = graphene.String(description="Unique; made from the name when not given. Built-in flows keep theirs.")
    description = graphene.String()
    trigger = graphene.String(
        description="Required when creating; see `crmAutomationTriggers`. Built-in flows keep theirs."
    )
    trigger_segment = graphene.String(description="For segment triggers: a segment's slug.")
    segment_filter = graphene.String(description="Only members of this segment (slug) enter; empty for everyone.")
    goals = graphene.List(graphene.NonNull(graphene.String), description="See `crmAutomationGoals`.")
    is_active = graphene.Boolean(description="Switching it on starts it from now; off pauses it.")
    steps = graphene.List(
        graphene.NonNull(CrmFlowStepInput), description="1 to 10; replace the flow's steps (by position)."
    )


class AutomationMutation(CRMMutation):
    """Every automation mutation needs MANAGE_USERS."""

    errors = ERRORS

    class Meta:
        abstract = True

    @classmethod
    def mutate(cls, root, info, **data):
        require(info, Permission.MANAGE_USERS)
        return super().mutate(root, info, **data)


def _pk(global_id: str, type_name: str, field: str) -> int:
    try:
        return int_pk_or_error(global_id, type_name)
    except GraphQLError as error:
        raise AutomationError(field, "GRAPHQL_ERROR", error.message) from error


def flow_or_error(global_id: str) -> Flow:
    flow = Flow.objects.filter(pk=_pk(global_id, "CrmFlow", "id")).first()
    if flow is None:
        raise AutomationError("id", NOT_FOUND, f"Couldn't resolve to a flow: {global_id}")
    return flow


def _steps(input: dict) -> list[dict] | None:
    steps = input.get("steps")
    return None if steps is None else [dict(step) for step in steps]


class CrmFlowCreate(AutomationMutation):
    flow = graphene.Field(CrmFlow)

    class Arguments:
        input = CrmFlowInput(required=True)

    class Meta:
        description = "Creates a flow (paused unless isActive). Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, input):
        given = {field: input[field] for field in FLOW_FIELDS if input.get(field) is not None}
        given.setdefault("name", None)
        given.setdefault("trigger", None)
        flow = actions.create_flow(**given, steps=_steps(input), now=timezone.now())
        return cls(flow=flow, errors=[])


class CrmFlowUpdate(AutomationMutation):
    flow = graphene.Field(CrmFlow)

    class Arguments:
        id = graphene.ID(required=True, description="ID of a CrmFlow.")
        input = CrmFlowInput(required=True)

    class Meta:
        description = "Changes what is given; built-in flows keep their slug and trigger. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id, input):
        changes = {field: input.get(field) for field in FLOW_FIELDS}
        flow = actions.update_flow(flow_or_error(id), timezone.now(), **changes, steps=_steps(input))
        return cls(flow=flow, errors=[])


class CrmFlowPause(AutomationMutation):
    flow = graphene.Field(CrmFlow)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "Pauses a flow: its active enrollments are cancelled and its scheduled messages skipped. "
            "Requires MANAGE_USERS."
        )

    @classmethod
    def perform_mutation(cls, info, id):
        return cls(flow=actions.set_flow_active(flow_or_error(id), False, timezone.now()), errors=[])


class CrmFlowResume(AutomationMutation):
    flow = graphene.Field(CrmFlow)

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = "Switches a flow on; facts from before now start nothing. Requires MANAGE_USERS."

    @classmethod
    def perform_mutation(cls, info, id):
        return cls(flow=actions.set_flow_active(flow_or_error(id), True, timezone.now()), errors=[])


class CrmFlowDelete(AutomationMutation):
    flow = graphene.Field(CrmFlow, description="The deleted flow.")

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        description = (
            "Deletes a merchant's own flow with its messages; built-in flows can only be paused. Requires MANAGE_USERS."
        )

    @classmethod
    def perform_mutation(cls, info, id):
        flow = flow_or_error(id)
        pk = flow.pk
        actions.delete_flow(flow)
        flow.pk = pk  # the payload still names what was deleted
        return cls(flow=flow, errors=[])


class CrmCustomerMarketingUpdate(AutomationMutation):
    customer = graphene.Field(CrmCustomer)
    marketing = graphene.Field(CrmMarketingState)

    class Arguments:
        id = graphene.ID(required=True, description="ID of a CrmCustomer.")
        unsubscribed = graphene.Boolean(required=True, description="True: no more marketing messages.")

    class Meta:
        description = (
            "Unsubscribes a customer from marketing messages (or subscribes them again), as staff. "
            "Requires MANAGE_USERS."
        )

    @classmethod
    def perform_mutation(cls, info, id, unsubscribed):
        profile = CustomerProfile.objects.filter(pk=_pk(id, "CrmCustomer", "id")).first()
        if profile is None:
            raise AutomationError("id", NOT_FOUND, f"Couldn't resolve to a customer: {id}")
        preference = actions.set_customer_unsubscribed(profile, unsubscribed, timezone.now(), by=caller_of(info).user)
        return cls(customer=profile, marketing=CrmMarketingState.of(profile, preference), errors=[])
