"""What automation adds to ``CrmCustomer``: the marketing state (the shopper sees their own) and,
for staff, the post-purchase survey answers and their NPS. Who sees which is ``CrmCustomer``'s guard.

Kept apart from ``types.py`` because ``profiles/types.py`` imports it: it must not import that back.
"""

from __future__ import annotations

import graphene

from ...automation.models import MarketingPreference
from ...automation.surveys import nps
from ...profiles.models import CustomerProfile
from .dataloaders import MarketingPreferenceLoader, SurveyResponsesLoader


class CrmMarketingState(graphene.ObjectType):
    consent = graphene.Boolean(description="Marketing consent (the CRM's, mirrored to the store); null if never said.")
    consent_changed_at = graphene.DateTime(description="When consent last changed; null if never.")
    consent_source = graphene.String(
        description="Where the last consent change came from: shopper, staff, unsubscribe_link or store."
    )
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
            consent_changed_at=profile.consent_changed_at,
            consent_source=profile.consent_source or None,
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
    preference = MarketingPreferenceLoader(info.context).load(profile.pk)
    return preference.then(lambda found: CrmMarketingState.of(profile, found))


def resolve_survey_responses(profile: CustomerProfile, info):
    return SurveyResponsesLoader(info.context).load(profile.pk)


def resolve_nps(profile: CustomerProfile, info):
    return SurveyResponsesLoader(info.context).load(profile.pk).then(lambda rows: nps([row.score for row in rows]))
