"""The sandbox as ``benchmarks/api.py`` serves it: DEBUG off, as in production, plus the baseline views."""

from saleor_crm_plugin.sandbox.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.api_urls"
