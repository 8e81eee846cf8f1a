"""What recommendations lend automation: the ``recommended_products`` placeholder of messages."""

from __future__ import annotations

import dataclasses

from ..automation import registry
from .lookup import for_profiles

# How many products a message shows.
IN_A_MESSAGE = 3


def _recommended(profile_ids: list[int]) -> dict[int, object]:
    picks = for_profiles(profile_ids, IN_A_MESSAGE)
    return {pk: [dataclasses.asdict(pick) for pick in products] for pk, products in picks.items()}


registry.register_placeholder(
    "recommended_products",
    "Up to 3 products picked for the customer: each has name, category_name, product_id.",
    _recommended,
)
