"""What a post says about a block meeting or training: the interface between the text reader
(`handlers/meetings/extract.py`) and the proposals the secretariat decides on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import datetime

    from storage.records import EventKind, Venue

__all__ = ["Action", "Doubt", "MeetingReading"]

Action = Literal["announce", "move", "cancel"]


@dataclass(frozen=True, slots=True)
class Doubt:
    """Something read that the secretariat should look at: `code` names it (its text, in Japanese and
    English, is `handlers.texts` key `doubt.CODE`), `detail` is what the post said."""

    code: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MeetingReading:
    """A meeting or training a post announces (`announce`), or a change it makes to one announced before
    (`move`: the new time in `starts_at`/`ends_at`, the old one in `previous_starts_at` when the post says it;
    `cancel`). Absent parts are None; what could not be settled is in `doubts`."""

    action: Action
    kind: EventKind
    title: str
    block: str | None
    starts_at: datetime | None
    ends_at: datetime | None = None
    venue: Venue | None = None
    registration_url: str | None = None
    registration_deadline: datetime | None = None
    previous_starts_at: datetime | None = None
    doubts: tuple[Doubt, ...] = ()
