"""``crm_import_orders``: a CSV of another platform's orders lands as profiles, orders, RFM and analytics."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from saleor_crm_plugin.analytics import imports
from saleor_crm_plugin.analytics.store_models import StoreDay
from saleor_crm_plugin.ids import global_id
from saleor_crm_plugin.profiles.models import CustomerProfile, OrderSnapshot
from saleor_crm_plugin.segments.models import CustomerRfm

GOOD_AND_BAD = """email,customer_id,order_id,date,total,currency,channel,lines
ada@example.com,,1001,2024-01-05,100.00,USD,,SKU-1:2:50.00
ada@example.com,,1002,2024-03-07T10:30:00+01:00,40.50,USD,,
bob@example.com,,1003,2024-02-01,abc,USD,,
bob@example.com,,1004,05/02/2024,10.00,USD,,
,,1005,2024-02-03,10.00,USD,,
,7,1006,2024-02-04,25.00,EUR,channel-eu,
cy@example.com,,1001,2024-02-05,5.00,USD,,
cy@example.com,,1007,2024-02-06,5.00,US,,
dee@example.com,,1008,2024-02-07,12.00,USD,,SKU-2:x:1.00
"""


def run(tmp_path, text: str, *args: str) -> tuple[str, str]:
    path = tmp_path / "orders.csv"
    path.write_text(text)
    out, err = StringIO(), StringIO()
    call_command("crm_import_orders", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_bad_row_is_reported_with_its_line_and_the_good_ones_land(db, tmp_path):
    out, err = run(tmp_path, GOOD_AND_BAD, "--quiet")
    refusals = [line for line in err.splitlines() if line.startswith("line ")]
    assert refusals == [
        "line 4: total 'abc' is not an amount like 49.90",
        "line 5: date '05/02/2024' is not an ISO 8601 date like 2024-05-31",
        "line 6: neither email nor customer_id is given",
        "line 8: order_id '1001' repeats line 2",
        "line 9: currency 'US' is not a 3-letter code like USD",
        "line 10: line 'SKU-2:x:1.00' is not like 'SKU:quantity:unit_price'",
    ]
    assert "Imported orders.csv: 9 rows: 3 orders imported, 0 already there, 6 refused." in out
    ada = CustomerProfile.objects.get(email="ada@example.com")
    assert (ada.orders_count, ada.spend.get(currency="USD").total) == (2, Decimal("140.50"))
    first = OrderSnapshot.objects.get(saleor_order_id=global_id("Order", "imported-1001"))
    assert (first.number, first.channel, first.lines[0]["sku"], first.lines[0]["quantity"]) == (
        "1001",
        "default-channel",
        "SKU-1",
        2,
    )
    assert OrderSnapshot.objects.get(number="1002").placed_at.isoformat() == "2024-03-07T09:30:00+00:00"
    account = CustomerProfile.objects.get(saleor_user_id=global_id("User", 7))  # customer_id: the store's user
    assert account.orders.get().channel == "channel-eu"
    assert CustomerRfm.objects.filter(profile=ada).exists()  # scored at once, not at the next beat
    assert StoreDay.objects.filter(channel="", currency="EUR").exists()  # analytics refreshed


def test_a_rerun_imports_nothing_new(db, tmp_path):
    run(tmp_path, GOOD_AND_BAD, "--quiet")
    before = list(CustomerProfile.objects.order_by("pk").values("pk", "orders_count", "email"))
    out, _ = run(tmp_path, GOOD_AND_BAD, "--quiet")
    assert "3 orders imported" not in out and "0 orders imported, 3 already there, 6 refused." in out
    assert list(CustomerProfile.objects.order_by("pk").values("pk", "orders_count", "email")) == before
    assert OrderSnapshot.objects.count() == 3


def test_an_interrupted_import_resumes_where_it_stopped(db, tmp_path):
    rows = "email,order_id,date,total,currency\n" + "".join(
        f"shopper{n}@example.com,{n},2024-01-{n + 1:02d},{n}.00,USD\n" for n in range(1, 8)
    )
    real = imports.ingest_many
    calls = []

    def interrupted(events):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the merchant hits Ctrl-C during the third batch
        return real(events)

    with mock.patch.object(imports, "ingest_many", interrupted), pytest.raises(KeyboardInterrupt):
        run(tmp_path, rows, "--quiet", "--batch-size", "2")
    assert OrderSnapshot.objects.count() == 4  # two batches committed
    out, _ = run(tmp_path, rows, "--quiet", "--batch-size", "2")
    assert "7 rows: 3 orders imported, 4 already there, 0 refused." in out
    assert sorted(OrderSnapshot.objects.values_list("number", flat=True)) == [str(n) for n in range(1, 8)]
    assert all(p.orders_count == 1 for p in CustomerProfile.objects.all())


def test_a_file_without_the_needed_columns_is_refused_whole(db, tmp_path):
    with pytest.raises(CommandError, match="lacks the column"):
        run(tmp_path, "email,order_id,total\nada@example.com,1,2.00\n", "--quiet")
