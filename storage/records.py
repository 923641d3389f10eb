"""Domain records: what the store holds, as frozen slotted dataclasses, and their document codecs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

__all__ = [
    "ASSUMED_DURATION",
    "EVENT_KINDS",
    "EVENT_STATUSES",
    "Announcement",
    "Attachment",
    "Block",
    "Channel",
    "Delivery",
    "Event",
    "EventKind",
    "EventStatus",
    "FaqEntry",
    "Member",
    "NetworkInfo",
    "Officer",
    "QuarantinedMail",
    "UnansweredQuestion",
    "Venue",
]

EventKind = Literal["block_meeting", "training"]
EventStatus = Literal["scheduled", "cancelled"]
EVENT_KINDS: tuple[EventKind, ...] = ("block_meeting", "training")
EVENT_STATUSES: tuple[EventStatus, ...] = ("scheduled", "cancelled")
# An event with no end is taken to last this long, so 「今日の会議は？」 still finds it at 14:00.
ASSUMED_DURATION = timedelta(hours=2)

Doc = dict[str, Any]


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Venue:
    description: str | None = None
    address: str | None = None
    online_url: str | None = None

    def to_doc(self) -> Doc:
        return {
            k: v
            for k, v in (
                ("description", self.description),
                ("address", self.address),
                ("online_url", self.online_url),
            )
            if v is not None
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Venue:
        return cls(_opt(doc.get("description")), _opt(doc.get("address")), _opt(doc.get("online_url")))


@dataclass(frozen=True, slots=True)
class Event:
    """A block meeting or training. `id` is stable: re-importing it updates the event."""

    id: str
    kind: EventKind
    title: str
    starts_at: datetime
    block: str | None = None
    ends_at: datetime | None = None
    venue: Venue | None = None
    registration_url: str | None = None
    registration_deadline: datetime | None = None
    status: EventStatus = "scheduled"
    title_en: str | None = None

    @property
    def is_scheduled(self) -> bool:
        return self.status == "scheduled"

    @property
    def assumed_end(self) -> datetime:
        """When the event is over: its end, or two hours after its start when it has none."""
        return self.ends_at or self.starts_at + ASSUMED_DURATION

    def to_doc(self) -> Doc:
        doc: Doc = {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "starts_at": self.starts_at.isoformat(),
            # The index sorts on these; storing them saves parsing every date when the store opens.
            "starts_ts": self.starts_at.timestamp(),
            "ends_ts": self.ends_at.timestamp() if self.ends_at else None,
            "status": self.status,
        }
        optional: dict[str, object] = {
            "block": self.block,
            "title_en": self.title_en,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "venue": self.venue.to_doc() if self.venue else None,
            "registration_url": self.registration_url,
            "registration_deadline": (self.registration_deadline.isoformat() if self.registration_deadline else None),
        }
        doc.update({k: v for k, v in optional.items() if v is not None})
        if doc["ends_ts"] is None:
            del doc["ends_ts"]
        return doc

    @classmethod
    def from_doc(cls, doc: Doc) -> Event:
        def when(key: str) -> datetime | None:
            raw = doc.get(key)
            return datetime.fromisoformat(raw) if raw else None

        starts_at = when("starts_at")
        assert starts_at is not None
        venue = doc.get("venue")
        return cls(
            id=doc["id"],
            kind=doc["kind"],
            title=doc["title"],
            starts_at=starts_at,
            block=doc.get("block"),
            ends_at=when("ends_at"),
            venue=Venue.from_doc(venue) if venue else None,
            registration_url=doc.get("registration_url"),
            registration_deadline=when("registration_deadline"),
            status=doc.get("status", "scheduled"),
            title_en=doc.get("title_en"),
        )


ChangeKind = Literal["moved", "venue", "cancelled"]


@dataclass(frozen=True, slots=True)
class EventChange:
    """A meeting moved, re-sited or cancelled, with how it was before (the digests tell subscribers)."""

    event_id: str
    kind: ChangeKind
    changed_at: datetime
    before: Event

    @classmethod
    def between(cls, before: Event, after: Event, at: datetime) -> EventChange | None:
        """The change that matters to a member, if any (a new title or URL is not one)."""
        if before.status == "scheduled" and after.status == "cancelled":
            return cls(after.id, "cancelled", at, before)
        if after.status != "scheduled":
            return None
        if before.starts_at != after.starts_at or (
            before.ends_at and after.ends_at and before.ends_at != after.ends_at
        ):
            return cls(after.id, "moved", at, before)  # (an end time only added is not a move)
        name_before, name_after = (e.venue.description if e.venue else None for e in (before, after))
        where_before, where_after = (e.venue.address if e.venue else None for e in (before, after))
        if name_before != name_after or (where_before and where_after and where_before != where_after):
            return cls(after.id, "venue", at, before)  # (a new online link or an address filled in is not one)
        return None

    def to_doc(self) -> Doc:
        return {
            "event_id": self.event_id, "kind": self.kind, "changed_at": self.changed_at.isoformat(),
            "before": self.before.to_doc(),
        }  # fmt: skip

    @classmethod
    def from_doc(cls, doc: Doc) -> EventChange:
        before = Event.from_doc(doc["before"])
        return cls(doc["event_id"], doc["kind"], datetime.fromisoformat(doc["changed_at"]), before)


@dataclass(frozen=True, slots=True)
class Block:
    """One of the ten regional blocks (ブロック)."""

    key: str
    names: tuple[str, ...]
    names_en: tuple[str, ...]
    prefectures: tuple[str, ...]
    secretary: str | None = None
    secretary_en: str | None = None

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def name_en(self) -> str:
        return self.names_en[0] if self.names_en else self.key.capitalize()


@dataclass(frozen=True, slots=True)
class Officer:
    """An officer (役員): 代表, 副代表, 参与 or a block secretary (ブロック幹事)."""

    role: str
    role_en: str
    holder: str
    holder_en: str
    city: str | None = None
    prefecture: str | None = None
    block: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """A member municipality, organisation or individual, as far as the store knows it."""

    name: str
    prefecture: str | None = None
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """A question the secretariat answers once; keywords select it within its intent."""

    id: str
    intent: str
    keywords: tuple[str, ...]
    question: str
    question_en: str
    answer: str
    answer_en: str


@dataclass(frozen=True, slots=True)
class Channel:
    """One of the network's ways of sharing information (mailing list, Facebook, meetings …)."""

    name: str
    name_en: str
    timing: str
    timing_en: str
    content: str
    content_en: str


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """What the network is: its name, founding, purpose and activity policy."""

    name: str
    name_en: str
    founded: date
    founded_ja: str
    founding_members: int
    founders: tuple[str, ...]
    founders_en: tuple[str, ...]
    purpose: str
    purpose_en: str
    policy_title: str = ""
    policy_title_en: str = ""
    policy: tuple[str, ...] = ()
    policy_en: tuple[str, ...] = ()
    meetings_note: str = ""
    meetings_note_en: str = ""
    channels: tuple[Channel, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A question the bot could not answer, kept for the secretariat."""

    text: str
    lang: str
    asked_at: datetime
    platform: str
    intent_guess: str | None = None

    def to_doc(self) -> Doc:
        return {
            "text": self.text,
            "lang": self.lang,
            "asked_at": self.asked_at.isoformat(),
            "platform": self.platform,
            "intent_guess": self.intent_guess,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> UnansweredQuestion:
        return cls(
            text=doc["text"],
            lang=doc["lang"],
            asked_at=datetime.fromisoformat(doc["asked_at"]),
            platform=doc["platform"],
            intent_guess=doc.get("intent_guess"),
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with an announcement: listed, not relayed."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Announcement:
    """A post from the mailing list (or from chat), normalised, as members will read it."""

    id: str
    message_id: str
    subject: str
    body: str
    sender: str
    received_at: datetime
    attachments: tuple[Attachment, ...] = ()
    blocks: tuple[str, ...] = ()
    sender_name: str = ""
    sent_at: datetime | None = None
    replacements: int = 0
    source: str = "mail"

    def to_doc(self) -> Doc:
        return {
            "id": self.id,
            "message_id": self.message_id,
            "subject": self.subject,
            "body": self.body,
            "sender": self.sender,
            "sender_name": self.sender_name,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "replacements": self.replacements,
            "source": self.source,
            "received_at": self.received_at.isoformat(),
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in self.attachments
            ],
            "blocks": list(self.blocks),
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Announcement:
        return cls(
            id=doc["id"],
            message_id=doc["message_id"],
            subject=doc["subject"],
            body=doc["body"],
            sender=doc["sender"],
            received_at=datetime.fromisoformat(doc["received_at"]),
            attachments=tuple(Attachment(**a) for a in doc.get("attachments", [])),
            blocks=tuple(doc.get("blocks", [])),
            sender_name=doc.get("sender_name", ""),
            sent_at=datetime.fromisoformat(doc["sent_at"]) if doc.get("sent_at") else None,
            replacements=doc.get("replacements", 0),
            source=doc.get("source", "mail"),
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """One announcement to one channel: the outbox's unit of work, kept until it is posted."""

    id: str
    announcement_id: str
    platform: str
    channel: str
    seq: int
    created_at: datetime
    parts_done: int = 0
    attempts: int = 0
    last_error: str | None = None
    failed: bool = False

    def to_doc(self) -> Doc:
        return {
            "id": self.id,
            "announcement_id": self.announcement_id,
            "platform": self.platform,
            "channel": self.channel,
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "parts_done": self.parts_done,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "failed": self.failed,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Delivery:
        return cls(
            id=doc["id"],
            announcement_id=doc["announcement_id"],
            platform=doc["platform"],
            channel=doc["channel"],
            seq=doc["seq"],
            created_at=datetime.fromisoformat(doc["created_at"]),
            parts_done=doc.get("parts_done", 0),
            attempts=doc.get("attempts", 0),
            last_error=doc.get("last_error"),
            failed=doc.get("failed", False),
        )


@dataclass(frozen=True, slots=True)
class QuarantinedMail:
    """A message the intake kept but did not relay, with why."""

    id: str
    status: str  # "rejected" or "quarantined"
    reason: str
    received_at: datetime
    subject: str = ""
    sender: str = ""
    size: int = 0
    released: bool = False

    def to_doc(self) -> Doc:
        return {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "received_at": self.received_at.isoformat(),
            "subject": self.subject,
            "sender": self.sender,
            "size": self.size,
            "released": self.released,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> QuarantinedMail:
        return cls(
            id=doc["id"],
            status=doc["status"],
            reason=doc["reason"],
            received_at=datetime.fromisoformat(doc["received_at"]),
            subject=doc.get("subject", ""),
            sender=doc.get("sender", ""),
            size=doc.get("size", 0),
            released=doc.get("released", False),
        )
