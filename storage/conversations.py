"""What each conversation was last about (intent and block), so a follow-up is understood, forgotten after a
while. Kept so that a restart mid-conversation keeps it, at a cost an answer does not notice:

- every change is one line appended to a journal beside the TinyDB file (`conversations.journal`), written
  without an fsync: a killed or restarted process keeps it (the kernel has it); only a power cut may lose the
  last minutes of conversations, which are worth no fsync on every answer;
- the journal is folded into the TinyDB file (one atomic, durable write) when it grows long and at close, then
  emptied; a crash between the two replays lines the file already has, which changes nothing;
- on open, the file is read, then the journal replayed over it; a torn last line is skipped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from storage.atomic import FILE_MODE

if TYPE_CHECKING:
    from tinydb import TinyDB

    from storage.atomic import AtomicJSONStorage

__all__ = ["Conversation", "TinyConversationRepository"]

_log = logging.getLogger(__name__)

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
        self._journal = storage.path.with_suffix(".journal")
        self._items = {c.key: c for c in (Conversation.from_doc(dict(d)) for d in self._table.all())}
        self._journalled = self._replay()
        self._fd: int | None = None

    def _replay(self) -> int:
        try:
            raw = self._journal.read_bytes()
        except FileNotFoundError:
            return 0
        lines = raw.splitlines()
        for line in lines:
            try:
                conversation = Conversation.from_doc(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash mid-write
            self._items[conversation.key] = conversation
        return len(lines)

    def get(self, key: str) -> Conversation | None:
        return self._items.get(key)

    def put(self, conversation: Conversation) -> None:
        current = self._items.get(conversation.key)
        same = current is not None and (current.intent, current.block) == (conversation.intent, conversation.block)
        if same and current is not None and conversation.at - current.at < timedelta(minutes=1):
            return  # the same subject a moment later: nothing worth a write
        self._items[conversation.key] = conversation
        if not self._storage.writable:
            return  # a read-only view (another process writes the directory): remembered until it closes
        if self._fd is None:
            self._fd = os.open(self._journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        # One write(2) of one short line: appended whole, so lines of a killed process never interleave.
        os.write(self._fd, json.dumps(conversation.to_doc(), ensure_ascii=False).encode() + b"\n")
        self._journalled += 1
        if self._journalled >= _FOLD_AFTER:
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
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.truncate(self._journal, 0)
        self._journalled = 0

    def close(self) -> None:
        """Fold the journal into the file (when there is anything to fold) and let go of it."""
        try:
            if self._journalled and self._storage.writable:
                self.fold()
        except OSError as exc:
            _log.warning("could not fold the conversations journal (it is replayed at the next start): %s", exc)
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
