"""Cluster-wide single-flight for periodic work, on the database every worker already shares."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def single_flight(name: str) -> Iterator[bool]:
    """Yields True when this process holds ``name`` (a PostgreSQL advisory lock, released on exit),
    False when another process does. SQLite has one writer: always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"saleor_crm_plugin:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
