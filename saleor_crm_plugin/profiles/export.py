"""One customer's CRM data as JSON: what a data-access request or a support hand-over needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import orders, timeline
from .models import CustomerProfile

PROFILE_FIELDS = (
    "email",
    "saleor_user_id",
    "first_name",
    "last_name",
    "is_active",
    "marketing_consent",
    "consent_changed_at",
    "consent_source",
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
# ``read(profile, staff)``: ``staff`` is False for the shopper's own export, which holds only what the API
# shows them (no staff notes, tags or internal ticket notes); staff with MANAGE_USERS get everything.
Section = Callable[[CustomerProfile, bool], Any]
_sections: dict[str, Section] = {}


def register_section(name: str, read: Section) -> None:
    _sections[name] = read


def export_customer_data(profile: CustomerProfile, *, staff: bool) -> dict[str, Any]:
    """What the CRM holds about one shopper for this reader, ready for ``json.dumps(cls=DjangoJSONEncoder)``."""
    return _own_data(profile, staff) | {name: read(profile, staff) for name, read in sorted(_sections.items())}


def _own_data(profile: CustomerProfile, staff: bool) -> dict[str, Any]:
    data = {
        "profile": {field: getattr(profile, field) for field in PROFILE_FIELDS},
        "spend": list(profile.spend.values("currency", "orders_count", "total")),
        "orders": list(profile.orders.order_by("placed_at").values(*ORDER_FIELDS)),
        "checkouts": list(profile.checkouts.order_by("started_at").values(*CHECKOUT_FIELDS)),
        "favourites": list(
            profile.affinities.filter(quantity__gt=0).order_by("-quantity").values("kind", "ref_id", "name", "quantity")
        ),
        "timeline": list(
            timeline.visible(profile.timeline.all(), staff).values("kind", "occurred_at", "summary", "data")
        ),
    }
    if staff:
        data["tags"] = sorted(profile.tags.values_list("name", flat=True))
        data["notes"] = list(profile.notes.values("body", "created_at", "author_id"))
    return data
