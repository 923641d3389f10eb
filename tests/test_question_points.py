"""The point of a question beats its incidental words (issue 13): one test per pattern, with new questions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.testing import ChatHarness
from storage.datafile import BLOCK_KEYS
from tests.conftest import CALENDAR, JST, NOW


@pytest.fixture
def chat(tmp_path):
    with ChatHarness.open(tmp_path / "data", now=NOW, data_files=(CALENDAR,)) as harness:
        yield harness


@pytest.mark.parametrize(
    "question",
    [
        "小規模多機能自治の研修会って来月ありますか",
        "法人化についての勉強会は12月にありますか",
        "Any seminar on self-governance in December?",
    ],
)
def test_a_topic_word_beside_an_event_asks_for_the_event(chat, question):
    """A training named with the subject it is about answers the trainings, not the subject's definition."""
    reply = chat.ask(question)
    assert reply.intent == "trainings"
    assert "training-2026-12" in {e.id for e in reply.events}


@pytest.mark.parametrize("question", ["地域運営組織ってどういう意味ですか", "小規模多機能自治の研修とは何ですか"])
def test_a_question_of_meaning_still_gets_the_definition(chat, question):
    """Asked what the subject means, the bot explains it, even when a training is named too."""
    assert chat.ask(question).intent == "about"


@pytest.mark.parametrize(
    ("question", "block", "hint"),
    [
        ("白石市の職員数って何人？", "tohoku", "東北ブロックについては"),
        ("How many people live in Sendai?", "tohoku", "About the Tohoku block"),
        ("Is it going to rain in Matsuyama this weekend?", "shikoku", "About the Shikoku block"),
        ("松江でおすすめの旅館ありますか", "chugoku", "中国ブロックについては"),
    ],
)
def test_a_question_outside_the_bots_knowledge_is_not_answered_as_a_blocks(chat, question, block, hint):
    """A number, the weather or lodging in a place is not known: the answer says so, then what the bot can
    tell about that place's block, in the question's language only."""
    reply = chat.ask(question)
    assert (reply.intent, reply.block, reply.events) == ("unknown", block, ())
    assert hint in reply.text
    if reply.lang == "en":
        assert reply.text.isascii()


@pytest.mark.parametrize(
    ("question", "block", "facts"),
    [
        ("東北ブロックの幹事は誰ですか。その次の会議はいつですか", "tohoku", ["白石市長", "2027年2月5日（金）"]),
        (
            "Who is the Chugoku block secretary, and when does that block meet next?",
            "chugoku",
            ["Setouchi", "Thu 10 Dec 2026"],
        ),
    ],
)
def test_a_part_that_names_no_block_asks_about_the_block_named_before(chat, question, block, facts):
    """In a message of two questions, the second one's "their", 「その」 or silence means the block named first."""
    reply = chat.ask(question)
    assert (reply.intent, reply.block) == ("officers", block)
    assert all(fact in reply.text for fact in facts), reply.text


def test_two_questions_of_one_intent_get_both_answers(chat):
    """How to join and whether there is a fee are two answers about joining, and both are given."""
    reply = chat.ask("How do we join, and do members pay a fee?")
    assert reply.intent == "join"
    assert "application form" in reply.text
    assert "rules" in reply.text


def _winter(tmp_path):
    """A data file with 25 block meetings in January 2027, two or three for each block."""
    start = datetime(2027, 1, 4, 13, tzinfo=JST)
    lines = []
    for i in range(25):
        when = (start + timedelta(days=i)).isoformat()
        lines += [
            "[[events]]",
            f'id = "winter-{i}"',
            'kind = "block_meeting"',
            f'block = "{BLOCK_KEYS[i % len(BLOCK_KEYS)]}"',
            f'title = "ブロック会議 冬 {i}"',
            f"starts_at = {when}",
            'status = "scheduled"',
            "",
        ]
    path = tmp_path / "winter.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("question", "more"),
    [
        ("1月のブロック会議を教えてください", "ほかに7件あります"),
        ("Which block meetings are there in January?", "7 more"),
    ],
)
def test_a_list_for_a_time_shows_up_to_twenty_and_says_where_the_rest_is(tmp_path, question, more):
    """Meetings asked for by a time are listed up to 20; past that the answer says how many more and how to see
    them by block, not "ask for all of them"."""
    with ChatHarness.open(tmp_path / "data", now=NOW, data_files=(CALENDAR, _winter(tmp_path))) as chat:
        reply = chat.ask(question)
    assert reply.intent == "meetings"
    assert len(reply.events) == 20
    assert more in reply.text
    assert "/rmo meetings" in reply.text
    assert "全部" not in reply.text
    assert "all of them" not in reply.text


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("Any trainings from January to March?", "January–March 2027"),
        ("Block meetings between Dec and Feb, please", "December 2026 – February 2027"),
        ("12月から2月までの研修会は？", "2026年12月～2027年2月"),
    ],
)
def test_a_range_of_months_is_the_time_asked_for(chat, question, label):
    """Two months joined by "to", "and" or 「から」 are one time from the first to the end of the second, named
    with both years when it spans the new year."""
    reply = chat.ask(question)
    assert reply.intent in {"meetings", "trainings"}
    assert label in reply.text
    assert all(e.starts_at.month in {12, 1, 2, 3} for e in reply.events)


@pytest.mark.parametrize(
    ("question", "said", "next_day"),
    [
        (
            "昨日って東北ブロック会議ありました？",
            "東北ブロックのブロック会議の開催は記録されていません",
            "2027年2月5日（金）",
        ),
        ("Was there a Kinki block meeting last week?", "There is no record of block meetings", "Wed 20 Jan 2027"),
    ],
)
def test_a_past_time_with_no_meeting_says_so_and_when_the_block_meets_next(chat, question, said, next_day):
    """Asked whether a block met on a day gone by when it did not, the answer says so, then gives its next one."""
    reply = chat.ask(question)
    assert reply.intent == "meetings"
    assert said in reply.text
    assert next_day in reply.text
    assert len(reply.events) == 1
