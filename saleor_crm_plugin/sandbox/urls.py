from django.contrib import admin
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from ..automation.views import message_link_view
from ..dashboard.views import app_view
from ..graphql.views import graphql_view
from ..segments.download import segment_export_view
from ..tickets.rating_page import rating_page_view
from ..widget.views import widget_view
from . import admin as sandbox_admin  # noqa: F401  registers the CRM models
from . import dashboard_auth, shell
from .mailbox_views import mailbox_view
from .store import store_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # Where Saleor serves the plugin's API (``BasePlugin.webhook``), so clients need no change.
    path("plugins/global/saleor.crm/graphql/", csrf_exempt(graphql_view), name="crm-graphql"),
    path("plugins/global/saleor.crm/widget.js", widget_view, name="crm-widget"),
    path("plugins/global/saleor.crm/rate/", csrf_exempt(rating_page_view), name="crm-ticket-rating"),
    path(
        "plugins/global/saleor.crm/segments/<str:segment>/members.csv", segment_export_view, name="crm-segment-export"
    ),
    # The dashboard App (manifest, pages, widgets, assets). No CSRF, like Saleor's plugin route:
    # the dashboard POSTs widget forms into the frame from its own origin.
    re_path(r"^plugins/global/saleor\.crm/app/(?P<path>.*)$", csrf_exempt(app_view), name="crm-app"),
    path("dashboard/login/", dashboard_auth.login_view, name="dashboard-login"),
    path("dashboard/logout/", dashboard_auth.logout_view, name="dashboard-logout"),
    path("dashboard/token", dashboard_auth.token_view, name="dashboard-token"),
    # The Saleor-Dashboard-like shell that frames the App (sandbox only).
    path("dashboard/", shell.home_view, name="shell-home"),
    path("dashboard/customers/", shell.customers_view, name="shell-customers"),
    path("dashboard/customers/<str:customer_id>/", shell.customer_view, name="shell-customer"),
    path("dashboard/orders/", shell.orders_view, name="shell-orders"),
    path("dashboard/orders/<str:order_id>/", shell.order_view, name="shell-order"),
    path("dashboard/crm/", shell.app_page_view, name="shell-app"),
    path("dashboard/crm/<path:subpath>", shell.app_page_view, name="shell-app-page"),
    path("store/", store_view, name="sandbox-store"),
    path("mailbox/", mailbox_view, name="sandbox-mailbox"),
    re_path(r"^plugins/global/saleor\.crm/(?P<path>m/.+)$", csrf_exempt(message_link_view), name="crm-message-links"),
]
