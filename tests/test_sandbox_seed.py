"""The demo store is a live store: it ends today, and its RFM, segments and recommendations are there at once."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from django.core.management import call_command

from saleor_crm_plugin.recommendations.models import CustomerRecommendation
from saleor_crm_plugin.sandbox.generator import StoreGenerator, _when
from saleor_crm_plugin.segments.models import CustomerRfm, Segment


def test_the_generated_store_ends_today():
    store = StoreGenerator(customers=40, seed=3)
    today = datetime.now(UTC).date()
    assert store.now.date() == today and store.start.date() == today - timedelta(days=365)
    latest = max(_when(event) for event in store.live_events())
    assert store.now - timedelta(days=30) < latest <= store.now


def test_the_seed_scores_rfm_evaluates_segments_and_builds_recommendations(db):
    out = io.StringIO()
    call_command("crm_sandbox_seed", customers=80, abandoned=0, stdout=out, stderr=io.StringIO())
    assert CustomerRfm.objects.exists()
    assert Segment.objects.exists() and not Segment.objects.filter(evaluated_at__isnull=True).exists()
    recommended = CustomerRecommendation.objects.values("profile").distinct().count()
    assert recommended > 0
    assert f"{recommended} customers have recommendations." in out.getvalue()
