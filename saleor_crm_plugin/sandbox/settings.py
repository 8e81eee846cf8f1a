"""Sandbox settings: PostgreSQL when ``DATABASE_URL`` is set, else a local SQLite file."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(os.environ.get("CRM_SANDBOX_DIR", Path.cwd() / ".sandbox"))
SECRET_KEY = os.environ.get("SECRET_KEY", "sandbox-only-not-secret")
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "saleor_crm_plugin",
    "saleor_crm_plugin.sandbox",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "saleor_crm_plugin.sandbox.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'sandbox.sqlite3'}", conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "/dashboard/login/"  # staff sign in to the dashboard shell (the Django admin has its own)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "0") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE: dict = {}
# The outbox's "drain" nudges are deduplicated through the cache: web and workers share it in Redis
# when CACHE_URL is set (as in a store); the per-process default still works, with the beat drain's latency.
if os.environ.get("CACHE_URL"):
    REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
    CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": os.environ["CACHE_URL"]}}

# Where the links in messages (open pixel, clicks, unsubscribe, survey) point: this server.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Mail goes to a local mailbox (one .eml file per message), shown at /mailbox/; tests use locmem.
EMAIL_BACKEND = "saleor_crm_plugin.sandbox.mailbox.EmailBackend"
CRM_SANDBOX_MAILBOX = os.environ.get("CRM_MAILBOX_DIR") or str(BASE_DIR / "mailbox")

CRM = {"process_synchronously": os.environ.get("CRM_SYNC", "0") == "1"}
# scripts/demo sets CRM_SANDBOX_DEMO=1: /store/?shopper=<email> signs that shopper in (a demo shortcut).
CRM_SANDBOX_DEMO = os.environ.get("CRM_SANDBOX_DEMO") == "1"
# scripts/demo sets CRM_DEMO_FLOWS=1: the built-in flows on, sending at any hour, carts link to /store/.
# Off otherwise, so the tests keep the documented defaults (flows off) and switch on what they test.
if os.environ.get("CRM_DEMO_FLOWS") == "1":
    CRM |= {
        "automation_abandoned_checkout": True,
        "automation_winback": True,
        "automation_post_purchase": True,
        "automation_welcome": True,
        "automation_loyalty": True,
        "automation_birthday": True,
        "automation_quiet_hours": "",  # the demo runs at any hour; a store keeps its quiet hours
        "automation_checkout_url": PUBLIC_URL + "/store/?checkout={token}",
    }
CRM_PORTS = {
    "config_source": "saleor_crm_plugin.sandbox.ports.SettingsConfigSource",
    "backfill_source": "saleor_crm_plugin.sandbox.ports.GeneratedStoreSource",
    "writer_access": "saleor_crm_plugin.sandbox.ports.WriterAccess",
    "authenticator": "saleor_crm_plugin.sandbox.auth.SandboxAuthenticator",
    "reward_issuer": "saleor_crm_plugin.sandbox.rewards.SandboxRewardIssuer",
    "metadata_mirror": "saleor_crm_plugin.sandbox.metadata.SandboxMetadataMirror",
    "mailer": "saleor_crm_plugin.sandbox.mail.SandboxMailer",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"saleor_crm_plugin": {"handlers": ["console"], "level": "INFO"}},
}
