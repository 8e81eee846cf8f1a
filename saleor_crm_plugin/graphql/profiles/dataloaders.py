"""One loader per relation of a profile: a page of 100 customers costs one query per relation."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from ...profiles import timeline
from ...profiles.models import (
    CustomerNote,
    CustomerProfile,
    CustomerSpend,
    CustomerTag,
    OrderSnapshot,
    ProfileAffinity,
    TimelineEntry,
)
from ...settings import get_settings
from ..core.connection import seek
from ..core.dataloaders import DataLoader, grouped

TIMELINE_ORDERING = ("-occurred_at", "-id")


class ProfileByIdLoader(DataLoader[int, CustomerProfile | None]):
    context_key = "crm_profile_by_id"

    def batch_load(self, keys):
        profiles = CustomerProfile.objects.in_bulk(keys)
        return [profiles.get(key) for key in keys]


class ProfileByUserIdLoader(DataLoader[str, CustomerProfile | None]):
    """By the account's Saleor global ID: how Saleor's ``User`` entity finds its profile."""

    context_key = "crm_profile_by_user_id"

    def batch_load(self, keys):
        profiles = CustomerProfile.objects.in_bulk(keys, field_name="saleor_user_id")
        return [profiles.get(key) for key in keys]


class OrderByOrderIdLoader(DataLoader[str, OrderSnapshot | None]):
    context_key = "crm_order_by_order_id"

    def batch_load(self, keys):
        orders = OrderSnapshot.objects.in_bulk(keys, field_name="saleor_order_id")
        return [orders.get(key) for key in keys]


class SpendByProfileIdLoader(DataLoader[int, list[CustomerSpend]]):
    context_key = "crm_spend_by_profile_id"

    def batch_load(self, keys):
        rows = CustomerSpend.objects.filter(profile_id__in=keys, orders_count__gt=0).order_by("currency")
        return grouped(rows, lambda row: row.profile_id, keys)


class TagsByProfileIdLoader(DataLoader[int, list[str]]):
    context_key = "crm_tags_by_profile_id"

    def batch_load(self, keys):
        rows = CustomerTag.objects.filter(profile_id__in=keys).order_by("name").values_list("profile_id", "name")
        return [[name for _, name in bucket] for bucket in grouped(rows, lambda row: row[0], keys)]


class NotesByProfileIdLoader(DataLoader[int, list[CustomerNote]]):
    context_key = "crm_notes_by_profile_id"

    def batch_load(self, keys):
        return grouped(CustomerNote.objects.filter(profile_id__in=keys), lambda note: note.profile_id, keys)


class FavouritesLoader(DataLoader[tuple[int, str], list[ProfileAffinity]]):
    """Keys ``(profile_id, kind)``: each shopper's top categories or products, one query per kind."""

    context_key = "crm_favourites"

    def batch_load(self, keys):
        limit = get_settings().favourites_limit
        found = {}
        for kind in {kind for _, kind in keys}:
            ids = [pk for pk, k in keys if k == kind]
            rows = (
                ProfileAffinity.objects.filter(profile_id__in=ids, kind=kind, quantity__gt=0)
                .annotate(rank=_rank_within_profile(F("quantity").desc(), F("name").asc()))
                .filter(rank__lte=limit)
                .order_by("profile_id", "rank")
            )
            for pk, bucket in zip(ids, grouped(rows, lambda row: row.profile_id, ids), strict=True):
                found[pk, kind] = bucket
        return [found[key] for key in keys]


class TimelineLoader(DataLoader[tuple[int, int, str | None, bool], list[TimelineEntry]]):
    """Keys ``(profile_id, first, after, staff)``; returns up to ``first + 1`` entries, newest first.

    All first pages come from one window-function query; a page after a cursor is specific to its
    profile and costs its own query (it only happens when one timeline is paged through).
    """

    context_key = "crm_timeline"

    def batch_load(self, keys):
        found = {}
        first_pages = defaultdict(list)
        for key in keys:
            profile_id, first, after, staff = key
            if after is None:
                first_pages[first, staff].append(profile_id)
            else:
                entries = visible_timeline(staff).filter(profile_id=profile_id)
                entries = seek(entries, TIMELINE_ORDERING, after)
                found[key] = list(entries.order_by(*TIMELINE_ORDERING)[: first + 1])
        for (first, staff), ids in first_pages.items():
            rows = (
                visible_timeline(staff)
                .filter(profile_id__in=ids)
                .annotate(rank=_rank_within_profile(*(F(f.lstrip("-")).desc() for f in TIMELINE_ORDERING)))
                .filter(rank__lte=first + 1)
                .order_by("profile_id", "rank")
            )
            for pk, bucket in zip(ids, grouped(rows, lambda row: row.profile_id, ids), strict=True):
                found[pk, first, None, staff] = bucket
        return [found[key] for key in keys]


class TimelineCountLoader(DataLoader[tuple[int, bool], int]):
    context_key = "crm_timeline_count"

    def batch_load(self, keys):
        counts = {}
        for staff in {staff for _, staff in keys}:
            ids = [pk for pk, s in keys if s == staff]
            rows = visible_timeline(staff).filter(profile_id__in=ids).values("profile_id").annotate(n=Count("id"))
            counts.update({(row["profile_id"], staff): row["n"] for row in rows})
        return [counts.get(key, 0) for key in keys]


def visible_timeline(staff: bool):
    return timeline.visible(TimelineEntry.objects.all(), staff)


def _rank_within_profile(*order_by) -> Window:
    return Window(RowNumber(), partition_by=[F("profile_id")], order_by=list(order_by))
