"""A deleted customer's messages lose what identifies them; their data export lists what they were sent.

When the CRM anonymises a profile, the address each message went to, its subject (it may carry the
name), survey comments and the enrollments' trigger data go; the rows stay, so flow figures (sent,
opened, converted, revenue) still add up. Scheduled messages are skipped: nobody is left to write to.
Under the ``delete`` policy the profile's deletion removes all of it (cascade).
"""

from __future__ import annotations

from ..profiles.export import register_section
from ..profiles.privacy import register_eraser
from .models import Enrollment, EnrollmentStatus, Message, MessageStatus, SurveyResponse

REMOVED = "(removed: customer deleted)"


@register_eraser
def erase_message_data(profile_ids: list[int]) -> int:
    """A few UPDATEs for any number of profiles; returns the messages erased."""
    if not profile_ids:
        return 0
    Message.objects.filter(profile_id__in=profile_ids, status=MessageStatus.SCHEDULED).update(
        status=MessageStatus.SKIPPED, reason="no_email"
    )
    Enrollment.objects.filter(profile_id__in=profile_ids).update(context={})
    Enrollment.objects.filter(profile_id__in=profile_ids, status=EnrollmentStatus.ACTIVE).update(
        status=EnrollmentStatus.CANCELLED, next_at=None
    )
    SurveyResponse.objects.filter(profile_id__in=profile_ids).update(comment="")
    return Message.objects.filter(profile_id__in=profile_ids).exclude(email="").update(email="", subject=REMOVED)


def _export(profile) -> dict:
    messages = Message.objects.filter(profile=profile, sent_at__isnull=False).order_by("sent_at", "id")
    preference = getattr(profile, "marketing_preference", None)
    return {
        "unsubscribed_at": preference.unsubscribed_at if preference else None,
        "messages": list(messages.values("flow__name", "subject", "sent_at", "opened_at", "clicked_at")),
        "survey_responses": list(profile.survey_responses.values("score", "comment", "answered_at")),
    }


register_section("marketing", _export)
