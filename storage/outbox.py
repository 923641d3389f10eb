"""The durable outbox: deliveries waiting to be posted, one file that holds only what is pending.

Workers change deliveries in memory and `commit()` writes the changed ones in one go (group commit):
under a burst it is a few commits a second, not one per post. A delivery is removed when it is done,
so the file stays as small as the backlog.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import TYPE_CHECKING

from storage.keyed import Keyed
from storage.records import Delivery

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tinydb import TinyDB

__all__ = ["Outbox"]


class Outbox:
    """Pending deliveries by id, with their order (`seq`) kept across restarts."""

    def __init__(self, db: TinyDB) -> None:
        self._docs = Keyed(db.table("deliveries"), lambda doc: str(doc["id"]))
        self._items: dict[str, Delivery] = {d.id: d for d in map(Delivery.from_doc, self._docs.docs)}
        self._docs.docs = []
        self._changed: set[str] = set()  # ids changed or done since the last commit
        self._seq = itertools.count(max((d.seq for d in self._items.values()), default=0) + 1)
        self._dirty = False

    def next_seq(self) -> int:
        return next(self._seq)

    def add_many(self, deliveries: Iterable[Delivery]) -> None:
        """Queue deliveries (written at the next commit)."""
        for delivery in deliveries:
            current = self._items.get(delivery.id)
            if current is None or current.failed:  # a delivery given up on is queued afresh
                self._items[delivery.id] = delivery
                self._changed.add(delivery.id)
                self._dirty = True

    def pending(self) -> list[Delivery]:
        """Every delivery not yet done (failed ones included), in order."""
        return sorted(self._items.values(), key=lambda d: d.seq)

    def lanes(self) -> set[tuple[str, str]]:
        return {(d.platform, d.channel) for d in self._items.values()}

    def next_for(self, platform: str, channel: str) -> Delivery | None:
        """The oldest delivery of one channel that is still to be tried."""
        candidates = [
            d for d in self._items.values() if (d.platform, d.channel) == (platform, channel) and not d.failed
        ]
        return min(candidates, key=lambda d: d.seq, default=None)

    def get(self, delivery_id: str) -> Delivery | None:
        return self._items.get(delivery_id)

    def update(self, delivery: Delivery, **changes: object) -> Delivery:
        updated = dataclasses.replace(delivery, **changes)  # type: ignore[arg-type]
        self._items[delivery.id] = updated
        self._changed.add(delivery.id)
        self._dirty = True
        return updated

    def retry_failed(self) -> int:
        """Give every failed delivery another go; returns how many."""
        failed = [d for d in self._items.values() if d.failed]
        for delivery in failed:
            self.update(delivery, failed=False, attempts=0)
        return len(failed)

    def done(self, delivery: Delivery) -> None:
        self._items.pop(delivery.id, None)
        self._changed.add(delivery.id)
        self._dirty = True

    @property
    def dirty(self) -> bool:
        return self._dirty

    def commit(self) -> None:
        """Write what changed since the last commit (inside the store's batch: one commit with the rest)."""
        if not self._dirty:
            return
        put = [self._items[i].to_doc() for i in sorted(self._changed) if i in self._items]
        self._docs.write(put, delete=[i for i in self._changed if i not in self._items])
        self._changed.clear()
        self._dirty = False

    def __len__(self) -> int:
        return len(self._items)
