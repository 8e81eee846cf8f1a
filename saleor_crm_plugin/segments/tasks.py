"""Segment tasks: evaluate a saved segment off the request path; refresh RFM and time-relative segments."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from ..ports import writer_access
from .builtin import ensure_builtin_segments
from .language import SegmentQueryError
from .membership import evaluate_segment
from .mirror import mirror_evaluation
from .models import Segment
from .rfm import score_rfm

logger = logging.getLogger(__name__)


@shared_task(name="saleor_crm_plugin.evaluate_segment")
def evaluate_segment_task(segment_id: int) -> int | None:
    with writer_access():  # every statement, reads included: Saleor warns about any outside it
        segment = Segment.objects.filter(pk=segment_id).first()
        if segment is None:
            return None
        try:
            evaluation = evaluate_segment(segment)
        except SegmentQueryError:
            logger.warning("segment %s could not be evaluated", segment.slug, exc_info=True)
            return None
        mirror_evaluation(evaluation)
    return evaluation.member_count


@shared_task(name="saleor_crm_plugin.refresh_segments")
def refresh_segments_task() -> int:
    """Score RFM, then re-evaluate what time alone changes (relative dates, scores) and new segments."""
    now = timezone.now()
    with writer_access():
        ensure_builtin_segments()
        score_rfm(now)
        due = Segment.objects.filter(Q(time_relative=True) | Q(evaluated_at__isnull=True)).order_by("pk")
        refreshed = 0
        for segment in due:
            try:
                mirror_evaluation(evaluate_segment(segment, now))
            except SegmentQueryError:
                logger.warning("segment %s could not be evaluated; skipped", segment.slug, exc_info=True)
                continue
            refreshed += 1
    return refreshed
