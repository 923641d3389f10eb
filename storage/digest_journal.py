"""The progress of one digest run, recipient by recipient, so that a run cut short resumes without sending
anyone a second copy and without skipping anyone.

One line per step, appended with a single unbuffered write (a killed process cannot lose a line the kernel
has; `sync()` makes them survive a power cut too):

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
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from storage.atomic import fsync_dir

__all__ = ["DigestJournal", "Interrupted"]

JOURNAL = "digest-run.journal"
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

    def interrupted(self) -> Interrupted | None:
        """The unfinished run this journal records, if any (a torn last line is ignored)."""
        try:
            lines = self.path.read_bytes().decode("utf-8", "replace").split("\n")
        except FileNotFoundError:
            return None
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
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        self._write(f"run {run_at.isoformat()}\n")
        self.sync()
        fsync_dir(self.path.parent)

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
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _write(self, line: str) -> None:
        if self._fd is None:
            msg = "the digest journal is not open"
            raise RuntimeError(msg)
        os.write(self._fd, line.encode())
