"""What domains lend each other through registries: segment fields and functions, macro placeholders."""

from __future__ import annotations

from saleor_crm_plugin.ingest import ingest
from saleor_crm_plugin.profiles.export import export_customer_data
from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.segments.preview import preview_segment
from saleor_crm_plugin.tickets import actions as tickets
from saleor_crm_plugin.tickets.history import Actor
from saleor_crm_plugin.tickets.models import Macro

from .factories import at, customer_event
from .loyalty.helpers import account, configure_program, paid_order, release_all


def members(query: str) -> set[str]:
    return {profile.email for profile in preview_segment(query, limit=100).members}


def test_segments_ask_for_loyalty_tier_and_points(crm_settings, ada):
    configure_program(crm_settings)
    ingest(customer_event(pk=2, email="grace@example.com"))
    paid_order(total="600.00")
    release_all()
    assert account(ada).tier == "Silver"
    assert members('loyalty_tier = "Silver"') == {"ada@example.com"}
    assert members("loyalty_points >= 500") == {"ada@example.com"}
    assert "grace@example.com" in members('loyalty_tier != "Silver" OR loyalty_tier = null')


def test_segments_ask_who_opened_a_ticket(ada, db):
    ingest(customer_event(pk=2, email="grace@example.com"))
    tickets.open_ticket(ada, "Where is my parcel?", "Ordered a week ago.", actor=Actor.shopper(), now=at(days=400))
    assert members("opened_ticket()") == {"ada@example.com"}
    assert members("NOT opened_ticket()") == {"grace@example.com"}
    assert members("opened_ticket(2020-01-01)") == {"ada@example.com"}
    assert members("opened_ticket(2099-01-01)") == set()


def test_macros_fill_in_the_loyalty_balance(crm_settings, ada):
    configure_program(crm_settings)
    paid_order(total="250.00")
    release_all()
    ticket = tickets.open_ticket(ada, "Points?", "How many do I have?", actor=Actor.shopper())
    macro = tickets.save_macro("Balance", "Hi {{ customer_first_name }}, you have {{ loyalty_balance }} points.")
    assert tickets.render_macro(macro, ticket) == "Hi Ada, you have 250 points."
    assert Macro.objects.count() == 1
    assert CustomerProfile.objects.count() == 1


def test_the_customer_export_includes_loyalty_and_tickets(crm_settings, ada):
    configure_program(crm_settings)
    paid_order(total="120.00")
    ticket = tickets.open_ticket(ada, "Gift wrap?", "Can you wrap it?", actor=Actor.shopper())
    tickets.add_note(ticket, "VIP, wrap for free", actor=Actor.staff())
    data = export_customer_data(ada, staff=False)
    account = {"available": 0, "pending": 120, "debt": 0, "tier": "Bronze", "birth_date": None}
    assert data["loyalty"]["account"] == account
    assert [entry["points"] for entry in data["loyalty"]["ledger"]] == [120]
    assert data["tickets"][0]["subject"] == "Gift wrap?"
    assert [m["body"] for m in data["tickets"][0]["messages"]] == ["Can you wrap it?"]  # internal notes stay internal
    staff = export_customer_data(ada, staff=True)["tickets"][0]["messages"]
    assert [m["body"] for m in staff] == ["Can you wrap it?", "VIP, wrap for free"]
