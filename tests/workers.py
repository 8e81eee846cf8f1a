"""A real Celery worker process on the test database and a Redis database of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import override_settings

from saleor_crm_plugin.sandbox.celery import app as celery_app

BROKER_URL = "redis://127.0.0.1:6379/9"
# The outbox's nudge key lives in the cache: the test process and its workers share this one.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": BROKER_URL}}
CELERY = Path(sys.executable).with_name("celery")


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def wait_for(self, condition, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the worker died ({self.process.returncode}):\n{self.log.read_text()[-3000:]}")
            value = condition()
            if value:
                return value
            time.sleep(0.25)
        pytest.fail(f"timed out after {timeout}s waiting for {what}; worker log:\n{self.log.read_text()[-3000:]}")


def use_broker(url: str) -> None:
    """Point this process's Celery app at ``url``, dropping connection and producer pools an earlier
    test may have opened on the previous broker (they would keep publishing there)."""
    os.environ["CELERY_BROKER_URL"] = celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def worker_queue() -> str:
    """A queue per test database, so test runs side by side on one Redis never take each other's tasks."""
    return f"crm-{connection.settings_dict['NAME']}"


def start_worker(log: Path, **env: str) -> Worker:
    """``celery worker`` on this test database's queue (one solo process); ``env`` added."""
    database_url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": BROKER_URL,
        "CRM_SYNC": "0",
        "DJANGO_SETTINGS_MODULE": "saleor_crm_plugin.sandbox.settings",
        **env,
    }
    command = [str(CELERY), "-A", "saleor_crm_plugin.sandbox.celery", "worker", "-Q", worker_queue(), "-c", "1",
               "--pool", "solo", "-l", "warning"]  # fmt: skip
    with log.open("a") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    return Worker(process, log)


def stop(worker: Worker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@contextmanager
def running_worker(log: Path, **env: str) -> Iterator[Worker]:
    """A worker for the block, this process publishing to its broker and (empty) queue: tasks go there
    when the test sets ``crm_settings(queue=worker_queue())``."""
    # Celery reads CELERY_BROKER_URL from the environment before its own setting: change both.
    old_env, old_broker = os.environ.get("CELERY_BROKER_URL"), celery_app.conf.broker_url
    use_broker(BROKER_URL)
    with celery_app.connection_for_write() as broker:
        assert broker.as_uri().endswith("/9")
        broker.default_channel.queue_purge(worker_queue())
    worker = start_worker(log, **env)
    try:
        with override_settings(CACHES=CACHES):
            yield worker
    finally:
        stop(worker)
        use_broker(old_broker)
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env
