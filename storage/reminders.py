"""Reminder records: the store, not the scheduler, knows what is due, sent, skipped or obsolete."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from storage.keyed import Keyed

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
        # By hand, not `dataclasses.asdict` (a deep copy of every field): a catch-up writes 20,000 of them.
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id, "event_id": self.event_id, "kind": self.kind, "due_at": self.due_at.isoformat(),
            "status": self.status, "sent_at": when(self.sent_at), "late": self.late,
            "for_start": when(self.for_start), "moved_from": when(self.moved_from),
        }  # fmt: skip

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
    """All reminders in one file, read once, with two indexes kept in step with every write: by event, and
    the pending ones by due time, so that a tick reads only what is due, not every reminder ever planned."""

    def __init__(self, db: TinyDB) -> None:
        self._docs = Keyed(db.table("reminders"), lambda doc: str(doc["id"]))
        self._items = {r.id: r for r in (Reminder.from_doc(dict(d)) for d in self._docs.docs)}
        self._docs.docs = []
        self._by_event: dict[str, dict[str, Reminder]] = {}
        for reminder in self._items.values():
            self._by_event.setdefault(reminder.event_id, {})[reminder.id] = reminder
        # (due, id) of the pending reminders, sorted; `save` keeps it exact.
        self._due = sorted((r.due_at, r.id) for r in self._items.values() if r.status == "pending")

    def all(self) -> list[Reminder]:
        return sorted(self._items.values(), key=lambda r: (r.due_at, r.id))

    def get(self, reminder_id: str) -> Reminder | None:
        return self._items.get(reminder_id)

    def for_event(self, event_id: str) -> list[Reminder]:
        return sorted(self._by_event.get(event_id, {}).values(), key=lambda r: (r.due_at, r.id))

    def due(self, now: datetime) -> list[Reminder]:
        """The pending reminders due at `now` or before, soonest first (from the index: no scan)."""
        end = bisect.bisect_right(self._due, (now, "\uffff"))
        return [self._items[reminder_id] for _, reminder_id in self._due[:end]]

    def save(self, reminders: Iterable[Reminder]) -> int:
        """Write these (new or changed) reminders in one write; returns how many changed."""
        changed = {r.id: r for r in reminders if self._items.get(r.id) != r}
        if not changed:
            return 0
        before = {reminder_id: self._items.get(reminder_id) for reminder_id in changed}
        self._docs.write([r.to_doc() for r in changed.values()])  # one commit of what changed
        self._items.update(changed)
        for reminder in changed.values():
            old = before[reminder.id]
            if old is not None and old.event_id != reminder.event_id:
                self._by_event.get(old.event_id, {}).pop(reminder.id, None)
            self._by_event.setdefault(reminder.event_id, {})[reminder.id] = reminder
            if old is not None and old.status == "pending":
                at = bisect.bisect_left(self._due, (old.due_at, old.id))
                if at < len(self._due) and self._due[at] == (old.due_at, old.id):
                    del self._due[at]
            if reminder.status == "pending":
                bisect.insort(self._due, (reminder.due_at, reminder.id))
        return len(changed)
