"""Print the CRM subgraph's SDL (what ``_service { sdl }`` answers), to refresh ``schema.graphql``."""

from django.core.management.base import BaseCommand

from ...graphql.schema import SDL_PATH, print_sdl


class Command(BaseCommand):
    help = "Print the CRM GraphQL schema (federation SDL); --write updates the committed schema.graphql."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help=f"Write it to {SDL_PATH.name} in the package.")

    def handle(self, *args, write: bool = False, **options):
        sdl = print_sdl()
        if write:
            SDL_PATH.write_text(sdl)
            self.stderr.write(f"wrote {SDL_PATH}")
        else:
            self.stdout.write(sdl, ending="")
