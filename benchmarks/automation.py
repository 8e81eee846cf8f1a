"""Abandoned-checkout reminders at scale: detect, enroll, schedule, render and send N reminders, next to
the per-checkout loop a developer writes first.

    .venv/bin/python -m benchmarks.automation --checkouts 100000 [--baseline-sample 2000] [--send-batch 500]
        [--database-url postgres://postgres@127.0.0.1:5432/crm_bench_automation] [--keep-db]

The store (profiles with marketing consent, each with an open three-line checkout last touched five hours
ago) is generated set-based in SQL. Measured, each over all checkouts:
  mark abandoned       mark_abandoned_checkouts: the periodic detection (one UPDATE + timeline INSERT per batch)
  enroll               triggers.enroll: INSERT … SELECT of enrollments from the timeline facts
  schedule             scheduling.schedule_due_steps: one message row per due step, send time per customer
  render               rendering.render_batch in batches of --send-batch (what a sending task renders)
  send                 sending.send_messages in batches of --send-batch through the sandbox mailer into a
                       mailbox directory: claim, mail, mark sent, timeline entry, per message
  naive loop           per checkout: read profile and lines, check/create enrollment and message, compile the
                       template, render, send, mark sent (on --baseline-sample checkouts)
It then checks that the mailbox holds exactly one reminder per checkout. The database name must contain "bench".
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from .database import add_database_arguments, bench_database, check_database_name, start_django
from .ingest import throughput_table

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_automation"
LINES = (
    '[{"quantity": 2, "unit_price": "12.50", "product_name": "Linen shirt", "variant_name": "M", "sku": "LS-M"},'
    ' {"quantity": 1, "unit_price": "39.00", "product_name": "Canvas tote", "variant_name": "", "sku": "CT"},'
    ' {"quantity": 3, "unit_price": "4.20", "product_name": "Socks", "variant_name": "42", "sku": "SO-42"}]'
)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with (
        tempfile.TemporaryDirectory(prefix="crm-bench-mailbox-") as mailbox,
        bench_database(args.database_url, keep=args.keep_db),
    ):
        start_django(args.database_url, CRM_MAILBOX_DIR=mailbox)
        from django.conf import settings

        from saleor_crm_plugin.settings import reload_settings

        settings.CRM = {
            **settings.CRM,
            "automation_abandoned_checkout": True,
            "automation_abandoned_checkout_waits": "0h",
            "automation_quiet_hours": "",
            "automation_frequency_cap": "",
        }
        reload_settings()
        _generate(args.checkouts + args.baseline_sample)
        rows = _pipeline(args)
        rows.append(_naive(args))
        sent = len(list(Path(mailbox).glob("*.eml")))
        expected = args.checkouts + args.baseline_sample
        print(f"\nmailbox: {sent:,} messages for {expected:,} checkouts")
    throughput_table(rows)
    if sent != expected:
        raise SystemExit(f"MISMATCH: {sent:,} reminders sent for {expected:,} abandoned checkouts (one each expected)")
    print("one reminder per abandoned checkout, pipeline and naive loop alike: OK")
    return 0


def _generate(count: int) -> None:
    """Profiles with consent and one open checkout each, last touched five hours ago."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO crm_customer_profile (email, saleor_user_id, first_name, last_name, is_active,
                marketing_consent, consent_source, orders_count, cancellations_count, refunds_count, channels,
                first_touch, last_touch, created_at, updated_at)
            SELECT 'shopper' || i || '@example.com', 'User:' || i, 'Shopper' || i, '', true, true, 'store', 0, 0, 0,
                '["default-channel"]', '{}', '{}', now(), now()
            FROM generate_series(1, %s) AS i
            """,
            [count],
        )
        cursor.execute(
            """
            INSERT INTO crm_checkout_snapshot (token, profile_id, email, channel, currency, total, lines, quantity,
                attribution, started_at, version)
            SELECT 'checkout-' || p.id, p.id, p.email, 'default-channel', 'USD', 76.60, %s::jsonb, 6, '{}',
                now() - interval '6 hours', now() - interval '5 hours'
            FROM crm_customer_profile p
            """,
            [LINES],
        )
        cursor.execute("ANALYZE")
    print(f"generated {count:,} profiles with an open checkout in {time.monotonic() - started:.1f}s")


def _pipeline(args) -> list[tuple[str, int, float]]:
    from django.utils import timezone

    from saleor_crm_plugin.automation.builtin import sync_builtin_flows
    from saleor_crm_plugin.automation.models import Message
    from saleor_crm_plugin.automation.rendering import render_batch
    from saleor_crm_plugin.automation.scheduling import schedule_due_steps
    from saleor_crm_plugin.automation.sending import send_messages
    from saleor_crm_plugin.automation.timing import SendPolicy
    from saleor_crm_plugin.automation.triggers import enroll
    from saleor_crm_plugin.profiles.checkouts import mark_abandoned_checkouts
    from saleor_crm_plugin.settings import get_settings

    now = timezone.now()
    sync_builtin_flows(get_settings(), now - timedelta(minutes=1))
    rows = [_timed("mark abandoned", lambda: mark_abandoned_checkouts(now))]
    _leave_for_baseline(args.baseline_sample)
    rows.append(_timed("enroll (INSERT … SELECT)", lambda: enroll(now, timedelta(hours=48))))
    policy = SendPolicy.from_settings(get_settings())
    rows.append(_timed("schedule (messages + send time)", lambda: schedule_due_steps(now, policy, progress=True)))
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    batches = [ids[i : i + args.send_batch] for i in range(0, len(ids), args.send_batch)]

    def render_all() -> int:
        for batch in batches:
            messages = list(
                Message.objects.filter(pk__in=batch).select_related("flow", "step", "profile", "enrollment")
            )
            render_batch(messages)
        return len(ids)

    rows.append(_timed(f"render (batches of {args.send_batch})", render_all))
    rows.append(
        _timed(f"send (batches of {args.send_batch})", lambda: sum(send_messages(b, now)["sent"] for b in batches))
    )
    total = sum(seconds for _, _, seconds in rows[1:])
    rows.append(("enroll → sent, end to end", len(ids), total))
    return rows


def _leave_for_baseline(sample: int) -> None:
    """The first ``sample`` abandoned checkouts go to the naive loop: their facts must not start the flow."""
    from saleor_crm_plugin.profiles.models import TimelineEntry

    first = TimelineEntry.objects.filter(kind="checkout.abandoned").order_by("pk").values_list("pk", flat=True)
    TimelineEntry.objects.filter(pk__in=list(first[:sample])).update(kind="checkout.abandoned.baseline")


def _timed(name: str, work) -> tuple[str, int, float]:
    started = time.monotonic()
    count = work()
    return name, count, time.monotonic() - started


def _naive(args) -> tuple[str, int, float]:
    """What a first version does: everything per checkout, template compiled each time, one row at a time."""
    from django.db import transaction
    from django.template import Context, Template
    from django.utils import timezone

    from saleor_crm_plugin import ports
    from saleor_crm_plugin.automation.models import Enrollment, Flow, Message
    from saleor_crm_plugin.profiles.models import CheckoutSnapshot, CustomerProfile, TimelineEntry

    flow = Flow.objects.get(slug="abandoned-checkout")
    step = flow.steps.get(position=1)
    facts = TimelineEntry.objects.filter(kind="checkout.abandoned.baseline").order_by("pk")
    started = time.monotonic()
    for fact in facts:
        with transaction.atomic():
            profile = CustomerProfile.objects.get(pk=fact.profile_id)
            checkout = CheckoutSnapshot.objects.get(token=fact.data["token"])
            key = f"checkout:{checkout.token}"
            if Enrollment.objects.filter(flow=flow, trigger_key=key).exists() or not profile.marketing_consent:
                continue
            now = timezone.now()
            enrollment = Enrollment.objects.create(
                flow=flow, profile=profile, trigger_key=key, context=fact.data, triggered_at=fact.occurred_at,
                enrolled_at=now, next_position=2,
            )  # fmt: skip
            message = Message.objects.create(
                enrollment=enrollment, flow=flow, step=step, position=1, profile=profile, send_at=now
            )
            lines = [
                {"name": item["product_name"], "quantity": item["quantity"], "total": item["unit_price"]}
                for item in checkout.lines
            ]
            context = Context({"first_name": profile.first_name, "cart_lines": lines, "cart_total": checkout.total})
            subject = Template(step.subject).render(context)
            ports.mailer().send(to=profile.email, subject=subject, text=Template(step.text).render(context),
                                html=Template(step.html).render(context))  # fmt: skip
            Message.objects.filter(pk=message.pk).update(status="sent", sent_at=now, subject=subject)
    return f"naive per-checkout loop (sample of {args.baseline_sample})", facts.count(), time.monotonic() - started


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkouts", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=2000)
    parser.add_argument("--send-batch", type=int, default=500)
    add_database_arguments(parser, DEFAULT_URL)
    args = parser.parse_args(argv)
    check_database_name(parser, args.database_url)
    return args


if __name__ == "__main__":
    sys.exit(main())
