"""Text normalisation shared by every step of understanding: width, case, kana and variant kanji."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from handlers.messages import Lang

__all__ = ["Vocabulary", "detect_language", "fold", "fold_pattern", "similar_word", "words"]

_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
# Place names mix small and large ke (茅ヶ崎, 茅ケ崎, 茅ヵ崎); old kanji forms turn up in real names.
_VARIANTS = str.maketrans({
    "ゖ": "け", "ゕ": "け", "ヶ": "け", "ヵ": "け",
    "髙": "高", "﨑": "崎", "邊": "辺", "邉": "辺", "濵": "浜", "德": "徳", "瀨": "瀬",
    "〜": "~", "～": "~", "－": "-", "ｰ": "ー",
})  # fmt: skip
_SPACE = re.compile(r"\s+")
# Compiled (and cached by `re`) when first used: a text with hiragana never needs it, and it costs 5 ms.
_JAPANESE = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヶ]"
_LATIN = re.compile(r"[A-Za-z]")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
_WORD = re.compile(r"[a-z][a-z'-]*")


def fold_pattern(text: str) -> str:
    """Width, kana and variant folding without touching case (safe on regular expressions)."""
    text = unicodedata.normalize("NFKC", text)
    return text.translate(_KATAKANA).translate(_VARIANTS)


def fold(text: str) -> str:
    """The form every matcher sees: NFKC, lower case, katakana as hiragana, one space between words."""
    return _SPACE.sub(" ", fold_pattern(text).lower()).strip()


def detect_language(text: str, default: Lang = "ja") -> Lang:
    """Japanese when the sentence is Japanese: any hiragana (its grammar), or more kanji and katakana
    than Latin letters. "Who is the 代表?" is English with a Japanese word in it."""
    normalized = unicodedata.normalize("NFKC", text)
    if _HIRAGANA.search(normalized):
        return "ja"
    japanese = len(re.findall(_JAPANESE, normalized))
    latin = len(_LATIN.findall(normalized))
    if japanese and japanese >= latin:
        return "ja"
    if latin:
        return "en"
    return default


def words(folded: str) -> list[str]:
    """The Latin words of a folded text."""
    return _WORD.findall(folded)


@lru_cache(maxsize=4096)
def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, giving up past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def similar_word(word: str, target: str) -> bool:
    """True when `word` is `target`, its plural, or a one-slip typo of it (two for long words)."""
    if word == target or word in {target + "s", target + "es"} or target == word + "s":
        return True
    if len(target) < 6 or len(word) < 5:
        return False
    limit = 2 if len(target) >= 9 else 1
    return _distance(word, target, limit) <= limit


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


_LONGEST_TYPO_WORD = 20  # longer "words" are URLs or noise; guessing at them costs much and finds nothing


def _allowance(length: int) -> int:
    return 2 if length >= 9 else 1 if length >= 6 else 0


class Vocabulary:
    """Words to recognise despite a typo. A deletion index (as in SymSpell) narrows each lookup to a
    handful of candidates, so a question costs the same however many words the bot knows."""

    def __init__(self, targets: Iterable[str]) -> None:
        self._targets = frozenset(targets)
        self._index: dict[str, set[str]] = {}
        for target in self._targets:
            for variant in _deletes(target, _allowance(len(target))):
                self._index.setdefault(variant, set()).add(target)

    def matches(self, word: str) -> set[str]:
        """The known words `word` is, or is a plural or a typo of."""
        exact = {word, word + "s", word.removesuffix("s"), word.removesuffix("es")}
        found = {w for w in exact if w in self._targets and similar_word(word, w)}
        if 5 <= len(word) <= _LONGEST_TYPO_WORD:
            for variant in _deletes(word, 2 if len(word) >= 8 else 1):
                found.update(t for t in self._index.get(variant, ()) if similar_word(word, t))
        return found
