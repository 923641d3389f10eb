"""The meeting reader: every fixture mail read as the intake reads it, and the date and time parser alone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from handlers.meetings.extract import read_meeting
from handlers.meetings.when import read_when, tidy
from handlers.texts import say
from tests.meetings.corpus import FIELDS, JST, cases, finder, got, read_post, want

CASES = cases()
POSTED = date(2026, 11, 25)


@pytest.fixture(scope="module")
def places():
    """The finder over the bundled blocks, members and officers."""
    return finder()


def test_fixtures_cover_the_formats():
    """At least 40 mails, ten or more proposing nothing, moves and cancellations among them, some held out."""
    assert len(CASES) >= 40
    assert sum(1 for c in CASES if not c["proposal"]) >= 10
    assert {c.get("action") for c in CASES if c["proposal"]} == {"announce", "move", "cancel"}
    assert sum(1 for c in CASES if c.get("holdout")) >= 10


@pytest.mark.parametrize("case", CASES, ids=[str(c["file"]) for c in CASES])
def test_fixture(places, case):
    """Each mail proposes exactly what expected.toml says, field by field, with the doubts it names."""
    post = read_post(str(case["file"]))
    reading = read_meeting(post.subject, post.body, posted_at=post.posted_at, finder=places, tz=JST)
    if not case["proposal"]:
        assert reading is None
        return
    assert reading is not None
    for name in FIELDS:
        assert got(reading, name) == want(case, name), name
    assert sorted(d.code for d in reading.doubts) == sorted(case["doubts"])


@pytest.mark.parametrize(
    ("text", "starts", "ends"),
    [
        ("令和9年1月20日（水）13時30分～16時30分", "2027-01-20T13:30", "2027-01-20T16:30"),
        ("令和９年１月２０日（水）１３：３０～１６：３０", "2027-01-20T13:30", "2027-01-20T16:30"),
        ("1月20日（水）午後1時から", "2027-01-20T13:00", None),
        ("2027/1/20(水) 14:00-16:30", "2027-01-20T14:00", "2027-01-20T16:30"),
        ("1/20（水）13:30〜", "2027-01-20T13:30", None),
        ("R9.1.20(水) 10:00～12:00", "2027-01-20T10:00", "2027-01-20T12:00"),
        ("令和元年5月1日(水) 10時半～正午", "2019-05-01T10:30", None),
        ("平成31年4月30日（火）9:00～", "2019-04-30T09:00", None),
        ("令和9年1月20日（水）午後1時30分～4時", "2027-01-20T13:30", "2027-01-20T16:00"),
        ("令和9年1月20日(水)13:30～16:30（受付13:00～）", "2027-01-20T13:30", "2027-01-20T16:30"),
        ("令和9年2月3日（水）13:00～2月4日（木）12:00", "2027-02-03T13:00", "2027-02-04T12:00"),
        ("令和9年1月20日（水・祝）14時00分から16時00分まで", "2027-01-20T14:00", "2027-01-20T16:00"),
        ("January 20, 2027, 13:30-16:30", "2027-01-20T13:30", "2027-01-20T16:30"),
        ("Wednesday, January 20, 2027, 1:30 pm - 4:30 pm", "2027-01-20T13:30", "2027-01-20T16:30"),
        ("20 January 2027, 2 pm to 4 pm", "2027-01-20T14:00", "2027-01-20T16:00"),
        ("12月5日（土）18:00～翌1:00", "2026-12-05T18:00", "2026-12-06T01:00"),
    ],
)
def test_read_when(text, starts, ends):
    """A date and time as secretariats write it gives its start and end in Japan time."""
    when = read_when(tidy(text), after=POSTED, tz=JST)
    assert when.starts_at == datetime.fromisoformat(starts).replace(tzinfo=JST)
    assert when.ends_at == (datetime.fromisoformat(ends).replace(tzinfo=JST) if ends else None)
    assert not when.weekday_wrong


@pytest.mark.parametrize(
    ("text", "day", "guessed"),
    [
        ("1月20日", date(2027, 1, 20), True),
        ("11月25日", date(2026, 11, 25), True),
        ("11月24日", date(2027, 11, 24), True),
        ("2月29日", date(2028, 2, 29), True),
        ("令和8年11月24日", date(2026, 11, 24), False),
    ],
)
def test_year_when_not_written(text, day, guessed):
    """A date with no year is the first such day on or after the post; a written year is kept as written."""
    when = read_when(tidy(text), after=POSTED, tz=JST)
    assert when.starts_at is not None
    assert (when.starts_at.date(), when.year_guessed) == (day, guessed)


@pytest.mark.parametrize("text", ["令和9年1月20日（木）13:30～", "2027/1/20(Thu) 13:30", "1月20日(木)"])
def test_weekday_that_disagrees(text):
    """A weekday that disagrees with its date is reported, and the date is kept as written."""
    when = read_when(tidy(text), after=POSTED, tz=JST)
    assert when.starts_at is not None
    assert when.starts_at.date() == date(2027, 1, 20)
    assert when.weekday_wrong


def test_every_doubt_has_its_text(places):
    """Every doubt the fixtures raise has a Japanese and an English text."""
    codes = set()
    for case in CASES:
        post = read_post(str(case["file"]))
        reading = read_meeting(post.subject, post.body, posted_at=post.posted_at, finder=places, tz=JST)
        codes |= {d.code for d in reading.doubts} if reading else set()
    codes |= {"several_blocks", "date_past", "deadline_after_start", "no_date", "year_ambiguous"}
    for code in codes:
        assert say(f"doubt.{code}", "ja", detail="x")
        assert say(f"doubt.{code}", "en", detail="x")
