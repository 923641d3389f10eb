"""What the intake knows of one message before it meets the store: its text (read in a worker process for a
big post), whether it is genuine, and what became of it. Split from `handlers/intake.py` (no code changed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from handlers.mail.decoration import strip_footer
from handlers.mail.parse import ParsedMail, parse_mail

if TYPE_CHECKING:
    from storage.records import Announcement, Attachment, Delivery

__all__ = ["IntakeResult", "MailText", "Reading", "Status", "read_text"]

Status = Literal["accepted", "rejected", "duplicate", "quarantined"]
_NOISE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


class Reading(NamedTuple):
    """A message read and found genuine, not yet compared with the store."""

    mail: ParsedMail
    author: str
    author_name: str
    subject: str
    body: str
    body_ref: str = ""  # where a big body was kept already (off the event loop)
    attachments: tuple[Attachment, ...] | None = None  # with their bytes kept already; None: not kept


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What became of one message."""

    status: Status
    reason: str | None
    announcement: Announcement | None = None
    deliveries: tuple[Delivery, ...] = ()
    quarantine_id: str | None = None
    parsed: ParsedMail | None = None
    return_path: str | None = None  # the token of the digest return path it came to: the bounce handler's
    unsubscribe: str | None = None  # the token of a digest's List-Unsubscribe mailto it carries


def _unreadable(body: str) -> int:
    """How many characters of a body are noise, when noise is most of it (binary sent as text)."""
    noise = len(_NOISE.findall(body))
    return noise if body and noise > max(3, len(body) // 10) else 0


class MailText(NamedTuple):
    """A message parsed, with the body members will read (the list's footer off); `problem` says why that
    body cannot be relayed."""

    mail: ParsedMail
    body: str
    problem: str | None


def read_text(raw: bytes) -> MailText | IntakeResult:
    """A message's text: the costly part of reading a big post, and a pure function of its bytes, so a
    worker process can do it while the event loop keeps answering."""
    try:
        mail = parse_mail(raw)
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; anything left is a quarantine reason
        return IntakeResult("quarantined", f"unparseable: {type(exc).__name__}: {exc}")
    body = strip_footer(mail.body, mail)
    unreadable = _unreadable(body)
    problem = f"text could not be read ({unreadable} undecodable or control characters)" if unreadable else None
    return MailText(mail, body, problem)
