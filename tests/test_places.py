"""Place names found in a folded text: the longest name where several begin at one place, romanised names as
whole words only, and names inside other words left alone."""

from __future__ import annotations

import pytest

from handlers.normalise import fold
from tests.meetings.corpus import finder


@pytest.fixture(scope="module")
def places():
    return finder()


def _found(places, text: str) -> list[tuple[str, str, str]]:
    folded = fold(text)
    return [(folded[m.start : m.end], m.kind, m.block) for m in places.find_all(folded)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The longest name that begins at a place: 東京都 (not 京都 inside it), 東大阪 before 大阪.
        ("東京都の会議", [("東京都", "prefecture", "kanto")]),
        ("higashiosaka and osaka", [("higashiosaka", "city", "kinki"), ("osaka", "prefecture", "kinki")]),
        # A romanised name is a whole word: not inside "osakana"; a Japanese one needs no spaces around it.
        ("osakana", []),
        ("近畿と四国", [("近畿", "block", "kinki"), ("四国", "block", "shikoku")]),
        # At the very end of the text, and as the whole of it.
        ("meeting in kobe", [("kobe", "city", "kinki")]),
        ("沖縄", [("沖縄", "prefecture", "kyushu")]),
        # Part of another word or a person: 山口さん, 中国語.
        ("山口さんに聞いた", []),
        ("中国語の資料", []),
    ],
)
def test_names_found(places, text, expected):
    assert _found(places, text) == expected
