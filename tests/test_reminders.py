"""Reminders with a frozen clock: once each, after an outage, following a moved or cancelled meeting."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.scheduler.service import SchedulerService
from tests.conftest import CALENDAR, JST

DAY0 = datetime(2026, 11, 25, 10, 0, tzinfo=JST)


@pytest.fixture
def open_core(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text('[slack]\ndefault_channels = ["C1"]\nblock_channels = { kinki = "C2" }\n', encoding="utf-8")
    config = load_config(config_file, environ={})

    def opener(now: datetime) -> Core:
        core = Core.open(config, tmp_path / "d", FrozenClock(now))
        if not core.store.events.count():
            core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        return core

    return opener


def _kinki(core: Core) -> dict[str, object]:
    """The Kinki meeting's reminders by kind (the live one, where a move left an obsolete one beside it)."""
    reminders = sorted(core.store.reminders.for_event("kinki-2026-2"), key=lambda r: r.status != "obsolete")
    return {r.kind: r for r in reminders}


def test_reminders_are_planned_at_nine_in_the_morning(open_core):
    """7 days and 1 day before, and 3 days before the registration deadline, at 09:00 Japan time."""
    with open_core(DAY0) as core:
        core.reminders.plan(DAY0)
        due = {kind: r.due_at.astimezone(JST).isoformat() for kind, r in _kinki(core).items()}
    assert due == {
        "7d": "2027-01-13T09:00:00+09:00",
        "1d": "2027-01-19T09:00:00+09:00",
        "deadline-3d": "2027-01-07T09:00:00+09:00",
    }


def test_a_reminder_due_during_an_outage_is_sent_once_and_marked_late(open_core):
    """Down from 06:00 to 12:00 on the day: the 09:00 reminder goes out once, late, after the restart."""
    with open_core(DAY0) as core:
        core.reminders.tick(datetime(2027, 1, 13, 6, 0, tzinfo=JST))
    after = datetime(2027, 1, 13, 12, 0, tzinfo=JST)
    with open_core(after) as core:  # the restart
        sent = core.reminders.tick(after)
        again = core.reminders.tick(datetime(2027, 1, 13, 12, 1, tzinfo=JST))
        reminder = _kinki(core)["7d"]
        announcement = core.store.announcements.get("r-kinki-2026-2-2027-01-20-7d")
        channels = sorted(
            d.channel for d in core.store.outbox.pending() if d.announcement_id == "r-kinki-2026-2-2027-01-20-7d"
        )
    assert [s.reminder.id for s in sent] == ["kinki-2026-2:2027-01-20:7d"]
    assert again == []
    assert (reminder.status, reminder.late) == ("sent", True)
    assert announcement.subject == "【リマインダー】近畿ブロック会議（第2回）は1週間後です"
    assert "遅れてお送りしています" in announcement.body
    assert channels == ["C1", "C2"]


def test_a_reminder_beyond_the_grace_is_recorded_as_skipped(open_core):
    """Down for more than 12 hours past the reminder: it is not sent, and the record says skipped."""
    with open_core(DAY0) as core:
        core.reminders.tick(datetime(2027, 1, 13, 6, 0, tzinfo=JST))
    late = datetime(2027, 1, 14, 10, 0, tzinfo=JST)
    with open_core(late) as core:
        sent = core.reminders.tick(late)
        assert "kinki-2026-2:2027-01-20:7d" not in [s.reminder.id for s in sent]
        assert _kinki(core)["7d"].status == "skipped"
        assert core.store.announcements.get("r-kinki-2026-2-2027-01-20-7d") is None


def test_moving_a_meeting_moves_its_reminders(open_core, tmp_path):
    """Re-importing the meeting a week later moves its pending reminders a week later."""
    moved = tmp_path / "moved.toml"
    moved.write_text(
        CALENDAR.read_text(encoding="utf-8")
        .replace("starts_at = 2027-01-20T13:30:00+09:00", "starts_at = 2027-01-27T13:30:00+09:00")
        .replace("ends_at = 2027-01-20T16:30:00+09:00", "ends_at = 2027-01-27T16:30:00+09:00"),
        encoding="utf-8",
    )
    with open_core(DAY0) as core:
        core.reminders.plan(DAY0)
        core.store.apply(core.load_data_file(moved), now=core.clock.now())
        core.reminders.plan(DAY0)
        assert _kinki(core)["7d"].due_at == datetime(2027, 1, 20, 9, 0, tzinfo=JST)
        assert _kinki(core)["1d"].due_at == datetime(2027, 1, 26, 9, 0, tzinfo=JST)
        # On the old date nothing is sent for it any more.
        sent = core.reminders.tick(datetime(2027, 1, 13, 9, 1, tzinfo=JST))
        assert "kinki-2026-2:2027-01-20:7d" not in [s.reminder.id for s in sent]


def test_cancelling_sends_a_notice_and_no_reminder(open_core, tmp_path):
    """A cancelled meeting gets one cancellation notice; its reminders never go out."""
    cancelled = tmp_path / "cancelled.toml"
    text = CALENDAR.read_text(encoding="utf-8")
    marker = 'id = "kinki-2026-2"'
    head, tail = text.split(marker, 1)
    cancelled.write_text(
        head + marker + tail.replace('status = "scheduled"', 'status = "cancelled"', 1), encoding="utf-8"
    )
    with open_core(DAY0) as core:
        core.reminders.plan(DAY0)
        core.store.apply(core.load_data_file(cancelled), now=core.clock.now())
        notice = core.reminders.tick(datetime(2026, 11, 26, 9, 0, tzinfo=JST))
        later = core.reminders.tick(datetime(2027, 1, 13, 9, 1, tzinfo=JST))
        kinds = {kind: r.status for kind, r in _kinki(core).items()}
        subject = core.store.announcements.get("r-kinki-2026-2-cancelled").subject
    assert [s.reminder.id for s in notice] == ["kinki-2026-2:cancelled"]
    assert [s.reminder.id for s in later if s.reminder.event_id == "kinki-2026-2"] == []
    assert kinds == {"7d": "obsolete", "1d": "obsolete", "deadline-3d": "obsolete", "cancelled": "sent"}
    assert subject == "【中止】近畿ブロック会議（第2回）は中止になりました"


async def test_restarting_twice_creates_no_duplicate_job(open_core):
    """Starting the scheduler again (as a restart does) leaves exactly one reminder job and one digest job,
    each with the options set on purpose, and a tick sends once."""
    with open_core(datetime(2027, 1, 13, 9, 30, tzinfo=JST)) as core:
        service = SchedulerService(core.reminders, core.clock)
        first = service.start()
        first.shutdown(wait=False)
        second = service.start()
        try:
            assert sorted(job.id for job in second.get_jobs()) == ["digests", "reminders"]
            for job in second.get_jobs():
                assert job.misfire_grace_time is None
                assert job.coalesce is True
                assert job.max_instances == 1
        finally:
            second.shutdown(wait=False)
        await service.tick()
        await service.tick()
        sent_7d = [r for r in core.store.reminders.all() if r.id == "kinki-2026-2:2027-01-20:7d"]
        queued = [d for d in core.store.outbox.pending() if d.announcement_id == "r-kinki-2026-2-2027-01-20-7d"]
    assert sent_7d[0].status == "sent"
    assert len(queued) == 2


def test_a_meeting_moved_after_its_reminder_went_out_gets_a_notice_and_new_reminders(open_core, tmp_path):
    """Moved from 1月20日 to 1月27日 after its 7-day reminder was sent: the channels get one 「日程変更」
    notice with both dates, and the 27th gets its own 7-day and 1-day reminders."""
    moved = tmp_path / "moved.toml"
    moved.write_text(
        CALENDAR.read_text(encoding="utf-8")
        .replace("starts_at = 2027-01-20T13:30:00+09:00", "starts_at = 2027-01-27T13:30:00+09:00")
        .replace("ends_at = 2027-01-20T16:30:00+09:00", "ends_at = 2027-01-27T16:30:00+09:00"),
        encoding="utf-8",
    )
    with open_core(DAY0) as core:
        first = core.reminders.tick(datetime(2027, 1, 13, 9, 1, tzinfo=JST))
        assert [s.reminder.id for s in first if s.reminder.event_id == "kinki-2026-2"] == ["kinki-2026-2:2027-01-20:7d"]
        core.store.apply(core.load_data_file(moved), now=datetime(2027, 1, 14, 10, 0, tzinfo=JST))
        notice = [s for s in core.reminders.tick(datetime(2027, 1, 14, 10, 1, tzinfo=JST))
                  if s.reminder.event_id == "kinki-2026-2"]  # fmt: skip
        again = core.reminders.tick(datetime(2027, 1, 14, 10, 2, tzinfo=JST))
        week_before = core.reminders.tick(datetime(2027, 1, 20, 9, 1, tzinfo=JST))
        day_before = core.reminders.tick(datetime(2027, 1, 26, 9, 1, tzinfo=JST))
        posted = core.store.announcements.get(f"r-{notice[0].reminder.id.replace(':', '-')}")
    assert [s.reminder.kind for s in notice] == ["moved"]
    assert again == []
    assert posted.subject == "【日程変更】近畿ブロック会議（第2回）：2027年1月20日（水） → 2027年1月27日（水）"
    assert "変更前：2027年1月20日（水）13:30" in posted.body
    assert "変更後：2027年1月27日（水）13:30" in posted.body
    assert [s.reminder.id for s in week_before if s.reminder.event_id == "kinki-2026-2"] == [
        "kinki-2026-2:2027-01-27:7d"
    ]
    assert [s.reminder.id for s in day_before if s.reminder.event_id == "kinki-2026-2"] == [
        "kinki-2026-2:2027-01-27:1d"
    ]
