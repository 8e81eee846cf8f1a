import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from ...events import normalise_email
from ...profiles.export import export_customer_data
from ...profiles.models import CustomerProfile


class Command(BaseCommand):
    help = "Print everything the CRM holds about one customer as JSON (data-access requests)."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--email")
        who.add_argument("--user-id", help="Saleor global ID of the account")

    def handle(self, *args, email, user_id, **options):
        lookup = {"saleor_user_id": user_id} if user_id else {"email": normalise_email(email)}
        profile = CustomerProfile.objects.filter(**lookup).order_by("saleor_user_id").first()
        if profile is None:
            raise CommandError(f"No CRM profile for {user_id or email}.")
        self.stdout.write(json.dumps(export_customer_data(profile, staff=True), cls=DjangoJSONEncoder, indent=2))
