"""The neutral messages every platform adapter translates to and from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from storage.records import Event

__all__ = ["INTENTS", "Incoming", "Intent", "Lang", "Reply"]

Lang = Literal["ja", "en"]
Intent = Literal["join", "meetings", "trainings", "officers", "about", "contact", "subscribe", "help", "unknown"]
INTENTS: tuple[Intent, ...] = (
    "join", "meetings", "trainings", "officers", "about", "contact", "subscribe", "help", "unknown",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a member, as any platform delivers it."""

    text: str
    platform: str
    user: str | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back; adapters decide how it looks.

    `text` is the complete plain-text answer. `events` are the events it lists, so a platform can show
    them as cards or embeds instead of lines; `listings` are those events' lines exactly as they stand in
    `text` (title first), so such a platform can leave them out of the text and show each event once.
    """

    text: str
    lang: Lang
    intent: Intent
    block: str | None = None
    events: tuple[Event, ...] = ()
    listings: tuple[str, ...] = ()
