"""The demo's mailbox page (``/mailbox/``): what the sandbox "sent", newest first, one message opened.

Sandbox only and open to anyone who can reach the local demo. A message's HTML is shown in a
sandboxed ``<iframe srcdoc>`` (no scripts, its own opaque origin), so an email can't touch this page;
its links open in a new tab, the way a webmail does, and its images (the open pixel) load.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .mailbox import list_messages, mailbox_dir, read_message

LIST_UNSUBSCRIBE = re.compile(r"<(https?://[^>]+)>")


def mailbox_view(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("m", "")
    selected = read_message(wanted) if wanted else None
    one_click = None
    if selected is not None:
        match = LIST_UNSUBSCRIBE.search(selected.headers.get("List-Unsubscribe", ""))
        one_click = match.group(1) if match and "List-Unsubscribe-Post" in selected.headers else None
    context = {
        "mails": list_messages(),
        "selected": selected,
        "missing": bool(wanted) and selected is None,
        "srcdoc": f'<base target="_blank">{selected.html}' if selected and selected.html else "",
        "one_click": one_click,
        "directory": mailbox_dir(),
    }
    response = render(request, "sandbox/mailbox.html", context, status=404 if context["missing"] else 200)
    response["Cache-Control"] = "no-store"
    return response
