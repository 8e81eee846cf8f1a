"""A customer's predictions in their data export, and gone when they are deleted.

Derived from their orders and useful to nobody else: under ``delete`` Django's cascade removes them,
under ``anonymise`` the eraser does; refits still learn from the kept order history (statistics, not
personal data) but score anonymised profiles no more. The export shows what the API shows them.
"""

from __future__ import annotations

from ..profiles.export import register_section
from ..profiles.privacy import register_eraser
from .models import CustomerPrediction

EXPORTED = (
    "currency",
    "historic_clv",
    "predicted_orders",
    "predicted_spend",
    "predicted_clv",
    "p_active",
    "churn_risk",
    "churn_risk_band",
    "expected_next_order_at",
    "average_days_between_orders",
    "fit__fitted_at",
)


@register_eraser
def erase_predictions(profile_ids: list[int]) -> int:
    return CustomerPrediction.objects.filter(profile_id__in=profile_ids).delete()[0]


def _export(profile, staff: bool) -> list[dict]:
    return list(CustomerPrediction.objects.filter(profile=profile).order_by("currency").values(*EXPORTED))


register_section("predictions", _export)
