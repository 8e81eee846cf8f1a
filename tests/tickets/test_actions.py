"""Ticket actions: workflow, SLA clocks, history on the ticket and the customer timeline, CSAT, merge, email."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from saleor_crm_plugin.profiles.models import CustomerProfile, TimelineEntry
from saleor_crm_plugin.tickets import actions, emails
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Ticket, TicketMessage, TicketPriority, TicketStatus

MONDAY_10 = datetime(2025, 3, 3, 10, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def office(crm_settings):
    return crm_settings(
        ticket_business_hours="mon-fri 09:00-17:00",
        ticket_time_zone="UTC",
        ticket_sla_first_response="high=2h, normal=4h",
        ticket_sla_resolution="high=8h, normal=16h",
        ticket_sla_warning_minutes=30,
        ticket_autoclose_days=7,
        ticket_email_replies=True,
        ticket_rating_url="https://shop.test/rate",
    )


def open_for(ada, order=None, **kwargs):
    kwargs.setdefault("now", MONDAY_10)
    return actions.open_ticket(
        ada, "Where is my parcel?", "It hasn't arrived.", actor=Actor.shopper(), order=order, **kwargs
    )


def kinds(ticket):
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


def test_opening_sets_business_time_due_dates_and_writes_history(ada, ada_order):
    ticket = open_for(ada, ada_order)
    assert ticket.status == TicketStatus.NEW
    assert ticket.first_response_due_at == MONDAY_10 + timedelta(hours=4)
    assert ticket.resolution_due_at == datetime(2025, 3, 5, 10, tzinfo=UTC)  # 16 business hours later
    assert ticket.last_message.body == "It hasn't arrived."
    assert kinds(ticket) == ["opened"]
    entry = TimelineEntry.objects.get(profile=ada, kind="ticket.opened")
    assert entry.summary == f"{ticket.reference}: opened: Where is my parcel?"


def test_someone_elses_order_is_refused_by_the_action(ada, db):
    from saleor_crm_plugin.ingest import ingest

    from ..factories import order_event

    ingest(order_event(order_id="Order:9", email="bob@example.com", number="9"))
    with pytest.raises(actions.TicketActionError) as error:
        open_for(ada, CustomerProfile.objects.get(email="bob@example.com").orders.get())
    assert error.value.code == "NOT_FOUND"


def test_staff_reply_meets_first_response_opens_and_emails_the_customer(ada, ada_order, agent, committed):
    ticket = open_for(ada, ada_order)
    with committed(execute=True):
        actions.reply(ticket, "On its way <b>today</b>!", actor=Actor.staff(agent), now=MONDAY_10 + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.first_responded_at == MONDAY_10 + timedelta(hours=1)
    assert not ticket.first_response_breached
    assert kinds(ticket) == ["opened", "replied", "status_changed"]
    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"]
    assert sent.subject == f"Re: Where is my parcel? [#{ticket.reference}]"
    assert "On its way <b>today</b>!" in sent.body  # the text part is the text
    html = sent.alternatives[0][0]
    assert "&lt;b&gt;today&lt;/b&gt;" in html and "<b>today" not in html
    assert TicketMessage.objects.get(body__startswith="On its way").emailed_at is not None


def test_a_late_first_reply_is_flagged_breached(ada, agent):
    ticket = open_for(ada)
    actions.reply(ticket, "Sorry!", actor=Actor.staff(agent), now=MONDAY_10 + timedelta(hours=5))
    ticket.refresh_from_db()
    assert ticket.first_response_breached


def test_pending_on_customer_pauses_the_resolution_clock(ada, agent):
    ticket = open_for(ada)
    due = ticket.resolution_due_at
    # pending from Monday 11:00 until Tuesday 11:00: 8 business hours waiting on the customer
    actions.reply(
        ticket,
        "Which address?",
        actor=Actor.staff(agent),
        status=TicketStatus.PENDING,
        now=MONDAY_10 + timedelta(hours=1),
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING and ticket.sla_paused_at is not None
    actions.reply(ticket, "Baker Street 221b", actor=Actor.shopper(), now=MONDAY_10 + timedelta(days=1, hours=1))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.sla_paused_seconds == 8 * 3600
    assert ticket.resolution_due_at == datetime(2025, 3, 6, 10, tzinfo=UTC)  # one business day later than
    assert due == datetime(2025, 3, 5, 10, tzinfo=UTC)


def test_raising_priority_recomputes_due_times(ada, agent):
    ticket = open_for(ada)
    actions.update_ticket(ticket, actor=Actor.staff(agent), priority=TicketPriority.HIGH, now=MONDAY_10)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == MONDAY_10 + timedelta(hours=2)
    assert ticket.resolution_due_at == datetime(2025, 3, 4, 10, tzinfo=UTC)


def test_breach_task_flags_a_set_of_tickets_and_warns_about_the_near_ones(ada, agent):
    from saleor_crm_plugin.tickets.sla import flag_breaches

    late = [open_for(ada, now=MONDAY_10 - timedelta(days=7)) for _ in range(3)]
    near = open_for(ada, now=MONDAY_10)  # first response due 14:00
    answered = open_for(ada, now=MONDAY_10 - timedelta(days=7))
    actions.reply(answered, "Hi", actor=Actor.staff(agent), now=MONDAY_10 - timedelta(days=7))
    pending = open_for(ada, now=MONDAY_10 - timedelta(days=7))
    actions.reply(
        pending, "Hi", actor=Actor.staff(agent), status=TicketStatus.PENDING, now=MONDAY_10 - timedelta(days=7)
    )

    breached, at_risk = flag_breaches(MONDAY_10 + timedelta(hours=3, minutes=40))
    assert breached == 3 * 2 + 1  # three missed both targets; the answered one only resolution
    assert at_risk == 1
    assert Ticket.objects.get(pk=near.pk).sla_at_risk
    for ticket in late:
        ticket.refresh_from_db()
        assert ticket.first_response_breached and ticket.resolution_breached
    assert not Ticket.objects.get(pk=pending.pk).resolution_breached  # paused
    assert flag_breaches(MONDAY_10 + timedelta(hours=3, minutes=40)) == (0, 1)  # idempotent


def test_closed_is_final_and_solved_reopens_on_a_customer_reply(ada, agent):
    ticket = open_for(ada)
    actions.reply(ticket, "Fixed.", actor=Actor.staff(agent), status=TicketStatus.SOLVED)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SOLVED and ticket.solved_at
    actions.reply(ticket, "Not really.", actor=Actor.shopper())
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.solved_at is None
    with pytest.raises(actions.TicketActionError, match="Solve a ticket before closing"):
        actions.update_ticket(ticket, actor=Actor.staff(agent), status=TicketStatus.CLOSED)


def test_autoclose_closes_old_solved_tickets_only(ada, agent):
    old, recent, opened = open_for(ada), open_for(ada), open_for(ada)
    actions.update_ticket(old, actor=Actor.staff(agent), status=TicketStatus.SOLVED, now=MONDAY_10)
    actions.update_ticket(
        recent, actor=Actor.staff(agent), status=TicketStatus.SOLVED, now=MONDAY_10 + timedelta(days=6)
    )
    assert actions.close_solved_tickets(MONDAY_10 + timedelta(days=8)) == 1
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "closed", recent.pk: "solved", opened.pk: "new"}
    assert (
        TimelineEntry.objects.filter(kind="ticket.status_changed", summary__endswith="closed automatically").count()
        == 1
    )
    assert actions.close_solved_tickets(MONDAY_10 + timedelta(days=8)) == 0


def test_a_solved_ticket_is_rated_once_and_the_email_carries_a_signed_link(ada, agent, committed):
    ticket = open_for(ada)
    with pytest.raises(actions.TicketActionError) as error:
        actions.rate_ticket(ticket, 5, actor=Actor.shopper())
    assert error.value.code == "NOT_SOLVED"
    with committed(execute=True):
        actions.reply(ticket, "Refunded.", actor=Actor.staff(agent), status=TicketStatus.SOLVED)
    token = mail.outbox[-1].body.split("?token=")[1].split()[0]
    assert emails.ticket_id_from_rating_token(token) == ticket.pk
    assert emails.ticket_id_from_rating_token(token[:-2] + "xx") is None
    actions.rate_ticket(ticket, 4, "Quick, thanks", actor=Actor.shopper())
    with pytest.raises(actions.TicketActionError) as error:
        actions.rate_ticket(ticket, 1, actor=Actor.shopper())
    assert error.value.code == "ALREADY_RATED"
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (4, "Quick, thanks")
    for score in (0, 6):
        with pytest.raises(actions.TicketActionError):
            actions.rate_ticket(open_for(ada), score, actor=Actor.shopper())


def test_merge_moves_the_thread_and_closes_the_duplicate(ada, ada_order, agent):
    kept = open_for(ada)
    duplicate = open_for(ada, ada_order, now=MONDAY_10 + timedelta(minutes=5), tags=["shipping"])
    actions.merge_tickets(duplicate, kept, actor=Actor.staff(agent))
    kept.refresh_from_db(), duplicate.refresh_from_db()
    assert kept.messages.count() == 2 and duplicate.messages.count() == 0
    assert kept.last_message.created_at == MONDAY_10 + timedelta(minutes=5)
    assert kept.order == ada_order and kept.tags == ["shipping"]
    assert (duplicate.status, duplicate.merged_into_id) == ("closed", kept.pk)
    with pytest.raises(actions.TicketActionError):
        actions.merge_tickets(duplicate, kept, actor=Actor.staff(agent))


def test_notes_are_internal_and_on_the_history(ada, agent, committed):
    ticket = open_for(ada)
    with committed(execute=True):
        actions.add_note(ticket, "VIP, be nice", actor=Actor.staff(agent))
    ticket.refresh_from_db()
    assert ticket.last_message.body == "It hasn't arrived."  # a note isn't the last public message
    assert ticket.first_responded_at is None
    assert kinds(ticket) == ["opened", "note_added"]
    assert mail.outbox == []


def test_inbound_email_threads_by_reference_once_and_only_for_the_customer(ada, agent):
    ticket = open_for(ada)
    subject = f"RE: Where is my parcel? [#{ticket.reference}]"
    first = actions.receive_email("Ada <ADA@example.com>", subject, "Still waiting", message_id="<m1@mail>")
    again = actions.receive_email("ada@example.com", subject, "Still waiting", message_id="<m1@mail>")
    assert first.pk == again.pk and first.ticket_id == ticket.pk
    assert ticket.messages.count() == 2
    # a stranger quoting Ada's reference opens their own ticket instead
    stranger = actions.receive_email("mallory@example.com", subject, "let me in", message_id="<m2@mail>")
    assert stranger.ticket_id != ticket.pk
    new = Ticket.objects.get(pk=stranger.ticket_id)
    assert (new.subject, new.channel, new.profile.email) == ("Where is my parcel?", "email", "mallory@example.com")
    with pytest.raises(actions.TicketActionError):
        actions.receive_email("not an address", "Hi", "body")


def test_macros_fill_placeholders_safely_and_refuse_unknown_ones(ada, ada_order, agent):
    from saleor_crm_plugin.tickets import placeholders

    ticket = open_for(ada, ada_order)
    macro = actions.save_macro(
        "Where", "Hi {{ customer_first_name }}, order {{order_number}} ships today. {{ticket_reference}}"
    )
    assert actions.render_macro(macro, ticket) == f"Hi Ada, order 1001 ships today. {ticket.reference}"
    with pytest.raises(actions.TicketActionError, match="Unknown placeholder 'store_credit'"):
        actions.save_macro("Credit", "You have {{ store_credit }} in credit")
    placeholders.register("store_credit", "Credit", lambda t: "{{ customer_email }} 120")  # as a domain would
    try:
        credit = actions.save_macro("Credit", "You have {{ store_credit }} in credit {{ __class__ }}")
        # one pass of substitution: a value isn't expanded again; anything not a placeholder name stays text
        assert actions.render_macro(credit, ticket) == "You have {{ customer_email }} 120 in credit {{ __class__ }}"
    finally:
        placeholders._registry.pop("store_credit")  # leave the registry as other tests expect it


def test_a_typo_in_the_sla_settings_falls_back_to_the_defaults(ada, crm_settings):
    crm_settings(ticket_business_hours="weekdays 9 to 5", ticket_sla_first_response="normal=8h")
    ticket = open_for(ada)  # still opens
    # only the broken field falls back (to mon-fri 09:00-17:00); the valid 8 h target stays -> Tuesday 10:00
    assert ticket.first_response_due_at == datetime(2025, 3, 4, 10, tzinfo=UTC)


def test_deleting_the_customer_in_the_store_erases_what_the_tickets_say(ada, agent):
    from saleor_crm_plugin.events import EventKind
    from saleor_crm_plugin.ingest import ingest

    from ..factories import customer_event

    ticket = open_for(ada, attachments=["https://cdn.test/photo.jpg"])
    actions.add_note(ticket, "Lives at Baker Street", actor=Actor.staff(agent))
    ingest(customer_event(EventKind.CUSTOMER_DELETED, pk=1))
    ticket.refresh_from_db()
    assert ticket.subject.startswith("(removed")
    assert set(ticket.messages.values_list("body", flat=True)) == {ticket.subject}
    assert not ticket.messages.exclude(attachments=[]).exists()
    assert not TimelineEntry.objects.filter(kind__startswith="ticket.", summary__contains="parcel").exists()
    assert ticket.status == "new"  # the ticket and its figures stay
