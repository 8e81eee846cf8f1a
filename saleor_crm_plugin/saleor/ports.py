"""The core's ports answered by Saleor: the plugin's dashboard configuration and the backfill."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..events import Event, EventKind
from . import event_builders

PLUGIN_ID = "saleor.crm"


class PluginConfigSource:
    def load(self) -> dict[str, Any]:
        from saleor.plugins.models import PluginConfiguration

        row = PluginConfiguration.objects.filter(identifier=PLUGIN_ID, channel__isnull=True).first()
        if row is None:
            return {}
        # An empty string is a value ("no quiet hours"); settings drop it for numbers and switches.
        return {item["name"]: item["value"] for item in row.configuration or [] if item.get("value") is not None}


class WriterAccess:
    """Saleor's Celery tasks must declare writes to the primary database (``allow_writer``)."""

    def __call__(self):
        from saleor.core.db.connection import allow_writer

        return allow_writer()


class SaleorBackfillSource:
    """Saleor's customers (by pk) and non-draft orders (by number), as final-state events."""

    def count(self, subject: str) -> int:
        return self._queryset(subject).count()

    def batches(self, subject: str, after: str | None, size: int) -> Iterator[tuple[str, list[Event]]]:
        cursor_field = "pk" if subject == "customers" else "number"
        while True:
            queryset = self._queryset(subject).order_by(cursor_field)
            if after is not None:
                queryset = queryset.filter(**{f"{cursor_field}__gt": int(after)})
            if subject == "customers":
                users = list(queryset[:size])
                events = [Event(EventKind.CUSTOMER_CREATED, event_builders.customer_payload(user)) for user in users]
                cursors = [user.pk for user in users]
            else:
                rows = list(queryset.values_list("pk", "number")[:size])
                payloads = event_builders.order_payloads([str(pk) for pk, _ in rows])
                # An order deleted between the listing and the build has nothing left to import.
                events = [Event(EventKind.ORDER_UPDATED, payloads[str(pk)]) for pk, _ in rows if str(pk) in payloads]
                cursors = [number for _, number in rows]
            if not cursors:
                return
            after = str(cursors[-1])
            yield after, events

    @staticmethod
    def _queryset(subject: str):
        if subject == "customers":
            from saleor.account.models import User

            return User.objects.customers()
        from saleor.order.models import Order

        return Order.objects.exclude(status="draft")
