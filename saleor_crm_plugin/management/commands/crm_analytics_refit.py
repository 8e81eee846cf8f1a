"""Refit the customer predictions now: what the nightly task and ``crmAnalyticsRefit`` do."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...analytics.predictions import RefitUnavailable, refit_predictions


class Command(BaseCommand):
    help = "Refit purchase and spend models per currency and rescore every customer (or say why not)."

    def add_arguments(self, parser):
        parser.add_argument("--currency", help="ISO 4217 code; every currency with orders when omitted.")

    def handle(self, *args, currency: str | None = None, **options):
        try:
            fits = refit_predictions(currency)
        except RefitUnavailable as why:
            raise CommandError(str(why)) from why
        for fit in fits:
            line = (
                f"{fit.currency}: {fit.status} ({fit.model}) on {fit.customers} customers, {fit.repeat_buyers} "
                f"repeat buyers, {fit.orders} order days over {fit.history_days} days"
            )
            if fit.reason:
                line += f": {fit.reason}"
            else:
                steps = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in fit.timings.items())
                line += f"; scored {fit.scored_customers} ({steps})"
            self.stdout.write(line)
