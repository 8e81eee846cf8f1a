from django.contrib import admin
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from ..automation.views import message_link_view
from ..graphql.views import graphql_view
from ..widget.views import widget_view
from . import admin as sandbox_admin  # noqa: F401  registers the CRM models
from .mailbox_views import mailbox_view
from .store import store_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # Where Saleor serves the plugin's API (``BasePlugin.webhook``), so clients need no change.
    path("plugins/global/saleor.crm/graphql/", csrf_exempt(graphql_view), name="crm-graphql"),
    path("plugins/global/saleor.crm/widget.js", widget_view, name="crm-widget"),
    path("store/", store_view, name="sandbox-store"),
    path("mailbox/", mailbox_view, name="sandbox-mailbox"),
    re_path(r"^plugins/global/saleor\.crm/(?P<path>m/.+)$", csrf_exempt(message_link_view), name="crm-message-links"),
]
