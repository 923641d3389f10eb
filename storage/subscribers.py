"""Digest subscribers: who gets which digest, confirmed or not, and when they last got one."""

from __future__ import annotations

import dataclasses
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
    """All subscribers in one file, keyed by lower-cased address, kept in memory between writes."""

    def __init__(self, db: TinyDB) -> None:
        self._docs = Keyed(db.table("subscribers"), lambda doc: str(doc["email"]))
        self._items = {s.email: s for s in (Subscriber.from_doc(dict(d)) for d in self._docs.docs)}
        self._docs.docs = []

    def get(self, email: str) -> Subscriber | None:
        return self._items.get(email.strip().lower())

    def all(self) -> list[Subscriber]:
        return sorted(self._items.values(), key=lambda s: s.email)

    def remove(self, email: str) -> bool:
        """Forget an address altogether (whether it was confirmed, its bounces); False if it was not here."""
        key = email.strip().lower()
        if key not in self._items:
            return False
        self._docs.write(delete=[key])
        del self._items[key]
        return True

    def save(self, subscribers: Iterable[Subscriber]) -> int:
        """Write new or changed subscribers in one go; returns how many changed."""
        changed = [s for s in subscribers if self._items.get(s.email) != s]
        if not changed:
            return 0
        self._docs.write([s.to_doc() for s in changed])  # what changed alone (storage.keyed)
        for subscriber in changed:
            self._items[subscriber.email] = subscriber
        return len(changed)
