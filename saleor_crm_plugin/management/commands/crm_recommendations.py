"""Rebuild recommendations now (``--rebuild``) and measure them offline (``--evaluate``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...recommendations.compute import RebuildSummary, rebuild
from ...recommendations.evaluation import Evaluation, evaluate


class Command(BaseCommand):
    help = "Rebuild product-pair scores and every customer's recommendations; evaluate them on held-out orders."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Rebuild every score now (the nightly task).")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Hold out each repeat customer's last order and report hit rate and recall against popularity.",
        )
        parser.add_argument("--k", type=int, default=10, help="Recommendations per customer evaluated.")
        parser.add_argument("--min-support", type=int, default=None, help="Override the pairs' minimum support.")

    def handle(self, *args, rebuild: bool = False, evaluate: bool = False, k: int = 10, min_support=None, **options):
        if not (rebuild or evaluate):
            raise CommandError("Give --rebuild, --evaluate or both.")
        if rebuild:
            self._rebuild(min_support)
        if evaluate:
            self._evaluate(k, min_support)

    def _rebuild(self, min_support: int | None) -> None:
        summary = rebuild(min_support=min_support, progress=True)
        self.stdout.write(
            f"Rebuilt in {summary.total_seconds:.2f}s: {summary.products} products, {summary.order_pairs} "
            f"bought-together pairs, {summary.customer_pairs} customer pairs, {summary.recommendations} "
            f"recommendations for {summary.customers} customers."
        )
        self.stdout.write(_timings(summary))

    def _evaluate(self, k: int, min_support: int | None) -> None:
        result = evaluate(k=k, min_support=min_support, progress=True)
        self.stdout.write(_evaluation_table(result))


def _timings(summary: RebuildSummary) -> str:
    return "  " + ", ".join(f"{step} {seconds:.2f}s" for step, seconds in summary.seconds.items())


def _evaluation_table(result: Evaluation) -> str:
    k = result.k
    rows = [
        f"Held out the last order of {result.held_out_orders} customers with 2+ orders; trained on the rest "
        f"in {result.training.total_seconds:.2f}s.",
        f"{'model':<24} {'customers':>10} {f'hit rate@{k}':>12} {f'recall@{k}':>10}",
    ]
    for name, scores in (("co-purchase (CRM)", result.model), ("popularity baseline", result.baseline)):
        rows.append(f"{name:<24} {scores.customers:>10} {scores.hit_rate:>12.4f} {scores.recall:>10.4f}")
    shares = ", ".join(f"{reason} {share:.1%}" for reason, share in result.reasons.items())
    fallback = result.reasons["category"] + result.reasons["popular"]
    rows.append(f"Slots by reason: {shares}; category/popular fallback share {fallback:.1%}.")
    return "\n".join(rows)
