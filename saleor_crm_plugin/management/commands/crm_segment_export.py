import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ...ports import writer_access
from ...segments.export import csv_lines
from ...segments.membership import evaluate_segment
from ...segments.models import Segment, SegmentMembership


class Command(BaseCommand):
    help = "Write a segment's members as CSV (streamed; a progress bar on stderr for large segments)."

    def add_arguments(self, parser):
        parser.add_argument("segment", help="The segment's slug.")
        parser.add_argument("--output", "-o", help="File to write; standard output when not given.")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--evaluate", action="store_true", help="Evaluate the segment first (it may take a while on a big store)."
        )

    def handle(self, *args, segment, output, no_progress, evaluate, **options):
        found = Segment.objects.filter(slug=segment).first()
        if found is None:
            raise CommandError(f"No segment with the slug {segment!r}.")
        if evaluate:
            with writer_access():
                evaluate_segment(found)
        elif found.evaluated_at is None:
            # Its members are not known yet: an empty file would read as "nobody matches".
            raise CommandError(
                f"The segment {segment!r} has not been evaluated yet, so its members are unknown. "
                "Wait for the background evaluation, or pass --evaluate to evaluate it now."
            )
        target = open(output, "w", newline="", encoding="utf-8") if output else None  # noqa: SIM115
        write = target.write if target else lambda text: self.stdout.write(text, ending="")
        total = SegmentMembership.objects.filter(segment=found).count()
        progress = tqdm(total=total, unit="members", disable=no_progress, file=sys.stderr)
        try:
            for number, line in enumerate(csv_lines(found)):
                write(line)
                progress.update(number > 0)  # the header is no member
        finally:
            progress.close()
            if target:
                target.close()
