"""A deleted customer's messages lose what identifies them; their data export lists what they were sent.

When the CRM anonymises a profile, the address each message went to, its subject (it may carry the
name), survey comments, the mailer's error texts and the enrollments' trigger data go; the rows stay,
so flow figures (sent, opened, converted, revenue) still add up. Scheduled messages are skipped:
nobody is left to write to. Under the ``delete`` policy the profile's deletion removes all of it (cascade).
"""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Left, StrIndex

from ..profiles.export import register_section
from ..profiles.privacy import REMOVED, register_eraser
from .models import Enrollment, EnrollmentStatus, Message, MessageStatus, SurveyResponse


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
    # A failure's reason is a code, then the mailer's words (which may quote the address): keep the code.
    Message.objects.filter(profile_id__in=profile_ids, reason__contains=":").update(
        reason=Left("reason", StrIndex("reason", Value(":")) - 1)
    )
    return Message.objects.filter(profile_id__in=profile_ids).update(email="", subject=REMOVED)


def _export(profile, staff: bool) -> dict:
    """Survey answers are staff's, as in the API (``CrmCustomer.surveyResponses`` needs MANAGE_USERS)."""
    messages = Message.objects.filter(profile=profile, sent_at__isnull=False).order_by("sent_at", "id")
    preference = getattr(profile, "marketing_preference", None)
    data = {
        "unsubscribed_at": preference.unsubscribed_at if preference else None,
        "messages": list(messages.values("flow__name", "subject", "sent_at", "opened_at", "clicked_at")),
    }
    if staff:
        data["survey_responses"] = list(profile.survey_responses.values("score", "comment", "answered_at"))
    return data


register_section("marketing", _export)
