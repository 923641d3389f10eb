"""Helpers for tests that run the real command line in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import Core

ROOT = Path(__file__).resolve().parent.parent


def child_pythonpath() -> str:
    """PYTHONPATH for the processes tests start: the project, and the folder whose sitecustomize keeps them
    off the network."""
    return os.pathsep.join((str(ROOT), str(ROOT / "tests" / "offline")))


def rmo_bot(
    *args: str | Path, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` and capture its output."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "SMTP_", "FACEBOOK_"))
    }
    environment["PYTHONPATH"] = child_pythonpath()
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd or ROOT,
        timeout=120,
        check=False,
    )


def seed_digest_run(core: Core, now: datetime, *, subscribers: int, announcements: int, body_repeat: int) -> None:
    """A store ready for a digest run at `now`: announcements of the last hours and daily subscribers who
    subscribed the day before (so their first digest is due)."""
    from storage.records import Announcement
    from storage.subscribers import Subscriber

    core.store.announcements.add_many(
        Announcement(
            id=f"a{i}", message_id=f"m{i}@seed", subject=f"【お知らせ】第{i}号", body="会員各位\n\n本文です。" * body_repeat,
            sender="jimukyoku@rmo-network.example.jp", received_at=now - timedelta(hours=1 + i),
        )
        for i in range(announcements)
    )  # fmt: skip
    with core.store.subscriber_batch():
        core.store.subscribers.save(
            Subscriber(
                f"member{i:05d}@example.jp", confirmed=True, frequency="daily", created_at=now - timedelta(days=1)
            )
            for i in range(subscribers)
        )


def stored_bytes(snapshot: Path) -> bytes:
    """A journalled store file's bytes: its snapshot and its journal's segments (storage.journal_files)."""
    from storage.journal_files import list_segments

    parts = [snapshot.read_bytes() if snapshot.exists() else b""]
    parts += [segment.read_bytes() for _, segment in list_segments(snapshot)]
    return b"\x00".join(parts)
