"""Print a bearer token for the sandbox API, as Saleor's tokenCreate or an app token would give."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ....auth import Permission
from ...auth import app_token, user_token


class Command(BaseCommand):
    help = "Print a token: --email for a shopper or staff account, --app for an app with --permission(s)."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="A user's email (shopper or staff).")
        who.add_argument("--app", help="An app's name, as for a Saleor app token.")
        parser.add_argument(
            "--permission",
            action="append",
            default=[],
            choices=[p.value for p in Permission],
            help="A Saleor permission (repeatable) the app's token carries. For --email it is added to the "
            "account for good (its permission group), so it also needs --grant.",
        )
        parser.add_argument(
            "--grant", action="store_true", help="With --email: yes, add the --permission(s) to the account for good."
        )

    def handle(self, *args, email=None, app=None, permission=(), grant=False, **options):
        permissions = [Permission(p) for p in permission]
        if app:
            self.stdout.write(app_token(app, permissions))
            return
        user = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            raise CommandError(f"No user with email {email}.")
        if permissions and not grant:
            raise CommandError(
                f"--permission changes {user.email}'s account for good (not only this token); add --grant to do it."
            )
        for granted in permissions:
            user.groups.add(Group.objects.get_or_create(name=granted.value)[0])
            self.stderr.write(f"Granted {granted.value} to {user.email} for good (group {granted.value}).")
        self.stdout.write(user_token(user))
