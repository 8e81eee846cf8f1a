"""The sandbox's stand-in for Saleor's accounts: Django users with the generator's primary keys."""

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection

from .generator import StoreGenerator


def create_users(store: StoreGenerator, batch_size: int = 5000) -> int:
    """Create the generated shoppers' accounts (idempotent), keeping their primary keys."""
    User = get_user_model()
    batch, created = [], 0
    for shopper in store.users():
        batch.append(
            User(
                pk=shopper.user_pk,
                username=shopper.email,
                email=shopper.email,
                first_name=shopper.first_name,
                last_name=shopper.last_name,
            )
        )
        if len(batch) >= batch_size:
            created += len(User.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    created += len(User.objects.bulk_create(batch, ignore_conflicts=True))
    # Explicit keys don't move PostgreSQL's sequence; move it so later users don't collide.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [User]):
            cursor.execute(sql)
    return created
