"""The files of a journalled TinyDB file NAME.json: its snapshot and its journal segments NAME.json.N.journal.

Invariants (storage.journalled relies on them):
- the state is the snapshot with every segment replayed over it, oldest first;
- a segment line is one commit: a JSON list of operations, appended with one write(2) and ending in a
  newline; a line without its newline, or that does not parse, was never acknowledged (the process died
  or the disk filled while writing it) and is skipped;
- every operation sets a document to a value, deletes it or empties a table, so replaying a segment onto
  a state that already holds it changes nothing: a snapshot may hold more than its segments' prefix;
- a snapshot replaces the old one atomically (storage.atomic) before the segments it holds are deleted.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import json
import logging
import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

__all__ = [
    "Loaded",
    "Located",
    "Syncer",
    "apply_line",
    "decode_snapshot",
    "encode_snapshot",
    "list_segments",
    "read_segment",
    "read_state",
    "segment_path",
]

_log = logging.getLogger(__name__)

Tables = dict[str, dict[str, Any]]
Located = dict[str, dict[str, tuple[int, int]]]  # table -> document id -> (offset, length) in the snapshot
_SUFFIX = ".journal"
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def segment_path(snapshot: Path, generation: int) -> Path:
    return snapshot.with_name(f"{snapshot.name}.{generation}{_SUFFIX}")


def list_segments(snapshot: Path) -> list[tuple[int, Path]]:
    """The segments beside `snapshot`, oldest first."""
    prefix = f"{snapshot.name}."
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(snapshot.parent):
            name = entry.name
            if name.startswith(prefix) and name.endswith(_SUFFIX):
                middle = name[len(prefix) : -len(_SUFFIX)]
                if middle.isdigit():
                    found.append((int(middle), snapshot.parent / name))
    return sorted(found)


def read_segment(path: Path) -> tuple[list[list[Any]], int]:
    """A segment's commits, and the length of its whole lines (where the next append belongs)."""
    with path.open("rb") as file:  # FileNotFoundError tells the caller a compaction removed it
        raw = file.read()
    end = raw.rfind(b"\n") + 1
    commits = []
    for line in raw[:end].splitlines():
        try:
            commit = json.loads(line)
        except ValueError:
            continue  # torn by a failed write that could not be taken back: never acknowledged
        if isinstance(commit, list):
            commits.append(commit)
    return commits, end


def apply_line(tables: Tables, commit: list[Any]) -> None:
    """Replay one commit: each operation is [table, cleared, {doc_id: doc}, [deleted doc_id, …]], or
    ["*", tables] for a whole new state."""
    for op in commit:
        if op[0] == "*":
            tables.clear()
            tables.update(op[1])
            continue
        name, cleared, put, deleted = op
        table = tables.setdefault(name, {})
        if cleared:
            table.clear()
        table.update(put)
        for doc_id in deleted:
            table.pop(doc_id, None)


_SPACE = " \t\n\r"
_BIG = 512 * 1024  # a snapshot larger than this is decoded a document at a time
_WINDOW = 512 * 1024  # bytes of it decoded into text at a time


@dataclasses.dataclass
class Loaded:
    """A snapshot with its segments replayed over it, and what the writer must know of those segments."""

    tables: Tables
    snapshot_bytes: int
    journal_bytes: int = 0
    generation: int | None = None  # the last segment's, if there is one
    torn: list[tuple[Path, int]] = dataclasses.field(default_factory=list)  # segments with a torn tail: length


def read_state(snapshot: Path, segments: list[tuple[int, Path]]) -> Loaded:
    """Read the snapshot and replay these segments over it; changes no file (any thread may call it).
    Raises ValueError if the snapshot does not parse, FileNotFoundError if a segment is gone meanwhile."""
    try:
        raw = snapshot.read_bytes()
    except FileNotFoundError:
        raw = b""
    loaded = Loaded(decode_snapshot(raw) if raw else {}, len(raw))
    for generation, segment in segments:
        commits, length = read_segment(segment)
        for commit in commits:
            apply_line(loaded.tables, commit)
        loaded.journal_bytes += length
        loaded.generation = generation
        if length != segment.stat().st_size:
            loaded.torn.append((segment, length))
    return loaded


def decode_snapshot(raw: bytes) -> Tables:
    """A snapshot's tables. A big one read on a worker thread is decoded a document at a time (`raw_decode`
    per document, as `json.loads` would decode it) from text decoded a window at a time: one `json.loads` of
    10 MB holds the GIL for 100 ms and more, and so stalls the event loop on the main thread (measured at
    11 MB: 181 ms → 69 ms, for 2.2× the CPU; on the main thread itself the one call is the quicker), and so
    does one `bytes.decode` of 30 MB (136 ms, sampled in `rmo-bot run`'s catch-up at 100,000 events).
    Anything but TinyDB's shape (an object of objects of documents) is left to `json.loads`, which also says
    what is wrong with a broken file."""
    if len(raw) < _BIG or threading.current_thread() is threading.main_thread():
        return dict(json.loads(raw))
    try:
        return _tables(_Reader(raw))
    except (ValueError, TypeError):
        return dict(json.loads(raw))


class _Reader:
    """JSON text decoded from bytes a window at a time as it is read, the text already read let go."""

    def __init__(self, raw: bytes) -> None:
        self._raw = memoryview(raw)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._decoded = 0  # bytes of `raw` decoded into `_text` so far
        self._text = ""
        self._at = 0  # the next character of `_text` to read

    def _more(self) -> bool:
        """Append the next window to the text not yet read; False when all of it is there."""
        if self._decoded >= len(self._raw):
            return False
        end = self._decoded + _WINDOW
        piece = self._utf8.decode(self._raw[self._decoded : end], final=end >= len(self._raw))
        self._text, self._at, self._decoded = self._text[self._at :] + piece, 0, end
        return True

    def peek(self) -> str:
        """The next character that is not white space, not taken; "" at the end."""
        while True:
            while self._at < len(self._text) and self._text[self._at] in _SPACE:
                self._at += 1
            if self._at < len(self._text) or not self._more():
                return self._text[self._at : self._at + 1]

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise ValueError(char)
        self._at += 1

    def value(self, kind: type) -> Any:  # noqa: ANN401 - a JSON value of the kind asked for
        """The next value, which must be a `kind` (a string or an object: either cut short by a window's end
        fails to decode, and is decoded again with the next window appended)."""
        self.peek()
        while True:
            try:
                found, self._at = self._json.raw_decode(self._text, self._at)
                break
            except ValueError:
                if not self._more():
                    raise
        if not isinstance(found, kind):
            raise TypeError(kind)
        return found


def _members(reader: _Reader, each: Callable[[str], None]) -> None:
    """An object's members, each key handed to `each` to read its value."""
    reader.take("{")
    if reader.peek() != "}":
        while True:
            key = reader.value(str)
            reader.take(":")
            each(key)
            if reader.peek() != ",":
                break
            reader.take(",")
    reader.take("}")


def _tables(reader: _Reader) -> Tables:
    tables: Tables = {}

    def table(name: str) -> None:
        docs: dict[str, Any] = {}
        _members(reader, lambda key: docs.__setitem__(key, reader.value(dict)))
        tables[name] = docs

    _members(reader, table)
    if reader.peek():
        raise ValueError("trailing data")
    return tables


def encode_snapshot(tables: Tables, pieces: list[bytes], located: Located, step: int) -> Iterator[None]:
    """Encode `tables` as a snapshot into `pieces` (TinyDB's JSON, as `json.dumps` would give it), `step`
    documents between two yields; the byte range of each document of the tables named in `located` is
    noted there. A document gone by the time its slice is encoded is left out (the newer segment says so)."""
    pieces.append(b"{")
    pos = 1
    for n, name in enumerate(list(tables)):
        head = b"," * (n > 0) + _encode(name).encode() + b":{"
        pieces.append(head)
        pos += len(head)
        where, first = located.get(name), True
        ids = list(tables.get(name, {}))
        for start in range(0, len(ids), step):
            table = tables.get(name, {})
            present = [k for k in ids[start : start + step] if k in table]
            if where is None:  # one string per slice: the fast way, when no byte range is wanted
                chunk = ",".join(f'"{k}":{_encode(table[k])}' for k in present).encode()
                chunk = b"," * (not first and bool(chunk)) + chunk
            else:
                parts: list[bytes] = []
                at = pos
                for k in present:
                    key = b"," * (not first or bool(parts)) + f'"{k}":'.encode()
                    doc = _encode(table[k]).encode()
                    where[k] = (at + len(key), len(doc))
                    parts += (key, doc)
                    at += len(key) + len(doc)
                chunk = b"".join(parts)
            first = first and not chunk
            pieces.append(chunk)
            pos += len(chunk)
            yield
        pieces.append(b"}")
        pos += 1
    pieces.append(b"}")


class Syncer:
    """One thread that fsyncs the descriptors handed to it, so that no fsync runs on the event loop.

    `request` hands over a descriptor (a dup, which the syncer closes); `wait` blocks until everything
    requested before it is on disk. Requests made while an fsync runs share the next one."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queue: dict[tuple[int, int], int] = {}  # (st_dev, st_ino) -> a dup of a descriptor of the file
        self._requested = 0
        self._done = 0
        self._errors: list[OSError] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    def request(self, fd: int) -> None:
        stat = os.fstat(fd)
        key = (stat.st_dev, stat.st_ino)
        with self._lock:
            if self._closed:
                os.fsync(fd)
                return
            if key not in self._queue:
                self._queue[key] = os.dup(fd)
            self._requested += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="rmo-store-sync", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def request_dir(self, directory: Path) -> None:
        """`request` for a folder: the names just made in it are on disk with the next fsyncs (a folder's fsync
        on the event loop took 40 ms and more during a flood of mail, beside the syncer's own)."""
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            self.request(fd)
        finally:
            os.close(fd)

    def wait(self) -> None:
        """Return once everything requested so far is durable; raise the first fsync error since."""
        with self._lock:
            target = self._requested
            while self._done < target and not self._closed:
                self._lock.wait()
            if self._errors:
                error = self._errors.pop(0)
                self._errors.clear()
                raise error

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if not self._queue and self._closed:
                    return
                batch, self._queue = self._queue, {}
                target = self._requested
            errors = []
            for fd in batch.values():
                try:
                    os.fsync(fd)
                except OSError as exc:
                    _log.error("could not make a store journal durable: %s", exc)
                    errors.append(exc)
                finally:
                    os.close(fd)
            with self._lock:
                self._done = max(self._done, target)
                self._errors += errors
                self._lock.notify_all()

    def close(self) -> None:
        """Finish what was requested and stop the thread."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()
        for fd in self._queue.values():  # requested after the thread stopped: synced here
            with contextlib.suppress(OSError):
                os.fsync(fd)
            os.close(fd)
        self._queue.clear()
