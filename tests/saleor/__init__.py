"""Integration tests that run inside a real Saleor 3.23 (see README 'Saleor integration tests').

Run them with Saleor's venv and settings::

    pytest -c tests/saleor/pytest.ini tests/saleor --reuse-db -n 0

Under the sandbox settings (``scripts/test``) every module here skips itself.
"""

import os

import pytest

IN_SALEOR = os.environ.get("DJANGO_SETTINGS_MODULE") == "tests.saleor.settings"
SKIP_REASON = "not inside a Saleor 3.23 environment; see README 'Saleor integration tests'"


def require_saleor() -> None:
    """Call at the top of a test module, before importing anything from ``saleor``."""
    if not IN_SALEOR:
        pytest.skip(SKIP_REASON, allow_module_level=True)
