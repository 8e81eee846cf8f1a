import pytest

from saleor_crm_plugin.recommendations.compute import rebuild
from saleor_crm_plugin.recommendations.evaluation import evaluate
from saleor_crm_plugin.recommendations.models import CustomerRecommendation

from .conftest import buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def repeat_buyers(db):
    """x and y bought 1, then (held out) 2; two one-order shoppers bought 1 and 2 together.

    Trained without the held-out orders, 2 is what goes with 1: a hit for x and y. Had their last
    orders leaked into training, x and y would own 2 and it could never be recommended to them.
    """
    for name in ("x", "y"):
        buy(f"{name}@example.com", f"{name}-1", 1, days=0)
        buy(f"{name}@example.com", f"{name}-2", 2, days=5)
    buy("one@example.com", "one", 1, 2)
    buy("two@example.com", "two", 1, 2)
    buy("lone@example.com", "lone", 3)
    buy("lone2@example.com", "lone2", 3)
    buy("lone3@example.com", "lone3", 3)


def test_held_out_orders_are_not_trained_on(repeat_buyers):
    result = evaluate(k=1)
    assert result.held_out_orders == 2
    assert (result.model.customers, result.model.hit_rate, result.model.recall) == (2, 1, 1)
    # Popularity (3 sold three times in training, 2 twice) misses at k=1.
    assert (result.baseline.customers, result.baseline.hit_rate) == (2, 0)
    assert result.training.products == 3


def test_the_baseline_finds_what_popularity_finds(repeat_buyers):
    result = evaluate(k=2)
    assert (result.baseline.hit_rate, result.baseline.recall) == (1, 1)


def test_evaluation_leaves_the_stored_recommendations_alone(repeat_buyers):
    rebuild()
    before = sorted(CustomerRecommendation.objects.values_list("profile_id", "rank", "product_id"))
    evaluate(k=1)
    assert sorted(CustomerRecommendation.objects.values_list("profile_id", "rank", "product_id")) == before


def test_cancelled_last_orders_are_not_held_out(db):
    from saleor_crm_plugin.events import EventKind

    buy("x@example.com", "x-1", 1)
    buy("x@example.com", "x-2", 2, days=5, kind=EventKind.ORDER_CANCELLED, status="canceled")
    assert evaluate().held_out_orders == 0
