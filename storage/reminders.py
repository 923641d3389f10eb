"""Reminder records: the store, not the scheduler, knows what is due, sent, skipped or obsolete."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tinydb import TinyDB

__all__ = ["Reminder", "ReminderStatus", "Reminders"]

ReminderStatus = Literal["pending", "sent", "skipped", "obsolete"]


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder of one event: `kind` is "7d", "1d", "deadline-3d" … or a notice, "cancelled" or "moved".
    `for_start` is the start of the meeting it was planned for; a "moved" notice has the old one in
    `moved_from`."""

    id: str
    event_id: str
    kind: str
    due_at: datetime
    status: ReminderStatus = "pending"
    sent_at: datetime | None = None
    late: bool = False
    for_start: datetime | None = None
    moved_from: datetime | None = None

    def to_doc(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        for key in ("due_at", "sent_at", "for_start", "moved_from"):
            doc[key] = doc[key].isoformat() if doc[key] else None
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Reminder:
        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(doc[key]) if doc.get(key) else None

        return cls(
            id=doc["id"], event_id=doc["event_id"], kind=doc["kind"], due_at=datetime.fromisoformat(doc["due_at"]),
            status=doc["status"], sent_at=when("sent_at"), late=doc.get("late", False), for_start=when("for_start"),
            moved_from=when("moved_from"),
        )  # fmt: skip


class Reminders:
    """All reminders in one small file (only future events' reminders are pending), read once."""

    def __init__(self, db: TinyDB) -> None:
        self._table = db.table("reminders")
        self._items = {r.id: r for r in (Reminder.from_doc(dict(d)) for d in self._table.all())}

    def all(self) -> list[Reminder]:
        return sorted(self._items.values(), key=lambda r: (r.due_at, r.id))

    def get(self, reminder_id: str) -> Reminder | None:
        return self._items.get(reminder_id)

    def for_event(self, event_id: str) -> list[Reminder]:
        return [r for r in self.all() if r.event_id == event_id]

    def save(self, reminders: Iterable[Reminder]) -> int:
        """Write these (new or changed) reminders; returns how many changed."""
        changed = [r for r in reminders if self._items.get(r.id) != r]
        if not changed:
            return 0
        for reminder in changed:
            self._items[reminder.id] = reminder
        self._table.truncate()
        self._table.insert_multiple([r.to_doc() for r in self.all()])
        return len(changed)
