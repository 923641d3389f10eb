"""The archive of announcements in TinyDB, one file per month of arrival; a big text in a file of its own."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import re
from collections import OrderedDict
from typing import TYPE_CHECKING

from storage.archive import MonthlyArchive
from storage.atomic import atomic_write_bytes, fsync_dir
from storage.records import BIG_BODY, Announcement

if TYPE_CHECKING:
    from collections.abc import Iterable

    from storage.revisions import Revisions

__all__ = ["TinyAnnouncementRepository"]

_log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"[0-9a-f]{32}\.bin")
_RECENT = 2000
_BIG_RECENT = 4


class TinyAnnouncementRepository:
    """Announcements, one file per month of arrival: a new one rewrites this month's file only.

    Which message ids are known (for de-duplication) and where each announcement lives are kept in
    memory, read once from the archive on first use. A big text lives in `bodies/` under a name from its
    hash (`keep_body`), so the month's file stays small and every later write to it stays fast; an
    attachment's bytes likewise in `files/` (`keep_file`), private like the rest of the data directory.
    The secretariat's revisions (`Revisions`) are laid over what is stored: a corrected post reads with
    its new text, and a withdrawn one is marked so and left out of `recent`.
    """

    def __init__(self, archive: MonthlyArchive, revisions: Revisions | None = None) -> None:
        self._archive = archive
        self._revisions = revisions
        self._keys: set[str] | None = None
        self._by_message: dict[str, str] = {}  # Message-ID → announcement id, for replies and corrections
        self._months: dict[str, str] = {}
        # The outbox renders what was just received: keep those at hand instead of re-reading the month.
        self._recent: OrderedDict[str, Announcement] = OrderedDict()
        self._big_recent: list[str] = []

    def _ensure_keys(self) -> set[str]:
        if self._keys is None:
            keys: set[str] = set()
            for month in self._archive.partitions():
                for doc in self._archive.docs_in(month):
                    keys.add(doc["message_id"])
                    self._by_message.setdefault(doc["message_id"], doc["id"])
                    self._months[doc["id"]] = month
            self._keys = keys
        return self._keys

    def read_keys(self) -> tuple[set[str], dict[str, str]]:
        """The known message keys and each announcement's month, read from the files (slow at 100k; safe in a
        worker thread, so that the running bot loads them in the background after start)."""
        keys: set[str] = set()
        months: dict[str, str] = {}
        for month, doc in self._archive.scan():
            keys.add(doc["message_id"])
            months[doc["id"]] = month
        return keys, months

    def adopt_keys(self, found: tuple[set[str], dict[str, str]]) -> bool:
        """Take what `read_keys` found, unless the keys were loaded meanwhile (every write loads them first,
        so nothing was stored since the files were read); returns whether they were taken."""
        if self._keys is not None:
            return False
        self._keys, months = found
        self._months.update(months)
        return True

    def keep_body(self, text: str) -> str:
        """Store a big text in its own file and return its name (the same text, the same name). Touches no
        TinyDB file, so it may run in a worker thread while the event loop uses the archive."""
        payload = text.encode()
        name = hashlib.sha256(payload).hexdigest()[:32] + ".txt"
        folder = self._archive.directory / "bodies"
        if not folder.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)
            fsync_dir(folder.parent)
        if not (folder / name).is_file():
            atomic_write_bytes(folder / name, payload, durable=self._archive.durable)
        return name

    def keep_file(self, data: bytes) -> str:
        """Store an attachment's bytes in `files/` and return the name they are kept under (the same bytes,
        the same name, so a re-sent post keeps one copy). Like `keep_body`, safe in a worker thread."""
        name = hashlib.sha256(data).hexdigest()[:32] + ".bin"
        folder = self._archive.directory / "files"
        if not folder.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)
            fsync_dir(folder.parent)
        if not (folder / name).is_file():
            atomic_write_bytes(folder / name, data, durable=self._archive.durable)
        return name

    def read_file(self, ref: str) -> bytes | None:
        """An attachment's bytes by the name `keep_file` gave them; None when they are not (or no longer) kept."""
        if not _FILE_NAME.fullmatch(ref):
            return None  # never a path: only names this repository made
        try:
            return (self._archive.directory / "files" / ref).read_bytes()
        except OSError as exc:
            _log.error("attachment file %s cannot be read (%s)", ref, exc)
            return None

    def _with_body(self, announcement: Announcement) -> Announcement:
        revision = self._revisions.get(announcement.id) if self._revisions is not None else None
        if revision is not None and revision.kind == "withdrawn":
            announcement = dataclasses.replace(announcement, withdrawn=True)
        elif revision is not None:
            announcement = dataclasses.replace(
                announcement, subject=revision.subject or announcement.subject, body=revision.body,
                body_ref=revision.body_ref, corrected_at=revision.at,
            )  # fmt: skip
        if not announcement.body_ref or announcement.body:
            return announcement
        try:
            body = (self._archive.directory / "bodies" / announcement.body_ref).read_text(encoding="utf-8")
        except OSError as exc:
            _log.error("announcement %s: its text file %s cannot be read (%s)", announcement.id,
                       announcement.body_ref, exc)  # fmt: skip
            return announcement
        return dataclasses.replace(announcement, body=body)

    def find_message(self, message_id: str) -> Announcement | None:
        """The announcement a Message-ID (as in In-Reply-To or References, without <>) was stored as."""
        self._ensure_keys()
        announcement_id = self._by_message.get(message_id)
        return self.get(announcement_id) if announcement_id else None

    def knows(self, message_key: str) -> bool:
        """Whether an announcement with this Message-ID (or content hash) is already stored."""
        return message_key in self._ensure_keys()

    def get(self, announcement_id: str) -> Announcement | None:
        cached = self._recent.get(announcement_id)
        if cached is not None:
            return self._with_body(cached)
        self._ensure_keys()
        month = self._months.get(announcement_id)
        if month is None:
            return None
        doc = next((d for d in self._archive.docs_in(month) if d["id"] == announcement_id), None)
        return self._with_body(Announcement.from_doc(doc)) if doc else None

    def add_many(self, announcements: Iterable[Announcement]) -> None:
        batch = list(announcements)
        keys = self._ensure_keys()
        batch = [dataclasses.replace(a, body_ref=self.keep_body(a.body)) if _big(a) else a for a in batch]
        used = self._archive.append_many([(a.received_at, _doc(a)) for a in batch])
        for a in batch:
            keys.add(a.message_id)
            self._by_message.setdefault(a.message_id, a.id)
            self._months[a.id] = used[MonthlyArchive.partition_of(a.received_at)]
            self._recent[a.id] = a
            if a.body_ref:
                # The newest few big texts stay at hand for the relay; older ones are read again when asked.
                self._big_recent.append(a.id)
                while len(self._big_recent) > _BIG_RECENT:
                    old = self._recent.get(self._big_recent.pop(0))
                    if old is not None:
                        self._recent[old.id] = dataclasses.replace(old, body="")
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    def recent(self, limit: int) -> list[Announcement]:
        """The newest `limit` announcements that are not withdrawn, newest first."""
        docs = self._archive.iter_docs(newest_first=True)
        shown = (self._with_body(Announcement.from_doc(doc)) for doc in docs)
        return list(itertools.islice((a for a in shown if not a.withdrawn), limit))

    def count(self) -> int:
        return self._archive.count()


def _big(announcement: Announcement) -> bool:
    return not announcement.body_ref and len(announcement.body) >= BIG_BODY


def _doc(announcement: Announcement) -> dict[str, object]:
    doc = announcement.to_doc()
    if announcement.body_ref:
        doc["body"] = ""  # in bodies/BODY_REF
    return doc
