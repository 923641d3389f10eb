"""The meeting a post announces is read with the post, in the relay's worker thread, not again on the loop."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core, intake_policy, routes
from handlers.intake import MailIntake
from handlers.meetings.desk import MeetingDesk
from handlers.meetings.extract import read_meeting
from handlers.places import PlacesOf

if TYPE_CHECKING:
    from handlers.meetings.reading import MeetingReading

MAIL = Path(__file__).parent / "meetings" / "01_kinki_iso2022jp.eml"


def test_a_meeting_read_ahead_in_a_thread_is_proposed_without_reading_the_post_again(tmp_path):
    """read_batch in a worker thread reads the post's meeting there; process_batch proposes it from that reading."""
    config = load_config(None, environ={})
    now = datetime.fromisoformat("2026-12-01T10:00:00+09:00")
    with Core.open(config, tmp_path / "d", FrozenClock(now)) as core:
        store = core.store
        places = PlacesOf(store.knowledge)
        readers: list[threading.Thread] = []

        def reader(subject: str, body: str, posted_at: datetime) -> MeetingReading | None:
            readers.append(threading.current_thread())
            return read_meeting(subject, body, posted_at=posted_at, finder=places.finder(), tz=config.timezone)

        desk = MeetingDesk(store.events, store.proposals, reader)
        intake = MailIntake(
            store.knowledge, store.announcements, store.outbox, store.quarantine, intake_policy(config),
            routes(config), store.mail_batch, core.outbox_signal, core.bounces, core.digests, None, desk,
        )  # fmt: skip
        items = [(MAIL.read_bytes(), now, None)]
        with ThreadPoolExecutor(1) as pool:
            readings = pool.submit(intake.read_batch, items, trusted=True).result()
        (result,) = intake.process_batch(items, trusted=True, readings=readings)
        assert result.status == "accepted"
        (proposal,) = store.proposals.open()
        assert proposal.announcement_id == result.announcement.id
        assert proposal.event.starts_at.isoformat() == "2027-01-20T13:30:00+09:00"
        assert len(readers) == 1
        assert readers[0] is not threading.current_thread()
