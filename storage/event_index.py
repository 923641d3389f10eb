"""A compact index of events.json kept beside it (events.index.json), so that a short-lived command such as
`rmo-bot ask` reads the few events it answers with instead of decoding the whole file.

Invariants:
- The index names the events file it was built from by its inode, size and modification time (ns). The
  events file is only ever replaced whole (storage.atomic), so any change gives it a new identity; an index
  whose identity is not the file's is stale and never used: the repository rebuilds it from the file.
- It is written after the events file, atomically: a crash leaves no index, the old one (stale, so
  rebuilt) or the new one. It is never the only copy of anything, so it is written without fsync.
- An event is read from its byte range in the file named, through a descriptor whose identity was checked,
  and its id is checked too: a file that changed meanwhile is read from the new one, never answered wrong.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.atomic import atomic_write_bytes
from storage.records import ASSUMED_DURATION

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from pathlib import Path

__all__ = ["EventIndex", "IndexEntry", "IndexKey", "file_identity", "index_path"]

_log = logging.getLogger(__name__)

IndexKey = tuple[str, str | None]
IndexEntry = tuple[float, str, float]  # start, id, end (assumed when the event has none)
_VERSION = 1
_TABLE = "events"
_SEP = "\x00"  # between the ids in the saved index (an id holding one is not saved: the file is read whole)


def index_path(events_file: Path) -> Path:
    return events_file.with_name(f"{events_file.stem}.index.json")


def file_identity(stat: os.stat_result) -> list[int]:
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


# As AtomicJSONStorage writes: the byte ranges below are measured in this encoding. One encoder, made once:
# `json.dumps` with options builds a new one per call, which at 100,000 documents costs more than encoding.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(value: object) -> bytes:
    return _encode(value).encode()


def _size(value: object) -> int:
    text = _encode(value)
    return len(text) if text.isascii() else len(text.encode())


def _sections(raw: bytes, sizes: list[int]) -> list[bytes]:
    pieces, pos = [], 0
    for size in sizes:
        pieces.append(raw[pos : pos + size])
        pos += size
    if pos != len(raw):
        msg = "index sections do not add up"
        raise ValueError(msg)
    return pieces


def _array(kind: str, raw: bytes) -> array[Any]:
    values = array(kind)
    values.frombytes(raw)
    return values


@dataclass(slots=True)
class EventIndex:
    """Each event's position (file order) and TinyDB document id, the scheduled and the cancelled ones by
    (kind, block) sorted on start time, the longest event, each event's latest move, and (when known) each
    event's byte range in the file.

    Saved as one JSON line (the small parts) followed by packed arrays, so that loading 100,000 events'
    index costs a few array copies instead of decoding 100,000 JSON values.
    """

    ids: list[str] = field(default_factory=list)
    doc_ids: array[int] = field(default_factory=lambda: array("q"))
    scheduled: dict[IndexKey, list[IndexEntry]] = field(default_factory=dict)
    cancelled: dict[IndexKey, list[IndexEntry]] = field(default_factory=dict)
    longest: float = 0.0
    moves: dict[str, dict[str, Any]] = field(default_factory=dict)
    offsets: array[int] | None = None
    lengths: array[int] | None = None
    identity: list[int] | None = None
    # Each event's place in `ids`; None until first needed when the index was loaded (see `positions`).
    _position: dict[str, int] | None = field(default_factory=dict)
    # Until then, the places of the events in the lists unpacked so far.
    _unpacked: dict[str, int] = field(default_factory=dict)
    # Events written since the file was (storage.event_index_journal): their latest documents, by id.
    overlay: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Where each event sits in the lists, built on the first change to an event already indexed (not saved).
    placed: dict[str, tuple[IndexKey, bool, IndexEntry]] | None = None
    # Lists as loaded (starts, positions, ends), made lists only when asked for: a question names a block.
    packed: dict[tuple[bool, IndexKey], tuple[array[float], array[int], array[float]]] = field(default_factory=dict)

    def unpack(self, *, cancelled: bool, kind: str | None = None, blocks: Collection[str | None] | None = None) -> None:
        """Make the packed lists of this status (and kind, and blocks) lists, as `build` makes them."""
        for key in [k for k in self.packed if k[0] == cancelled]:
            (entry_kind, block) = key[1]
            if (kind is None or entry_kind == kind) and (blocks is None or block in blocks):
                starts, positions, ends = self.packed.pop(key)
                ids = list(map(self.ids.__getitem__, positions))
                if self._position is None:
                    self._unpacked.update(zip(ids, positions, strict=True))
                table = self.cancelled if cancelled else self.scheduled
                table[key[1]] = list(zip(starts, ids, ends, strict=True))

    def unpack_all(self) -> None:
        self.unpack(cancelled=False)
        self.unpack(cancelled=True)

    def positions(self) -> dict[str, int]:
        """Each event's place in `ids` (and `doc_ids`, `offsets`, `lengths`)."""
        if self._position is None:
            self._position, self._unpacked = {event_id: n for n, event_id in enumerate(self.ids)}, {}
        return self._position

    def position_of(self, event_id: str) -> int | None:
        """One event's place, without mapping every event's when the lists it sits in were unpacked: a loaded
        index maps them only when needed, 20 ms at 100,000 events that `rmo-bot ask` need not pay."""
        if self._position is None and (n := self._unpacked.get(event_id)) is not None:
            return n
        return self.positions().get(event_id)

    def doc_id(self, event_id: str) -> int | None:
        n = self.position_of(event_id)
        return None if n is None else self.doc_ids[n]

    @classmethod
    def build(cls, data: dict[str, dict[str, Any]]) -> EventIndex:
        """The index of a file's parsed contents (the storage's `read`), without byte ranges."""
        index = cls()
        assumed = ASSUMED_DURATION.total_seconds()
        for doc_id, doc in data.get(_TABLE, {}).items():
            event_id, start = doc["id"], doc["starts_ts"]
            index.positions()[event_id] = len(index.ids)
            index.ids.append(event_id)
            index.doc_ids.append(int(doc_id))
            end = doc.get("ends_ts") or start + assumed
            key = (doc["kind"], doc.get("block"))
            if doc.get("status", "scheduled") == "scheduled":
                index.longest = max(index.longest, end - start)
                index.scheduled.setdefault(key, []).append((start, event_id, end))
            else:
                index.cancelled.setdefault(key, []).append((start, event_id, end))
        for entries in (*index.scheduled.values(), *index.cancelled.values()):
            entries.sort()
        latest: dict[str, datetime] = {}
        for doc in data.get("changes", {}).values():
            if doc["kind"] == "moved":
                at = datetime.fromisoformat(doc["changed_at"])
                if doc["event_id"] not in latest or latest[doc["event_id"]] <= at:
                    latest[doc["event_id"]], index.moves[doc["event_id"]] = at, doc
        return index

    def locate(self, data: dict[str, dict[str, Any]], size: int) -> None:
        """Learn each event's byte range in the file `data` was encoded to, if its encoding is ours."""
        offsets, lengths = array("q"), array("q")
        pos = 1  # "{"
        for n, (table, docs) in enumerate(data.items()):
            pos += (n > 0) + _size(table) + 1  # ',' "name" ':'
            if table != _TABLE:
                pos += _size(docs)
                continue
            pos += 1  # "{"
            for m, (doc_id, doc) in enumerate(docs.items()):
                pos += (m > 0) + len(doc_id) + 3  # '"' id '"' ':' (TinyDB's ids are digits)
                length = _size(doc)
                offsets.append(pos)
                lengths.append(length)
                pos += length
            pos += 1  # "}"
        if pos + 1 == size and len(offsets) == len(self.ids):
            self.offsets, self.lengths = offsets, lengths

    def place(self, ranges: dict[str, tuple[int, int]]) -> None:
        """Take each event's byte range from a new snapshot (storage.journalled's compaction), by document
        id; an event the snapshot does not hold (written since) gets none, and is read from the journal."""
        offsets, lengths = array("q"), array("q")
        for doc_id in self.doc_ids:
            offset, length = ranges.get(str(doc_id), (-1, -1))
            offsets.append(offset)
            lengths.append(length)
        self.offsets, self.lengths = offsets, lengths

    def save(self, events_file: Path, identity: list[int]) -> None:
        """Write the index for the events file of this identity; a failure only costs the next reader time."""
        if self.offsets is None or self.lengths is None or any(_SEP in event_id for event_id in self.ids):
            return  # nothing a reader could use without decoding the file anyway
        self.unpack_all()
        position = self.positions()
        lists, arrays = [], [_SEP.join(self.ids).encode(), self.doc_ids.tobytes()]
        arrays += [self.offsets.tobytes(), self.lengths.tobytes()]
        for cancelled, table in ((False, self.scheduled), (True, self.cancelled)):
            for (kind, block), entries in table.items():
                lists.append([kind, block, cancelled])
                arrays.append(array("d", [e[0] for e in entries]).tobytes())
                arrays.append(array("q", [position[e[1]] for e in entries]).tobytes())
                arrays.append(array("d", [e[2] for e in entries]).tobytes())
        header = {
            "version": _VERSION,
            "file": identity,
            "count": len(self.ids),
            "lists": lists,
            "sizes": [len(a) for a in arrays],
            "longest": self.longest,
            "moves": self.moves,
        }
        try:
            atomic_write_bytes(index_path(events_file), [_dumps(header), b"\n", *arrays], durable=False)
        except OSError as exc:
            _log.warning("could not write the events' index beside %s (%s); it is rebuilt when next read",
                         events_file, exc)  # fmt: skip

    @classmethod
    def load(cls, events_file: Path) -> EventIndex | None:
        """The persisted index, if there is one and it was built from the events file as it is now."""
        try:
            raw = index_path(events_file).read_bytes()
            identity = file_identity(events_file.stat())
        except OSError:
            return None
        try:
            line, _, rest = raw.partition(b"\n")
            header = json.loads(line)
            if header.get("version") != _VERSION or header.get("file") != identity:
                return None
            pieces = iter(_sections(rest, header["sizes"]))
            ids = next(pieces).decode().split(_SEP) if header["count"] else []
            index = cls(ids, _array("q", next(pieces)), longest=float(header["longest"]), moves=header["moves"])
            index.offsets, index.lengths = _array("q", next(pieces)), _array("q", next(pieces))
            for kind, block, cancelled in header["lists"]:
                starts, positions, ends = _array("d", next(pieces)), _array("q", next(pieces)), next(pieces)
                if len(starts) != len(positions) or len(positions) * 8 != len(ends):
                    return None
                index.packed[(bool(cancelled), (kind, block))] = (starts, positions, _array("d", ends))
            if not len(ids) == len(index.doc_ids) == len(index.offsets) == len(index.lengths) == header["count"]:
                return None
        except (ValueError, TypeError, KeyError, IndexError, StopIteration, UnicodeDecodeError):
            return None  # torn by a disk fault or edited by hand: rebuilt from the events file
        index._position = None  # mapped when first needed: see `position_of`
        index.identity = identity
        return index

    def read_docs(self, events_file: Path, event_ids: Sequence[str]) -> list[dict[str, Any]] | None:
        """Many events' documents, through one descriptor; None if any of them cannot be trusted."""
        try:
            fd = os.open(events_file, os.O_RDONLY)
        except OSError:
            return None
        docs = []
        try:
            if file_identity(os.fstat(fd)) != self.identity or self.offsets is None or self.lengths is None:
                return None
            for event_id in event_ids:
                doc = self.overlay.get(event_id)
                n = self.position_of(event_id)
                if doc is None and n is not None and self.offsets[n] >= 0:
                    with contextlib.suppress(ValueError):
                        doc = json.loads(os.pread(fd, self.lengths[n], self.offsets[n]))
                if n is not None and not (isinstance(doc, dict) and doc.get("id") == event_id):
                    return None
                if doc is not None:
                    docs.append(doc)
        except OSError:
            return None
        finally:
            os.close(fd)
        return docs

    def read_doc(self, events_file: Path, event_id: str) -> dict[str, Any] | None:
        """One event's stored document, read from its byte range; None when that cannot be trusted."""
        if event_id in self.overlay:
            return self.overlay[event_id]
        n = self.position_of(event_id)
        if n is None or self.offsets is None or self.lengths is None or self.offsets[n] < 0:
            return None
        where = (self.offsets[n], self.lengths[n])
        try:
            fd = os.open(events_file, os.O_RDONLY)
        except OSError:
            return None
        try:
            if file_identity(os.fstat(fd)) != self.identity:
                return None
            raw = os.pread(fd, where[1], where[0])
        except OSError:
            return None
        finally:
            os.close(fd)
        with contextlib.suppress(ValueError):
            doc = json.loads(raw)
            if isinstance(doc, dict) and doc.get("id") == event_id:
                return doc
        return None
