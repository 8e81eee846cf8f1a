"""The CDNOW evaluation reads the files' formats right and counts holdout purchases like the production
statistics (same-day orders merged), on a tiny hand-made wheel: no download in tests."""

from __future__ import annotations

import zipfile
from datetime import date

import numpy as np
import pytest

from saleor_crm_plugin.analytics.predictions_evaluation import cdnow_path, evaluate, read_cdnow

pytestmark = pytest.mark.django_db

SAMPLE = (
    " 00004 0001 19970101  2   29.33\r\n"
    " 00004 0001 19970101  1   10.00\r\n"  # same day: one purchase
    " 00004 0001 19970118  2   29.73\r\n"
    " 00004 0001 19970802  1   14.96\r\n"
    " 00004 0001 19971212  2   26.48\r\n"  # holdout
    " 00004 0001 19971213  1    9.99\r\n"  # holdout
    " 00021 0002 19970101  3   63.34\r\n"
    " 00021 0002 19970113  1   11.77\r\n"
    " 00050 0003 19970101  1    6.79\r\n"
    " 00050 0003 19980101  1    6.79\r\n"  # holdout
    " 00050 0003 19990101  1    6.79\r\n"  # after the holdout
)
MASTER = (
    " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  5   77.00\r\n"
)


@pytest.fixture
def wheel(tmp_path):
    path = tmp_path / "Lifetimes-0.11.3-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lifetimes/datasets/CDNOW_sample.txt", SAMPLE)
        archive.writestr("lifetimes/datasets/CDNOW_master.txt", MASTER)
    return path


def test_both_file_formats_are_read(wheel):
    assert cdnow_path("CDNOW_sample.txt", wheel.parent) == wheel  # cached: no download
    assert read_cdnow(wheel, "CDNOW_sample.txt")[1] == (4, date(1997, 1, 1), "10.00")
    assert read_cdnow(wheel, "CDNOW_master.txt") == [(1, date(1997, 1, 1), "11.77"), (2, date(1997, 1, 12), "77.00")]


def test_holdout_purchases_are_order_days_after_the_calibration(wheel):
    evaluation = evaluate(read_cdnow(wheel, "CDNOW_sample.txt"), date(1997, 9, 30), holdout_weeks=39)
    assert evaluation.customers == 3 and evaluation.repeat_buyers == 2
    assert evaluation.actual.tolist() == [2, 0, 1]
    assert evaluation.actual_spend == pytest.approx(26.48 + 9.99 + 6.79)
    naive = next(row for row in evaluation.scored if row.name == "naive rate")
    # Ages count to 1997-09-30 itself, as the nightly refit counts them to its own day: 272 days for 1 January.
    assert naive.predicted == pytest.approx(np.array([2 / 272, 1 / 272, 0.0]) * 273)
    assert len(evaluation.lines()) == 2 + len(evaluation.scored) + 1 + 2 + len(evaluation.periods)


def test_the_holdout_is_read_month_by_month(wheel):
    evaluation = evaluate(read_cdnow(wheel, "CDNOW_sample.txt"), date(1997, 9, 30), holdout_weeks=39)
    assert evaluation.periods == [f"{month:%Y-%m}" for month in _month_starts(date(1997, 10, 1), 9)]
    by_month = dict(zip(evaluation.periods, evaluation.actual_by_period.tolist(), strict=True))
    assert by_month == {**dict.fromkeys(evaluation.periods, 0.0), "1997-12": 2.0, "1998-01": 1.0}
    for row in evaluation.scored:  # each model's months add up to its total
        assert row.by_period.sum() == pytest.approx(row.predicted.sum())
        assert (row.by_period >= 0).all()
    naive = evaluation.scored[-1]
    assert naive.by_period[0] == pytest.approx(3 / 272 * 31)  # October's 31 days at each rate


def test_a_holdout_ending_mid_month_ends_its_last_period_there(wheel):
    evaluation = evaluate(read_cdnow(wheel, "CDNOW_sample.txt"), date(1997, 9, 30), holdout_weeks=5)
    assert evaluation.periods == ["1997-10", "1997-11"]  # 35 days: October and four days of November
    naive = evaluation.scored[-1]
    assert naive.by_period == pytest.approx(np.array([31, 4]) * 3 / 272)


def _month_starts(first: date, count: int) -> list[date]:
    months = (first.month - 1 + step for step in range(count))
    return [date(first.year + month // 12, month % 12 + 1, 1) for month in months]
