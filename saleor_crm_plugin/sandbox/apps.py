from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Installed only by the sandbox's settings: its demo commands never reach a real store."""

    name = "saleor_crm_plugin.sandbox"
    label = "crm_sandbox"
    verbose_name = "CRM sandbox"
