"""Segments: a saved query, its stored members, the history of its size and who entered or left."""

from __future__ import annotations

from django.db import models

from ..profiles.models import CustomerProfile


class Segment(models.Model):
    name = models.CharField(max_length=128)
    slug = models.SlugField(max_length=128, unique=True)
    query = models.TextField()
    description = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False)
    # Relative dates or nightly scores in the query: the scheduled task re-evaluates it.
    time_relative = models.BooleanField(default=False)
    # The query uses something an ingested event can change: the live re-check after events looks at it.
    # Members are counted from the memberships when read: no counter row for every worker to update.
    event_driven = models.BooleanField(default=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_segment"

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    """A stored member. Derived data, rewritten by every evaluation: no database-level foreign keys, whose
    per-row checks (and row locks on profiles) would cost more than the evaluation itself; Django still
    cascades deletes, and an evaluation drops any row whose profile is gone."""

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="memberships", db_constraint=False, db_index=False
    )  # the unique (segment, profile) index serves lookups by segment
    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="segment_memberships", db_constraint=False
    )
    since = models.DateTimeField()

    class Meta:
        db_table = "crm_segment_membership"
        constraints = [models.UniqueConstraint(fields=["segment", "profile"], name="crm_segment_member_once")]


class SegmentEvaluation(models.Model):
    """One full evaluation: the segment's size over time, and how many entered and left."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_at = models.DateTimeField()
    member_count = models.PositiveIntegerField()
    entered = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "crm_segment_evaluation"
        indexes = [models.Index(fields=["segment", "-evaluated_at"], name="crm_segment_eval_history")]


class SegmentMembershipChange(models.Model):
    """A customer entered or left a segment: the event automation triggers on (read in ``id`` order)."""

    ENTERED = "entered"
    LEFT = "left"

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="changes")
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="segment_changes")
    change = models.CharField(max_length=8, choices=[(ENTERED, ENTERED), (LEFT, LEFT)])
    occurred_at = models.DateTimeField()
    # The full evaluation that found it; null when the live re-check after an event did.
    evaluation = models.ForeignKey(
        SegmentEvaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )

    class Meta:
        db_table = "crm_segment_membership_change"
        indexes = [models.Index(fields=["profile", "-occurred_at"], name="crm_segment_change_profile")]


class CustomerRfm(models.Model):
    """Recency, frequency and monetary quintiles (1-5) of a customer who bought, and the named group."""

    # Derived, rewritten in bulk (see SegmentMembership): no database-level foreign key.
    profile = models.OneToOneField(
        CustomerProfile, primary_key=True, on_delete=models.CASCADE, related_name="rfm", db_constraint=False
    )
    recency = models.PositiveSmallIntegerField()
    frequency = models.PositiveSmallIntegerField()
    monetary = models.PositiveSmallIntegerField()
    aov = models.PositiveSmallIntegerField(help_text="Average order value quintile, for the high-AOV segment.")
    group = models.CharField(max_length=32)
    currency = models.CharField(max_length=3)
    computed_at = models.DateTimeField(help_text="When these scores were last set (unchanged scores keep it).")

    class Meta:
        db_table = "crm_customer_rfm"
