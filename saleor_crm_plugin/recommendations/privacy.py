"""A deleted customer's picks go: derived from what they bought, useful to nobody else (the next rebuild
gives anonymised profiles none either). Under ``delete`` Django's cascade removes them."""

from __future__ import annotations

from ..profiles.privacy import register_eraser
from .models import CustomerRecommendation


@register_eraser
def erase_recommendations(profile_ids: list[int]) -> int:
    return CustomerRecommendation.objects.filter(profile_id__in=profile_ids).delete()[0]
