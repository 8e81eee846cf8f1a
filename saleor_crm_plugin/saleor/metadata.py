"""Segment membership in Saleor users' private metadata (one UPDATE per batch of users), and the
CRM's marketing consent written back to the consent key of their metadata."""

from __future__ import annotations

from base64 import b64decode

from django.db import connection

KEY = "crm_segments"


def user_pk(global_id: str) -> int | None:
    try:
        type_name, _, pk = b64decode(global_id).decode().partition(":")
    except ValueError:
        return None
    return int(pk) if type_name == "User" and pk.isdigit() else None


class SaleorMetadataMirror:
    """Sets ``private_metadata["crm_segments"]`` ("slug-a,slug-b"; "" when in none), other keys untouched."""

    def write(self, segments: dict[str, list[str]]) -> None:
        from saleor.account.models import User

        rows = [(pk, ",".join(slugs)) for user_id, slugs in segments.items() if (pk := user_pk(user_id)) is not None]
        if not rows:
            return
        table = connection.ops.quote_name(User._meta.db_table)
        values = ", ".join(["(%s, %s)"] * len(rows))
        params = [value for row in rows for value in row]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS u SET private_metadata = "
                f"COALESCE(u.private_metadata, '{{}}'::jsonb) || jsonb_build_object(%s, v.slugs) "
                f"FROM (VALUES {values}) AS v(id, slugs) WHERE u.id = v.id::int",
                [KEY, *params],
            )

    def write_consent(self, user_id: str, key: str, consent: bool) -> None:
        """``metadata[key] = "true"/"false"``, so the storefront and other Saleor apps see the CRM's consent.

        One UPDATE, like Saleor's own metadata writes; other keys untouched. It fires no Saleor hook and
        leaves ``updated_at`` alone, so no CRM event comes back from it; the next account event carries
        the value written here."""
        from saleor.account.models import User

        pk = user_pk(user_id)
        if pk is None:
            return
        table = connection.ops.quote_name(User._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET metadata = COALESCE(metadata, '{{}}'::jsonb) || jsonb_build_object(%s, %s) "
                "WHERE id = %s",
                [key, "true" if consent else "false", pk],
            )
