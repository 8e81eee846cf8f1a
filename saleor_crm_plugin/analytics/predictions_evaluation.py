"""Offline evaluation of the purchase models on the CDNOW data (Fader, Hardie & Lee's benchmark).

The orders go into a temporary table and through the production statistics statement (same-day
orders merged, ages in days), at the last instant of the calibration period, as the nightly refit
would see it then, and at the end of each month of the holdout; the fits see only the first.
Holdout purchases are differences of order-day counts, so the holdout can be read month by month:
a model fitted on January to September cannot know what December does. The data comes from the
PyPI wheel of ``lifetimes`` (read as a zip, never imported), fetched into a cache directory on
first use and never committed.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from django.db import connection, transaction

from . import predictions_purchases as purchases
from . import predictions_spend as spend
from .predictions_statistics import CustomerStatistics, customer_statistics

WHEEL = "lifetimes==0.11.3"
FILES = ("CDNOW_sample.txt", "CDNOW_master.txt")
TEMP_SOURCE = "SELECT customer, currency, placed_at, value FROM crm_eval_orders"
CURRENCY = "USD"


@dataclasses.dataclass(frozen=True)
class Scored:
    name: str
    predicted: np.ndarray
    by_period: np.ndarray  # predicted purchases in each period of the holdout
    params: dict[str, float] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    customers: int
    repeat_buyers: int
    actual: np.ndarray
    scored: list[Scored]
    actual_spend: float
    predicted_spend: float
    periods: list[str]  # the holdout's calendar months, the last one cut at its end
    actual_by_period: np.ndarray

    def lines(self) -> list[str]:
        total = self.actual.sum()
        out = [
            f"{self.customers} customers ({self.repeat_buyers} repeat buyers in calibration); "
            f"holdout purchases (order days): {total:.0f}",
            f"{'model':<12}{'MAE':>8}{'RMSE':>8}{'predicted':>11}{'vs actual':>11}  parameters",
        ]
        for row in self.scored:
            error = row.predicted - self.actual
            params = ", ".join(f"{name}={value:.4g}" for name, value in row.params.items())
            out.append(
                f"{row.name:<12}{np.abs(error).mean():>8.3f}{np.sqrt((error**2).mean()):>8.3f}"
                f"{row.predicted.sum():>11.0f}{(row.predicted.sum() / total - 1) * 100:>+10.1f}%  {params}"
            )
        out.append(
            f"holdout spend (MBG/NBD x Gamma-Gamma): predicted {self.predicted_spend:,.0f} vs actual "
            f"{self.actual_spend:,.0f} ({(self.predicted_spend / self.actual_spend - 1) * 100:+.1f}%)"
        )
        out.append("holdout purchases by month, actual and predicted:")
        out.append(f"{'month':<10}{'actual':>8}" + "".join(f"{row.name:>12}" for row in self.scored))
        for index, period in enumerate(self.periods):
            predicted = "".join(f"{row.by_period[index]:>12.0f}" for row in self.scored)
            out.append(f"{period:<10}{self.actual_by_period[index]:>8.0f}{predicted}")
        return out


def cdnow_path(name: str, cache: Path) -> Path:
    """The wheel holding the CDNOW files, downloaded with pip (no dependencies) into ``cache`` once."""
    if name not in FILES:
        raise ValueError(f"--file must be one of {', '.join(FILES)}")
    wheels = sorted(cache.glob("[Ll]ifetimes-0.11.3-*.whl"))
    if not wheels:
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "--only-binary", ":all:", "-d"]
        subprocess.run([*command, str(cache)], check=True, capture_output=True)
        wheels = sorted(cache.glob("[Ll]ifetimes-0.11.3-*.whl"))
    return wheels[0]


def read_cdnow(wheel: Path, name: str) -> list[tuple[int, date, str]]:
    """(customer, day, dollars) rows. The sample's columns are: master id, sample id, yyyymmdd, CDs, dollars;
    the master file's: id, yyyymmdd, CDs, dollars, under a header line."""
    text = zipfile.ZipFile(wheel).read(f"lifetimes/datasets/{name}").decode()
    day_column = 2 if name == "CDNOW_sample.txt" else 1
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or not parts[0].isdigit():
            continue  # the header
        day = parts[day_column]
        rows.append((int(parts[0]), date(int(day[:4]), int(day[4:6]), int(day[6:])), parts[day_column + 2]))
    return rows


def evaluate(rows: list[tuple[int, date, str]], calibration_end: date, holdout_weeks: int) -> Evaluation:
    """Fit on orders up to ``calibration_end`` (inclusive), predict the next ``holdout_weeks`` weeks.

    Ages count to ``calibration_end`` itself, as the refit counts them to the day it runs: a customer who
    first bought on 1997-01-01 is 272 days old on 1997-09-30 (38.86 weeks, Fader, Hardie & Lee's T)."""
    calibration_as_of = _end_of(calibration_end)
    horizon_days = 7 * holdout_weeks
    periods = _months(calibration_end, horizon_days)
    with transaction.atomic():
        _load(rows)
        calibration = customer_statistics(calibration_as_of, CURRENCY, TEMP_SOURCE)[CURRENCY]
        laters = [
            customer_statistics(calibration_as_of + timedelta(days=end), CURRENCY, TEMP_SOURCE)[CURRENCY]
            for _, end in periods
        ]
    cumulative = [_holdout_order_days(calibration, later) for later in laters]
    later = laters[-1]
    actual_spend = float(sum(later.spent[np.isin(later.customer, calibration.customer)]) - sum(calibration.spent))
    actual_by_period = np.diff([0.0, *(float(days.sum()) for days in cumulative)])
    ends = [end for _, end in periods]
    scored, predicted_spend = _score(calibration, ends)
    return Evaluation(
        len(calibration),
        calibration.repeat_buyers,
        cumulative[-1],
        scored,
        actual_spend,
        predicted_spend,
        [label for label, _ in periods],
        actual_by_period,
    )


def _holdout_order_days(calibration: CustomerStatistics, later: CustomerStatistics) -> np.ndarray:
    """Each calibration customer's order days after the calibration (customers first seen later are not predicted)."""
    known = np.isin(later.customer, calibration.customer)
    if not np.array_equal(later.customer[known], calibration.customer):
        raise AssertionError("statistics rows out of step")
    return later.x[known] - calibration.x


def _score(stats: CustomerStatistics, ends: list[int]) -> tuple[list[Scored], float]:
    """Each model's predicted holdout purchases per customer and per period, and MBG/NBD x Gamma-Gamma's spend."""
    x, t_x, age = stats.x, stats.t_x, stats.age
    scored = []
    mbg_orders = None
    for model in purchases.PurchaseModel:
        fit = purchases.fit(model, x, t_x, age)
        up_to = [purchases.expected_purchases(fit, x, t_x, age, end) for end in ends]
        scored.append(Scored(model.name, up_to[-1], _per_period(up_to), fit.params))
        if model is purchases.PurchaseModel.MBG_NBD:
            mbg_orders = up_to[-1]
    rate = np.where(age > 0, x / np.maximum(age, 1), 0.0)
    scored.append(Scored("naive rate", rate * ends[-1], _per_period([rate * end for end in ends])))
    spend_fit = spend.fit(x, stats.repeat_mean)
    predicted_spend = float((mbg_orders * spend.expected_order_value(spend_fit, x, stats.repeat_mean)).sum())
    return scored, predicted_spend


def _per_period(cumulative: list[np.ndarray]) -> np.ndarray:
    return np.diff([0.0, *(float(values.sum()) for values in cumulative)])


def _months(calibration_end: date, horizon_days: int) -> list[tuple[str, int]]:
    """The holdout's calendar months as (label, days from ``calibration_end`` to the month's last day, capped)."""
    months = []
    end = 0
    while end < horizon_days:
        day = calibration_end + timedelta(days=end + 1)
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = min((following - calibration_end).days - 1, horizon_days)
        months.append((f"{day:%Y-%m}", end))
    return months


def _end_of(day: date) -> datetime:
    """The last instant of ``day``: its orders are in, and the statistics date ages to the day itself."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, microseconds=-1)


def _load(rows: list[tuple[int, date, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE crm_eval_orders (customer bigint, currency text, placed_at timestamptz, "
            "value numeric(20, 3)) ON COMMIT DROP"
        )
        with cursor.copy("COPY crm_eval_orders FROM STDIN") as copy:
            for customer, day, dollars in rows:
                copy.write_row((customer, CURRENCY, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), dollars))
