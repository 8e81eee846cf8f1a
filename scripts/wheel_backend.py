"""The package build (PEP 517): setuptools, once the dashboard pages are built into the package.

A wheel or sdist must carry ``saleor_crm_plugin/dashboard/build/`` so that installing a release needs
no Node. From a checkout the pages are (re)built by ``scripts/build-frontend --if-stale``; from an
sdist (no ``frontend/``) they must already be inside. An editable install (``scripts/setup.sh``) does
not need them, so only the wheel and sdist hooks check.
"""

import subprocess
import sys
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  the other hooks, unchanged

INDEX = Path("saleor_crm_plugin/dashboard/build/index.html")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _ensure_built_pages()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    _ensure_built_pages()
    return _setuptools.build_sdist(sdist_directory, config_settings)


def _ensure_built_pages() -> None:
    if Path("frontend/package.json").is_file():
        if subprocess.run(["scripts/build-frontend", "--if-stale"], stdout=sys.stderr).returncode != 0:
            sys.exit("The dashboard pages could not be built (see above): the package would lack them.")
    elif not INDEX.is_file():
        sys.exit(f"{INDEX} is missing and there is no frontend/ to build it from: build from a checkout.")
