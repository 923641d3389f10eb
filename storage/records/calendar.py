"""Calendar records: block meetings and trainings, where they are held, and how they changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

__all__ = [
    "ASSUMED_DURATION",
    "EVENT_KINDS",
    "EVENT_SOURCES",
    "EVENT_STATUSES",
    "Event",
    "EventChange",
    "EventKind",
    "EventSource",
    "EventStatus",
    "Proposal",
    "ProposalAction",
    "ProposalStatus",
    "Venue",
]

EventKind = Literal["block_meeting", "training"]
EventStatus = Literal["scheduled", "cancelled"]
EventSource = Literal["import", "mail", "chat", "cli"]
EVENT_SOURCES: tuple[EventSource, ...] = ("import", "mail", "chat", "cli")
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
    source: EventSource = "import"  # where it came from: a data file, a list post, chat or the command line
    announcement_id: str | None = None  # the post that announced it

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
            "source": self.source if self.source != "import" else None,
            "announcement_id": self.announcement_id,
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
            source=doc.get("source", "import"),
            announcement_id=doc.get("announcement_id"),
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


ProposalAction = Literal["announce", "move", "cancel"]
ProposalStatus = Literal["open", "accepted", "rejected"]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A meeting read from a post, waiting for the secretariat: `event` as it would be stored (a new one, or
    the announced one `move`d or `cancel`led), with what was read in doubt as (code, detail) pairs."""

    id: str
    action: ProposalAction
    event: Event
    announcement_id: str
    created_at: datetime
    doubts: tuple[tuple[str, str], ...] = ()
    status: ProposalStatus = "open"
    decided_at: datetime | None = None
    decided_by: str | None = None
    notified: tuple[str, ...] = ()  # the chat platforms the secretariat was shown it on

    def to_doc(self) -> Doc:
        return {
            "notified": list(self.notified),
            "id": self.id, "action": self.action, "event": self.event.to_doc(),
            "announcement_id": self.announcement_id, "created_at": self.created_at.isoformat(),
            "doubts": [list(d) for d in self.doubts], "status": self.status,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None, "decided_by": self.decided_by,
        }  # fmt: skip

    @classmethod
    def from_doc(cls, doc: Doc) -> Proposal:
        decided = doc.get("decided_at")
        return cls(
            id=doc["id"], action=doc["action"], event=Event.from_doc(doc["event"]),
            announcement_id=doc["announcement_id"], created_at=datetime.fromisoformat(doc["created_at"]),
            doubts=tuple((str(c), str(d)) for c, d in doc.get("doubts", [])), status=doc.get("status", "open"),
            decided_at=datetime.fromisoformat(decided) if decided else None, decided_by=doc.get("decided_by"),
            notified=tuple(doc.get("notified", ())),
        )  # fmt: skip
