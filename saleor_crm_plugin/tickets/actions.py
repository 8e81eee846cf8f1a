"""Every change to a ticket goes through one of these (DESIGN §6): validate, write, record, notify.

Each action runs in one transaction, locks the ticket row it changes, writes ``TicketEvent`` history
and customer timeline entries (``history.record``), and leaves emailing to an on-commit Celery task.
The API, the scheduled tasks and the tests call these, never the models directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..errors import ActionError
from ..settings import get_settings
from . import emails, placeholders, sending, sla
from .error_codes import CrmTicketErrorCode
from .history import SYSTEM, Actor, Change, record
from .models import (
    AuthorKind,
    Macro,
    Ticket,
    TicketChannel,
    TicketMessage,
    TicketPriority,
    TicketStatus,
)

MAX_SUBJECT = 255
MAX_BODY = 50_000
MAX_ATTACHMENTS = 10
MAX_TAG = 64
MAX_COMMENT = 2000
ALLOWED_URL_SCHEMES = ("https://", "http://")


class TicketActionError(ActionError):
    codes = CrmTicketErrorCode


# -- validation -----------------------------------------------------------------------------------


def clean_text(value: str | None, field: str, limit: int = MAX_BODY, required: bool = True) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not text:
        raise TicketActionError(field, CrmTicketErrorCode.REQUIRED, "This field can't be empty.")
    if len(text) > limit:
        raise TicketActionError(field, CrmTicketErrorCode.INVALID, f"At most {limit} characters.")
    return text


def clean_attachments(urls: Iterable[str] | None) -> list[str]:
    urls = [url.strip() for url in urls or () if url.strip()]
    if len(urls) > MAX_ATTACHMENTS:
        raise TicketActionError("attachments", CrmTicketErrorCode.INVALID, f"At most {MAX_ATTACHMENTS} attachments.")
    for url in urls:
        if not url.lower().startswith(ALLOWED_URL_SCHEMES) or len(url) > 2000 or any(c.isspace() for c in url):
            raise TicketActionError("attachments", CrmTicketErrorCode.INVALID, "Attachments are http(s) URLs.")
    return urls


def clean_tags(names: Iterable[str] | None) -> list[str]:
    tags = sorted({name.strip().lower() for name in names or () if name.strip()})
    if any(len(tag) > MAX_TAG for tag in tags):
        raise TicketActionError("tags", CrmTicketErrorCode.INVALID, f"Tags are at most {MAX_TAG} characters.")
    return tags


def _locked(ticket: Ticket) -> Ticket:
    """The ticket re-read under a row lock, so concurrent actions apply one after the other.

    ``of=("self",)``: only the ticket row is locked (PostgreSQL refuses to lock the optional order's side).
    """
    return Ticket.objects.select_for_update(of=("self",)).select_related("profile", "order").get(pk=ticket.pk)


def _not_closed(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.CLOSED:
        raise TicketActionError(
            "id", CrmTicketErrorCode.TICKET_CLOSED, f"Ticket {ticket.reference} is closed; open a new one."
        )


# -- opening and messages -------------------------------------------------------------------------


@transaction.atomic
def open_ticket(
    profile,
    subject: str,
    message: str,
    *,
    actor: Actor,
    order=None,
    channel: str = TicketChannel.WEB,
    priority: int = TicketPriority.NORMAL,
    tags: Iterable[str] = (),
    attachments: Iterable[str] = (),
    external_id: str | None = None,
    now: datetime | None = None,
) -> Ticket:
    """A new ticket with its first message, SLA due times set from its priority."""
    now = now or timezone.now()
    if order is not None and order.profile_id != profile.pk:
        raise TicketActionError("order", CrmTicketErrorCode.NOT_FOUND, "The order doesn't belong to this customer.")
    ticket = Ticket(
        profile=profile,
        order=order,
        subject=clean_text(subject, "subject", MAX_SUBJECT),
        channel=channel,
        priority=priority,
        tags=clean_tags(tags),
        created_at=now,
        last_message_at=now,
    )
    body, urls = clean_text(message, "message"), clean_attachments(attachments)
    sla.set_due_times(ticket)
    ticket.save()
    first = TicketMessage.objects.create(
        ticket=ticket,
        kind=TicketMessage.PUBLIC,
        author_kind=actor.kind,
        author=actor.user,
        body=body,
        attachments=urls,
        external_id=external_id,
        created_at=now,
    )
    ticket.last_message = first
    ticket.save(update_fields=["last_message"])
    record([Change(ticket, "opened", f"opened: {ticket.subject}", {"channel": channel})], actor, now)
    if actor.kind == AuthorKind.STAFF:
        _email_later(first)
    return ticket


@transaction.atomic
def reply(
    ticket: Ticket,
    message: str,
    *,
    actor: Actor,
    attachments: Iterable[str] = (),
    status: str | None = None,
    external_id: str | None = None,
    now: datetime | None = None,
) -> TicketMessage:
    """A public reply. Staff: the first one meets the first-response target, ``status`` may follow
    (e.g. pending or solved). Shopper: a reply on a pending, on-hold or solved ticket reopens it."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    _not_closed(ticket)
    body, urls = clean_text(message, "message"), clean_attachments(attachments)
    sent = _add_message(ticket, TicketMessage.PUBLIC, body, urls, actor, now, external_id)
    changes = [Change(ticket, "replied" if actor.kind == AuthorKind.STAFF else "customer_replied", "reply", {})]
    if actor.kind == AuthorKind.STAFF:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            if ticket.first_response_due_at is not None and now > ticket.first_response_due_at:
                ticket.first_response_breached = True
        new_status = status or (TicketStatus.OPEN if ticket.status == TicketStatus.NEW else None)
    else:
        reopen = (TicketStatus.PENDING, TicketStatus.ON_HOLD, TicketStatus.SOLVED)
        new_status = TicketStatus.OPEN if ticket.status in reopen else None
    if new_status and new_status != ticket.status:
        changes.append(_set_status(ticket, new_status, now))
    ticket.save()
    record(changes, actor, now)
    if actor.kind == AuthorKind.STAFF:
        _email_later(sent)
    return sent


@transaction.atomic
def add_note(
    ticket: Ticket, message: str, *, actor: Actor, attachments: Iterable[str] = (), now: datetime | None = None
) -> TicketMessage:
    """An internal note: staff only ever see it; it doesn't count as a response."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    body, urls = clean_text(message, "message"), clean_attachments(attachments)
    note = _add_message(ticket, TicketMessage.NOTE, body, urls, actor, now, None, public=False)
    ticket.save()
    record([Change(ticket, "note_added", "internal note", {"message_id": note.pk})], actor, now)
    return note


def _add_message(ticket, kind, body, urls, actor, now, external_id, public=True) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket,
        kind=kind,
        author_kind=actor.kind,
        author=actor.user,
        body=body,
        attachments=urls,
        external_id=external_id,
        created_at=now,
    )
    if public:
        ticket.last_message, ticket.last_message_at = message, now
    return message


# -- status, fields, merge ------------------------------------------------------------------------

UNSET = object()


@transaction.atomic
def update_ticket(
    ticket: Ticket,
    *,
    actor: Actor,
    status: str | None = None,
    priority: int | None = None,
    assignee=UNSET,
    subject: str | None = None,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
    now: datetime | None = None,
) -> Ticket:
    """Staff changes: status, priority (due times follow), assignee (a staff user or None), subject, tags."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    changes = []
    details = {}
    if status is not None and status != ticket.status:
        _not_closed(ticket)
        changes.append(_set_status(ticket, status, now))
    if priority is not None and priority != ticket.priority:
        details["priority"] = TicketPriority(priority).label
        ticket.priority = priority
        sla.set_due_times(ticket)
    if assignee is not UNSET and getattr(assignee, "pk", None) != ticket.assignee_id:
        if assignee is not None and not getattr(assignee, "is_staff", False):
            raise TicketActionError("assignee", CrmTicketErrorCode.INVALID, "Tickets are assigned to staff members.")
        ticket.assignee = assignee
        details["assignee"] = getattr(assignee, "email", None)
    if subject is not None and (subject := clean_text(subject, "subject", MAX_SUBJECT)) != ticket.subject:
        ticket.subject = details["subject"] = subject
    if add_tags or remove_tags:
        tags = sorted((set(ticket.tags) | set(clean_tags(add_tags))) - set(clean_tags(remove_tags)))
        if tags != ticket.tags:
            ticket.tags = details["tags"] = tags
    if details:
        changes.append(Change(ticket, "updated", ", ".join(f"{k} {v}" for k, v in details.items()), details))
    if changes:
        ticket.save()
        record(changes, actor, now)
    return ticket


def _set_status(ticket: Ticket, status: str, now: datetime) -> Change:
    """Move to ``status`` with its SLA consequences; returns the change to record."""
    old = ticket.status
    if status not in TicketStatus.values:
        raise TicketActionError("status", CrmTicketErrorCode.INVALID, f"Unknown status {status!r}.")
    if status == TicketStatus.CLOSED and old != TicketStatus.SOLVED:
        raise TicketActionError("status", CrmTicketErrorCode.INVALID, "Solve a ticket before closing it.")
    if old == TicketStatus.PENDING:
        sla.resume(ticket, now)
    if status == TicketStatus.PENDING:
        sla.pause(ticket, now)
    if status == TicketStatus.SOLVED:
        ticket.solved_at = now
        if ticket.resolution_due_at is not None and now > ticket.resolution_due_at:
            ticket.resolution_breached = True
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
    else:
        ticket.solved_at = None
    ticket.status = status
    ticket.sla_at_risk = False if status in (TicketStatus.SOLVED, TicketStatus.CLOSED) else ticket.sla_at_risk
    return Change(ticket, "status_changed", TicketStatus(status).label, {"from": old, "to": status})


@transaction.atomic
def merge_tickets(source: Ticket, target: Ticket, *, actor: Actor, now: datetime | None = None) -> Ticket:
    """A duplicate folded into ``target``: its messages move over, it closes pointing at the target."""
    now = now or timezone.now()
    if source.pk == target.pk:
        raise TicketActionError("source", CrmTicketErrorCode.INVALID, "A ticket can't be merged into itself.")
    first, second = sorted([source.pk, target.pk])  # lock in id order: no deadlock with a reverse merge
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .select_related("profile")
        .filter(pk__in=[first, second])
        .order_by("pk")
    }
    source, target = locked[source.pk], locked[target.pk]
    if source.profile_id != target.profile_id:
        raise TicketActionError(
            "target", CrmTicketErrorCode.INVALID, "Only tickets of the same customer can be merged."
        )
    for field, ticket in (("source", source), ("target", target)):
        if ticket.merged_into_id is not None or ticket.status == TicketStatus.CLOSED:
            raise TicketActionError(field, CrmTicketErrorCode.TICKET_CLOSED, f"Ticket {ticket.reference} is closed.")
    TicketMessage.objects.filter(ticket=source).update(ticket=target)
    newest = (
        TicketMessage.objects.filter(ticket=target, kind=TicketMessage.PUBLIC).order_by("-created_at", "-id").first()
    )
    target.last_message, target.last_message_at = newest, max(target.last_message_at, source.last_message_at)
    target.tags = sorted(set(target.tags) | set(source.tags))
    target.order_id = target.order_id or source.order_id
    target.save()
    source.merged_into, source.status, source.closed_at = target, TicketStatus.CLOSED, now
    source.last_message, source.sla_at_risk = None, False
    source.save()
    data = {"source": source.reference, "target": target.reference}
    record(
        [
            Change(source, "merged", f"merged into {target.reference}", data),
            Change(target, "merged", f"{source.reference} merged in", data),
        ],
        actor,
        now,
    )
    return target


# -- satisfaction and closing ----------------------------------------------------------------------


@transaction.atomic
def rate_ticket(ticket: Ticket, score: int, comment: str = "", *, actor: Actor, now: datetime | None = None) -> Ticket:
    """CSAT 1-5 with a comment, once, after the ticket is solved."""
    now = now or timezone.now()
    ticket = _locked(ticket)
    if ticket.profile.anonymised_at is not None:  # deleted meanwhile: their words are not kept
        raise TicketActionError("id", CrmTicketErrorCode.NOT_FOUND, "This ticket's customer was deleted.")
    if not 1 <= score <= 5:
        raise TicketActionError("score", CrmTicketErrorCode.INVALID, "Rate from 1 to 5.")
    if ticket.status not in (TicketStatus.SOLVED, TicketStatus.CLOSED) or ticket.merged_into_id:
        raise TicketActionError("id", CrmTicketErrorCode.NOT_SOLVED, "A ticket can be rated once it is solved.")
    if ticket.rated_at is not None:
        raise TicketActionError("id", CrmTicketErrorCode.ALREADY_RATED, "This ticket has already been rated.")
    ticket.rating, ticket.rating_comment, ticket.rated_at = (
        score,
        clean_text(comment, "comment", MAX_COMMENT, False),
        now,
    )
    ticket.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    record([Change(ticket, "rated", f"rated {score}/5", {"score": score})], actor, now)
    return ticket


@transaction.atomic
def close_solved_tickets(now: datetime | None = None) -> int:
    """Close every ticket solved more than ``ticket_autoclose_days`` ago: three statements in all."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=get_settings().ticket_autoclose_days)
    due = list(
        Ticket.objects.select_for_update(skip_locked=True)
        .filter(status=TicketStatus.SOLVED, solved_at__lt=cutoff)
        .only("id", "profile_id")
    )
    Ticket.objects.filter(pk__in=[t.pk for t in due]).update(
        status=TicketStatus.CLOSED, closed_at=now, sla_at_risk=False
    )
    data = {"from": TicketStatus.SOLVED, "to": TicketStatus.CLOSED}
    record([Change(t, "status_changed", "closed automatically", data) for t in due], SYSTEM, now)
    return len(due)


# -- macros ---------------------------------------------------------------------------------------


def _clean_macro(name: str, body: str) -> tuple[str, str]:
    name, body = clean_text(name, "name", 128), clean_text(body, "body")
    if unknown := placeholders.unknown_in(body):
        known = ", ".join(placeholders.available())
        raise TicketActionError(
            "body", CrmTicketErrorCode.INVALID, f"Unknown placeholder {unknown[0]!r}; available: {known}."
        )
    return name, body


@transaction.atomic
def save_macro(name: str, body: str, *, macro: Macro | None = None, author=None) -> Macro:
    name, body = _clean_macro(name, body)
    if Macro.objects.filter(name=name).exclude(pk=getattr(macro, "pk", None)).exists():
        raise TicketActionError("name", CrmTicketErrorCode.UNIQUE, "A macro with this name already exists.")
    macro = macro or Macro(created_by=author)
    macro.name, macro.body = name, body
    macro.save()
    return macro


def delete_macro(macro: Macro) -> None:
    macro.delete()


def render_macro(macro: Macro, ticket: Ticket) -> str:
    return placeholders.render(macro.body, ticket)


# -- email ----------------------------------------------------------------------------------------


def _email_later(message: TicketMessage) -> None:
    if get_settings().ticket_email_replies:
        from .tasks import send_ticket_message

        sending.queue(message)
        transaction.on_commit(lambda: send_ticket_message.apply_async(args=[message.pk], queue=get_settings().queue))


@transaction.atomic
def receive_email(
    sender: str,
    subject: str,
    body: str,
    *,
    message_id: str | None = None,
    attachments: Iterable[str] = (),
    now: datetime | None = None,
) -> TicketMessage:
    """An inbound email (posted by the mail provider's webhook): a reply on the ticket its subject
    names when the sender is that ticket's customer, else a new email ticket. Idempotent by Message-ID."""
    if message_id and (known := TicketMessage.objects.filter(external_id=message_id).first()):
        return known
    try:
        profile = emails.profile_for_sender(sender)
    except emails.UnknownSender as error:
        raise TicketActionError("from", CrmTicketErrorCode.INVALID, str(error)) from error
    ticket = emails.threaded_ticket(subject, profile)
    actor = Actor.shopper(profile.user)
    if ticket is not None:
        return reply(ticket, body, actor=actor, attachments=attachments, external_id=message_id, now=now)
    ticket = open_ticket(
        profile,
        emails.clean_subject(subject),
        body,
        actor=actor,
        channel=TicketChannel.EMAIL,
        attachments=attachments,
        external_id=message_id,
        now=now,
    )
    return ticket.last_message
