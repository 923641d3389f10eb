"""An events' index brought up to date with changes made after it was built, in place (storage.event_index).

The index saved beside events.json describes its snapshot; the changes since are in the snapshot's journal
(storage.journalled). A command such as `rmo-bot ask` loads the index, then replays the journal's commits
over it: each event written since moves to its new place in the sorted lists, and its document is kept
in `overlay` (its byte range in the snapshot is not its latest state). The running bot applies its own
writes the same way instead of rebuilding the index from every event.

A commit this cannot apply (a table emptied, an event removed) makes `replay` answer False: the caller
then builds the index from the whole file, as it would without an index.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.records import ASSUMED_DURATION

if TYPE_CHECKING:
    from collections.abc import Iterable

    from storage.event_index import EventIndex, IndexEntry, IndexKey

__all__ = ["IndexUpdater"]

_EVENTS, _CHANGES = "events", "changes"
_ASSUMED = ASSUMED_DURATION.total_seconds()
Placed = tuple["IndexKey", bool, "IndexEntry"]  # its list's key, cancelled or not, its entry


def placed(doc: dict[str, Any]) -> Placed:
    start = doc["starts_ts"]
    end = doc.get("ends_ts") or start + _ASSUMED
    return (doc["kind"], doc.get("block")), doc.get("status", "scheduled") != "scheduled", (start, doc["id"], end)


class IndexUpdater:
    """Applies written events and changes to one index; `keep_docs` keeps each event's document (a
    reader answering from the index needs it; the writer reads its documents from memory)."""

    def __init__(self, index: EventIndex, *, keep_docs: bool) -> None:
        self._index = index
        self._keep_docs = keep_docs

    def _placed(self) -> dict[str, Placed]:
        """Where each event sits in the lists (built once per index, on the first change to an event in it)."""
        if self._index.placed is None:
            self._index.unpack_all()
            where: dict[str, Placed] = {}
            for cancelled, lists in ((False, self._index.scheduled), (True, self._index.cancelled)):
                for key, entries in lists.items():
                    for entry in entries:
                        where[entry[1]] = (key, cancelled, entry)
            self._index.placed = where
        return self._index.placed

    def put_event(self, doc_id: int, doc: dict[str, Any]) -> None:
        index, event_id = self._index, doc["id"]
        index.unpack_all()  # a list it joins or leaves must be a list
        positions = index.positions()
        n = positions.get(event_id)
        if n is None:
            positions[event_id] = len(index.ids)
            index.ids.append(event_id)
            index.doc_ids.append(doc_id)
            if index.offsets is not None and index.lengths is not None:
                index.offsets.append(-1)
                index.lengths.append(-1)
        else:
            index.doc_ids[n] = doc_id
            old = self._placed().get(event_id)
            if old is not None:
                entries = (index.cancelled if old[1] else index.scheduled)[old[0]]
                at = bisect.bisect_left(entries, old[2])
                if at < len(entries) and entries[at] == old[2]:
                    del entries[at]
        key, cancelled, entry = now = placed(doc)
        bisect.insort((index.cancelled if cancelled else index.scheduled).setdefault(key, []), entry)
        if not cancelled:
            index.longest = max(index.longest, entry[2] - entry[0])  # an upper bound: it never shrinks
        if index.placed is not None:
            index.placed[event_id] = now
        if self._keep_docs:
            index.overlay[event_id] = doc

    def put_change(self, doc: dict[str, Any]) -> None:
        """A recorded change: the latest move of each event is in the index (as `EventIndex.build` keeps it)."""
        if doc["kind"] != "moved":
            return
        moves = self._index.moves
        previous = moves.get(doc["event_id"])
        at = datetime.fromisoformat(doc["changed_at"])
        if previous is None or datetime.fromisoformat(previous["changed_at"]) <= at:
            moves[doc["event_id"]] = doc

    def replay(self, commits: Iterable[list[Any]]) -> bool:
        """Apply journal commits (storage.journal_files' format); False if one of them cannot be applied."""
        for commit in commits:
            for op in commit:
                if op[0] == "*":
                    return False
                name, cleared, put, deleted = op
                if name not in (_EVENTS, _CHANGES):
                    continue
                if cleared or deleted:
                    return False
                for doc_id, doc in put.items():
                    if name == _EVENTS:
                        self.put_event(int(doc_id), doc)
                    else:
                        self.put_change(doc)
        return True
