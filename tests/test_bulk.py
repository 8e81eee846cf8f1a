"""The set-wise writers every domain's hot path uses: what they store, what they leave alone, what they refuse."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from saleor_crm_plugin.bulk import insert_new_rows, insert_or_update, update_rows, update_values
from saleor_crm_plugin.profiles.models import CheckoutSnapshot, CustomerProfile, TimelineEntry
from saleor_crm_plugin.upsert import upsert_add

pytestmark = pytest.mark.django_db


def checkout(token: str, **fields) -> CheckoutSnapshot:
    values = {"currency": "USD", "started_at": timezone.now(), "version": timezone.now(), **fields}
    return CheckoutSnapshot(token=token, **values)


def test_insert_or_update_inserts_new_rows_and_overwrites_only_the_named_fields_of_existing_ones():
    insert_or_update([checkout("a", total=Decimal("5"), channel="web")], "token", ["total"])
    insert_or_update(
        [checkout("a", total=Decimal("7.125"), channel="app"), checkout("b", lines=[{"sku": "x"}])], "token", ["total"]
    )

    a, b = CheckoutSnapshot.objects.order_by("token")
    assert (a.total, a.channel) == (Decimal("7.125"), "web")
    assert b.lines == [{"sku": "x"}]


def test_insert_new_rows_skips_what_a_unique_key_already_holds():
    profile = CustomerProfile.objects.create(email="ada@example.com")
    entry = TimelineEntry(profile=profile, kind="k", occurred_at=timezone.now(), summary="first", unique_key="u1")
    insert_new_rows([entry])
    insert_new_rows(
        [TimelineEntry(profile=profile, kind="k", occurred_at=timezone.now(), summary="again", unique_key="u1")]
    )

    assert list(TimelineEntry.objects.values_list("summary", flat=True)) == ["first"]


def test_update_rows_saves_json_and_stamps_updated_at():
    profile = CustomerProfile.objects.create(email="ada@example.com")
    before = profile.updated_at
    profile.channels, profile.first_touch = ["web"], {"source": "newsletter"}
    update_rows([profile], ["channels", "first_touch", "updated_at"])

    profile.refresh_from_db()
    assert (profile.channels, profile.first_touch) == (["web"], {"source": "newsletter"})
    assert profile.updated_at > before


def test_update_values_by_another_key_can_leave_rows_already_set_alone():
    done = timezone.now() - timedelta(days=1)
    insert_new_rows([checkout("open"), checkout("closed", completed_at=done)])
    update_values(
        CheckoutSnapshot, ["completed_at"], [("open", timezone.now()), ("closed", timezone.now())],
        key="token", only_where_null="completed_at",
    )  # fmt: skip

    completed = dict(CheckoutSnapshot.objects.values_list("token", "completed_at"))
    assert completed["closed"] == done and completed["open"] is not None


def upsert_too_long() -> None:
    row = {"token": "a", "currency": "DOLLARS", "started_at": timezone.now(), "version": timezone.now(), "quantity": 1}
    upsert_add(CheckoutSnapshot, ["token"], [row], add_fields=["quantity"])


@pytest.mark.parametrize(
    "write",
    [
        lambda: insert_or_update([checkout("a", currency="DOLLARS")], "token", ["currency"]),
        lambda: insert_new_rows([checkout("a", currency="DOLLARS")]),
        upsert_too_long,
    ],
    ids=["insert_or_update", "insert_new_rows", "upsert_add"],
)
def test_a_value_too_long_for_its_column_is_refused_not_cut(write):
    with pytest.raises(DataError), transaction.atomic():
        write()
    assert not CheckoutSnapshot.objects.exists()


def test_an_update_too_long_for_its_column_is_refused_not_cut():
    insert_new_rows([checkout("a")])
    snapshot = CheckoutSnapshot.objects.get()
    snapshot.currency = "DOLLARS"
    with pytest.raises(DataError), transaction.atomic():
        update_rows([snapshot], ["currency"])
    assert CheckoutSnapshot.objects.get().currency == "USD"
