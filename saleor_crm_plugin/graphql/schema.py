"""The CRM's GraphQL schema: every domain's queries and mutations, served as a federation subgraph."""

from __future__ import annotations

from pathlib import Path

import graphene

from .analytics.channels import AnalyticsChannelQueries
from .analytics.distributions import PredictionDistributionQueries
from .analytics.predictions import PredictionMutations, PredictionQueries
from .analytics.store import StoreAnalyticsQueries
from .automation.schema import AutomationMutations, AutomationQueries
from .core.federation import build_federated_schema, federation_sdl
from .dashboard.automation_pages import AutomationPageQueries
from .dashboard.customer_pages import CustomerPageQueries
from .dashboard.helpdesk_pages import HelpdeskPageQueries
from .dashboard.loyalty_overview import LoyaltyOverviewQueries
from .dashboard.segment_pages import SegmentPageQueries
from .dashboard.widget_queries import WidgetQueries
from .entities import ENTITIES, resolve_entities
from .loyalty.schema import LoyaltyMutations, LoyaltyQueries
from .profiles.schema import ProfileMutations, ProfileQueries
from .recommendations.schema import RecommendationQueries
from .segments.schema import SegmentMutations, SegmentQueries
from .tickets.schema import TicketMutations, TicketQueries

SDL_PATH = Path(__file__).with_name("schema.graphql")


class Query(
    ProfileQueries,
    LoyaltyQueries,
    SegmentQueries,
    TicketQueries,
    AutomationQueries,
    RecommendationQueries,
    CustomerPageQueries,
    WidgetQueries,
    SegmentPageQueries,
    HelpdeskPageQueries,
    LoyaltyOverviewQueries,
    AutomationPageQueries,
    StoreAnalyticsQueries,
    PredictionQueries,
    PredictionDistributionQueries,
    AnalyticsChannelQueries,
    graphene.ObjectType,
):
    pass


class Mutation(
    ProfileMutations,
    LoyaltyMutations,
    SegmentMutations,
    TicketMutations,
    AutomationMutations,
    PredictionMutations,
    graphene.ObjectType,
):
    pass


schema = build_federated_schema(Query, Mutation, ENTITIES, resolve_entities)


def print_sdl() -> str:
    """What ``_service { sdl }`` answers and ``schema.graphql`` holds."""
    return federation_sdl(Query, Mutation, ENTITIES)
