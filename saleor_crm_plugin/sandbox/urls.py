from django.contrib import admin
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from ..graphql.views import graphql_view
from ..widget.views import widget_view
from . import admin as sandbox_admin  # noqa: F401  registers the CRM models
from .store import store_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # Where Saleor serves the plugin's API (``BasePlugin.webhook``), so clients need no change.
    path("plugins/global/saleor.crm/graphql/", csrf_exempt(graphql_view), name="crm-graphql"),
    path("plugins/global/saleor.crm/widget.js", widget_view, name="crm-widget"),
    path("store/", store_view, name="sandbox-store"),
]
