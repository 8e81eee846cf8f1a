"""``GET <plugin>/segments/<id or slug>/members.csv``: a segment's members as a CSV download.

Authorised like the API (the dashboard's extension token as ``Authorization: Bearer``; MANAGE_USERS)
and streamed row by row from a server-side cursor (``export.csv_lines``): a million members never sit in
memory, and the first bytes leave before the last row is read.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse, StreamingHttpResponse

from .. import ports
from ..auth import AuthenticationError, Permission
from .export import csv_lines
from .models import Segment


def segment_export_view(request: HttpRequest, segment: str) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        caller = ports.authenticator()(request)
    except AuthenticationError as error:
        return JsonResponse({"error": str(error)}, status=401)
    if not caller.has_permission(Permission.MANAGE_USERS):
        return JsonResponse({"error": "You need the MANAGE_USERS permission."}, status=403)
    found = _segment(segment)
    if found is None:
        return JsonResponse({"error": f"Couldn't find the segment {segment!r}."}, status=404)
    if found.evaluated_at is None:  # members unknown yet: an empty file would read as "nobody matches"
        return JsonResponse({"error": "The segment has not been evaluated yet; try again in a minute."}, status=409)
    response = StreamingHttpResponse(csv_lines(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{found.slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _segment(reference: str) -> Segment | None:
    """By slug, or by the ``CrmSegment`` global ID the API hands out."""
    by_slug = Segment.objects.filter(slug=reference).first()
    if by_slug is not None:
        return by_slug
    try:
        type_name, pk = base64.b64decode(reference, validate=True).decode().split(":", 1)
    except (ValueError, UnicodeDecodeError):
        return None
    if type_name != "CrmSegment" or not pk.isdigit() or len(pk) > 18:
        return None
    return Segment.objects.filter(pk=int(pk)).first()
