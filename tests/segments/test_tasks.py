"""Segment tasks declare every database access to the store (Saleor's ``allow_writer``), reads included."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection

from saleor_crm_plugin import ports
from saleor_crm_plugin.segments import actions
from saleor_crm_plugin.segments.tasks import evaluate_segment_task, refresh_segments_task


class RecordingWriterAccess:
    """The port, counting how deep inside it the current code runs (Saleor logs statements outside it)."""

    depth = 0

    @contextmanager
    def __call__(self):
        RecordingWriterAccess.depth += 1
        try:
            yield
        finally:
            RecordingWriterAccess.depth -= 1


@pytest.fixture
def outside_writer_access(settings):
    """The statements run outside the writer access port while the test runs."""
    settings.CRM_PORTS = {**settings.CRM_PORTS, "writer_access": f"{__name__}.RecordingWriterAccess"}
    ports._port.cache_clear()
    outside: list[str] = []

    def record(execute, sql, params, many, context):
        if RecordingWriterAccess.depth == 0:
            outside.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield outside
    ports._port.cache_clear()


def test_segment_tasks_read_and_write_only_inside_writer_access(store, outside_writer_access):
    segment = actions.create_segment("Buyers", "orders_count >= 1")  # its task waits for a commit: none here
    outside_writer_access.clear()
    assert evaluate_segment_task.apply(args=[segment.pk]).get() == 3
    assert evaluate_segment_task.apply(args=[10**9]).get() is None
    assert refresh_segments_task.apply().get() >= 1
    assert outside_writer_access == []
