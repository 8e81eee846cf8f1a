"""Offline evaluation: hide each repeat customer's last order, train on the rest, see what we'd have guessed.

For every customer with two or more counted orders the last one is held out and excluded from
training; the rebuild then runs on the remaining orders and its top ``k`` (never what the customer
bought in training) is compared with the held-out order's distinct products, next to a popularity
baseline (the training orders' best sellers the customer didn't buy) in the same run. Everything
happens in a transaction that is rolled back: the stored recommendations are untouched.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from . import sql
from .compute import RebuildSummary, counted_orders, rebuild
from .models import Reason


@dataclasses.dataclass(frozen=True)
class Scores:
    customers: int
    hit_rate: Decimal  # share of customers with at least one held-out product in their top k
    recall: Decimal  # mean share of a held-out order's distinct products found in the top k


@dataclasses.dataclass(frozen=True)
class Evaluation:
    k: int
    held_out_orders: int
    model: Scores
    baseline: Scores
    reasons: dict[str, Decimal]  # share of the model's slots per reason, for the evaluated customers
    training: RebuildSummary


def evaluate(k: int = 10, min_support: int | None = None, progress: bool = False) -> Evaluation:
    with transaction.atomic():
        evaluation = _evaluate(k, min_support, progress)
        transaction.set_rollback(True)
    return evaluation


def _evaluate(k: int, min_support: int | None, progress: bool) -> Evaluation:
    counted = counted_orders().filter(profile__anonymised_at__isnull=True)
    counted_sql, counted_params = counted.order_by().values("id", "profile_id", "placed_at").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql.DROP_EVALUATION)
        cursor.execute(sql.HOLDOUT.format(counted=counted_sql), counted_params)
        held_out = cursor.rowcount
        cursor.execute(sql.HELD)
    training = counted_orders().exclude(pk__in=RawSQL("SELECT order_id FROM crm_reco_holdout", []))
    summary = rebuild(training, per_customer=k, min_support=min_support, progress=progress)
    with connection.cursor() as cursor:
        cursor.execute(sql.BASELINE, [k, k])
        model = _scores(cursor, f"SELECT profile_id, product_id FROM crm_reco_customer WHERE rank <= {int(k)}")
        baseline = _scores(cursor, "SELECT profile_id, product_id FROM crm_reco_baseline")
        cursor.execute(
            "SELECT r.reason, COUNT(*) FROM crm_reco_customer r"
            " WHERE r.profile_id IN (SELECT profile_id FROM crm_reco_held) GROUP BY r.reason"
        )
        slots = dict(cursor.fetchall())
    total = sum(slots.values()) or 1
    reasons = {reason.value: _share(slots.get(reason.value, 0), total) for reason in Reason}
    return Evaluation(k, held_out, model, baseline, reasons, summary)


def _scores(cursor, recommended: str) -> Scores:
    cursor.execute(sql.hits_sql(recommended))
    customers, hit_rate, recall = cursor.fetchone()
    return Scores(customers, Decimal(hit_rate).quantize(Decimal("0.0001")), Decimal(recall).quantize(Decimal("0.0001")))


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))
