"""CSV export of a segment's members: streamed rows, safe cells, the management command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from saleor_crm_plugin.profiles.actions import update_tags
from saleor_crm_plugin.segments import actions
from saleor_crm_plugin.segments.export import csv_lines
from saleor_crm_plugin.segments.membership import evaluate_segment
from saleor_crm_plugin.segments.models import Segment


def test_export_writes_every_member_once(store, tmp_path):
    segment = actions.create_segment("Buyers", "orders_count >= 1")
    evaluate_segment(segment)
    path = tmp_path / "buyers.csv"
    call_command("crm_segment_export", "buyers", output=str(path), no_progress=True)
    rows = list(csv.DictReader(path.open()))
    assert [row["email"] for row in rows] == [f"shopper{pk}@example.com" for pk in (1, 2, 3)]
    assert rows[0]["orders_count"] == "3" and rows[0]["member_since"]


def test_cells_that_look_like_formulas_are_neutralised(store):
    store[1].first_name = "=HYPERLINK(1)"
    store[1].save(update_fields=["first_name"])
    update_tags(store[1], add=["x"])
    segment = actions.create_segment("Tagged", 'tag = "x"')
    evaluate_segment(segment)
    lines = list(csv_lines(Segment.objects.get(slug="tagged")))
    assert len(lines) == 2
    assert next(csv.reader(io.StringIO(lines[1])))[1] == "'=HYPERLINK(1)"


def test_export_to_stdout_and_unknown_segment(store):
    out = io.StringIO()
    segment = actions.create_segment("Nobody", "orders_count > 100")
    evaluate_segment(segment)
    call_command("crm_segment_export", "nobody", no_progress=True, stdout=out)
    assert out.getvalue().splitlines() == [
        "email,first_name,last_name,saleor_user_id,orders_count,last_order_at,marketing_consent,member_since"
    ]
    with pytest.raises(CommandError, match="No segment"):
        call_command("crm_segment_export", "missing", no_progress=True)


def test_an_unevaluated_segment_is_refused_not_exported_empty(store, tmp_path):
    actions.create_segment("Buyers", "orders_count >= 1")  # its evaluation waits for the commit: not yet run
    path = tmp_path / "buyers.csv"
    with pytest.raises(CommandError, match="not been evaluated yet") as refused:
        call_command("crm_segment_export", "buyers", output=str(path), no_progress=True)
    assert refused.value.returncode == 1 and not path.exists()
    call_command("crm_segment_export", "buyers", output=str(path), no_progress=True, evaluate=True)
    assert [row["email"] for row in csv.DictReader(path.open())] == [f"shopper{pk}@example.com" for pk in (1, 2, 3)]
