"""What each conversation was last about (intent and block), so a follow-up is understood: kept in a small
TinyDB file, so a restart mid-conversation keeps it, and forgotten after a while."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tinydb import TinyDB

    from storage.atomic import AtomicJSONStorage

__all__ = ["Conversation", "TinyConversationRepository"]

_KEPT = 2000  # conversations remembered at most (the oldest go first)
_FORGET = timedelta(days=1)  # older ones are dropped at the next write


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
    """Every conversation's context, in memory and in one file, written only when it changes."""

    def __init__(self, db: TinyDB, storage: AtomicJSONStorage) -> None:
        self._table = db.table("conversations")
        self._storage = storage
        self._items = {c.key: c for c in (Conversation.from_doc(dict(d)) for d in self._table.all())}

    def get(self, key: str) -> Conversation | None:
        return self._items.get(key)

    def put(self, conversation: Conversation) -> None:
        current = self._items.get(conversation.key)
        same = current is not None and (current.intent, current.block) == (conversation.intent, conversation.block)
        if same and current is not None and conversation.at - current.at < timedelta(minutes=1):
            return  # the same subject a moment later: nothing worth a write
        self._items[conversation.key] = conversation
        oldest_kept = conversation.at - _FORGET
        kept = sorted((c for c in self._items.values() if c.at > oldest_kept), key=lambda c: c.at)[-_KEPT:]
        self._items = {c.key: c for c in kept}
        with self._storage.batch():
            self._table.truncate()
            self._table.insert_multiple(c.to_doc() for c in kept)
