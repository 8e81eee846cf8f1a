"""RFM scores: quintiles by window functions, ties kept together, the named groups, the currency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from saleor_crm_plugin.segments.models import CustomerRfm
from saleor_crm_plugin.segments.rfm import GRID, GROUPS, rfm_currency, score_rfm

from .conftest import buy, shopper


@pytest.fixture(params=[False, True], ids=["postgresql", "portable"])
def score(request):
    """The PostgreSQL fast path and its portable twin must score alike."""
    return lambda *args, **kwargs: score_rfm(*args, portable=request.param, **kwargs)


def scores() -> dict[int, tuple[int, int, int, int, str]]:
    return {r.profile_id: (r.recency, r.frequency, r.monetary, r.aov, r.group) for r in CustomerRfm.objects.all()}


def test_scores_and_groups_of_the_store(store, score):
    assert rfm_currency() == "USD"  # most customers bought in it
    assert score() == 3  # shoppers 4 (never) and 5 (cancelled) have no scores
    assert scores() == {
        # last order day 2, 3 orders, 900 USD: bought much, long ago
        store[1].pk: (1, 4, 4, 4, "at_risk"),
        # day 10, 1 order, 20 USD
        store[2].pk: (4, 1, 2, 2, "promising"),
        # day 6, 2 orders in EUR only: monetary in USD is 0
        store[3].pk: (2, 2, 1, 1, "hibernating"),
    }


def test_equal_values_share_a_score_and_scores_span_one_to_five(db, score):
    for pk in range(1, 11):
        shopper(pk)
        for n in range(1 if pk <= 6 else pk - 5):  # six one-time buyers, then 2, 3, 4, 5 orders
            buy(pk, f"{pk}-{n}", total=f"{pk * 10}.00", days=pk + n)
    score()
    for recency, frequency, monetary, aov, _ in scores().values():
        assert {recency, frequency, monetary, aov} <= {1, 2, 3, 4, 5}
    frequency_of = {r.profile.email: r.frequency for r in CustomerRfm.objects.select_related("profile")}
    assert {frequency_of[f"shopper{pk}@example.com"] for pk in range(1, 7)} == {1}  # all six one-time buyers
    assert sorted(frequency_of[f"shopper{pk}@example.com"] for pk in range(7, 11)) == [4, 4, 5, 5]
    assert sorted({r.recency for r in CustomerRfm.objects.all()}) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5][::2]


def test_customers_who_stop_qualifying_lose_their_scores(store, score):
    score()
    store[1].anonymised_at = timezone.now()
    store[1].save(update_fields=["anonymised_at"])
    score(timezone.now() + timedelta(seconds=1))
    assert store[1].pk not in scores()


def test_the_configured_currency_wins(store, crm_settings, score):
    crm_settings(segments_rfm_currency="eur")
    assert rfm_currency() == "EUR"
    score()
    assert scores()[store[3].pk][2] == 4  # the only EUR spender now ranks highest in monetary (rank 3 of 3)


def test_the_grid_names_all_eleven_groups():
    assert {group for row in GRID.values() for group in row} == set(GROUPS)
    assert len(GROUPS) == 11 and all(len(row) == 5 for row in GRID.values())


def test_a_second_scoring_writes_only_what_changed(store, score):
    assert score() == 3
    assert score() == 0
    buy(2, "2-1", days=11)  # shopper 2 now has two orders: frequency moves
    assert score() >= 1
