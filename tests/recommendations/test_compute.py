from decimal import Decimal

import pytest

from saleor_crm_plugin.profiles.models import CustomerProfile
from saleor_crm_plugin.recommendations import bought_together, for_profiles
from saleor_crm_plugin.recommendations.compute import rebuild
from saleor_crm_plugin.recommendations.models import CustomerRecommendation, ProductPair, RecommendationProduct

from ..factories import customer_event
from .conftest import buy, product, profile

pytestmark = pytest.mark.django_db


def picks(email: str, limit: int = 10) -> list[tuple[str, str]]:
    pk = profile(email).pk
    return [(r.product_id, r.reason) for r in for_profiles([pk], limit)[pk]]


def test_a_product_bought_together_beats_a_better_seller(store):
    rebuild()
    ada = picks("ada@example.com")
    assert ada[0] == (product(2), "bought_together")
    assert ada.index((product(2), "bought_together")) < [p for p, _ in ada].index(product(3))


def test_what_the_customer_bought_is_never_recommended(store):
    rebuild()
    assert product(1) not in [p for p, _ in picks("ada@example.com")]
    for row in CustomerRecommendation.objects.select_related("profile"):
        bought = {line["product_id"] for order in row.profile.orders.all() for line in order.lines}
        assert row.product_id not in bought


def test_cancelled_orders_teach_nothing(store):
    rebuild()
    sold = set(RecommendationProduct.objects.values_list("product_id", flat=True))
    assert product(5) not in sold
    assert not ProductPair.objects.filter(other_id=product(5)).exists()
    assert product(5) not in [r.product_id for r in bought_together(product(1), 100)]
    assert not CustomerRecommendation.objects.filter(profile__email__startswith="undo").exists()


def test_bought_together_needs_the_minimum_support(store, crm_settings):
    rebuild()
    assert [(r.product_id, r.reason) for r in bought_together(product(1))] == [(product(2), "bought_together")]
    # 1 and 4 were bought together once: below the default support of 2, above a support of 1.
    crm_settings(recommendations_min_support=1)
    rebuild()
    assert {r.product_id for r in bought_together(product(1))} == {product(2), product(4)}
    best = bought_together(product(1))[0]
    assert best.product_id == product(2)
    assert best.score == Decimal("0.866025")  # 3 / sqrt(4 orders of product 1 * 3 of product 2)


def test_a_customer_without_co_purchases_gets_their_category_then_best_sellers(store):
    rebuild()
    bob = picks("bob@example.com")
    assert bob[0] == (product(7), "category")  # the other product of Bob's only category
    assert bob[1] == (product(3), "popular")
    assert len(bob) == 5  # every product sold, except Bob's own


def test_a_new_customer_gets_the_best_sellers_of_the_last_rebuild(store):
    rebuild()
    customer_event_profile = _new_customer()
    got = for_profiles([customer_event_profile.pk, profile("ada@example.com").pk], limit=2)
    assert [(r.product_id, r.reason) for r in got[customer_event_profile.pk]] == [
        (product(3), "popular"),
        (product(1), "popular"),
    ]
    assert len(got[profile("ada@example.com").pk]) == 2


def test_every_buyer_gets_n_and_one_query_serves_many_profiles(store, django_assert_num_queries, crm_settings):
    crm_settings(recommendations_per_customer=3)
    rebuild()
    buyers = CustomerProfile.objects.filter(orders_count__gt=0)
    assert CustomerRecommendation.objects.count() == 3 * buyers.count()
    ids = list(CustomerProfile.objects.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        got = for_profiles(ids, limit=3)
    assert set(got) == set(ids) and all(len(v) == 3 for v in got.values())


def test_rebuild_is_idempotent(store):
    def stored():
        return (
            sorted(RecommendationProduct.objects.values_list("product_id", "orders_count", "popularity_rank")),
            sorted(ProductPair.objects.values_list("kind", "product_id", "other_id", "together", "score")),
            sorted(CustomerRecommendation.objects.values_list("profile_id", "rank", "product_id", "reason", "score")),
        )

    first = rebuild()
    before = stored()
    second = rebuild()
    assert stored() == before
    assert (first.products, first.order_pairs, first.recommendations) == (
        second.products,
        second.order_pairs,
        second.recommendations,
    )


def test_a_new_order_changes_the_next_rebuild(store):
    rebuild()
    buy("ada@example.com", "ada-2", 2, user=1, days=3)
    assert product(2) in [p for p, _ in picks("ada@example.com")]  # until the next rebuild
    rebuild()
    assert product(2) not in [p for p, _ in picks("ada@example.com")]


def _new_customer() -> CustomerProfile:
    from saleor_crm_plugin.ingest import ingest

    ingest(customer_event(pk=77, email="new@example.com"))
    return profile("new@example.com")


def test_the_nightly_task_rebuilds(store):
    from saleor_crm_plugin.recommendations.tasks import rebuild_recommendations_task
    from saleor_crm_plugin.tasks import PERIODIC_TASKS

    assert PERIODIC_TASKS["crm-recommendations-rebuild"]["task"] == rebuild_recommendations_task.name
    assert rebuild_recommendations_task.delay().get() == CustomerProfile.objects.filter(orders_count__gt=0).count()
    assert CustomerRecommendation.objects.exists()
