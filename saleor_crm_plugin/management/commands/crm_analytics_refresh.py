from django.core.management.base import BaseCommand
from tqdm import tqdm

from ...analytics.rollups import STEPS, refresh_store_analytics


class Command(BaseCommand):
    help = "Refresh the store analytics tables now (what the crm-analytics-refresh beat task does)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Recompute every day, not only the changed ones.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, full, quiet, **options):
        with tqdm(total=len(STEPS), desc="analytics", unit="step", file=self.stderr._out, disable=quiet) as bar:

            def progress(step: str) -> None:
                bar.set_postfix_str(step)
                bar.update(1)

            summary = refresh_store_analytics(full=full, progress=progress)
        if summary is None:
            self.stdout.write(self.style.WARNING("Another refresh is running; nothing done."))
        else:
            self.stdout.write(self.style.SUCCESS(str(summary)))
