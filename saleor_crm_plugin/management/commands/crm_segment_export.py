import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ...segments.export import csv_lines
from ...segments.models import Segment


class Command(BaseCommand):
    help = "Write a segment's members as CSV (streamed; a progress bar on stderr for large segments)."

    def add_arguments(self, parser):
        parser.add_argument("segment", help="The segment's slug.")
        parser.add_argument("--output", "-o", help="File to write; standard output when not given.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, segment, output, no_progress, **options):
        found = Segment.objects.filter(slug=segment).first()
        if found is None:
            raise CommandError(f"No segment with the slug {segment!r}.")
        target = open(output, "w", newline="", encoding="utf-8") if output else None  # noqa: SIM115
        write = target.write if target else lambda text: self.stdout.write(text, ending="")
        progress = tqdm(total=found.member_count, unit="members", disable=no_progress, file=sys.stderr)
        try:
            for number, line in enumerate(csv_lines(found)):
                write(line)
                progress.update(number > 0)  # the header is no member
        finally:
            progress.close()
            if target:
                target.close()
