from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ...analytics.imports import BadRow, import_orders, read_rows
from ...analytics.rollups import refresh_store_analytics
from ...segments.rfm import score_rfm


class Command(BaseCommand):
    help = (
        "Import order history from a CSV file (email or customer_id, order_id, date, total, currency; optional "
        "channel and lines) through the CRM's ingest path. Idempotent and resumable: rerun after an interruption."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--channel", default="default-channel", help="For rows without a channel column value.")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")
        parser.add_argument("--no-refresh", action="store_true", help="Don't score RFM and refresh analytics after.")

    def handle(self, *args, file, channel, batch_size, quiet, no_refresh, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        with file.open(newline="", encoding="utf-8-sig") as handle:
            total = max(sum(1 for _ in handle) - 1, 0)
            handle.seek(0)
            with tqdm(total=total, desc="orders", unit="row", file=self.stderr._out, disable=quiet) as bar:
                try:
                    summary = import_orders(read_rows(handle), channel, batch_size, progress=bar.update)
                except BadRow as error:
                    raise CommandError(str(error)) from None
        for line_number, message in summary.errors:
            self.stderr.write(f"line {line_number}: {message}")
        if summary.applied and not no_refresh:
            score_rfm()
            refresh_store_analytics()
        style = self.style.WARNING if summary.errors else self.style.SUCCESS
        self.stdout.write(style(f"Imported {file.name}: {summary}"))
