"""Where analytics read heavy data: the store's read replica when it has one, else the writer.

Saleor names its replica connection in the Django setting ``DATABASE_CONNECTION_REPLICA_NAME`` (and
points it at the writer when no replica is configured); a host without that setting, like the
sandbox, reads from ``default``. Writes always go to ``default``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


def analytics_database() -> str:
    """The connection alias analytics read from."""
    name = getattr(settings, "DATABASE_CONNECTION_REPLICA_NAME", None)
    return name if name and name in settings.DATABASES else DEFAULT_DB_ALIAS


def reads_a_replica() -> bool:
    """True when analytics read a connection other than the writer (which may lag behind it)."""
    return analytics_database() != DEFAULT_DB_ALIAS
