"""The throwaway PostgreSQL database a benchmark runs in: made for the run, dropped after it.

Every benchmark that creates a database runs inside ``bench_database(url, keep=args.keep_db)``, so
the database goes away at the end, after a failure and after Ctrl-C too; ``--keep-db`` leaves it
for inspection or for a later ``--reuse`` of a generated store. Names must contain "bench", so a
typo can't drop a real database.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator


def add_database_arguments(parser: argparse.ArgumentParser, default_url: str) -> None:
    parser.add_argument(
        "--database-url", default=default_url, help="created for the run, dropped after it (name must contain 'bench')"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="leave the database behind (for inspection or a later --reuse)"
    )


def check_database_name(parser: argparse.ArgumentParser, url: str) -> None:
    if "bench" not in db_config(url)["NAME"]:
        parser.error("the benchmark drops its database: use one whose name contains 'bench'")


@contextlib.contextmanager
def bench_database(url: str, *, keep: bool = False, fresh: bool = True) -> Iterator[None]:
    """Recreate the database (unless ``fresh`` is False: the caller decides), run the block, drop it.

    Django's connections are closed first; ``WITH (FORCE)`` also ends those of servers the block
    started and failed to stop.
    """
    if fresh:
        recreate_database(url)
    try:
        yield
    finally:
        _close_django_connections()
        if keep:
            print(f"database {db_config(url)['NAME']} kept (--keep-db)", file=sys.stderr)
        else:
            drop_database(url)


def start_django(url: str, settings: str = "saleor_crm_plugin.sandbox.settings", **env: str) -> None:
    """Point Django at the bench database and migrate it."""
    os.environ.update(DJANGO_SETTINGS_MODULE=settings, DATABASE_URL=url, DEBUG="0", **env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def db_config(url: str) -> dict:
    import dj_database_url

    return dj_database_url.parse(url)


def admin_connection(url: str):
    """A connection to the server's maintenance database, to drop and create the bench one."""
    import psycopg

    conf = db_config(url)
    params = {"host": conf["HOST"], "port": conf["PORT"], "user": conf["USER"], "password": conf["PASSWORD"]}
    return psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v})


def recreate_database(url: str) -> None:
    from psycopg import sql

    drop_database(url)
    with admin_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_config(url)["NAME"])))


def drop_database(url: str) -> None:
    from psycopg import sql

    name = db_config(url)["NAME"]
    if "bench" not in name:
        raise ValueError(f"refusing to drop {name!r}: not a bench database")
    with admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_comment(url: str) -> str | None:
    """The comment ``mark_database`` left (what a kept store holds), None when the database is missing."""
    with admin_connection(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [db_config(url)["NAME"]]
        ).fetchone()
    return None if row is None else (row[0] or "")


def mark_database(url: str, comment: str) -> None:
    from psycopg import sql

    with admin_connection(url) as conn:
        name = sql.Identifier(db_config(url)["NAME"])
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, sql.Literal(comment)))


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.conf import settings
        from django.db import connections

        if settings.configured:
            connections.close_all()
