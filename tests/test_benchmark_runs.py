"""The HTTP and backfilled-store benchmarks still run and still check their answers, on small stores.

They read or mirror the requests the pages send and build their stores through the sandbox, all of which
move as the project changes, and they stop when the API and its baseline disagree; a full run is the
wrong place to find one broken (four were, unnoticed, until this test ran them).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks.database import drop_database

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--requests", "2", "--warmup", "1"]


@pytest.fixture
def bench_url():
    default = settings.DATABASES["default"]
    url = f"postgres://{default['USER']}@{default['HOST']}:{default['PORT'] or 5432}/crm_bench_runs_{os.getpid()}"
    yield url
    drop_database(url)


def run(*arguments: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_the_customer_pages_and_segment_preview_benchmarks_run_and_agree_with_their_baselines(bench_url):
    arguments = ["--customers", "600", "--page", "3", *SMALL, "--keep-db", "--database-url", bench_url]
    out = run("benchmarks.customer_pages", *arguments)
    assert "list answers identical to the plain view's (customers, order, values, totals): OK" in out
    assert "list page 2 (last/before)" in out
    out = run("benchmarks.segment_helpdesk_pages", "preview", "--sessions", "1", "--database-url", bench_url)
    assert "final query's count and members identical to the plain view's: OK" in out


def test_the_inbox_benchmark_runs_and_the_api_agrees_with_its_baseline(bench_url):
    arguments = ["inbox", "--tickets", "3000", "--customers", "800", "--page", "3", *SMALL, "--database-url", bench_url]
    out = run("benchmarks.segment_helpdesk_pages", *arguments)
    assert "inbox answers identical to the plain view's (tickets, order, counts, assignees): OK (5 requests)" in out


@pytest.mark.parametrize(
    ("module", "arguments", "agreed"),
    [
        ("benchmarks.api", ["--customers", "300", "--page", "2", *SMALL], "= baseline view = naive view"),
        ("benchmarks.store_analytics", ["--customers", "300", "--requests", "2"], "KPIs equal the baseline's"),
        ("benchmarks.recommendations", ["--customers", "300", "--repeat", "1"], "SQL = naive for all"),
        ("benchmarks.automation", ["--checkouts", "200", "--baseline-sample", "20"], "one reminder per abandoned"),
        ("benchmarks.loyalty", ["--orders", "2000", "--accounts", "300", "--baseline-sample", "99"], "points): OK"),
        ("benchmarks.segments", ["--profiles", "2000", "--naive-sample", "200", "--repeat", "1"], "same scores"),
        ("benchmarks.analytics", ["--customers", "2000"], "== SQL statement alone"),
        ("benchmarks.ingest", ["--customers", "300", "--baseline-sample", "300"], "live (a) vs backfill (d): OK"),
        ("benchmarks.tickets", ["--tickets", "2000", "--customers", "300", *SMALL, "--page", "2"], "= naive view"),
    ],
)
def test_the_benchmarks_that_build_a_store_run_and_agree_with_their_baselines(bench_url, module, arguments, agreed):
    assert agreed in run(module, *arguments, "--database-url", bench_url)
