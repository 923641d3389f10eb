"""Reminder records: the store, not the scheduler, knows what is due, sent, skipped or obsolete."""

from __future__ import annotations

import heapq
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
        # (due, id) of the pending reminders, a heap: `save` pushes a reminder's new entry (no list insertion,
        # which at 200,000 reminders moves a megabyte per write) and leaves the old one, which `due` skips.
        self._due: list[tuple[datetime, str]] = []
        self._stale = 0
        self._rebuild_due()

    def all(self) -> list[Reminder]:
        return sorted(self._items.values(), key=lambda r: (r.due_at, r.id))

    def get(self, reminder_id: str) -> Reminder | None:
        return self._items.get(reminder_id)

    def for_event(self, event_id: str) -> list[Reminder]:
        return sorted(self._by_event.get(event_id, {}).values(), key=lambda r: (r.due_at, r.id))

    def due(self, now: datetime) -> list[Reminder]:
        """The pending reminders due at `now` or before, soonest first (from the index: no scan)."""
        heap, found, stack = self._due, {}, [0] if self._due else []
        while stack:  # the heap's entries due by `now`: a subtree whose root is later holds none
            at = stack.pop()
            due_at, reminder_id = heap[at]
            if due_at > now:
                continue
            reminder = self._items.get(reminder_id)
            if reminder is not None and reminder.status == "pending" and reminder.due_at == due_at:
                found[reminder_id] = reminder  # an entry left by an older version of it is not
            stack += [child for child in (2 * at + 1, 2 * at + 2) if child < len(heap)]
        return sorted(found.values(), key=lambda r: (r.due_at, r.id))

    def _rebuild_due(self) -> None:
        self._due = [(r.due_at, r.id) for r in self._items.values() if r.status == "pending"]
        heapq.heapify(self._due)
        self._stale = 0

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
            was_due = old is not None and old.status == "pending"
            if was_due and reminder.status == "pending" and old is not None and old.due_at == reminder.due_at:
                continue  # its entry stands
            self._stale += was_due  # its old entry stays in the heap, and is passed over (see `due`)
            if reminder.status == "pending":
                heapq.heappush(self._due, (reminder.due_at, reminder.id))
        if self._stale > len(self._due) // 2 + 1000:
            self._rebuild_due()  # stale entries are at most about half: rebuilt once per as many changes
        return len(changed)
