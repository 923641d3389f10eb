"""Mail the intake kept but did not relay: the raw message, its status and the reason, never dropped."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from storage.atomic import atomic_write_bytes, fsync_dir
from storage.records import QuarantinedMail

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from tinydb import TinyDB

__all__ = ["Quarantine"]


class Quarantine:
    """`quarantine.json` lists them; `quarantine/<id>.eml` holds each raw message."""

    def __init__(self, db: TinyDB, directory: Path, *, durable: bool = True) -> None:
        self._table = db.table("quarantine")
        self._dir = directory
        self._durable = durable

    def add_many(self, items: list[tuple[QuarantinedMail, bytes]]) -> None:
        if not items:
            return
        if not self._dir.is_dir():
            self._dir.mkdir(mode=0o700)
            fsync_dir(self._dir.parent)
        for record, raw in items:
            atomic_write_bytes(self._dir / f"{record.id}.eml", raw, durable=self._durable)
        known = {doc["id"] for doc in self._table.all()}
        self._table.insert_multiple([r.to_doc() for r, _ in items if r.id not in known])

    def prune(self, *, max_bytes: int, older_than: datetime) -> int:
        """Drop what was received before `older_than`, then the oldest until what is kept fits `max_bytes`
        (refused mail before mail that was accepted but could not be relayed); returns how many went."""
        items = self.list()
        sizes = {q.id: q.kept if q.kept is not None else q.size for q in items}
        doomed = {q.id for q in items if q.received_at < older_than}
        total = sum(size for item_id, size in sizes.items() if item_id not in doomed)
        for q in sorted(items, key=lambda q: (q.status != "rejected", q.received_at)):
            if total <= max_bytes:
                break
            if q.id not in doomed:
                doomed.add(q.id)
                total -= sizes[q.id]
        if doomed:
            self._table.remove(lambda doc: doc.get("id") in doomed)
            for item_id in doomed:
                (self._dir / f"{item_id}.eml").unlink(missing_ok=True)
        return len(doomed)

    def list(self) -> list[QuarantinedMail]:
        return sorted((QuarantinedMail.from_doc(d) for d in self._table.all()), key=lambda q: q.received_at)

    def get(self, item_id: str) -> QuarantinedMail | None:
        return next((q for q in self.list() if q.id == item_id), None)

    def raw(self, item_id: str) -> bytes:
        return (self._dir / f"{item_id}.eml").read_bytes()

    def mark_released(self, item_id: str) -> None:
        self._table.update({"released": True}, lambda doc: doc.get("id") == item_id)

    def path(self, item_id: str) -> str:
        return os.fspath(self._dir / f"{item_id}.eml")
