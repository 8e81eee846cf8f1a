"""The sandbox as ``benchmarks/tickets.py`` serves it: DEBUG off, plus the inbox baselines."""

from .api_settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.tickets_urls"
