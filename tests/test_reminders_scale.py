"""Reminders at the network's scale: 10,000 events planned once, re-planned one event at a time, recorded in
one write per tick; and `rmo-bot run` listening while its catch-up is still planning."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from storage.datafile import DataSet
from storage.records import Event
from storage.reminders import Reminder
from storage.store import Store
from tests.botproc import BotProcess, write_config
from tests.conftest import JST
from tests.fakes import FakeDiscord, FakeSlack
from tests.test_relay_e2e import until

T0 = datetime(2027, 1, 5, 10, 0, tzinfo=JST)


def _events(count: int, start: datetime) -> tuple[Event, ...]:
    """`count` meetings, one every 3 hours from two weeks after `start`, in the Kinki block."""
    return tuple(
        Event(id=f"m-{i}", kind="block_meeting", block="kinki", title=f"会議 {i}",
              starts_at=start + timedelta(days=14, hours=3 * i))
        for i in range(count)
    )  # fmt: skip


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[slack]\ndefault_channels = ["C1"]\n[reminders]\ndays_before = [7]\ndeadline_days_before = []\n',
        encoding="utf-8",
    )
    return load_config(path, environ={})


def test_a_tick_at_ten_thousand_events_plans_and_sends_each_reminder_once(config, tmp_path):
    """With 10,000 events, the first tick plans every 7-day reminder, a day's ticks send exactly the ones due
    that day (once each), and a meeting moved meanwhile has its reminder moved by the next tick."""
    with Core.open(config, tmp_path / "d", FrozenClock(T0)) as core:
        core.store.apply(DataSet(events=_events(10_000, T0)), now=T0)
        assert core.reminders.tick(T0) == []
        assert len([r for r in core.store.reminders.all() if r.status == "pending"]) == 10_000
        moved = dataclasses.replace(core.store.events.get("m-3"), starts_at=T0 + timedelta(days=30))
        core.store.apply(DataSet(events=(moved,)), now=T0)
        nine = T0.replace(hour=9) + timedelta(days=7)
        sent = core.reminders.tick(nine + timedelta(minutes=1))
        again = core.reminders.tick(nine + timedelta(minutes=2))
        moved_reminders = {r.id: r.due_at for r in core.store.reminders.for_event("m-3") if r.status == "pending"}
    # Meetings of 2027-01-19 (from T0 + 14 days, 10:00, every 3 h): m-0 … m-4 start that day; m-3 moved away.
    assert sorted(s.reminder.event_id for s in sent) == ["m-0", "m-1", "m-2", "m-4"]
    assert all(len(s.deliveries) == 1 for s in sent)
    assert again == []
    assert moved_reminders == {"m-3:2027-02-04:7d": datetime(2027, 1, 28, 9, 0, tzinfo=JST)}


def test_overdue_reminders_are_skipped_in_one_write(config, tmp_path):
    """Back after a month away, the 245 reminders that fell due meanwhile (beyond the grace) are all recorded as
    skipped in a single write of the reminders' file, not one rewrite each."""
    with Core.open(config, tmp_path / "d", FrozenClock(T0)) as core:
        core.store.apply(DataSet(events=_events(1_000, T0)), now=T0)
        core.reminders.tick(T0)
    back = datetime(2027, 2, 11, 23, 0, tzinfo=JST)  # the 7-day reminders of the meetings up to 2月18日 are due
    with Core.open(config, tmp_path / "d", FrozenClock(back)) as core:
        core.reminders.plan(back)
        writes = core.store.file_writes("reminders")
        sent = core.reminders.tick(back)
        after = core.store.file_writes("reminders")
        statuses = [r.status for r in core.store.reminders.all()]
    assert [s.reminder.id for s in sent] == []
    assert after - writes == 1
    assert statuses.count("skipped") == 245  # 5 meetings on 1月19日, then 8 a day up to 2月18日


async def test_run_listens_while_its_catch_up_is_still_planning(tmp_path):
    """`rmo-bot run` over 60,000 events answers /healthz (its SMTP port is open already) while its catch-up is
    still logged as in progress, and the catch-up then finishes with every reminder planned."""
    slack, discord = FakeSlack(), FakeDiscord()
    discord.serve_gateway = True  # without one, Discord is `retrying` (a 503) as soon as its first dial fails
    await slack.start()
    await discord.start()
    config_path = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
                               extra="[reminders]\ndays_before = [7, 1]\n")  # fmt: skip
    data = tmp_path / "data"
    with Core.open(load_config(config_path, environ={}), data, FrozenClock(T0)) as core:
        core.store.apply(DataSet(events=_events(60_000, datetime.now(JST))), now=T0)
    bot = BotProcess(config_path, data)
    try:
        await asyncio.to_thread(bot.start)
        await until(lambda: bot.http_port, what="the http server's port")

        def health() -> tuple[int, dict[str, object], str]:
            with urllib.request.urlopen(f"http://127.0.0.1:{bot.http_port}/healthz") as reply:
                return reply.status, json.loads(reply.read()), bot.text()

        status, report, log_then = await asyncio.to_thread(health)
        await until(lambda: "catch-up done" in bot.text(), timeout=300, what="the catch-up to finish")
    finally:
        bot.stop()
        await slack.stop()
        await discord.stop()
    assert status == 200
    assert report["catch-up"] == "running"
    assert "catch-up started" in log_then
    assert "catch-up done" not in log_then
    with Core.open(load_config(config_path, environ={}), data, FrozenClock(T0)) as core:
        assert len(core.store.reminders.all()) == 120_000


def test_a_reminder_moved_away_and_back_is_due_once(tmp_path):
    """The index by due time follows every save: a reminder moved later and back again is listed due once,
    and no longer once it is recorded as sent."""
    first, later = T0, T0 + timedelta(hours=2)
    with Store.open(tmp_path / "d") as store:
        reminders = store.reminders
        reminders.save([Reminder("e:day:1d", "e", "1d", first)])
        reminders.save([Reminder("e:day:1d", "e", "1d", later)])
        reminders.save([Reminder("e:day:1d", "e", "1d", first)])
        due = [r.id for r in reminders.due(later)]
        reminders.save([dataclasses.replace(reminders.due(later)[0], status="sent", sent_at=later)])
        after = reminders.due(later + timedelta(days=1))
    assert due == ["e:day:1d"]
    assert after == []


def test_a_tick_with_many_due_sends_them_a_slice_at_a_time_each_slice_recorded(config, tmp_path):
    """45 reminders due at once (a restart after a downtime): `tick_steps` hands the loop back after each slice, each
    slice already recorded when it yields; left off after the first, the rest are still due at the next tick,
    and nothing is sent twice."""
    day = T0 + timedelta(days=14)
    events = tuple(
        Event(id=f"d-{i}", kind="block_meeting", block="kinki", title=f"会議 {i}", starts_at=day + timedelta(minutes=5 * i))
        for i in range(45)
    )  # fmt: skip
    due_at = (day - timedelta(days=7)).replace(hour=9, minute=0)
    with Core.open(config, tmp_path / "d", FrozenClock(T0)) as core:
        core.store.apply(DataSet(events=events), now=T0)
        core.reminders.plan(T0)
        steps = core.reminders.tick_steps(due_at + timedelta(minutes=30), step=20)
        first = next(steps)
        pending_after_the_first = len(core.store.reminders.due(due_at + timedelta(minutes=30)))
        steps.close()  # stopped there (a shutdown): what the first slice sent is on record
        rest = list(core.reminders.tick_steps(due_at + timedelta(minutes=31), step=20))
        again = core.reminders.tick(due_at + timedelta(minutes=32))
        statuses = {r.status for r in core.store.reminders.all()}
    assert (len(first), pending_after_the_first) == (20, 25)
    assert [len(s) for s in rest] == [20, 5]
    sent = [s.reminder.event_id for s in first] + [s.reminder.event_id for step in rest for s in step]
    assert sorted(sent) == sorted(e.id for e in events)
    assert (again, statuses) == ([], {"sent"})
