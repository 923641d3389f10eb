"""Finding the block a question is about: from a block's name, a prefecture, or a city."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from handlers.geo import BLOCK_READINGS, CITIES, PREFECTURES
from handlers.normalise import Vocabulary, fold
from handlers.readings import reading

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from handlers.ports import KnowledgeRepository
    from storage.records import Block, Member, Officer

__all__ = ["BlockFinder", "PlaceMatch", "PlacesOf"]

PlaceKind = Literal["block", "prefecture", "city"]
_RANK: dict[PlaceKind, int] = {"block": 0, "prefecture": 1, "city": 2}
# Member cities whose bare name is also a common surname: only 「白石市」 counts, not 「白石さん」.
_SURNAMES = frozenset({"村上", "白石", "松本", "川崎", "津", "柏"})
_ASCII = re.compile(r"^[a-z][a-z -]*$")
_WORD = re.compile(r"(?<![a-z])[a-z]{5,}(?![a-z])")
# After a place name these make it a person or another word: 石川さん, 中国語, 高知識, 東海林, 大分前.
_NOT_A_PLACE_AFTER = re.compile(r"さん|様|さま|氏|君|くん|ちゃん|先生|語|識|林|前|家")
# Two to four kanji right before 「ブロック」 or 「市」: where a misconverted name shows itself. Compiled (and
# cached by `re`) at its first use: most questions name their place rightly, and a kanji class costs 3 ms.
_NAME_BEFORE = r"(?<![\u4e00-\u9fff々])(?P<word>[\u4e00-\u9fff々]{2,4})(?P<tail>ぶろっく|市)"


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place named in a question, and the block it belongs to."""

    block: str
    kind: PlaceKind
    name: str
    prefecture: str | None
    start: int
    end: int


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "々"


def _is_latin(char: str) -> bool:
    return "a" <= char <= "z"


def _whole_word(folded: str, start: int, end: int) -> bool:
    """No Latin letter right before or after: "osaka" in "osaka-shi", not in "osakana"."""
    return (start == 0 or not _is_latin(folded[start - 1])) and (end == len(folded) or not _is_latin(folded[end]))


def _stands_alone(folded: str, start: int, end: int, kind: PlaceKind) -> bool:
    """False for a place name that is part of another word: 山口さん, 中国語, 大分前, 二重三重."""
    if _NOT_A_PLACE_AFTER.match(folded, end):
        return False
    if kind != "block" and end - start == 2 and start > 0:
        return not _is_kanji(folded[start - 1])
    return True


def _short_prefecture(name: str) -> str:
    return name if name == "北海道" else name[:-1]


def _differs_by_one(known: str, written: str) -> bool:
    return len(known) == len(written) and sum(x != y for x, y in zip(known, written, strict=True)) == 1


class BlockFinder:
    """Every known place name, looked up where a name may begin, the longest first."""

    def __init__(self, blocks: Iterable[Block], members: Iterable[Member], officers: Iterable[Officer]) -> None:
        self._aliases: dict[str, tuple[str, PlaceKind, str, str | None]] = {}
        by_prefecture: dict[str, str] = {}
        for block in blocks:
            for name in (*block.names, *block.names_en, *BLOCK_READINGS.get(block.key, ())):
                self._add(name, block.key, "block", block.name, None)
            for prefecture in block.prefectures:
                by_prefecture[prefecture] = block.key
        romaji = dict(PREFECTURES)
        for prefecture, block_key in by_prefecture.items():
            for name in (prefecture, _short_prefecture(prefecture), *romaji.get(prefecture, ())):
                self._add(name, block_key, "prefecture", prefecture, prefecture)
        places: list[tuple[str, str | None, tuple[str, ...]]] = [(c, p, r) for c, p, r in CITIES]
        places += [(m.name, m.prefecture, (m.name_en.lower(),) if m.name_en else ()) for m in members]
        places += [(o.city, o.prefecture, ()) for o in officers if o.city]
        for place, place_prefecture, romanised in places:
            found = by_prefecture.get(place_prefecture or "")
            if found is None:
                continue
            names = [place, *romanised]
            bare = place[:-1] if place[-1:] in "市町村" else place
            if bare not in _SURNAMES and len(bare) >= 2:
                names.append(bare)
            for name in names:
                self._add(name, found, "city", place, place_prefecture)
        # Kanji names by length, for a name written with one wrong kanji (近紀ブロック, 村神市): see `_misspelt`.
        self._kanji: dict[tuple[int, str], list[str]] = {}
        for alias, (_, kind, _, _) in self._aliases.items():
            if kind != "prefecture" and 2 <= len(alias) <= 4 and all(map(_is_kanji, alias)):
                self._kanji.setdefault((len(alias), "block" if kind == "block" else "city"), []).append(alias)
        ordered = sorted(self._aliases, key=len, reverse=True)
        # Only long romanised names get a typo allowance: "Kansas" is not a typo of "Kansai".
        self._romanised = Vocabulary(a for a in ordered if _ASCII.match(a) and len(a) >= 7 and " " not in a)
        # One look-up per name length where a name may begin: a regular expression of every name costs 14 ms
        # to compile, and is slower to run (it tries each name at each place; measured 13.8 ms on a 3,000-character
        # post, against 2.6 ms).
        self._lengths = sorted({len(a) for a in self._aliases}, reverse=True)
        self._initials = {a[0] for a in self._aliases}
        self._words = {a for a in self._aliases if _ASCII.match(a)}  # romanised: whole words only

    def _add(self, name: str, block: str, kind: PlaceKind, display: str, prefecture: str | None) -> None:
        alias = fold(name)
        if not alias:
            return
        current = self._aliases.get(alias)
        if current is None or _RANK[kind] < _RANK[current[1]]:
            self._aliases[alias] = (block, kind, display, prefecture)

    def _names(self, folded: str) -> Iterator[tuple[str, int, int]]:
        """Each known name in `folded`, left to right, not overlapping: where several begin at one place, the
        longest; a romanised one only as a whole word ("osaka", not "osakana")."""
        at, size = 0, len(folded)
        while at < size:
            if folded[at] in self._initials:
                for length in self._lengths:
                    name, end = folded[at : at + length], at + length
                    known = end <= size and name in self._aliases
                    if known and (name not in self._words or _whole_word(folded, at, end)):
                        yield name, at, end
                        at = end
                        break
                else:
                    at += 1
            else:
                at += 1

    def find_all(self, folded: str) -> list[PlaceMatch]:
        """Every place named, in order of appearance; romanised names allow one typo ("Hokaido")."""
        found = []
        for name, start, end in self._names(folded):
            block, kind, display, prefecture = self._aliases[name]
            if _stands_alone(folded, start, end, kind):
                found.append(PlaceMatch(block, kind, display, prefecture, start, end))
        if not found:
            found = self._misspelt(folded)
        if not found:
            for match in _WORD.finditer(folded):
                alias = min(self._romanised.matches(match.group(0)), default=None)
                if alias is not None:
                    block, kind, display, prefecture = self._aliases[alias]
                    found.append(PlaceMatch(block, kind, display, prefecture, match.start(), match.end()))
        return found

    def _misspelt(self, folded: str) -> list[PlaceMatch]:
        """A block or city name written with the wrong kanji, as a phone's conversion gives it (近紀ブロック for
        近畿, 村神市 for 村上): the one known name of that length that differs in one kanji only, or else the one
        read the same way."""
        found = []
        for match in re.finditer(_NAME_BEFORE, folded):
            word, kind = match.group("word"), "block" if match.group("tail") == "ぶろっく" else "city"
            # A city is known by its name with 市 (村上市) or without it (札幌): compare like with like.
            forms = [(word, a) for a in self._kanji.get((len(word), kind), [])]
            if kind == "city":
                forms += [(word + "市", a) for a in self._kanji.get((len(word) + 1, kind), []) if a.endswith("市")]
            near = [a for written, a in forms if _differs_by_one(a, written)]
            if len({self._aliases[a][2] for a in near}) != 1:  # one place (村上市 and 村上 are one)
                # Two names (or none) one kanji away: the one read the same way (村神 is read as 村上, not 村山).
                sound = reading(word)
                pool = near or [a for _, a in forms]
                near = [a for a in pool if sound and reading(a.removesuffix("市")) == sound]
            near = list({self._aliases[a][2]: a for a in near}.values())
            if len(near) == 1:
                block, place_kind, display, prefecture = self._aliases[near[0]]
                found.append(PlaceMatch(block, place_kind, display, prefecture, match.start(), match.end("word")))
        return found

    def find(self, folded: str) -> PlaceMatch | None:
        """The place that decides the block: a block's own name before a prefecture before a city."""
        found = self.find_all(folded)
        return min(found, key=lambda m: (_RANK[m.kind], m.start)) if found else None


class PlacesOf:
    """The BlockFinder for a knowledge repository, rebuilt only when its blocks, members or officers change.

    The repository hands out the same tuples until a write, so identity says nothing changed.
    """

    def __init__(self, knowledge: KnowledgeRepository) -> None:
        self._knowledge = knowledge
        self._source: tuple[object, ...] = ()
        self._finder: BlockFinder | None = None

    def finder(self) -> BlockFinder:
        blocks, members, officers = self._knowledge.blocks(), self._knowledge.members(), self._knowledge.officers()
        source = (blocks, members, officers)
        if self._finder is None or any(a is not b for a, b in zip(source, self._source, strict=False)):
            self._finder, self._source = BlockFinder(blocks, members, officers), source
        return self._finder
