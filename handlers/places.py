"""Finding the block a question is about: from a block's name, a prefecture, or a city."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from handlers.geo import BLOCK_READINGS, CITIES, PREFECTURES
from handlers.normalise import Vocabulary, fold
from handlers.readings import reading

if TYPE_CHECKING:
    from collections.abc import Iterable

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
_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_ALL_KANJI = re.compile(r"^[\u4e00-\u9fff々]{2,4}$")
# Two to four kanji right before 「ブロック」 or 「市」: where a misconverted name shows itself.
_NAME_BEFORE = re.compile(r"(?<![\u4e00-\u9fff々])(?P<word>[\u4e00-\u9fff々]{2,4})(?P<tail>ぶろっく|市)")


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """A place named in a question, and the block it belongs to."""

    block: str
    kind: PlaceKind
    name: str
    prefecture: str | None
    start: int
    end: int


def _stands_alone(folded: str, match: re.Match[str], kind: PlaceKind) -> bool:
    """False for a place name that is part of another word: 山口さん, 中国語, 大分前, 二重三重."""
    if _NOT_A_PLACE_AFTER.match(folded, match.end()):
        return False
    name = match.group(0)
    if kind != "block" and len(name) == 2 and match.start() > 0:
        return not _KANJI.match(folded[match.start() - 1])
    return True


def _short_prefecture(name: str) -> str:
    return name if name == "北海道" else name[:-1]


def _differs_by_one(known: str, written: str) -> bool:
    return len(known) == len(written) and sum(x != y for x, y in zip(known, written, strict=True)) == 1


class BlockFinder:
    """One regular expression over every known place name, longest name first."""

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
            if kind != "prefecture" and _ALL_KANJI.match(alias):
                self._kanji.setdefault((len(alias), "block" if kind == "block" else "city"), []).append(alias)
        ordered = sorted(self._aliases, key=len, reverse=True)
        # Only long romanised names get a typo allowance: "Kansas" is not a typo of "Kansai".
        self._romanised = Vocabulary(a for a in ordered if _ASCII.match(a) and len(a) >= 7 and " " not in a)
        parts = [rf"(?<![a-z]){re.escape(a)}(?![a-z])" if _ASCII.match(a) else re.escape(a) for a in ordered]
        self._pattern = re.compile("|".join(parts)) if parts else None

    def _add(self, name: str, block: str, kind: PlaceKind, display: str, prefecture: str | None) -> None:
        alias = fold(name)
        if not alias:
            return
        current = self._aliases.get(alias)
        if current is None or _RANK[kind] < _RANK[current[1]]:
            self._aliases[alias] = (block, kind, display, prefecture)

    def find_all(self, folded: str) -> list[PlaceMatch]:
        """Every place named, in order of appearance; romanised names allow one typo ("Hokaido")."""
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(folded):
            block, kind, display, prefecture = self._aliases[match.group(0)]
            if not _stands_alone(folded, match, kind):
                continue
            found.append(PlaceMatch(block, kind, display, prefecture, match.start(), match.end()))
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
        for match in _NAME_BEFORE.finditer(folded):
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
