"""The sandbox's Celery app (Saleor has its own): ``celery -A saleor_crm_plugin.sandbox.celery worker -Q crm``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_crm_plugin.sandbox.settings")

app = Celery("crm_sandbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["saleor_crm_plugin"])
