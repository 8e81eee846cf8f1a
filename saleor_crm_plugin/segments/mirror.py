"""Membership mirrored into the Saleor user's private metadata (``crm_segments``), when the setting is on.

Other Saleor tools (promotions, apps, the dashboard) can read a customer's segments there. The
mirror writes the full set of slugs per user, so a replay or a missed run heals on the next write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from ..ports import metadata_mirror
from ..profiles.models import CustomerProfile
from ..settings import get_settings
from .models import SegmentEvaluation, SegmentMembership, SegmentMembershipChange

BATCH = 2000


def mirror_changes(changes: Iterable[SegmentMembershipChange]) -> int:
    return mirror_profiles({change.profile_id for change in changes})


def mirror_evaluation(evaluation: SegmentEvaluation) -> int:
    """After a full evaluation: the changed customers, or every member after a segment's first one."""
    if not get_settings().segments_mirror_to_metadata:
        return 0
    first = not SegmentEvaluation.objects.filter(segment_id=evaluation.segment_id, pk__lt=evaluation.pk).exists()
    source = SegmentMembership.objects.filter(segment_id=evaluation.segment_id) if first else evaluation.changes.all()
    return mirror_profiles(source.values_list("profile_id", flat=True).order_by("profile_id").iterator(BATCH))


def mirror_profiles(profile_ids: Iterable[int]) -> int:
    """Write the current slugs of these profiles' users, a batch of users per port call."""
    if not get_settings().segments_mirror_to_metadata:
        return 0
    mirrored = 0
    for batch in _batches(profile_ids):
        users = dict(
            CustomerProfile.objects.filter(pk__in=batch, saleor_user_id__isnull=False).values_list(
                "pk", "saleor_user_id"
            )
        )
        slugs: dict[str, list[str]] = {user_id: [] for user_id in users.values()}
        rows = SegmentMembership.objects.filter(profile_id__in=users).order_by("segment__slug")
        for profile_id, slug in rows.values_list("profile_id", "segment__slug"):
            slugs[users[profile_id]].append(slug)
        if slugs:
            metadata_mirror().write(slugs)
            mirrored += len(slugs)
    return mirrored


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(islice(iterator, BATCH)):
        yield batch
