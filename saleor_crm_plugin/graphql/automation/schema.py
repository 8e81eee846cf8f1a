"""Automation queries and mutations, gathered into the CRM schema by ``graphql/schema.py``."""

from __future__ import annotations

import graphene
from graphql.error import GraphQLError

from ...auth import Permission
from ...automation.goals import GOALS
from ...automation.models import Flow, Message
from ...automation.rendering import available_placeholders
from ...automation.triggers import SEGMENT_TRIGGERS, TRIGGERS
from ..core.connection import paginate
from ..core.errors import int_pk_or_error
from ..core.permissions import require
from . import mutations
from .dataloaders import MESSAGE_ORDERING, FlowByIdLoader
from .filters import CrmFlowFilterInput, CrmMessageFilterInput, apply_conditions, filter_flows, message_conditions
from .types import (
    CrmAutomationGoal,
    CrmAutomationPlaceholder,
    CrmAutomationTrigger,
    CrmFlow,
    CrmFlowCountableConnection,
    CrmMessageCountableConnection,
)

PAGE_ARGS = {"first": graphene.Int(), "after": graphene.String(), "last": graphene.Int(), "before": graphene.String()}
FLOW_ORDERING = ("name", "id")


class AutomationQueries(graphene.ObjectType):
    crm_flows = graphene.Field(
        CrmFlowCountableConnection,
        filter=CrmFlowFilterInput(),
        description="Marketing automation flows, by name. Requires MANAGE_USERS.",
        **PAGE_ARGS,
    )
    crm_flow = graphene.Field(
        CrmFlow,
        id=graphene.ID(),
        slug=graphene.String(),
        description="One flow by ID or slug (null when there is none). Requires MANAGE_USERS.",
    )
    crm_messages = graphene.Field(
        CrmMessageCountableConnection,
        filter=CrmMessageFilterInput(),
        description="Messages flows made, newest first. Requires MANAGE_USERS.",
        **PAGE_ARGS,
    )
    crm_automation_triggers = graphene.List(
        graphene.NonNull(CrmAutomationTrigger),
        required=True,
        description="What can start a flow. Requires MANAGE_USERS.",
    )
    crm_automation_goals = graphene.List(
        graphene.NonNull(CrmAutomationGoal),
        required=True,
        description="What can end a flow early. Requires MANAGE_USERS.",
    )
    crm_automation_placeholders = graphene.List(
        graphene.NonNull(CrmAutomationPlaceholder),
        required=True,
        description="What a step's templates can use. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_flows(root, info, filter=None, **page):
        require(info, Permission.MANAGE_USERS)
        return paginate(filter_flows(Flow.objects.all(), filter or {}), FLOW_ORDERING, page, "crmFlows")

    @staticmethod
    def resolve_crm_flow(root, info, id=None, slug=None):
        require(info, Permission.MANAGE_USERS)
        if (id is None) == (slug is None):
            raise GraphQLError("Give exactly one of the arguments 'id' and 'slug'.")
        if slug is not None:
            return Flow.objects.filter(slug=slug).first()
        return FlowByIdLoader(info.context).load(int_pk_or_error(id, "CrmFlow"))

    @staticmethod
    def resolve_crm_messages(root, info, filter=None, **page):
        require(info, Permission.MANAGE_USERS)
        messages = apply_conditions(Message.objects.all(), message_conditions(filter))
        return paginate(messages, MESSAGE_ORDERING, page, "crmMessages")

    @staticmethod
    def resolve_crm_automation_triggers(root, info):
        require(info, Permission.MANAGE_USERS)
        return [
            CrmAutomationTrigger(name=name, description=description, needs_segment=name in SEGMENT_TRIGGERS)
            for name, description in TRIGGERS.items()
        ]

    @staticmethod
    def resolve_crm_automation_goals(root, info):
        require(info, Permission.MANAGE_USERS)
        return [CrmAutomationGoal(name=name, description=description) for name, description in GOALS.items()]

    @staticmethod
    def resolve_crm_automation_placeholders(root, info):
        require(info, Permission.MANAGE_USERS)
        return [CrmAutomationPlaceholder(name=n, description=d) for n, d in available_placeholders().items()]


class AutomationMutations(graphene.ObjectType):
    crm_flow_create = mutations.CrmFlowCreate.Field()
    crm_flow_update = mutations.CrmFlowUpdate.Field()
    crm_flow_pause = mutations.CrmFlowPause.Field()
    crm_flow_resume = mutations.CrmFlowResume.Field()
    crm_flow_delete = mutations.CrmFlowDelete.Field()
    crm_customer_marketing_update = mutations.CrmCustomerMarketingUpdate.Field()
