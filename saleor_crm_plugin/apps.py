from django.apps import AppConfig


class CRMConfig(AppConfig):
    name = "saleor_crm_plugin"
    label = "saleor_crm_plugin"
    verbose_name = "Saleor CRM"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from .tasks import PERIODIC_TASKS

        # Domains that react to ingested events register their ingest subscribers on import:
        # one import line per domain below.

        # Saleor's beat (and the sandbox's) reads CELERY_BEAT_SCHEDULE: add ours without owning it.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            for name, entry in PERIODIC_TASKS.items():
                schedule.setdefault(name, entry)
