"""The sandbox's local mailbox: an email backend that files each message as one ``.eml`` file, and
the readers the demo's mailbox page uses. Sandbox only: in Saleor, mail goes through the store's setup.

A message is written to a hidden temporary file and renamed into place, so a reader (the mailbox
page, a second process) never sees half a message. Names start with the time in nanoseconds and
end with the process id and a random part: sorted by name is sorted by time, and two processes
writing at once can't collide.
"""

from __future__ import annotations

import dataclasses
import email
import os
import re
import time
import uuid
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

NAME = re.compile(r"^\d{20}-\d+-[0-9a-f]{12}$")


def mailbox_dir() -> Path:
    """Django's ``CRM_SANDBOX_MAILBOX``, else ``CRM_MAILBOX_DIR`` from the environment, else ``.sandbox/mailbox``."""
    configured = getattr(settings, "CRM_SANDBOX_MAILBOX", None) or os.environ.get("CRM_MAILBOX_DIR")
    return Path(configured) if configured else Path.cwd() / ".sandbox" / "mailbox"


class EmailBackend(BaseEmailBackend):
    """``EMAIL_BACKEND = "saleor_crm_plugin.sandbox.mailbox.EmailBackend"``; a failed write raises
    ``OSError`` (unless ``fail_silently``), which the automation's sender treats as "not sent, retry"."""

    def __init__(self, fail_silently: bool = False, directory: str | Path | None = None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(directory) if directory else mailbox_dir()

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages or ():
            try:
                deliver(message.message().as_bytes(), self.directory)
            except OSError:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent


def deliver(raw: bytes, directory: Path | None = None) -> str:
    """File one raw message; its id in the mailbox."""
    directory = directory or mailbox_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    temporary = directory / f".{name}.tmp"
    try:
        with open(temporary, "wb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, directory / f"{name}.eml")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return name


@dataclasses.dataclass(frozen=True)
class MailboxMessage:
    id: str
    to: str
    sender: str
    subject: str
    date: datetime | None
    crm_message: str  # X-CRM-Message: the automation Message row it is a copy of
    headers: dict[str, str]
    text: str = ""
    html: str = ""


def message_ids(directory: Path | None = None) -> list[str]:
    """Every message's id, newest first."""
    directory = directory or mailbox_dir()
    if not directory.is_dir():
        return []
    names = (entry.name[:-4] for entry in os.scandir(directory) if entry.name.endswith(".eml"))
    return sorted((name for name in names if NAME.match(name)), reverse=True)


def list_messages(directory: Path | None = None, limit: int = 200) -> list[MailboxMessage]:
    """The newest ``limit`` messages, headers only."""
    directory = directory or mailbox_dir()
    found = []
    for name in message_ids(directory)[:limit]:
        message = _read(directory, name, headers_only=True)
        if message is not None:
            found.append(message)
    return found


def read_message(message_id: str, directory: Path | None = None) -> MailboxMessage | None:
    """One message with its text and HTML parts; None for an unknown (or malformed) id."""
    if not NAME.match(message_id or ""):
        return None
    return _read(directory or mailbox_dir(), message_id, headers_only=False)


def _read(directory: Path, name: str, headers_only: bool) -> MailboxMessage | None:
    try:
        raw = (directory / f"{name}.eml").read_bytes()
    except FileNotFoundError:
        return None
    parsed: EmailMessage = email.message_from_bytes(raw, policy=default_policy)
    date = parsed["Date"]
    return MailboxMessage(
        id=name,
        to=str(parsed["To"] or ""),
        sender=str(parsed["From"] or ""),
        subject=str(parsed["Subject"] or ""),
        date=getattr(date, "datetime", None) if date else None,
        crm_message=str(parsed["X-CRM-Message"] or ""),
        headers={key: str(value) for key, value in parsed.items()},
        text="" if headers_only else _part(parsed, "plain"),
        html="" if headers_only else _part(parsed, "html"),
    )


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    return body.get_content() if body is not None else ""
