"""Goals end a flow early: the checkout was completed, an order was placed, the customer unsubscribed.

Checked by the scheduler for every active enrollment (no further steps) and again right before a
message goes out (its step is not sent), each as one statement over the set.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from ..profiles.models import CheckoutSnapshot, OrderSnapshot
from .models import Enrollment, EnrollmentStatus, MarketingPreference

CHECKOUT_COMPLETED = "checkout_completed"
ORDER_PLACED = "order_placed"
GOALS = {
    CHECKOUT_COMPLETED: "The checkout that started the flow was completed.",
    ORDER_PLACED: "The customer placed an order after the flow started.",
}


def unsubscribed(profile_ref: str = "profile_id") -> Exists:
    return Exists(MarketingPreference.objects.filter(profile_id=OuterRef(profile_ref), unsubscribed_at__isnull=False))


def with_goals(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """The rows of ``queryset`` (enrollments, or with ``prefix="enrollment__"`` messages) whose goal was reached."""
    completed = CheckoutSnapshot.objects.filter(token=OuterRef("_goal_token"), completed_at__isnull=False)
    ordered = OrderSnapshot.objects.filter(
        profile_id=OuterRef(f"{prefix}profile_id"), placed_at__gt=OuterRef(f"{prefix}triggered_at")
    )
    return (
        queryset.annotate(_goal_token=KeyTextTransform("token", f"{prefix}context"))
        .alias(_checkout_done=Exists(completed), _ordered=Exists(ordered))
        .filter(
            Q(**{f"{prefix}flow__goals__contains": [CHECKOUT_COMPLETED]}, _checkout_done=True)
            | Q(**{f"{prefix}flow__goals__contains": [ORDER_PLACED]}, _ordered=True)
        )
    )


def end_enrollments(now: datetime) -> tuple[int, int]:
    """End active enrollments that reached a goal or whose customer unsubscribed: (goals, unsubscribed)."""
    active = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE)
    left = active.filter(unsubscribed()).update(status=EnrollmentStatus.UNSUBSCRIBED, ended_at=now, next_at=None)
    done_ids = with_goals(active).values("pk")
    reached = Enrollment.objects.filter(pk__in=done_ids).update(
        status=EnrollmentStatus.GOAL_REACHED, ended_at=now, next_at=None
    )
    return reached, left
