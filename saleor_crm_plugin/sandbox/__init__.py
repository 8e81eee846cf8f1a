"""A host project for the CRM without Saleor: the demo, the embedded default and the test host."""

from .celery import app as celery_app

__all__ = ["celery_app"]
