"""Which of the nine intents a question has: a weighted lexicon over the folded text.

Each cue of `handlers.lexicon` found in a question adds its weight to its intent; the FAQ's own keywords
add to theirs, so the secretariat teaches the bot new phrasings by editing the data, not the code. A place
or a time named with little else asks what is on there and then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.lexicon import (
    EN_PHRASES,
    EN_WORDS,
    EVENT_CUES,
    FILLER,
    JA,
    MEDIUM,
    NETWORK_NAME,
    PRIORITY,
    RESIDUAL_LIMIT,
)
from handlers.normalise import Vocabulary, fold, fold_pattern, words

if TYPE_CHECKING:
    from collections.abc import Iterable

    from handlers.messages import Intent
    from storage.records import FaqEntry

__all__ = ["FaqMatcher", "IntentScores", "classify", "strip_network_name"]


Cue = re.Pattern[str] | str


def _cue(pattern: str) -> Cue:
    """A cue as it is looked for: a plain word stays a string, found with `str.find` (151 of the 256 cues,
    4 ms of every start not spent compiling them); anything else is compiled."""
    folded = fold_pattern(pattern)
    return folded if re.escape(folded) == folded else re.compile(folded)


def _spans(cue: Cue, text: str) -> list[tuple[int, int]]:
    """Where `cue` is found in `text`, left to right, not overlapping (as `finditer` finds them)."""
    if isinstance(cue, re.Pattern):
        return [m.span() for m in cue.finditer(text)]
    spans, at = [], text.find(cue)
    while at >= 0:
        spans.append((at, at + len(cue)))
        at = text.find(cue, at + len(cue))
    return spans


def _compile(table: dict[Intent, tuple[tuple[str, float], ...]]) -> list[tuple[Cue, Intent, float]]:
    return [(_cue(p), intent, w) for intent, cues in table.items() for p, w in cues]


_PATTERNS = _compile(JA) + _compile(EN_PHRASES)
_EN_WORD_CUES: dict[str, list[tuple[Intent, float]]] = {}
for _intent, _cues in EN_WORDS.items():
    for _word, _weight in _cues:
        _EN_WORD_CUES.setdefault(_word, []).append((_intent, _weight))
_EN_VOCABULARY = Vocabulary(_EN_WORD_CUES)
_EVENT_PATTERNS = [(_cue(p), w) for p, w in EVENT_CUES]
# Typos that would otherwise hide a cue.
_TYPOS = (
    (re.compile("ぶろつく|ぶろく(?=会議)"), "ぶろっく"),
    # A meeting room is a room: 「大会議室を予約したい」 and "book a meeting room" ask about no meeting.
    (re.compile(r"会議室|\b(meeting|conference) rooms?\b"), " room "),
)


# Words that name the network's subject matter. Beside an event's name, and with no question of what they
# mean, they say what that training or meeting is about, not what is asked: 「地域運営組織の法人化の研修」.
_TOPICS = re.compile(
    fold_pattern(
        r"地域運営組織|小規模多機能自治|小さな拠点|法人格|法人化|住民自治|地域自治"
        r"|\bself[- ]governance\b|\bsmall[- ]scale\b|\bmulti[- ]functional\b|\bcommunity organi[sz]ations?\b"
        r"|\bincorporat\w*|\blegal (?:status|person|entity)\b"
    )
)
_DEFINITION = re.compile(
    fold_pattern(r"とは|って何|ってなに|意味|定義|概要|\bwhat (?:is|are|does)\b|\bmean(?:s|ing)?\b|\bdefin")
)
_EVENT_NOUN = re.compile(
    fold_pattern(
        r"研修|けんしゅう|勉強会|せみなー|講座|講習|わーくしょっぷ|学習会|会議"
        r"|\b(?:trainings?|seminars?|workshops?|courses?|meetings?)\b"
    )
)


@dataclass(frozen=True, slots=True)
class IntentScores:
    """The winning intent, its score, and every intent's score (for the unanswered report)."""

    intent: Intent
    score: float
    scores: dict[Intent, float]

    @property
    def runner_up(self) -> Intent | None:
        ranked = sorted((s, i) for i, s in self.scores.items() if i != self.intent and s > 0)
        return ranked[-1][1] if ranked else None


def strip_network_name(folded: str) -> str:
    """「…ネットワーク会議」 is the network's name, not a meeting: drop 会議 from it (and mend typos)."""
    for pattern, replacement in _TYPOS:
        folded = pattern.sub(replacement, folded)
    return NETWORK_NAME.sub("ねっとわーく", folded)


class FaqMatcher:
    """The FAQ's keywords, folded and indexed once: which entries a question mentions."""

    def __init__(self, faq: Iterable[FaqEntry]) -> None:
        self.entries = tuple(faq)
        self._substrings: list[list[str]] = []
        self._phrases: list[re.Pattern[str] | None] = []
        self._words: list[set[str]] = []
        for entry in self.entries:
            keys = [key for key in (fold(k) for k in entry.keywords) if key]
            self._substrings.append([k for k in keys if not k.isascii()])
            phrases = [k for k in keys if k.isascii() and " " in k]
            self._phrases.append(
                re.compile("|".join(rf"(?<![a-z]){re.escape(k)}(?![a-z])" for k in phrases)) if phrases else None
            )
            self._words.append({k for k in keys if k.isascii() and " " not in k})
        self._vocabulary = Vocabulary(set().union(*self._words))

    def hits(self, text: str, tokens: Iterable[str]) -> list[int]:
        """For each entry, how many of its keywords the (folded) question contains."""
        known = set().union(*(self._vocabulary.matches(t) for t in dict.fromkeys(tokens)))
        counts = []
        for substrings, phrases, word_set in zip(self._substrings, self._phrases, self._words, strict=True):
            count = sum(k in text for k in substrings) + len(word_set & known)
            if phrases is not None:
                count += len(set(phrases.findall(text)))
            counts.append(count)
        return counts


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _residual(text: str) -> int:
    """How many letters of a question no cue, place, period or filler word explains."""
    return len(FILLER.sub("", text))


def classify(
    folded: str, faq: FaqMatcher, *, place: tuple[int, int] | None = None, period: tuple[int, int] | None = None
) -> IntentScores:
    """Score every intent for a folded question; `unknown` when nothing scores enough.

    `place` and `period` are where the question names a block or place and a time. Alone, or with
    little else, they ask "what is on there/then" (「近畿は？」, "Kyushu next month?"); with much
    else unexplained they do not (「大阪駅の近くで安いホテルある？」).
    """
    named = [span for span in (place, period) if span]
    text = strip_network_name(_blank(folded, named))
    if _EVENT_NOUN.search(text) and not _DEFINITION.search(text):
        text = _blank(text, (m.span() for m in _TOPICS.finditer(text)))  # what the event is about
    explained: list[tuple[int, int]] = []
    scores: dict[Intent, float] = dict.fromkeys(PRIORITY, 0.0)
    for pattern, intent, weight in _PATTERNS:
        found = _spans(pattern, text)
        if found:
            scores[intent] += weight
            explained += found
    tokens = words(text)
    matched: set[str] = set()
    for token in dict.fromkeys(tokens):
        known = _EN_VOCABULARY.matches(token)
        if known:
            matched |= known
            explained += [m.span() for m in re.finditer(rf"(?<![a-z]){re.escape(token)}(?![a-z])", text)]
    for word in matched:
        for intent, weight in _EN_WORD_CUES[word]:
            scores[intent] += weight
    for entry, count in zip(faq.entries, faq.hits(text, tokens), strict=True):
        if count and entry.intent in scores:
            scores[entry.intent] += MEDIUM
    specific = scores["meetings"] + scores["trainings"]
    event_kind: Intent = "trainings" if scores["trainings"] > scores["meetings"] else "meetings"
    event = 0.0
    for pattern, weight in _EVENT_PATTERNS:
        found = _spans(pattern, text)
        if found:
            event += weight
            explained += found
    scores[event_kind] += event
    residual = _residual(_blank(text, explained))
    bare = bool(named) and residual == 0
    others = max(v for i, v in scores.items() if i not in {"meetings", "trainings"})
    if named and others < MEDIUM and (specific > 0 or (event > 0 and residual <= RESIDUAL_LIMIT) or bare):
        scores[event_kind] += 1.5 * len(named)
    best = max(PRIORITY, key=lambda i: (scores[i], -PRIORITY.index(i)))
    if scores[best] < MEDIUM and not bare:
        return IntentScores("unknown", scores[best], scores)
    # "When and where?" words with much else unexplained and no meeting or training named are about
    # something else: 「来月の忘年会の会場どこがいい？」.
    if best in {"meetings", "trainings"} and specific == 0 and residual > RESIDUAL_LIMIT:
        return IntentScores("unknown", scores[best], scores)
    return IntentScores(best, scores[best], scores)
