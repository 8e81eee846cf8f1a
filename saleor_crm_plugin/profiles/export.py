"""One customer's CRM data as JSON: what a data-access request or a support hand-over needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import orders
from .models import CustomerProfile

PROFILE_FIELDS = (
    "email",
    "saleor_user_id",
    "first_name",
    "last_name",
    "is_active",
    "marketing_consent",
    "orders_count",
    "cancellations_count",
    "refunds_count",
    "first_order_at",
    "last_order_at",
    "last_activity_at",
    "channels",
    "first_touch",
    "last_touch",
    "joined_at",
    "anonymised_at",
    "created_at",
)
ORDER_FIELDS = ("saleor_order_id", *(field for field in orders.STATE_FIELDS if field != "profile"))
CHECKOUT_FIELDS = (
    "token",
    "channel",
    "currency",
    "total",
    "lines",
    "started_at",
    "version",
    "completed_at",
    "abandoned_at",
)


# Sections other domains add (loyalty, tickets…), so the export stays complete without importing them.
_sections: dict[str, Callable[[CustomerProfile], Any]] = {}


def register_section(name: str, read: Callable[[CustomerProfile], Any]) -> None:
    _sections[name] = read


def export_customer_data(profile: CustomerProfile) -> dict[str, Any]:
    """Everything the CRM holds about one shopper, ready for ``json.dumps(cls=DjangoJSONEncoder)``."""
    return _own_data(profile) | {name: read(profile) for name, read in sorted(_sections.items())}


def _own_data(profile: CustomerProfile) -> dict[str, Any]:
    return {
        "profile": {field: getattr(profile, field) for field in PROFILE_FIELDS},
        "spend": list(profile.spend.values("currency", "orders_count", "total")),
        "tags": sorted(profile.tags.values_list("name", flat=True)),
        "notes": list(profile.notes.values("body", "created_at", "author_id")),
        "orders": list(profile.orders.order_by("placed_at").values(*ORDER_FIELDS)),
        "checkouts": list(profile.checkouts.order_by("started_at").values(*CHECKOUT_FIELDS)),
        "favourites": list(
            profile.affinities.filter(quantity__gt=0).order_by("-quantity").values("kind", "ref_id", "name", "quantity")
        ),
        "timeline": list(profile.timeline.values("kind", "occurred_at", "summary", "data")),
    }
