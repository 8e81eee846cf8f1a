"""Staff actions on segments (Zulip style): validate, write, schedule the evaluation, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from ..errors import ActionError
from ..settings import get_settings
from .error_codes import CrmSegmentErrorCode
from .language import SegmentQueryError, compile_query
from .models import Segment
from .sql import check_cost

MAX_NAME = 128


class SegmentActionError(ActionError):
    codes = CrmSegmentErrorCode

    def __init__(self, field: str, code: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(field, code, message)
        self.line, self.column = line, column

    def as_error(self) -> dict:
        return {**super().as_error(), "line": self.line, "column": self.column}


def check_query(query: str | None) -> bool:
    """Whether the query depends on time; raises ``SegmentActionError`` pointing into it when invalid or
    when its planned cost is above ``segments_max_query_cost`` (it would hold a database backend for ages)."""
    try:
        compiled = compile_query(query or "")
        check_cost(compiled.profiles(), get_settings().segments_max_query_cost)
        return compiled.time_relative
    except SegmentQueryError as error:
        raise SegmentActionError("query", error.code, str(error), error.line, error.column) from error


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise SegmentActionError("name", CrmSegmentErrorCode.REQUIRED, "A segment needs a name.")
    if len(name) > MAX_NAME:
        raise SegmentActionError("name", CrmSegmentErrorCode.INVALID, f"A name is at most {MAX_NAME} characters.")
    return name


def _clean_slug(slug: str, exclude_pk: int | None = None) -> str:
    cleaned = slugify(slug)[:MAX_NAME]
    if not cleaned:
        raise SegmentActionError("slug", CrmSegmentErrorCode.INVALID, "A slug needs letters or digits.")
    if Segment.objects.filter(slug=cleaned).exclude(pk=exclude_pk).exists():
        raise SegmentActionError("slug", CrmSegmentErrorCode.UNIQUE, f"A segment with the slug '{cleaned}' exists.")
    return cleaned


def _evaluate_after_commit(segment: Segment) -> None:
    from .tasks import evaluate_segment_task

    transaction.on_commit(lambda: evaluate_segment_task.apply_async(args=[segment.pk], queue=get_settings().queue))


@transaction.atomic
def create_segment(name: str, query: str, slug: str | None = None, description: str = "") -> Segment:
    name = _clean_name(name)
    time_relative = check_query(query)
    segment = Segment.objects.create(
        name=name,
        slug=_clean_slug(slug or name),
        query=query.strip(),
        description=(description or "").strip(),
        time_relative=time_relative,
    )
    _evaluate_after_commit(segment)
    return segment


@transaction.atomic
def update_segment(
    segment: Segment,
    name: str | None = None,
    query: str | None = None,
    slug: str | None = None,
    description: str | None = None,
) -> Segment:
    """Change what is given; a new query is evaluated as a set difference (customers enter and leave)."""
    if segment.is_builtin and (
        (query is not None and query.strip() != segment.query) or slug not in (None, segment.slug)
    ):
        raise SegmentActionError(
            "query" if query is not None else "slug",
            CrmSegmentErrorCode.BUILTIN,
            "A built-in segment's query and slug can't change.",
        )
    if name is not None:
        segment.name = _clean_name(name)
    if slug is not None:
        segment.slug = _clean_slug(slug, exclude_pk=segment.pk)
    if description is not None:
        segment.description = description.strip()
    query_changed = query is not None and query.strip() != segment.query
    if query_changed:
        segment.time_relative = check_query(query)
        segment.query = query.strip()
    segment.save()
    if query_changed:
        _evaluate_after_commit(segment)
    return segment


@transaction.atomic
def delete_segment(segment: Segment) -> None:
    if segment.is_builtin:
        raise SegmentActionError("id", CrmSegmentErrorCode.BUILTIN, "Built-in segments can't be deleted.")
    segment.delete()
