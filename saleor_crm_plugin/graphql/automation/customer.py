"""What automation adds to ``CrmCustomer``: the marketing state (the shopper sees their own) and,
for staff, the post-purchase survey answers and their NPS.

Kept apart from ``types.py`` because ``profiles/types.py`` imports it: it must not import that back.
"""

from __future__ import annotations

import graphene

from ...auth import Permission
from ...automation.models import MarketingPreference
from ...automation.surveys import nps
from ...profiles.models import CustomerProfile
from ..core.permissions import require, require_profile_access
from .dataloaders import MarketingPreferenceLoader, SurveyResponsesLoader


class CrmMarketingState(graphene.ObjectType):
    consent = graphene.Boolean(description="The store's marketing consent; null when the customer never said.")
    unsubscribed = graphene.Boolean(required=True, description="The customer said no more marketing messages.")
    unsubscribed_at = graphene.DateTime()
    source = graphene.String(
        description="How they last unsubscribed or re-subscribed: link, one_click, staff or api; null if never."
    )
    can_receive_marketing = graphene.Boolean(required=True, description="Consent given and not unsubscribed.")

    class Meta:
        description = "Whether marketing messages may reach a customer."

    @staticmethod
    def of(profile: CustomerProfile, preference: MarketingPreference | None) -> CrmMarketingState:
        unsubscribed_at = preference.unsubscribed_at if preference else None
        return CrmMarketingState(
            consent=profile.marketing_consent,
            unsubscribed=unsubscribed_at is not None,
            unsubscribed_at=unsubscribed_at,
            source=(preference.source or None) if preference else None,
            can_receive_marketing=profile.marketing_consent is True and unsubscribed_at is None,
        )


class CrmSurveyResponse(graphene.ObjectType):
    score = graphene.Int(required=True, description="0 (not at all likely to recommend us) to 10.")
    comment = graphene.String(required=True)
    answered_at = graphene.DateTime(required=True)

    class Meta:
        description = "An answer to the post-purchase survey."


def resolve_marketing(profile: CustomerProfile, info):
    require_profile_access(info, profile)
    preference = MarketingPreferenceLoader(info.context).load(profile.pk)
    return preference.then(lambda found: CrmMarketingState.of(profile, found))


def resolve_survey_responses(profile: CustomerProfile, info):
    require(info, Permission.MANAGE_USERS)
    return SurveyResponsesLoader(info.context).load(profile.pk)


def resolve_nps(profile: CustomerProfile, info):
    require(info, Permission.MANAGE_USERS)
    return SurveyResponsesLoader(info.context).load(profile.pk).then(lambda rows: nps([row.score for row in rows]))
