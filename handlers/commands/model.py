"""The neutral `/rmo` command and what the dispatcher answers it with.

Every platform builds a `Command` (Slack's slash command text, Discord's sub-command and options, a
console line) and renders a `CommandReply` back. Each reply carries a complete plain-text `text` in one
language, so a text-only platform can show any of them as it is; richer platforms draw forms and previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from handlers.messages import Reply

if TYPE_CHECKING:
    from handlers.messages import Lang
    from storage.records import Announcement, Block

__all__ = [
    "BODY_LIMIT",
    "TITLE_LIMIT",
    "VERBS",
    "AnnounceForm",
    "AnnouncePreview",
    "Asker",
    "Command",
    "CommandReply",
    "CorrectionForm",
    "DraftField",
    "DraftForm",
    "EventDraft",
    "EventEdit",
    "EventForm",
    "Notice",
    "ProposalCorrection",
    "Published",
    "Verb",
    "locale_hint",
]

Verb = Literal[
    "ask", "join", "meetings", "trainings", "subscribe", "unsubscribe", "help", "announce", "event", "withdraw",
    "correct",
]  # fmt: skip
VERBS: tuple[Verb, ...] = (
    "ask", "join", "meetings", "trainings", "subscribe", "unsubscribe", "help", "announce", "event", "withdraw",
    "correct",
)  # fmt: skip
DraftField = Literal["title", "body", "blocks"]
# The announcement form's limits, on every platform (Slack's and Discord's inputs show the same ones).
TITLE_LIMIT = 150
BODY_LIMIT = 3000


@dataclass(frozen=True, slots=True)
class Asker:
    """Who sent a command. The adapter knows who the secretariat is on its platform (Slack users and user
    group, Discord roles); what the secretariat may do is decided by the dispatcher."""

    platform: str
    user: str | None
    secretariat: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """One `/rmo` command: its verb (English on every platform), the words after it, and who asked.

    `lang_hint` is what the platform knows of the asker's language (Discord's client locale); the words
    themselves come first, the hint only decides when they say nothing (no words, or only an address).
    """

    verb: Verb
    text: str
    asker: Asker
    lang_hint: Lang | None = None
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class DraftForm:
    """What the secretariat typed into the announcement form, as the platform received it."""

    title: str
    body: str
    blocks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """A sentence about the command itself rather than an answer: refused, mail sent, a draft's mistake.

    `key` names the text it says; `field` is the form's field it is about, if any (the announcement's
    title, body or blocks; the event form's title, when, block, venue or registration_url).
    """

    key: str
    text: str
    lang: Lang
    field: str | None = None


@dataclass(frozen=True, slots=True)
class AnnounceForm:
    """The asker may announce: show the form (title ≤ TITLE_LIMIT, body ≤ BODY_LIMIT, these blocks)."""

    text: str
    lang: Lang
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class AnnouncePreview:
    """A valid draft, kept until confirmed: show it as Slack, Discord and e-mail will, with a button that
    confirms `draft.id`."""

    text: str
    lang: Lang
    draft: Announcement


@dataclass(frozen=True, slots=True)
class Published:
    """The draft is stored and queued for `deliveries` channels."""

    text: str
    lang: Lang
    announcement: Announcement
    deliveries: int


@dataclass(frozen=True, slots=True)
class EventDraft:
    """A new event as the secretariat wrote it (the add form, or the words of `/rmo event add`)."""

    title: str
    when: str
    block: str
    venue: str = ""
    registration_url: str = ""


@dataclass(frozen=True, slots=True)
class EventForm:
    """`/rmo event add` alone: show the add form (title, when, block, venue, registration URL)."""

    text: str
    lang: Lang


@dataclass(frozen=True, slots=True)
class ProposalCorrection:
    """The correction form as submitted: each field as typed (`when`: 「2027-01-20 13:30-16:30」)."""

    title: str
    when: str
    venue: str
    registration_url: str = ""
    deadline: str = ""


@dataclass(frozen=True, slots=True)
class EventEdit:
    """`/rmo event edit ID`: show the edit form for `event_id`, filled in with `values`."""

    text: str
    lang: Lang
    event_id: str
    values: ProposalCorrection


@dataclass(frozen=True, slots=True)
class CorrectionForm:
    """`/rmo correct ID` alone: show the correction form for the post `announcement_id`, filled in with its
    subject and text as members read them now."""

    text: str
    lang: Lang
    announcement_id: str
    subject: str
    body: str


CommandReply = Reply | Notice | AnnounceForm | AnnouncePreview | Published | EventForm | EventEdit | CorrectionForm


def locale_hint(locale: str | None) -> Lang | None:
    """A platform's locale ("en-US", "ja") as a language the bot speaks; None for any other."""
    code = (locale or "").lower()
    if code.startswith("en"):
        return "en"
    if code.startswith("ja"):
        return "ja"
    return None
