"""Helpdesk tickets: a conversation with a shopper, next to their profile and (optionally) an order.

Orders are the CRM's ``OrderSnapshot`` rows (keyed by Saleor's order ID), never Saleor's tables; the
assignee and message authors are the store's users (``AUTH_USER_MODEL``). Message bodies are plain
text: whoever shows them escapes them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..profiles.models import CustomerProfile, OrderSnapshot


class TicketStatus(models.TextChoices):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending", "pending on customer"
    ON_HOLD = "on_hold", "on hold"
    SOLVED = "solved"
    CLOSED = "closed"


class TicketPriority(models.IntegerChoices):
    """Stored as numbers so the inbox sorts by urgency with an index."""

    LOW = 1, "low"
    NORMAL = 2, "normal"
    HIGH = 3, "high"
    URGENT = 4, "urgent"


class TicketChannel(models.TextChoices):
    WEB = "web", "web form"
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    SOCIAL = "social"
    STAFF = "staff", "staff-created"


class AuthorKind(models.TextChoices):
    SHOPPER = "shopper"
    STAFF = "staff"
    SYSTEM = "system"


class DeliveryStatus(models.TextChoices):
    """Where a public reply's email stands (blank: not for emailing, e.g. a note or the shopper's own)."""

    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker: never handed to the mailer again, even if it dies now
    SENT = "sent"
    NOT_SENT = "not_sent"  # the reason says why: no mail set up in the store, the mailer refused it, ...


# Statuses in which the ticket still needs work; solved and closed ones don't run SLA clocks.
ACTIVE_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)


class Ticket(models.Model):
    profile = models.ForeignKey(CustomerProfile, on_delete=models.CASCADE, related_name="tickets")
    order = models.ForeignKey(OrderSnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    subject = models.CharField(max_length=255)
    channel = models.CharField(max_length=16, choices=TicketChannel.choices, default=TicketChannel.WEB)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.PositiveSmallIntegerField(choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="crm_tickets"
    )
    tags = models.JSONField(default=list, blank=True)

    # SLA: due times in business time, stored so the inbox sorts and the breach task filters on them.
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    sla_at_risk = models.BooleanField(default=False, help_text="A due time is near (settings).")
    sla_paused_at = models.DateTimeField(null=True, blank=True, help_text="Pending on the customer since.")
    # Business seconds spent pending on the customer so far: the resolution target moves out by this.
    sla_paused_seconds = models.PositiveIntegerField(default=0)

    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    last_message = models.ForeignKey(
        "TicketMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_ticket"
        indexes = [
            models.Index(fields=["-last_message_at", "-id"], name="crm_ticket_inbox_idx"),
            models.Index(fields=["status", "-last_message_at", "-id"], name="crm_ticket_status_inbox_idx"),
            models.Index(fields=["profile", "-last_message_at"], name="crm_ticket_profile_idx"),
            models.Index(fields=["assignee", "status"], name="crm_ticket_assignee_idx"),
            models.Index(
                fields=["first_response_due_at"],
                condition=Q(first_responded_at__isnull=True, first_response_breached=False),
                name="crm_ticket_first_due_idx",
            ),
            models.Index(
                fields=["resolution_due_at"],
                condition=Q(solved_at__isnull=True, resolution_breached=False),
                name="crm_ticket_resolution_due_idx",
            ),
            models.Index(fields=["solved_at"], condition=Q(status="solved"), name="crm_ticket_solved_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="crm_ticket_rating_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """What customers see and quote, and what threads an emailed reply: ``T-42``."""
        return f"T-{self.pk}"


class TicketMessage(models.Model):
    PUBLIC = "public"
    NOTE = "note"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=8, choices=[(PUBLIC, "public reply"), (NOTE, "internal note")])
    author_kind = models.CharField(max_length=8, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(help_text="Plain text, shown escaped.")
    attachments = models.JSONField(default=list, blank=True, help_text="URLs.")
    # The inbound email's Message-ID: a provider's retried webhook can't post the same reply twice.
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=16, choices=DeliveryStatus.choices, blank=True)
    delivery_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "crm_ticket_message"
        indexes = [models.Index(fields=["ticket", "created_at", "id"])]


class TicketEvent(models.Model):
    """One change on a ticket's history (Saleor's ``OrderEvent`` for tickets)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    actor_kind = models.CharField(max_length=8, choices=AuthorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        db_table = "crm_ticket_event"
        indexes = [models.Index(fields=["ticket", "occurred_at", "id"])]


class Macro(models.Model):
    """A saved reply with ``{{ placeholders }}`` filled in per ticket."""

    name = models.CharField(max_length=128, unique=True)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_ticket_macro"
