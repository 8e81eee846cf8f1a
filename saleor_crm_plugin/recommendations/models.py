"""Recommendations: co-purchase scores between products and each customer's top picks.

All three tables are derived data, rebuilt together from order history by ``compute.rebuild``; no
database-level foreign keys (a rebuild replaces every row, and per-row checks would cost more than
the rebuild itself). Products are Saleor global IDs, like everywhere else in the CRM.
"""

from __future__ import annotations

from django.db import models

from ..profiles.models import CustomerProfile


class Reason(models.TextChoices):
    """Why a product is recommended: what a message can say about it."""

    BOUGHT_TOGETHER = "bought_together", "Often bought together with something the customer bought"
    SIMILAR_CUSTOMERS = "similar_customers", "Bought by customers who bought what the customer bought"
    CATEGORY = "category", "A best seller in one of the customer's favourite categories"
    POPULAR = "popular", "A best seller of the store"


class RecommendationProduct(models.Model):
    """A product seen in orders, with its latest name and its popularity at the last rebuild."""

    product_id = models.CharField(max_length=128, unique=True)
    name = models.CharField(max_length=256, blank=True)
    category_id = models.CharField(max_length=128, blank=True)
    category_name = models.CharField(max_length=256, blank=True)
    orders_count = models.PositiveIntegerField(help_text="Orders containing the product.")
    buyers_count = models.PositiveIntegerField(help_text="Customers who bought it.")
    popularity_rank = models.PositiveIntegerField(db_index=True, help_text="1 is the store's best seller.")
    category_rank = models.PositiveIntegerField(help_text="1 is its category's best seller.")

    class Meta:
        db_table = "crm_reco_product"
        indexes = [models.Index(fields=["category_id", "category_rank"], name="crm_reco_product_by_category")]


class ProductPair(models.Model):
    """Two products bought together: in one order (``ORDER``) or by one customer (``CUSTOMER``).

    Stored both ways round, ``score`` is the cosine ``together / sqrt(orders(a) * orders(b))`` of the
    kind's counts; only pairs seen at least ``recommendations_min_support`` times are kept.
    """

    ORDER = "order"
    CUSTOMER = "customer"

    kind = models.CharField(max_length=8, choices=[(ORDER, ORDER), (CUSTOMER, CUSTOMER)])
    product_id = models.CharField(max_length=128)
    other_id = models.CharField(max_length=128)
    together = models.PositiveIntegerField(help_text="Orders (or customers) with both products.")
    score = models.DecimalField(max_digits=9, decimal_places=6)
    nth = models.PositiveSmallIntegerField(help_text="1 for the product's best pair of this kind.")

    class Meta:
        db_table = "crm_reco_pair"
        constraints = [models.UniqueConstraint(fields=["kind", "product_id", "other_id"], name="crm_reco_pair_once")]
        indexes = [models.Index(fields=["kind", "product_id", "nth"], name="crm_reco_pair_best")]


class CustomerRecommendation(models.Model):
    """One of a customer's top-N products, ``rank`` 1 first; never something they already bought."""

    profile = models.ForeignKey(
        CustomerProfile, on_delete=models.CASCADE, related_name="recommendations", db_constraint=False, db_index=False
    )  # the unique (profile, rank) index serves lookups by profile
    rank = models.PositiveSmallIntegerField()
    product_id = models.CharField(max_length=128)
    name = models.CharField(max_length=256, blank=True)
    category_id = models.CharField(max_length=128, blank=True)
    category_name = models.CharField(max_length=256, blank=True)
    score = models.DecimalField(max_digits=12, decimal_places=6)
    reason = models.CharField(max_length=20, choices=Reason.choices)

    class Meta:
        db_table = "crm_reco_customer"
        constraints = [models.UniqueConstraint(fields=["profile", "rank"], name="crm_reco_customer_rank_once")]
