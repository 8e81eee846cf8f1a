from django.apps import AppConfig


class CRMConfig(AppConfig):
    name = "saleor_crm_plugin"
    label = "saleor_crm_plugin"
    verbose_name = "Saleor CRM"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        # Domains register on import: ingest subscribers, and what they lend other domains
        # (segment fields and functions, macro placeholders, checks of their dashboard settings).
        from . import cors  # noqa: F401
        from .analytics import dirty, predictions_privacy, predictions_segments  # noqa: F401
        from .automation import builtin, timing  # noqa: F401
        from .automation import privacy as automation_privacy  # noqa: F401
        from .loyalty import extensions, program, subscriber  # noqa: F401
        from .loyalty import privacy as loyalty_privacy  # noqa: F401
        from .recommendations import extensions as recommendation_extensions  # noqa: F401
        from .recommendations import privacy as recommendation_privacy  # noqa: F401
        from .segments import live  # noqa: F401
        from .tasks import PERIODIC_TASKS
        from .tickets import export, history, privacy, segment_functions, sla  # noqa: F401

        # Saleor's beat (and the sandbox's) reads CELERY_BEAT_SCHEDULE: add ours without owning it.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            for name, entry in PERIODIC_TASKS.items():
                schedule.setdefault(name, entry)
