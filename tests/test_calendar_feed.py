"""The iCal feeds on the bot's HTTP server, read back with `icalendar` and checked against RFC 5545's
rules: every event has UID, DTSTAMP and a DTSTART with its time zone; a change bumps SEQUENCE."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.web.calendar_feed import add_calendar_routes
from tests.conftest import CALENDAR, NOW


@pytest.fixture
async def feed_client(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[http]\npublic_url = "https://rmo.example.jp"\n', encoding="utf-8")
    with Core.open(load_config(config, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        core.store.apply(core.load_data_file(CALENDAR), now=NOW)
        app = web.Application()
        add_calendar_routes(app, core)
        async with TestClient(TestServer(app)) as client:
            yield client, core


async def _calendar(client: TestClient, path: str) -> Calendar:
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == "text/calendar"
    return Calendar.from_ical(await response.read())


async def test_the_feed_is_valid_icalendar_with_every_meeting(feed_client):
    """Every meeting is a VEVENT with a stable UID, a DTSTAMP, a DTSTART in Asia/Tokyo and its place; the
    calendar carries the VTIMEZONE its events name."""
    client, core = feed_client
    calendar = await _calendar(client, "/calendar.ics")
    events = calendar.walk("VEVENT")
    stored = [e for e in core.store.events.all() if e.assumed_end > NOW - timedelta(days=400)]
    assert {str(e["UID"]) for e in events} == {f"{e.id}@rmo.example.jp" for e in stored}
    for item in events:
        assert item.get("DTSTAMP") is not None
        start = item["DTSTART"]
        assert start.params["TZID"] == "Asia/Tokyo"
        assert start.dt.utcoffset() == timedelta(hours=9)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    kinki = next(e for e in events if str(e["UID"]).startswith("kinki-2026-2@"))
    assert "東近江市役所" in str(kinki["LOCATION"])
    assert str(kinki["SUMMARY"]).startswith("近畿ブロック会議")


async def test_a_block_feed_has_that_block_only_and_an_unknown_block_is_404(feed_client):
    """`/calendar/kinki.ics` holds the Kinki block's meetings only; a block that does not exist is 404."""
    client, core = feed_client
    calendar = await _calendar(client, "/calendar/kinki.ics")
    blocks = {core.store.events.get(str(e["UID"]).split("@")[0]).block for e in calendar.walk("VEVENT")}
    assert blocks == {"kinki"}
    assert (await client.get("/calendar/atlantis.ics")).status == 404


async def test_a_moved_or_cancelled_meeting_bumps_its_sequence(feed_client, tmp_path):
    """Moving a meeting raises its SEQUENCE (so calendar apps update their copy); cancelling it raises it
    again and marks it STATUS:CANCELLED instead of dropping it."""
    client, core = feed_client
    event = core.store.events.get("kinki-2026-2")
    before = next(e for e in (await _calendar(client, "/calendar.ics")).walk("VEVENT") if "kinki-2026-2" in e["UID"])
    moved = dataclasses.replace(event, starts_at=event.starts_at + timedelta(days=7), ends_at=None)
    core.store.events.upsert_many([moved], at=NOW + timedelta(hours=1))
    after_move = next(
        e for e in (await _calendar(client, "/calendar.ics")).walk("VEVENT") if "kinki-2026-2" in e["UID"]
    )
    core.store.events.upsert_many([dataclasses.replace(moved, status="cancelled")], at=NOW + timedelta(hours=2))
    cancelled = next(e for e in (await _calendar(client, "/calendar.ics")).walk("VEVENT") if "kinki-2026-2" in e["UID"])
    assert int(before["SEQUENCE"]) < int(after_move["SEQUENCE"]) < int(cancelled["SEQUENCE"])
    assert after_move["DTSTART"].dt == moved.starts_at
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(before["STATUS"]) == "CONFIRMED"


async def test_the_feed_is_made_once_per_change_and_shared_by_requests_meanwhile(feed_client):
    """Requests at once and later the same day get the very same bytes (made once, off the event loop); a change or a new day makes it afresh."""
    client, core = feed_client
    first, second = await asyncio.gather(client.get("/calendar.ics"), client.get("/calendar.ics"))
    body = await first.read()
    assert await second.read() == body
    core.clock.moment = NOW + timedelta(hours=1)
    assert await (await client.get("/calendar.ics")).read() == body  # same day, nothing changed
    event = core.store.events.get("kinki-2026-2")
    core.store.events.upsert_many([dataclasses.replace(event, title="近畿ブロック会議（改）")], at=NOW)
    changed = await (await client.get("/calendar.ics")).read()
    assert "近畿ブロック会議（改）".encode() in changed
    core.clock.moment = NOW + timedelta(days=1)
    assert await (await client.get("/calendar.ics")).read() != changed  # a new day: made again (its DTSTAMP)
