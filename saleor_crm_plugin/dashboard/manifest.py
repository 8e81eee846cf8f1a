"""The App manifest Saleor installs the CRM's dashboard extensions from.

Field names follow ``saleor/app/manifest_schema.py`` (3.23); mounts, targets and options the
ones Saleor Dashboard 3.23 accepts (``src/extensions/domain/app-extension-manifest*.ts``):
``WIDGET`` only on ``*_WIDGETS`` mounts, ``options.widgetTarget`` only on ``WIDGET``, an
``APP_PAGE`` url starting with ``/`` (joined to ``appUrl`` by the dashboard).

Widget and popup urls are absolute: the dashboard glues a relative widget url to ``appUrl`` by
plain concatenation, and only popups get Saleor's server-side joining.

No ``tokenTargetUrl``: the plugin runs inside Saleor, so it verifies the dashboard's extension
tokens with Saleor's own keys and reads Saleor's data in-process; an app token would be a
long-lived secret to store for nothing, and a token POST back to the store would make the
installation depend on the store reaching itself over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from .. import __version__
from ..auth import Permission
from ..settings import get_settings

APP_ID = "saleor.crm.app"
PLUGIN_PATH = "/plugins/global/saleor.crm"
APP_PATH = PLUGIN_PATH + "/app/"
APP_PERMISSIONS = (Permission.MANAGE_USERS, Permission.MANAGE_ORDERS)
REQUIRED_SALEOR_VERSION = ">=3.23.0 <3.24.0"


@dataclass(frozen=True)
class Extension:
    identifier: str
    label: str
    mount: str
    target: str
    path: str  # under appUrl
    permissions: tuple[Permission, ...]


USERS, ORDERS = (Permission.MANAGE_USERS,), (Permission.MANAGE_ORDERS,)
ON_CUSTOMER, ON_ORDER = "CUSTOMER_DETAILS_MORE_ACTIONS", "ORDER_DETAILS_MORE_ACTIONS"
EXTENSIONS = (
    Extension("customer-widget", "CRM", "CUSTOMER_DETAILS_WIDGETS", "WIDGET", "widgets/customer", USERS),
    Extension("order-widget", "CRM", "ORDER_DETAILS_WIDGETS", "WIDGET", "widgets/order", ORDERS),
    Extension("customers", "CRM", "NAVIGATION_CUSTOMERS", "APP_PAGE", "customers", USERS),
    Extension("segments", "Segments", "NAVIGATION_CUSTOMERS", "APP_PAGE", "segments", USERS),
    # Tickets are for MANAGE_ORDERS or MANAGE_USERS staff; a manifest lists permissions all required,
    # so the entry asks for the helpdesk's own (orders) and the page explains itself to the others.
    Extension("helpdesk", "Helpdesk", "NAVIGATION_ORDERS", "APP_PAGE", "helpdesk", ORDERS),
    Extension("loyalty", "Loyalty program", "NAVIGATION_CUSTOMERS", "APP_PAGE", "loyalty", USERS),
    Extension("automation", "Automation", "NAVIGATION_CUSTOMERS", "APP_PAGE", "automation", USERS),
    Extension("analytics", "Analytics", "NAVIGATION_CUSTOMERS", "APP_PAGE", "analytics", USERS),
    Extension("adjust-points", "Adjust loyalty points", ON_CUSTOMER, "POPUP", "popups/adjust-points", USERS),
    Extension("open-ticket", "Open a support ticket", ON_CUSTOMER, "POPUP", "popups/open-ticket", USERS),
    Extension("order-open-ticket", "Open a support ticket", ON_ORDER, "POPUP", "popups/open-ticket", ORDERS),
    Extension("export", "Export CRM data", ON_CUSTOMER, "POPUP", "popups/export", USERS),
)


def plugin_url(request: HttpRequest, store_url: str | None = None) -> str:
    """Where the store serves the plugin: the configured public URL, else the store's own idea of its
    address (``store_url``: Saleor's ``PUBLIC_URL`` or site domain), else the host the request reached.

    The request alone is not enough inside Saleor: its manifest fetcher sends ``Host`` without the
    port, so a store on ``:8000`` would get extension URLs on port 80.
    """
    configured = get_settings().automation_public_url.rstrip("/")
    return configured or store_url or request.build_absolute_uri(PLUGIN_PATH)


def manifest(request: HttpRequest, store_url: str | None = None) -> dict:
    app_url = plugin_url(request, store_url) + "/app/"
    return {
        "id": APP_ID,
        "name": "CRM",
        "version": __version__,
        "about": (
            "Customer 360 profiles, loyalty, segments, tickets and automation inside Saleor Dashboard: "
            "a widget on customer and order pages, CRM pages under Customers."
        ),
        "author": "saleor-crm-plugin",
        "permissions": [str(p) for p in APP_PERMISSIONS],
        "appUrl": app_url,
        "requiredSaleorVersion": REQUIRED_SALEOR_VERSION,
        "extensions": [_extension(extension, app_url) for extension in EXTENSIONS],
    }


def _extension(extension: Extension, app_url: str) -> dict:
    entry = {
        "identifier": extension.identifier,
        "label": extension.label,
        "mount": extension.mount,
        "target": extension.target,
        "permissions": [str(p) for p in extension.permissions],
        # An APP_PAGE url is relative (the dashboard requires it); the others absolute (see the module doc).
        "url": "/" + extension.path if extension.target == "APP_PAGE" else app_url + extension.path,
    }
    if extension.target == "WIDGET":
        # GET: dashboard 3.23 mounts the widget as a full App Bridge frame (handshake token, theme, every
        # action); a POST widget gets a posted token but no theme and no redirect/notification/popup.
        entry["options"] = {"widgetTarget": {"method": "GET"}}
    return entry
