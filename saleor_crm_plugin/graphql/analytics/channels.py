"""``crmAnalyticsChannels``: the channels the Analytics page's channel picker offers.

The CRM keeps no channel list of its own (Saleor does); the channels with sales in the analytics
rollups are the ones whose figures the page can show.
"""

from __future__ import annotations

import graphene

from ...analytics.store_models import ALL_CHANNELS, StoreDay
from ...auth import Permission
from ..core.permissions import require


class AnalyticsChannelQueries(graphene.ObjectType):
    crm_analytics_channels = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Slugs of the channels with sales in the analytics figures, sorted. Requires MANAGE_USERS.",
    )

    @staticmethod
    def resolve_crm_analytics_channels(root, info):
        require(info, Permission.MANAGE_USERS)
        slugs = StoreDay.objects.exclude(channel=ALL_CHANNELS).values_list("channel", flat=True)
        return list(slugs.distinct().order_by("channel"))
