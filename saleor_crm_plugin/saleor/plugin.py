"""The Saleor plugin: turns Saleor's hooks into CRM events, kept in the CRM's outbox with Saleor's change.

A customer's event is built in the hook, from the instance alone (no query; a deleted customer is gone
by the time a worker runs). A checkout's or an order's is kept as a reference and built by the worker
that applies it, from the object as it is then, a batch at a time: the shopper's request pays one
INSERT, no read. Saleor 3.23 builds its own ``ORDER_*`` and ``CHECKOUT_*`` webhook payloads the same
way (``is_deferred_payload``, ``generate_deferred_payloads``), and drops them for an object gone by then.

Every hook returns ``previous_value`` untouched and never raises into Saleor's request: a failure
to build or deliver an event is logged and kept as a dead letter (``crm_replay_dead_letters``).
"""

from __future__ import annotations

import dataclasses
import logging
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField
from saleor.plugins.error_codes import PluginErrorCode

from ..events import Event, EventKind, EventReference
from ..settings import dashboard_fields, validate_settings
from ..tasks import deliver, keep_unbuilt
from . import event_builders
from .ports import PLUGIN_ID

# A segment's members as CSV (segments/download.py), streamed to the dashboard's segment page.
SEGMENT_EXPORT = re.compile(r"segments/([^/]+)/members\.csv")

logger = logging.getLogger(__name__)
_FIELD_TYPES = {
    "string": ConfigurationTypeField.STRING,
    "boolean": ConfigurationTypeField.BOOLEAN,
    "multiline": ConfigurationTypeField.MULTILINE,
}


def _dashboard_value(field: dataclasses.Field) -> bool | str:
    """The default as Saleor's dashboard stores it: booleans as such, everything else as text."""
    if field.metadata["kind"] == "boolean":
        return field.default
    if isinstance(field.default, tuple):
        return ", ".join(field.default)
    return str(field.default)


class CRMPlugin(BasePlugin):
    PLUGIN_ID = PLUGIN_ID
    PLUGIN_NAME = "CRM"
    PLUGIN_DESCRIPTION = "Customer 360 profiles, loyalty, segments, tickets and automation, fed by the store's events."
    CONFIGURATION_PER_CHANNEL = False  # a per-channel plugin misses customer hooks (HOOKS.md)
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION = [{"name": field.name, "value": _dashboard_value(field)} for field in dashboard_fields()]
    CONFIG_STRUCTURE = {
        field.name: {
            "type": _FIELD_TYPES[field.metadata["kind"]],
            "label": field.metadata["label"],
            "help_text": field.metadata["help_text"],
        }
        for field in dashboard_fields()
    }

    @classmethod
    def validate_plugin_configuration(cls, plugin_configuration, **kwargs):
        """Refuse, field by field, a configuration the CRM can't read, when the merchant saves it."""
        values = {item["name"]: item["value"] for item in plugin_configuration.configuration or ()}
        errors = validate_settings(values)
        if errors:
            code = PluginErrorCode.PLUGIN_MISCONFIGURED.value
            raise ValidationError({name: ValidationError(message, code=code) for name, message in errors.items()})

    def customer_created(self, customer, previous_value):
        return self._emit(EventKind.CUSTOMER_CREATED, customer, previous_value)

    def customer_updated(self, customer, previous_value, webhooks=None):
        return self._emit(EventKind.CUSTOMER_UPDATED, customer, previous_value)

    def customer_deleted(self, customer, previous_value, webhooks=None):
        # Saleor already deleted the row; the instance still carries its pk and email.
        return self._emit(EventKind.CUSTOMER_DELETED, customer, previous_value)

    def checkout_created(self, checkout, previous_value, webhooks=None):
        return self._emit(EventKind.CHECKOUT_CREATED, checkout, previous_value)

    def checkout_updated(self, checkout, previous_value, webhooks=None):
        return self._emit(EventKind.CHECKOUT_UPDATED, checkout, previous_value)

    def order_created(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_CREATED, order, previous_value)

    def order_confirmed(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_CONFIRMED, order, previous_value)

    def order_paid(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_PAID, order, previous_value)

    def order_fully_paid(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_FULLY_PAID, order, previous_value)

    def order_cancelled(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_CANCELLED, order, previous_value)

    def order_refunded(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_REFUNDED, order, previous_value)

    def order_fully_refunded(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_FULLY_REFUNDED, order, previous_value)

    def order_fulfilled(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_FULFILLED, order, previous_value)

    def order_updated(self, order, previous_value, webhooks=None):
        return self._emit(EventKind.ORDER_UPDATED, order, previous_value)

    def webhook(self, request, path, previous_value):
        """Saleor routes ``/plugins/global/saleor.crm/<path>`` here: the CRM's GraphQL API, widget and message links."""
        if path.strip("/") == "graphql":
            from ..graphql.views import graphql_view  # the schema loads on the first API call

            return graphql_view(request)
        if path.strip("/") == "widget.js":
            from ..widget.views import widget_view

            return widget_view(request)
        if path.strip("/") == "rate":
            from ..tickets.rating_page import rating_page_view  # the CSAT link of a solved ticket's email

            return rating_page_view(request)
        if (export := SEGMENT_EXPORT.fullmatch(path.strip("/"))) is not None:
            from ..segments.download import segment_export_view

            return segment_export_view(request, export.group(1))
        if path.lstrip("/").startswith("app/"):
            from saleor.core.utils import build_absolute_uri

            from ..dashboard.manifest import PLUGIN_PATH
            from ..dashboard.views import app_view  # the dashboard App: manifest, pages, widgets, assets

            return app_view(request, path.lstrip("/").removeprefix("app/"), build_absolute_uri(PLUGIN_PATH))
        from ..automation.views import dispatch  # message links: open pixel, click, unsubscribe, survey

        return dispatch(request, path) or previous_value

    def _emit(self, kind: EventKind, instance, previous_value):
        reference = EventReference(kind, instance._meta.label, str(instance.pk))
        try:
            item = Event(kind, event_builders.customer_payload(instance)) if kind.subject == "customer" else reference
        except Exception as error:
            logger.exception("CRM could not build a %s event", kind.value)
            transaction.on_commit(lambda error=error: keep_unbuilt(reference, error))
            return previous_value
        # Into the outbox in Saleor's transaction when the hook runs in one (the event commits with the
        # change or not at all); most hooks run after Saleor's commit, and the row is written right then.
        deliver(item)
        return previous_value
