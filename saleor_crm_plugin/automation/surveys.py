"""The post-purchase survey: a Net Promoter answer (0-10) and a comment, stored on the profile."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from ..profiles import timeline
from . import tracking
from .models import Message, SurveyResponse

MAX_COMMENT = 5000


class SurveyError(ValueError):
    pass


class SurveyClosed(SurveyError):
    """The customer was deleted: their survey link takes no more answers."""


@transaction.atomic
def answer_survey(message: Message, score: object, comment: str, now: datetime) -> SurveyResponse:
    """Store the answer to ``message``'s survey. One answer per message: answering again replaces the
    earlier answer and its timeline entry (the page offers to correct a mis-click; NPS counts it once).
    A deleted customer's survey takes nothing."""
    if not tracking.lock_live_profile(message.profile_id):
        raise SurveyClosed("This survey is closed.")
    try:
        score = int(str(score).strip())
    except ValueError:
        raise SurveyError("Choose a score from 0 to 10.") from None
    if not 0 <= score <= 10:
        raise SurveyError("Choose a score from 0 to 10.")
    comment = (comment or "").strip()[:MAX_COMMENT]
    response, _ = SurveyResponse.objects.update_or_create(
        message=message,
        defaults={"profile_id": message.profile_id, "score": score, "comment": comment, "answered_at": now},
    )
    timeline.revise(
        timeline.entry(
            message.profile_id,
            "survey.answered",
            now,
            f"Rated us {score}/10" + (f": {comment[:200]}" if comment else ""),
            {"message_id": message.pk, "score": score},
            f"survey.answered:{message.pk}",
        )
    )
    return response


def nps(scores: list[int]) -> int | None:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), rounded; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))
