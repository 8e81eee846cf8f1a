"""Marketing automation: flows (trigger, waits, messages, goals), who is in them, and what was sent.

A flow starts for a customer when a fact of the trigger's kind lands on their timeline (the timeline
is every domain's log of facts with identity, so one mechanism serves checkouts, orders, segment
changes and loyalty). ``Message`` has one row per enrollment and step: the unique pair is what makes a
step impossible to send twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

from ..profiles.models import CustomerProfile


class Flow(models.Model):
    slug = models.SlugField(max_length=128, unique=True)
    name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    # The timeline kind that starts the flow, e.g. "checkout.abandoned", "segment.entered", "order.fulfilled".
    trigger = models.CharField(max_length=64)
    # For segment triggers: the segment's slug (entered or left).
    trigger_segment = models.CharField(max_length=128, blank=True)
    # Only customers who are members of this segment when the trigger happens.
    segment_filter = models.CharField(max_length=128, blank=True)
    # "checkout_completed" and/or "order_placed"; unsubscribing always ends a flow.
    goals = models.JSONField(default=list, blank=True)
    # Transactional flows (checkout reminders) may skip the consent check when the merchant says so.
    transactional = models.BooleanField(default=False)
    is_builtin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=False)
    # Triggers that happened before the flow was (last) switched on start nothing.
    active_since = models.DateTimeField(null=True, blank=True)
    # Built-in flows: the dashboard values last applied, so a dashboard change wins once over API edits.
    settings_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_automation_flow"

    def __str__(self) -> str:
        return self.name


class FlowStep(models.Model):
    """A wait, then a message. Templates use Django's template language; HTML is autoescaped."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    # After the trigger (first step) or after the previous step was due.
    wait_minutes = models.PositiveIntegerField(default=0)
    # 0: send when due; otherwise at the customer's best hour within this many hours after it.
    send_window_hours = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField(max_length=255)
    text = models.TextField()
    html = models.TextField(blank=True)
    # {"pl": {"subject": ..., "text": ..., "html": ...}}: used where the channel's language has one.
    translations = models.JSONField(default=dict, blank=True)
    incentive_points = models.PositiveIntegerField(default=0)
    discount_code = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "crm_automation_flow_step"
        ordering = ["flow_id", "position"]
        constraints = [models.UniqueConstraint(fields=["flow", "position"], name="crm_flow_step_once")]


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active"
    COMPLETED = "completed"  # every step was scheduled
    GOAL_REACHED = "goal_reached"
    UNSUBSCRIBED = "unsubscribed"
    CANCELLED = "cancelled"  # the flow was paused or its step removed


class Enrollment(models.Model):
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="enrollments")
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="flow_enrollments")
    # What started it, unique per flow: the same trigger seen again starts nothing.
    trigger_key = models.CharField(max_length=255)
    # The trigger's data (checkout token, order id, segment, ...), read when messages are rendered.
    context = models.JSONField(default=dict, blank=True)
    triggered_at = models.DateTimeField()
    enrolled_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    next_position = models.PositiveSmallIntegerField(default=1)
    next_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_automation_enrollment"
        constraints = [models.UniqueConstraint(fields=["flow", "trigger_key"], name="crm_enrollment_once")]
        indexes = [
            models.Index(fields=["next_at"], condition=Q(status="active"), name="crm_enrollment_due"),
            models.Index(fields=["profile", "flow"], name="crm_enrollment_profile"),
        ]


class MessageStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed by a worker; never handed to the mailer again
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


class Message(models.Model):
    # ``flow`` and ``profile`` repeat the enrollment's: per-flow stats and the per-customer frequency cap
    # are indexed reads on this table alone; ``position`` outlives a deleted step.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="messages")
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="messages")
    step = models.ForeignKey(FlowStep, null=True, on_delete=models.SET_NULL, related_name="messages")
    position = models.PositiveSmallIntegerField()
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="crm_messages")
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.SCHEDULED)
    # Why it was skipped or failed: no_consent, unsubscribed, frequency_cap, goal_reached, no_email, interrupted, ...
    reason = models.CharField(max_length=255, blank=True)
    send_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    email = models.CharField(max_length=254, blank=True)
    channel = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=16, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opens = models.PositiveIntegerField(default=0)
    clicked_at = models.DateTimeField(null=True, blank=True)
    clicks = models.PositiveIntegerField(default=0)
    converted_at = models.DateTimeField(null=True, blank=True)
    order_id = models.CharField(max_length=128, blank=True)  # Saleor global ID of the converting order
    revenue = models.DecimalField(max_digits=20, decimal_places=3, default=Decimal(0))
    currency = models.CharField(max_length=3, blank=True)

    class Meta:
        db_table = "crm_automation_message"
        constraints = [models.UniqueConstraint(fields=["enrollment", "position"], name="crm_message_once_per_step")]
        indexes = [
            models.Index(fields=["send_at"], condition=Q(status="scheduled"), name="crm_message_due"),
            models.Index(fields=["profile", "sent_at"], name="crm_message_profile_sent"),
            models.Index(fields=["flow", "status"], name="crm_message_flow_status"),
            models.Index(fields=["order_id"], condition=~Q(order_id=""), name="crm_message_order"),
        ]


class MarketingPreference(models.Model):
    """A customer's own "no more marketing", kept apart from the store's consent flag so a later
    account update can't re-subscribe them."""

    profile = models.OneToOneField(
        CustomerProfile, primary_key=True, on_delete=models.CASCADE, related_name="marketing_preference"
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32, blank=True)  # link, one_click, staff, api
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_marketing_preference"


class SurveyResponse(models.Model):
    """The post-purchase survey: NPS 0-10 and a comment, one per message."""

    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="survey_responses")
    message = models.OneToOneField(Message, null=True, on_delete=models.SET_NULL, related_name="survey_response")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        db_table = "crm_survey_response"
        ordering = ["-answered_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=10), name="crm_nps_0_to_10")]
