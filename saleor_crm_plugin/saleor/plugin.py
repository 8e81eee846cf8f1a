"""The Saleor plugin: turns Saleor's hooks into CRM events, delivered after Saleor commits.

Every hook returns ``previous_value`` untouched and never raises into Saleor's request: a
failure to build an event is logged, a failure to deliver it is kept as a dead letter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from saleor.plugins.base_plugin import BasePlugin, ConfigurationTypeField

from ..events import Event, EventKind
from ..settings import CRMSettings
from ..tasks import deliver
from . import event_builders
from .ports import PLUGIN_ID

logger = logging.getLogger(__name__)
_DEFAULTS = CRMSettings()


class CRMPlugin(BasePlugin):
    PLUGIN_ID = PLUGIN_ID
    PLUGIN_NAME = "CRM"
    PLUGIN_DESCRIPTION = "Customer 360 profiles, loyalty, segments, tickets and automation, fed by the store's events."
    CONFIGURATION_PER_CHANNEL = False  # a per-channel plugin misses customer hooks (HOOKS.md)
    DEFAULT_ACTIVE = False
    DEFAULT_CONFIGURATION = [
        {"name": "process_synchronously", "value": _DEFAULTS.process_synchronously},
        {"name": "deleted_customer_policy", "value": _DEFAULTS.deleted_customer_policy},
        {"name": "checkout_abandoned_after_hours", "value": str(_DEFAULTS.checkout_abandoned_after_hours)},
        {"name": "consent_metadata_key", "value": _DEFAULTS.consent_metadata_key},
    ]
    CONFIG_STRUCTURE = {
        "process_synchronously": {
            "type": ConfigurationTypeField.BOOLEAN,
            "label": "Process events in the request",
            "help_text": "For tiny stores without a Celery worker on the 'crm' queue. Slows checkouts down.",
        },
        "deleted_customer_policy": {
            "type": ConfigurationTypeField.STRING,
            "label": "When a customer is deleted",
            "help_text": "'anonymise' keeps purchase statistics without personal data; 'delete' removes the profile.",
        },
        "checkout_abandoned_after_hours": {
            "type": ConfigurationTypeField.STRING,
            "label": "Checkout counts as abandoned after (hours)",
            "help_text": "A checkout with an email and items, untouched this long, is marked abandoned.",
        },
        "consent_metadata_key": {
            "type": ConfigurationTypeField.STRING,
            "label": "Marketing consent metadata key",
            "help_text": "The customer metadata key your storefront writes marketing consent to ('true'/'false').",
        },
    }

    def customer_created(self, customer, previous_value):
        return self._emit(EventKind.CUSTOMER_CREATED, event_builders.customer_payload, customer, previous_value)

    def customer_updated(self, customer, previous_value, webhooks=None):
        return self._emit(EventKind.CUSTOMER_UPDATED, event_builders.customer_payload, customer, previous_value)

    def customer_deleted(self, customer, previous_value, webhooks=None):
        # Saleor already deleted the row; the instance still carries its pk and email.
        return self._emit(EventKind.CUSTOMER_DELETED, event_builders.customer_payload, customer, previous_value)

    def checkout_created(self, checkout, previous_value, webhooks=None):
        return self._emit(EventKind.CHECKOUT_CREATED, event_builders.checkout_payload, checkout, previous_value)

    def checkout_updated(self, checkout, previous_value, webhooks=None):
        return self._emit(EventKind.CHECKOUT_UPDATED, event_builders.checkout_payload, checkout, previous_value)

    def order_created(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_CREATED, order, previous_value)

    def order_confirmed(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_CONFIRMED, order, previous_value)

    def order_paid(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_PAID, order, previous_value)

    def order_fully_paid(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_FULLY_PAID, order, previous_value)

    def order_cancelled(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_CANCELLED, order, previous_value)

    def order_refunded(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_REFUNDED, order, previous_value)

    def order_fully_refunded(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_FULLY_REFUNDED, order, previous_value)

    def order_fulfilled(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_FULFILLED, order, previous_value)

    def order_updated(self, order, previous_value, webhooks=None):
        return self._order(EventKind.ORDER_UPDATED, order, previous_value)

    def _order(self, kind: EventKind, order, previous_value):
        return self._emit(kind, event_builders.order_payload, order, previous_value)

    def webhook(self, request, path, previous_value):
        """Saleor routes ``/plugins/global/saleor.crm/<path>`` here: the CRM's GraphQL API."""
        if path.strip("/") == "graphql":
            from ..graphql.views import graphql_view  # the schema loads on the first API call

            return graphql_view(request)
        return previous_value

    def _emit(self, kind: EventKind, build: Callable[[Any], Any], instance, previous_value):
        try:
            event = Event(kind, build(instance))
        except Exception:
            logger.exception("CRM could not build a %s event", kind.value)
            return previous_value
        # Saleor's data is committed when most hooks run; on_commit also covers those in a transaction.
        transaction.on_commit(lambda: deliver(event))
        return previous_value
