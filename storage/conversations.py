"""What each conversation was last about (intent and block), so a follow-up is understood, forgotten after a
while. Kept so that a restart mid-conversation keeps it, at a cost an answer does not notice: every change is a
line in a journal (`conversations.journal`, see `storage.journal`), folded into `conversations.json` when it
grows long and at close; on open, the file is read, then the journal replayed over it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.journal import Journal

if TYPE_CHECKING:
    from tinydb import TinyDB

    from storage.atomic import AtomicJSONStorage

__all__ = ["Conversation", "TinyConversationRepository"]

_KEPT = 2000  # conversations remembered at most (the oldest go first)
_FORGET = timedelta(days=1)  # older ones are dropped at the next fold
_FOLD_AFTER = 1000  # journal lines: past this many, the journal is folded into the file


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation (a user in a channel or DM) and what it was last about."""

    key: str
    intent: str
    block: str | None
    at: datetime

    def to_doc(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Conversation:
        return cls(doc["key"], doc["intent"], doc.get("block"), datetime.fromisoformat(doc["at"]))


class TinyConversationRepository:
    """Every conversation's context in memory, in one TinyDB file and the journal of changes since."""

    def __init__(self, db: TinyDB, storage: AtomicJSONStorage) -> None:
        self._table = db.table("conversations")
        self._storage = storage
        self._journal = Journal(storage.path.with_suffix(".journal"), writable=storage.writable)
        self._items = {c.key: c for c in (Conversation.from_doc(dict(d)) for d in self._table.all())}
        for record in self._journal.records:
            try:
                conversation = Conversation.from_doc(record)
            except (KeyError, TypeError, ValueError):
                continue  # not a conversation: a record garbled on disk
            self._items[conversation.key] = conversation

    def get(self, key: str) -> Conversation | None:
        return self._items.get(key)

    def put(self, conversation: Conversation) -> None:
        current = self._items.get(conversation.key)
        same = current is not None and (current.intent, current.block) == (conversation.intent, conversation.block)
        if same and current is not None and conversation.at - current.at < timedelta(minutes=1):
            return  # the same subject a moment later: nothing worth a write
        self._items[conversation.key] = conversation
        if not self._journal.writable:
            return  # a read-only view (another process writes the directory): remembered until it closes
        self._journal.append(conversation.to_doc())
        if len(self._journal.records) >= _FOLD_AFTER:
            self.fold()

    def fold(self) -> None:
        """Write what is remembered (the recent ones only) to the file, durably, then empty the journal."""
        newest = max((c.at for c in self._items.values()), default=None)
        if newest is not None:
            kept = sorted((c for c in self._items.values() if c.at > newest - _FORGET), key=lambda c: c.at)
            self._items = {c.key: c for c in kept[-_KEPT:]}
        with self._storage.batch():
            self._table.truncate()
            self._table.insert_multiple(c.to_doc() for c in self._items.values())
        self._journal.clear()

    def close(self) -> None:
        """Fold the journal into the file (when there is anything to fold) and let go of it."""
        self._journal.close_folded(self.fold, "conversations")
