"""The progress of one digest run, recipient by recipient, so that a run cut short resumes without sending
anyone a second copy and without skipping anyone.

One line per step:

    run 2026-11-25T07:00:00+09:00      the run's instant, first line
    C member@example.jp                 the whole message is with the server; only the final dot is left
    C member@example.jp /path/x.eml     (the local outbox) this file is about to be written
    D member@example.jp                 the server accepted it (250)
    R member@example.jp                 the server answered the final dot with a refusal: not taken
    F member@example.jp 550 no such user   refused for good
    Q member@example.jp                 nothing new for them: no mail, but their digest is done

`C` is written immediately before the final ".\\r\\n" of DATA, with nothing in between that could wait, so
an entry with `C` and no `D` means the dot was on its way: it counts as sent. A run that finishes removes
its journal; one that did not is applied when the next run starts.

The lines are stored through a shared memory map of the file, not written with `write()`: a store into the
map is no system call, so the interpreter goes on from the `C` to the dot's `send()` without letting go of
it (at a `write()`, another thread may take it, and getting it back can take a switch interval, all that
time with the journal saying "on its way" and the dot still in this process). A killed process loses nothing
it stored into the map: its pages are the kernel's file cache. `sync()` makes the lines survive a power cut
too. The file's room is written out in zeros beforehand (a full disk says so there, not as a fault at a
store); the lines end at the first zero byte, and a line cut by a kill lacks its newline or holds a zero.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from storage.atomic import fsync_dir

__all__ = ["DigestJournal", "Interrupted"]

JOURNAL = "digest-run.journal"
_ROOM = 1 << 20  # bytes of zeros written out at a time: some 25,000 lines
_log = logging.getLogger(__name__)


@dataclass(slots=True)
class Interrupted:
    """What an unfinished run had done, read back from its journal."""

    run_at: datetime
    sent: set[str] = field(default_factory=set)  # accepted by the server, or in doubt after the final dot
    in_doubt: set[str] = field(default_factory=set)  # the final dot was sent, no answer was recorded
    quiet: set[str] = field(default_factory=set)
    refused: dict[str, str] = field(default_factory=dict)


class DigestJournal:
    def __init__(self, directory: Path) -> None:
        self.path = directory / JOURNAL
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._end = 0  # where the next line goes
        self._size = 0  # the file's length: the lines, then zeros

    def interrupted(self) -> Interrupted | None:
        """The unfinished run this journal records, if any (a torn last line is ignored)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if (end := raw.find(b"\0")) >= 0:
            raw = raw[:end]
        lines = raw.decode("utf-8", "replace").split("\n")
        try:
            run = Interrupted(datetime.fromisoformat(lines[0].removeprefix("run ")))
        except ValueError:
            # Killed (or a power cut) before its first line was on disk: that run had reached nobody.
            _log.warning("%s has no readable first line (%r): taken as a run that reached nobody", self.path,
                         lines[0][:40])  # fmt: skip
            return Interrupted(datetime.min.replace(tzinfo=UTC))
        for line in lines[1:-1]:  # the last piece has no newline: empty, or a line cut by the kill
            kind, _, rest = line.partition(" ")
            email, _, reason = rest.partition(" ")
            if kind == "C" and reason:  # the outbox's file: there or not
                if Path(reason).exists():
                    run.sent.add(email)
            elif kind == "C":
                run.sent.add(email)
                run.in_doubt.add(email)
            elif kind == "R":
                run.sent.discard(email)
                run.in_doubt.discard(email)
            elif kind == "D":
                run.sent.add(email)
                run.in_doubt.discard(email)
            elif kind == "F":
                run.refused[email] = reason
                run.sent.discard(email)
                run.in_doubt.discard(email)
            elif kind == "Q":
                run.quiet.add(email)
        return run

    def start(self, run_at: datetime) -> None:
        """Begin a new run's journal (the previous one must have been applied and finished)."""
        self.close()
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        self._end = self._size = 0
        try:
            self._make_room(_ROOM)
            self._write(f"run {run_at.isoformat()}\n")
            self.sync()
            fsync_dir(self.path.parent)
        except BaseException:
            self.close()
            raise

    def committing(self, email: str, evidence: str = "") -> None:
        """`evidence`: a file that exists only if the message went out (the local outbox writes one)."""
        self._write(f"C {email} {evidence}\n" if evidence else f"C {email}\n")

    def uncommitted(self, email: str) -> None:
        self._write(f"R {email}\n")

    def done(self, email: str) -> None:
        self._write(f"D {email}\n")

    def refused(self, email: str, reason: str) -> None:
        self._write(f"F {email} {' '.join(reason.split())}\n")

    def quiet(self, email: str) -> None:
        self._write(f"Q {email}\n")

    def sync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def finish(self) -> None:
        """The run is recorded in the store: its journal is no longer needed."""
        self.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        fsync_dir(self.path.parent)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _write(self, line: str) -> None:
        # A zero byte ends the journal when it is read: one in a server's refusal text must not cut it there.
        data = line.encode().replace(b"\0", b"?")
        end = self._end + len(data)
        mapped = self._map
        if mapped is None or end > len(mapped):
            mapped = self._make_room(end)
        mapped[self._end : end] = data
        self._end = end

    def _make_room(self, end: int) -> mmap.mmap:
        """Write out zeros past the lines (a full disk raises ENOSPC here) and map the whole file."""
        if self._fd is None:
            msg = "the digest journal is not open"
            raise RuntimeError(msg)
        room = max(_ROOM, end - self._size)
        zeros = memoryview(bytes(room))
        while zeros:  # a nearly full disk takes part of it; the next write then raises ENOSPC
            written = os.pwrite(self._fd, zeros, self._size + room - len(zeros))
            zeros = zeros[written:]
        self._size += room
        if self._map is not None:
            self._map.close()
            self._map = None
        self._map = mmap.mmap(self._fd, self._size)
        return self._map
