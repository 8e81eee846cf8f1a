from django.core.management.base import BaseCommand

from ...backfill import run_backfill
from ...ports import backfill_source


class Command(BaseCommand):
    help = "Import the store's existing customers and orders into the CRM (resumable, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--restart", action="store_true", help="Rescan from the start instead of resuming.")
        parser.add_argument("--quiet", action="store_true", help="No progress bars.")

    def handle(self, *args, batch_size, restart, quiet, **options):
        summary = run_backfill(
            backfill_source(),
            batch_size=batch_size,
            restart=restart,
            progress_to=None if quiet else self.stderr._out,
        )
        if not any(summary.scanned.values()) and not restart:
            self.stdout.write("Backfill already complete; --restart rescans (changes nothing already applied).")
        scanned = ", ".join(f"{n} {subject}" for subject, n in summary.scanned.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backfill done in {summary.seconds:.1f}s: scanned {scanned}; "
                f"events applied {summary.applied}, already applied {summary.skipped}, failed {summary.failed}"
                + (" (see dead letters: crm_replay_dead_letters)" if summary.failed else "")
            )
        )
