"""What building checkout and order events costs the worker: a batch at a time vs one event at a time.

Hooks leave references (plugin.py) and the drain builds its batch's events from Saleor's rows
(``EventRebuilder``). This builds the same references both ways, in one run: batches of the drain's
size, and one reference per call (as a hook or a one-task-per-event worker would build them), checks
that both give the same events, and prints events per second and queries. Run it inside the Saleor
3.23 environment (README "Saleor integration tests"), e.g.::

    CRM_BUILD_BENCH_OBJECTS=2000 pytest -c tests/saleor/pytest.ini tests/saleor/bench_event_building.py \\
        --ds=tests.saleor.settings --reuse-db -n 0 -p no:randomly -s

The stores' orders are copies of Saleor's ``order_with_lines`` fixture (its lines, with their catalogue),
every other one with a refunded legacy payment and the rest with two transactions; the checkouts are
copies of ``checkout_with_items`` with attribution metadata. The file name keeps it out of normal runs.
"""

from tests.saleor import require_saleor

require_saleor()

import os  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402
from uuid import uuid4  # noqa: E402

import pytest  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from saleor.checkout.models import Checkout, CheckoutLine, CheckoutMetadata  # noqa: E402
from saleor.order.models import Order, OrderLine  # noqa: E402
from saleor.payment.models import Payment, Transaction, TransactionItem  # noqa: E402

from saleor_crm_plugin.events import EventKind, EventReference  # noqa: E402
from saleor_crm_plugin.saleor.event_builders import EventRebuilder  # noqa: E402
from saleor_crm_plugin.settings import get_settings  # noqa: E402
from saleor_crm_plugin.tasks import DRAIN_BATCH  # noqa: E402

OBJECTS = int(os.environ.get("CRM_BUILD_BENCH_OBJECTS", "2000"))

pytestmark = pytest.mark.django_db


class QueryCounter:
    """Counts the statements run (Django's query log keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def copies(instance, count: int, fresh) -> list:
    """``count`` unsaved copies of ``instance``; ``fresh(i)`` names each copy's own fields (its pk among them)."""
    fields = {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}
    fields.pop(type(instance)._meta.pk.attname)
    return [type(instance)(**{**fields, **fresh(i)}) for i in range(count)]


@pytest.fixture
def orders(order_with_lines, payment_txn_refunded, transaction_item_generator) -> list[Order]:
    number = Order.objects.aggregate(Max("number"))["number__max"]
    made = Order.objects.bulk_create(
        copies(order_with_lines, OBJECTS, lambda i: {"id": uuid4(), "number": number + 1 + i})
    )
    lines = list(order_with_lines.lines.all())
    OrderLine.objects.bulk_create(
        [copy for line in lines for copy in copies(line, OBJECTS, lambda i: {"id": uuid4(), "order_id": made[i].pk})]
    )
    legacy, modern = made[::2], made[1::2]
    payments = Payment.objects.bulk_create(
        copies(payment_txn_refunded, len(legacy), lambda i: {"order_id": legacy[i].pk})
    )
    refund = payment_txn_refunded.transactions.get()
    Transaction.objects.bulk_create(copies(refund, len(payments), lambda i: {"payment_id": payments[i].pk}))
    item = transaction_item_generator(order_id=order_with_lines.pk, refunded_value=Decimal("3.50"))
    TransactionItem.objects.bulk_create(
        copies(item, 2 * len(modern), lambda i: {"token": uuid4(), "order_id": modern[i // 2].pk})
    )
    return made


@pytest.fixture
def checkouts(checkout_with_items) -> list[Checkout]:
    made = Checkout.objects.bulk_create(copies(checkout_with_items, OBJECTS, lambda i: {"token": uuid4()}))
    lines = list(checkout_with_items.lines.all())
    CheckoutLine.objects.bulk_create(
        [copy for line in lines for copy in copies(line, OBJECTS, lambda i: {"id": uuid4(), "checkout_id": made[i].pk})]
    )
    CheckoutMetadata.objects.bulk_create(
        [CheckoutMetadata(checkout=checkout, metadata={"utm_source": "newsletter"}) for checkout in made]
    )
    return made


def test_event_building(orders, checkouts):
    get_settings()  # loaded once per process, as in a worker
    print(
        f"\nBuilding events from Saleor's rows: {OBJECTS} orders ({len(orders[0].lines.all())} lines each) and"
        f" {OBJECTS} checkouts; batches of {DRAIN_BATCH} vs one reference per call"
    )
    print(f"{'objects':<10}{'way':<12}{'events':>8}{'seconds':>9}{'events/s':>10}{'queries':>9}")
    for kind, objects in ((EventKind.ORDER_PAID, orders), (EventKind.CHECKOUT_UPDATED, checkouts)):
        references = [EventReference(kind, obj._meta.label, str(obj.pk)) for obj in objects]
        results = {}
        for way, size in (("batches", DRAIN_BATCH), ("one by one", 1)):
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                began = time.perf_counter()
                built = [
                    event
                    for at in range(0, len(references), size)
                    for event in EventRebuilder()(references[at : at + size])
                ]
                seconds = time.perf_counter() - began
            results[way] = built
            rate = len(built) / seconds
            print(f"{kind.subject + 's':<10}{way:<12}{len(built):>8}{seconds:>9.2f}{rate:>10.0f}{queries.count:>9}")
        assert None not in results["batches"], "an object was not found"
        assert results["batches"] == results["one by one"], "the two ways built different events"
        print(f"{'':<10}identical: {len(built)} events, field for field")
