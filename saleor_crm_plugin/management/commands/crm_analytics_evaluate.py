"""Evaluate the purchase models on CDNOW: fit on a calibration period, compare with the holdout."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...analytics.predictions_evaluation import FILES, cdnow_path, evaluate, read_cdnow

CACHE = Path.home() / ".cache" / "saleor-crm-plugin" / "cdnow"


class Command(BaseCommand):
    help = (
        "Fit BG/NBD, MBG/NBD and Pareto/NBD on CDNOW orders up to --calibration-end and report per-customer "
        "MAE/RMSE and totals of predicted vs actual holdout purchases, overall and month by month, next to a naive "
        "rate baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calibration-end", type=date.fromisoformat, default=date(1997, 9, 30))
        parser.add_argument("--holdout-weeks", type=int, default=39)
        parser.add_argument("--file", choices=FILES, default=FILES[0])
        parser.add_argument("--cache", type=Path, default=CACHE, help="Where the lifetimes wheel is kept.")

    def handle(self, *args, calibration_end: date, holdout_weeks: int, file: str, cache: Path, **options):
        if holdout_weeks < 1:
            raise CommandError("--holdout-weeks must be at least 1.")
        started = time.monotonic()
        rows = read_cdnow(cdnow_path(file, cache), file)
        self.stdout.write(f"{file}: {len(rows)} orders; calibrated to {calibration_end}; {holdout_weeks} weeks out")
        evaluation = evaluate(rows, calibration_end, holdout_weeks)
        for line in evaluation.lines():
            self.stdout.write(line)
        self.stdout.write(f"({time.monotonic() - started:.1f}s)")
