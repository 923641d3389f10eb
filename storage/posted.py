"""Which chat messages each delivered announcement became: per (announcement, platform, channel), the
message of every part (and of its files, uploaded into the first part's thread), so a reply can go into
the first post's thread and a correction or withdrawal can edit or delete what was posted.

Invariants: a delivery's refs live in the outbox beside its progress until it is done; they are recorded
here, and this file is written before the outbox forgets the delivery (both inside the store's mail
batch), so a crash at any instant leaves them in one place or both, never in neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.keyed import Keyed
from storage.records import MessageRef

if TYPE_CHECKING:
    from tinydb import TinyDB

__all__ = ["KEPT", "PostedMessages", "PostedPost"]

# Records kept (the newest): years of posts in a few channels. A reply to a post older than that starts a
# thread of its own, and a correction of it changes only the digest and the pages; the file stays small.
KEPT = 5000


@dataclass(frozen=True, slots=True)
class PostedPost:
    """One announcement in one channel: the message of each part, the first one top-level (or in the
    thread of the post it answers) and the rest in its thread."""

    announcement_id: str
    platform: str
    channel: str
    parts: tuple[MessageRef, ...]
    files: tuple[MessageRef, ...] = ()  # the file messages (Slack: the files) the post's uploads became

    @property
    def first(self) -> MessageRef:
        return self.parts[0]


class PostedMessages:
    """The posted messages by (announcement, platform, channel), in memory, written at `commit()`."""

    def __init__(self, db: TinyDB, *, kept: int = KEPT) -> None:
        self._kept = kept
        self._docs = Keyed(db.table("posted"), lambda doc: _key(doc["announcement"], doc["platform"], doc["channel"]))
        self._items: dict[tuple[str, str, str], PostedPost] = {}
        self._changed: dict[tuple[str, str, str], None] = {}  # recorded or forgotten since the last commit, in order
        for doc in self._docs.docs:
            post = PostedPost(doc["announcement"], doc["platform"], doc["channel"],
                              tuple(MessageRef.from_doc(r) for r in doc["parts"]),
                              tuple(MessageRef.from_doc(r) for r in doc.get("files", [])))  # fmt: skip
            self._items[(post.announcement_id, post.platform, post.channel)] = post
        self._docs.docs = []
        self._dirty = False

    def record(
        self, announcement_id: str, platform: str, channel: str, parts: tuple[MessageRef, ...],
        *, files: tuple[MessageRef, ...] = (),
    ) -> None:  # fmt: skip
        """What one delivery became (replacing what was known: a correction may add or drop parts)."""
        key = (announcement_id, platform, channel)
        self._items.pop(key, None)  # a record made again counts as the newest
        if parts:
            self._items[key] = PostedPost(announcement_id, platform, channel, parts, files)
        self._touch(key)
        while len(self._items) > self._kept:
            oldest = next(iter(self._items))
            del self._items[oldest]
            self._touch(oldest)
        self._dirty = True

    def forget(self, announcement_id: str, platform: str, channel: str) -> None:
        """The messages are deleted: nothing to thread into, edit or delete any more."""
        key = (announcement_id, platform, channel)
        if self._items.pop(key, None) is not None:
            self._touch(key)
            self._dirty = True

    def _touch(self, key: tuple[str, str, str]) -> None:
        self._changed.pop(key, None)
        self._changed[key] = None

    def get(self, announcement_id: str, platform: str, channel: str) -> PostedPost | None:
        return self._items.get((announcement_id, platform, channel))

    def of(self, announcement_id: str) -> list[PostedPost]:
        """Every channel an announcement was posted to."""
        return [p for (a, _, _), p in self._items.items() if a == announcement_id]

    @property
    def dirty(self) -> bool:
        return self._dirty

    def commit(self) -> None:
        """Write the records if they changed (inside the caller's batch)."""
        if not self._dirty:
            return
        posts = [self._items[key] for key in self._changed if key in self._items]
        docs = [
            {"announcement": p.announcement_id, "platform": p.platform, "channel": p.channel,
             "parts": [r.to_doc() for r in p.parts], **({"files": [r.to_doc() for r in p.files]} if p.files else {})}
            for p in posts
        ]  # fmt: skip
        # New ids for what was recorded again: the ids' order is the newest-last order kept across restarts.
        self._docs.write(docs, delete=[_key(*key) for key in self._changed if key not in self._items], renew=True)
        self._changed.clear()
        self._dirty = False

    def __len__(self) -> int:
        return len(self._items)


def _key(announcement_id: str, platform: str, channel: str) -> str:
    return f"{announcement_id}\x00{platform}\x00{channel}"
