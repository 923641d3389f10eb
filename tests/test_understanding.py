"""Reading questions: time phrases, places and language, including the words that only look like them."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.testing import ChatHarness
from handlers.normalise import detect_language, fold
from handlers.periods import find_period
from tests.conftest import CALENDAR, JST, NOW


@pytest.mark.parametrize(
    ("question", "now", "start", "end"),
    [
        ("来月の会議は？", NOW, "2026-12-01", "2027-01-01"),
        ("来月の会議は？", datetime(2026, 12, 31, 10, tzinfo=JST), "2027-01-01", "2027-02-01"),
        ("12月の会議", datetime(2026, 12, 20, tzinfo=JST), "2026-12-01", "2027-01-01"),
        ("1月の研修", NOW, "2027-01-01", "2027-02-01"),
        ("来年3月の研修", NOW, "2027-03-01", "2027-04-01"),
        ("来年の1月の会議", NOW, "2027-01-01", "2027-02-01"),
        ("令和9年1月の会議", NOW, "2027-01-01", "2027-02-01"),
        ("2028/1/20の会議", NOW, "2028-01-20", "2028-01-21"),
        ("12/10の会議の場所", NOW, "2026-12-10", "2026-12-11"),
        ("年明けの会議", datetime(2027, 1, 4, tzinfo=JST), "2027-01-01", "2027-02-01"),
        ("年内の会議", NOW, "2026-11-25", "2027-01-01"),
        ("next week", NOW, "2026-11-30", "2026-12-07"),
        ("meetings in May 2027", NOW, "2027-05-01", "2027-06-01"),
    ],
)
def test_time_phrases(question, now, start, end):
    """Each time phrase becomes the right range of Japan time."""
    period = find_period(fold(question), now)
    assert period is not None
    assert (period.start.date().isoformat(), period.end.date().isoformat()) == (start, end)


@pytest.mark.parametrize("question", ["第3月曜の会議は？", "月曜日の会議", "May I join?", "3ヶ月に一度ですか"])
def test_words_that_are_not_time_phrases(question):
    """Weekdays, 'May I' and durations are not months."""
    assert find_period(fold(question), NOW) is None


@pytest.mark.parametrize(
    "question",
    [
        "大分前に会議の案内をもらいました", "山口さんは役員ですか", "石川さんに聞きました", "中国語の研修はありますか",
        "二重三重の確認", "高知識な人", "東海林さんの件", "meetings in Kansas", "会議の報道内容",
    ],
)  # fmt: skip
def test_words_that_only_contain_a_place(chat, question):
    """A surname, a language or a longer word that contains a place name names no block."""
    assert chat.ask(question).block is None


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Who is the 代表?", "en"),
        ("When is the next meeting in 大阪?", "en"),
        ("Kyushu blockの次のmeetingはいつですか", "ja"),
        ("ﾌﾞﾛｯｸ会議 kinki", "ja"),
        ("研修", "ja"),
        ("training?", "en"),
    ],
)
def test_language_follows_the_sentence(question, lang):
    """The answer's language follows the sentence, not a Japanese name inside an English one."""
    assert detect_language(question) == lang


def test_a_meeting_in_progress_is_still_today(tmp_path):
    """During a meeting, 「今日の会議は？」 shows it, marked as in progress."""
    during = datetime(2027, 1, 20, 14, 0, tzinfo=JST)
    with ChatHarness.open(tmp_path / "d", now=during, data_files=(CALENDAR,)) as chat:
        reply = chat.ask("今日の会議は？")
        assert [e.id for e in reply.events] == ["kinki-2026-2"]
        assert "【開催中】" in reply.text
        assert "(in progress)" in chat.say("Kinki block meeting?")
        chat.clock.moment = datetime(2027, 1, 20, 17, 0, tzinfo=JST)
        assert chat.ask("今日の会議は？").events == ()


def test_a_very_long_message_is_answered(chat):
    """A pasted 45,000-character message gets an answer (its first 2,000 characters are read)."""
    reply = chat.ask("次の近畿ブロック会議はいつ？" + "あ" * 45000)
    assert reply.intent == "meetings"
    assert reply.block == "kinki"


def test_empty_and_emoji_messages_are_not_recorded(chat):
    """A blank or emoji-only message gets a prompt to ask, and nothing is recorded."""
    for text in ("", "   ", "🙏🙏", "？？？"):
        reply = chat.ask(text)
        assert "ご質問をどうぞ" in reply.text
    assert chat.core.store.unanswered.recent() == []


def test_unanswered_text_is_stored_clean_and_bounded(chat):
    """A recorded question loses control characters and is cut at 2,000 characters."""
    chat.ask("\x1b[31m駐車場\x07について" + "長" * 5000)
    (recorded,) = chat.core.store.unanswered.recent()
    assert "\x1b" not in recorded.text
    assert "\x07" not in recorded.text
    assert len(recorded.text) == 2000
