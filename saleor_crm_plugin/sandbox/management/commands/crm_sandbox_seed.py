import os
import random
import uuid
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from ....automation.builtin import sync_builtin_flows
from ....automation.models import Flow
from ....automation.sending import send_messages
from ....automation.tasks import tick
from ....events import Checkout, Event, EventKind
from ....ids import global_id
from ....ingest import ingest_many
from ....loyalty.earning import release_due_points
from ....loyalty.models import Reward
from ....loyalty.program import current_program
from ....profiles.checkouts import mark_abandoned_checkouts
from ....recommendations.tasks import rebuild_recommendations_task
from ....segments.tasks import refresh_segments_task
from ....settings import get_settings
from ...generator import CATALOGUE, CHANNELS, CURRENCY_RATE, StoreGenerator
from ...mailbox import mailbox_dir, message_ids
from ...ports import GeneratedStoreSource
from ...users import create_users


class Command(BaseCommand):
    help = "Fill the sandbox with a generated store's events, as a live Saleor store would send them."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--abandoned", type=int, default=5, help="Carts left 5 hours ago, for the flows' demo.")

    def handle(self, *args, customers, seed, batch_size, abandoned, **options):
        store = StoreGenerator(customers=customers, seed=seed)
        GeneratedStoreSource.recording(store)
        create_users(store)
        applied = skipped = 0
        batch = []
        with tqdm(desc="events", unit="event", file=self.stderr._out, mininterval=0.5) as bar:
            for event in store.live_events():
                batch.append(event)
                if len(batch) >= batch_size:
                    applied, skipped = self._apply(batch, bar, applied, skipped)
                    batch = []
            applied, skipped = self._apply(batch, bar, applied, skipped)
        marked = mark_abandoned_checkouts(timezone.now())
        released = release_due_points(current_program(), timezone.now())
        _sample_rewards()
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", "admin")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sandbox store: {customers} shoppers; events applied {applied}, already there {skipped}; "
                f"{marked} checkouts newly marked abandoned; {released} orders' points released."
            )
        )
        self._run_periodic_work()
        self._run_flows(store, abandoned)

    def _run_periodic_work(self) -> None:
        """What beat would do only later (hourly, nightly): RFM, segments and recommendations, now."""
        refreshed = refresh_segments_task()
        if connection.vendor != "postgresql":  # recommendations are built in PostgreSQL
            self.stdout.write("Recommendations need PostgreSQL (DATABASE_URL): skipped.")
            return
        recommended = rebuild_recommendations_task()
        summary = f"RFM scored, {refreshed} segment(s) evaluated; {recommended} customers have recommendations."
        self.stdout.write(self.style.SUCCESS(summary))

    def _run_flows(self, store: StoreGenerator, carts: int) -> None:
        """Recent activity and one automation pass, sending what is due at once (no worker needed)."""
        now = timezone.now()
        sync_builtin_flows(get_settings(), now)  # before the new facts: a flow starts on what comes after
        if not Flow.objects.filter(is_active=True).exists():
            self.stdout.write("Automation flows are off: CRM_DEMO_FLOWS=1 (scripts/demo) switches them on.")
            return
        before = len(message_ids())
        ingest_many(_left_carts(store, carts, now))
        mark_abandoned_checkouts(now)
        outcome: Counter = Counter()
        steps = tick(now, send=lambda ids: outcome.update(send_messages(ids, now)))
        landed = len(message_ids()) - before
        self.stdout.write(
            self.style.SUCCESS(
                f"Automation: {steps['enrolled']} flow(s) started, {outcome['sent']} message(s) sent "
                f"({dict(outcome)}); {landed} new in the mailbox {_shown(mailbox_dir())}."
            )
        )

    def _apply(self, batch, bar, applied, skipped):
        result = ingest_many(batch)
        for event, error in result.failed:
            self.stderr.write(f"failed: {event.key}: {error}")
        bar.update(len(batch))
        return applied + result.applied, skipped + result.skipped


def _sample_rewards() -> None:
    """A small reward catalogue per channel, so the demo's widget has something to redeem."""
    for channel, currency in CHANNELS:
        for points, usd in ((500, 5), (1000, 12), (2000, 30)):
            value = (Decimal(usd) * CURRENCY_RATE[currency]).quantize(Decimal(1))
            Reward.objects.get_or_create(
                channel=channel,
                points_cost=points,
                defaults={"name": f"{value} {currency} off", "value": value, "currency": currency},
            )


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is inside it (``.sandbox/mailbox``)."""
    return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd()) else str(path)


def _left_carts(store: StoreGenerator, count: int, now: datetime) -> list[Event]:
    """Checkouts left five hours ago by registered shoppers with marketing consent (new ones each run)."""
    shoppers = [s for s in store.users() if s.index % 3 != 0 and s.registered_at <= store.now][:count]
    rng = random.Random()
    events = []
    for shopper in shoppers:
        channel, currency = CHANNELS[0]
        products = rng.sample(CATALOGUE, rng.randint(1, 3))
        lines = tuple(product.line(rng.randint(1, 2), currency) for product in products)
        left = now - timedelta(hours=5, minutes=rng.randint(0, 50))
        checkout = Checkout(
            token=str(uuid.uuid4()),
            channel=channel,
            currency=currency,
            total=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
            created_at=left - timedelta(minutes=10),
            updated_at=left,
            email=shopper.email,
            user_id=global_id("User", shopper.user_pk),
            user_pk=shopper.user_pk,
            lines=lines,
        )
        events.append(Event(EventKind.CHECKOUT_CREATED, checkout))
    return events
