"""The meeting-reader fixtures read as the intake reads them, and each reading compared with expected.toml.

"Right" per field: title and each venue part equal after NFKC and one space between words (so 「第２回」 and
「第2回」 agree); kind, block, action and the URLs equal exactly; a time equal as an instant; an absent field
right only when nothing was read. Shared by tests/test_meetings.py and bench/meetings.py.
"""

from __future__ import annotations

import email.utils
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.config import load_config
from bot.core import load_bundled
from handlers.intake import MailText, read_text
from handlers.mail.decoration import strip_subject_tag
from handlers.places import BlockFinder

if TYPE_CHECKING:
    from datetime import datetime

    from handlers.meetings.reading import MeetingReading

HERE = Path(__file__).parent
JST = ZoneInfo("Asia/Tokyo")
FIELDS = (
    "title", "kind", "block", "starts_at", "ends_at", "venue", "registration_url", "registration_deadline",
    "action", "previous_starts_at",
)  # fmt: skip


@dataclass(frozen=True)
class Post:
    """One fixture as the reader gets it."""

    file: str
    subject: str
    body: str
    posted_at: datetime


def cases() -> list[dict[str, object]]:
    """Every [[mail]] table of expected.toml."""
    return tomllib.loads((HERE / "expected.toml").read_text(encoding="utf-8"))["mail"]


def read_post(file: str) -> Post:
    """The subject (list tag off), body (footer off) and send time the intake would hand on."""
    text = read_text((HERE / file).read_bytes())
    assert isinstance(text, MailText), file
    mail = text.mail
    posted_at = email.utils.parsedate_to_datetime(mail.date or "")
    return Post(file, strip_subject_tag(mail.subject, mail), text.body, posted_at)


def finder() -> BlockFinder:
    """The finder over the bundled blocks, members and officers."""
    data = load_bundled(load_config(None, environ={}))
    return BlockFinder(data.blocks or (), data.members or (), data.officers or ())


def _text(value: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()


def _moment(value: datetime | None) -> str:
    return value.astimezone(JST).isoformat() if value else ""


def got(reading: MeetingReading, name: str) -> object:
    """A reading's field in the form expected.toml writes it."""
    value = getattr(reading, name)
    if name == "venue":
        parts = ("description", "address", "online_url")
        return {p: _text(getattr(value, p)) if value else "" for p in parts}
    if name in {"starts_at", "ends_at", "registration_deadline", "previous_starts_at"}:
        return _moment(value)
    if name == "title":
        return _text(value)
    return value or ""


def want(case: dict[str, object], name: str) -> object:
    """An expected field, normalised like `got`."""
    value = case[name]
    if name == "venue":
        assert isinstance(value, dict)
        return {k: _text(v) for k, v in value.items()}
    return _text(value) if name == "title" else value


def present(value: object) -> bool:
    """Whether a field (in expected.toml's form) holds anything."""
    return any(value.values()) if isinstance(value, dict) else bool(value)
