from django.core.management.base import BaseCommand

from ...tasks import replay_dead_letters


class Command(BaseCommand):
    help = "Re-apply events that failed every retry (safe to repeat: events are idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int)

    def handle(self, *args, limit, **options):
        replayed, failing = replay_dead_letters(limit)
        self.stdout.write(f"Replayed {replayed} dead letter(s); {failing} still failing.")
