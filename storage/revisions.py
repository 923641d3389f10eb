"""The secretariat's corrections and withdrawals of announcements, beside the (append-mostly) archive.

The announcement repository lays the newest revision over the stored post, so everything that shows a
post — chat, the digests, the public pages and the feed — shows the corrected text, and none shows a
withdrawn one. Each change is written at once (a correction is rare and must not be lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from storage.keyed import Keyed

if TYPE_CHECKING:
    from tinydb import TinyDB

    from storage.journalled import JournalledStorage

__all__ = ["Revision", "RevisionKind", "Revisions"]

RevisionKind = Literal["corrected", "withdrawn"]


@dataclass(frozen=True, slots=True)
class Revision:
    """The newest state the secretariat gave one announcement."""

    announcement_id: str
    kind: RevisionKind
    at: datetime
    by: str
    subject: str = ""
    body: str = ""
    body_ref: str = ""  # a big corrected text, in the archive's bodies/ like a big post's
    count: int = 1  # how many revisions it has had (each one's deliveries are told apart by it)


class Revisions:
    """Revisions by announcement id, and the Message-IDs of correction mails already applied."""

    def __init__(self, db: TinyDB, storage: JournalledStorage) -> None:
        self._docs = Keyed(db.table("revisions"), lambda doc: str(doc["id"]))
        self._keys_table = db.table("correction_mails")
        self._storage = storage
        self._items: dict[str, Revision] = {}
        for doc in self._docs.docs:
            revision = Revision(doc["id"], doc["kind"], datetime.fromisoformat(doc["at"]), doc.get("by", ""),
                                doc.get("subject", ""), doc.get("body", ""), doc.get("body_ref", ""),
                                doc.get("count", 1))  # fmt: skip
            self._items[revision.announcement_id] = revision
        self._keys: set[str] = {doc["key"] for doc in self._keys_table.all()}

    def get(self, announcement_id: str) -> Revision | None:
        return self._items.get(announcement_id)

    def knows(self, message_key: str) -> bool:
        """Whether a correction mail with this Message-ID was applied already."""
        return message_key in self._keys

    def record(self, revision: Revision, *, message_key: str = "") -> None:
        """Keep the newest revision of an announcement (and the correction mail it came from), durably."""
        with self._storage.batch():  # the revision and its mail's key in one commit
            self._docs.write([_doc(revision)])
            if message_key and message_key not in self._keys:
                self._keys_table.insert({"key": message_key})
        self._items[revision.announcement_id] = revision
        if message_key:
            self._keys.add(message_key)


def _doc(revision: Revision) -> dict[str, object]:
    return {
        "id": revision.announcement_id, "kind": revision.kind, "at": revision.at.isoformat(), "by": revision.by,
        "subject": revision.subject, "body": revision.body, "body_ref": revision.body_ref, "count": revision.count,
    }  # fmt: skip
