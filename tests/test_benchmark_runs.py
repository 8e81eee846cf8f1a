"""The dashboard pages' benchmark still runs and still checks its answers, on a small store.

It reads the requests it times from the front-end sources, which move as the pages change, and it
stops when the API and its plain-view baseline disagree; both once went unnoticed until a full run.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from benchmarks.database import drop_database

ROOT = Path(__file__).resolve().parent.parent


def test_the_customer_pages_benchmark_runs_and_the_api_agrees_with_its_baseline():
    default = settings.DATABASES["default"]
    url = f"postgres://{default['USER']}@{default['HOST']}:{default['PORT'] or 5432}/crm_bench_pages_{os.getpid()}"
    command = [sys.executable, "-m", "benchmarks.customer_pages", "--customers", "600", "--page", "3"]
    try:
        result = subprocess.run(
            [*command, "--requests", "2", "--warmup", "1", "--database-url", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        drop_database(url)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "list answers identical to the plain view's (customers, order, values, totals): OK" in result.stdout
    assert "list page 2 (last/before)" in result.stdout
