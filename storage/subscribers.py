"""Digest subscribers: who gets which digest, confirmed or not, and when they last got one."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from storage.keyed import Keyed

if TYPE_CHECKING:
    from collections.abc import Iterable

    from tinydb import TinyDB

__all__ = ["Subscriber", "Subscribers"]

Frequency = Literal["daily", "weekly"]


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One address; nothing but the confirmation mail goes to it until `confirmed`."""

    email: str
    lang: Literal["ja", "en"] = "ja"
    frequency: Frequency = "weekly"
    blocks: tuple[str, ...] = ()
    confirmed: bool = False
    created_at: datetime | None = None
    last_digest_at: datetime | None = None
    bounces: int = 0
    suspended: bool = False
    unsubscribed: bool = False

    @property
    def active(self) -> bool:
        return self.confirmed and not (self.suspended or self.unsubscribed)

    def to_doc(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        doc["blocks"] = list(self.blocks)
        for key in ("created_at", "last_digest_at"):
            doc[key] = doc[key].isoformat() if doc[key] else None
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Subscriber:
        values = dict(doc)
        values["blocks"] = tuple(values.get("blocks", ()))
        for key in ("created_at", "last_digest_at"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


class Subscribers:
    """All subscribers in one file, keyed by lower-cased address, kept in memory between writes. Read on first
    use, or ahead by `load` in a worker thread (`rmo-bot run`'s catch-up), not when the store opens: at 50,000
    subscribers reading them took about a second of every start, before the bot listened."""

    def __init__(self, db: TinyDB) -> None:
        self._db = db
        self._lock = threading.Lock()  # a use on the loop waits for a `load` under way in a worker thread
        self._state: tuple[Keyed, dict[str, Subscriber]] | None = None

    def load(self) -> None:
        """Read them now (any thread)."""
        self._loaded()

    def _loaded(self) -> tuple[Keyed, dict[str, Subscriber]]:
        with self._lock:
            if self._state is None:
                docs = Keyed(self._db.table("subscribers"), lambda doc: str(doc["email"]))
                items = {s.email: s for s in (Subscriber.from_doc(dict(d)) for d in docs.docs)}
                docs.docs = []
                self._state = docs, items
            return self._state

    def get(self, email: str) -> Subscriber | None:
        return self._loaded()[1].get(email.strip().lower())

    def all(self) -> list[Subscriber]:
        return sorted(self._loaded()[1].values(), key=lambda s: s.email)

    def remove(self, email: str) -> bool:
        """Forget an address altogether (whether it was confirmed, its bounces); False if it was not here."""
        docs, items = self._loaded()
        key = email.strip().lower()
        if key not in items:
            return False
        docs.write(delete=[key])
        del items[key]
        return True

    def save(self, subscribers: Iterable[Subscriber]) -> int:
        """Write new or changed subscribers in one go; returns how many changed."""
        docs, items = self._loaded()
        changed = [s for s in subscribers if items.get(s.email) != s]
        if not changed:
            return 0
        docs.write([s.to_doc() for s in changed])  # what changed alone (storage.keyed)
        for subscriber in changed:
            items[subscriber.email] = subscriber
        return len(changed)
