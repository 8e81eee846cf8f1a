"""Benchmarks leave no database behind: the one they run in is dropped at the end, on failure too."""

import os

import pytest
from django.conf import settings

from benchmarks.database import admin_connection, bench_database, drop_database

# No django_db mark: the block closes Django's connections, as a benchmark's must before the drop.


@pytest.fixture
def bench_url():
    default = settings.DATABASES["default"]
    name = f"crm_bench_cleanup_{os.getpid()}"
    url = f"postgres://{default['USER']}@{default['HOST']}:{default['PORT'] or 5432}/{name}"
    yield url
    drop_database(url)


def exists(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    with admin_connection(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def test_the_database_is_there_during_the_run_and_gone_after(bench_url):
    with bench_database(bench_url):
        assert exists(bench_url)
    assert not exists(bench_url)


def test_a_failing_run_drops_its_database_too(bench_url):
    with pytest.raises(RuntimeError), bench_database(bench_url):
        raise RuntimeError("the benchmark failed")
    assert not exists(bench_url)


def test_keep_db_leaves_it_for_a_later_reuse(bench_url):
    with bench_database(bench_url, keep=True):
        pass
    assert exists(bench_url)


def test_only_bench_databases_are_dropped():
    with pytest.raises(ValueError, match="not a bench database"):
        drop_database("postgres://postgres@127.0.0.1:5432/saleor_crm")
