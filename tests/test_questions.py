"""The question set: members' real phrasings, each with the intent, block and facts its answer needs."""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import TYPE_CHECKING

from bot.testing import ChatHarness
from tests.conftest import CALENDAR, NOW, TESTS

if TYPE_CHECKING:
    import pytest

SETS = ("questions.toml", "questions_holdout.toml", "questions_blind.toml")
QUESTIONS = [q for name in SETS for q in tomllib.loads((TESTS / name).read_text(encoding="utf-8"))["q"]]
REQUIRED_ACCURACY = 0.95


def _check(chat: ChatHarness, q: dict[str, object]) -> list[str]:
    """The ways the answer to `q` misses its expectation (empty when it is right); `absent` facts may appear
    only in a line saying that a meeting was cancelled."""
    now = q.get("now")
    chat.clock.moment = now if isinstance(now, datetime) else NOW
    reply = chat.ask(str(q["text"]))
    problems = []
    if reply.intent != q["intent"]:
        problems.append(f"intent {reply.intent!r} != {q['intent']!r}")
    if reply.block != q.get("block"):
        problems.append(f"block {reply.block!r} != {q.get('block')!r}")
    problems += [f"missing {fact!r}" for fact in q.get("contains", []) if fact not in reply.text]  # type: ignore[attr-defined]
    # A cancelled meeting is told as cancelled, never offered: an absent fact may stand only in such a line.
    offered = "\n".join(line for line in reply.text.splitlines() if "中止" not in line and "cancelled" not in line)
    problems += [f"shows {fact!r}" for fact in q.get("absent", []) if fact in offered]  # type: ignore[attr-defined]
    expected_lang = "en" if str(q["text"]).isascii() else reply.lang
    if reply.lang != expected_lang:
        problems.append(f"lang {reply.lang!r}")
    return problems


def test_question_set_is_large_and_varied() -> None:
    """The set has at least 150 questions and covers every intent and every block."""
    assert len(QUESTIONS) >= 150
    assert {q["intent"] for q in QUESTIONS} == {
        "join",
        "meetings",
        "trainings",
        "officers",
        "about",
        "contact",
        "subscribe",
        "help",
        "unknown",
    }
    assert {q.get("block") for q in QUESTIONS} >= {
        "hokkaido",
        "tohoku",
        "kanto",
        "shinetsu",
        "hokuriku",
        "tokai",
        "kinki",
        "chugoku",
        "shikoku",
        "kyushu",
    }


def test_question_set_accuracy(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """At least 95 % of the questions get the right intent, block and facts; the accuracy is reported."""
    failures = []
    with ChatHarness.open(tmp_path / "data", now=NOW, data_files=(CALENDAR,)) as chat:
        for q in QUESTIONS:
            problems = _check(chat, q)
            if problems:
                failures.append(f"{q['text']!r}: {'; '.join(problems)}")
    accuracy = 1 - len(failures) / len(QUESTIONS)
    with capsys.disabled():
        print(f"\nquestion set: {len(QUESTIONS) - len(failures)}/{len(QUESTIONS)} right ({accuracy:.1%})")
        for failure in failures:
            print(f"  miss: {failure}")
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(failures)
