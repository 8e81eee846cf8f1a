from django.contrib import admin
from django.urls import path

from . import admin as sandbox_admin  # noqa: F401  registers the CRM models

urlpatterns = [path("admin/", admin.site.urls)]
