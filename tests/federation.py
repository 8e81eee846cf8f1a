"""Running scripts/compose-supergraph (a real composer, under Node.js) from tests.

Without Node.js the tests that compose skip on a developer's machine and fail under CI, like the
dashboard pages' build (scripts/setup.sh).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "scripts" / "compose-supergraph"
SALEOR_SDL_NAME = "federation-sdl-3.23.28.graphql"
# What a live Saleor 3.23.28 answers for ``_service { sdl }``; beside the project (../shared/saleor/), never in it.
SALEOR_SDL = next(
    (
        path
        for path in (ROOT.parent / "shared" / "saleor" / SALEOR_SDL_NAME, Path("/work/shared/saleor") / SALEOR_SDL_NAME)
        if path.is_file()
    ),
    None,
)


def require_composer() -> None:
    """Skip (fail under CI) when Node.js or Saleor's SDL is missing."""
    missing = None
    if not shutil.which("node") or not shutil.which("npm"):
        missing = "Node.js and npm (the composer runs under Node)"
    elif SALEOR_SDL is None:
        missing = f"Saleor's {SALEOR_SDL_NAME} (../shared/saleor/)"
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI: {missing} is needed to compose the supergraph")
    if missing:
        pytest.skip(f"{missing} not found")


def compose(crm_sdl: str, out: Path, **urls: str) -> subprocess.CompletedProcess:
    """Compose Saleor's SDL with ``crm_sdl``; ``urls`` are ``saleor_url``/``crm_url`` for the gateway."""
    require_composer()
    crm_file = out.with_name(out.stem + "-crm.graphql")
    crm_file.write_text(crm_sdl)
    command = [COMPOSE, "--saleor-sdl", SALEOR_SDL, "--crm-sdl", crm_file, "--out", out]
    for name, url in urls.items():
        command += [f"--{name.replace('_', '-')}", url]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)
