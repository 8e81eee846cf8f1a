from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from ....ingest import ingest_many
from ....loyalty.earning import release_due_points
from ....loyalty.models import Reward
from ....loyalty.program import current_program
from ....profiles.checkouts import mark_abandoned_checkouts
from ...generator import CHANNELS, CURRENCY_RATE, StoreGenerator
from ...users import create_users


class Command(BaseCommand):
    help = "Fill the sandbox with a generated store's events, as a live Saleor store would send them."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, customers, seed, batch_size, **options):
        store = StoreGenerator(customers=customers, seed=seed)
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
        abandoned = mark_abandoned_checkouts(timezone.now())
        released = release_due_points(current_program(), timezone.now())
        _sample_rewards()
        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", "admin")
        self.stdout.write(
            self.style.SUCCESS(
                f"Sandbox store: {customers} shoppers; events applied {applied}, already there {skipped}; "
                f"{abandoned} checkouts newly marked abandoned; {released} orders' points released."
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
