"""A full disk refuses a write with the reason and takes nothing back that was acknowledged; room again, writing resumes."""

from __future__ import annotations

import dataclasses
import errno
import json
import subprocess
from datetime import UTC, datetime

import pytest

from storage.digest_journal import DigestJournal
from storage.journal_files import list_segments
from storage.store import Store
from storage.subscribers import Subscriber


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: a real filesystem that fills up (ENOSPC), mounted for the test and unmounted after it."""
    where = tmp_path / "small"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(where)], check=False,
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=True)


def test_a_full_disk_refuses_the_write_and_keeps_every_acknowledged_one(small_disk):
    """Subscribers are added until the disk is full: the failing write raises ENOSPC, the journal holds whole lines only, and a reopen has exactly the acknowledged ones."""
    data = small_disk / "d"
    ballast = small_disk / "ballast"
    ballast.write_bytes(b"\0" * 200_000)  # what the secretariat deletes once the disk is seen full
    acknowledged: list[Subscriber] = []
    with Store.open(data) as store:

        def fill() -> None:
            for n in range(100_000):
                subscriber = Subscriber(f"member{n}@example.jp", blocks=("kinki",), confirmed=True)
                store.subscribers.save([dataclasses.replace(subscriber, lang="ja")])
                acknowledged.append(subscriber)

        with pytest.raises(OSError, match="No space left") as failure:
            fill()
        assert failure.value.errno == errno.ENOSPC
        assert len(acknowledged) > 100
        assert store.subscribers.get(f"member{len(acknowledged)}@example.jp") is None
        for _, segment in list_segments(data / "subscribers.json"):
            raw = segment.read_bytes()
            assert not raw or raw.endswith(b"\n")
            for line in raw.splitlines():
                json.loads(line)
        # Room again: the next write goes through, in the same process.
        ballast.unlink()
        store.subscribers.save([Subscriber("after@example.jp", confirmed=True)])
        acknowledged.append(Subscriber("after@example.jp", confirmed=True))
    with Store.open(data) as store:
        emails = {s.email for s in store.subscribers.all()}
        assert emails == {s.email for s in acknowledged}
        store.subscribers.remove(acknowledged[0].email)  # a removal needs little room: it is written
        store.subscribers.save([Subscriber("again@example.jp", confirmed=True)])
    with Store.open(data) as store:
        assert store.subscribers.get("again@example.jp") is not None
        assert store.subscribers.get(acknowledged[0].email) is None


def test_a_digest_journal_on_a_full_disk_fails_with_the_reason_not_a_fault(small_disk):
    """The digest journal's lines go through a memory map; a store into a page the disk has no room for
    would kill the bot with SIGBUS. Its room is written out first, so a full disk is an ENOSPC at the start
    of the run or when the journal grows, which the digest job logs and retries."""
    ballast = small_disk / "ballast"
    ballast.write_bytes(b"\0" * 600_000)
    journal = DigestJournal(small_disk)
    with pytest.raises(OSError, match="No space left"):
        journal.start(datetime(2026, 11, 25, 7, 0, tzinfo=UTC))
    ballast.unlink()
    journal = DigestJournal(small_disk)
    journal.start(datetime(2026, 11, 25, 7, 0, tzinfo=UTC))  # its first room fills the 1 MiB disk: growing fails
    stored: set[str] = set()

    def fill() -> None:
        for n in range(100_000):
            journal.done(f"member{n:05d}@example.jp")
            stored.add(f"member{n:05d}@example.jp")

    with pytest.raises(OSError, match="No space left"):
        fill()
    journal.close()
    assert len(stored) > 20_000
    assert DigestJournal(small_disk).interrupted().sent == stored
