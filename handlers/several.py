"""A message that asks two things gets both answers, in the order asked, in one reply.

「入会方法と、次の近畿ブロック会議の日程を教えてください」, "How do I join, and when is the next Tokai meeting?",
「東海と近畿のブロック会議の日程を両方教えて」: the message is cut where one question ends and the next begins
(「と、」「あと」「それと」「。」「？」, ", and", "?"), or into one question per block when one question names
several blocks; each part is answered on its own. A part that says nothing the bot knows is left out, and a
message whose parts all ask the same thing stays one question.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import TYPE_CHECKING

from handlers.messages import Reply
from handlers.places import PlaceMatch

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from handlers.answering import Understanding
    from handlers.places import BlockFinder

__all__ = ["answer_each"]

_CUT = re.compile(
    r"(?<=[^\s、,])(?:と、|、\s*あと|。\s*あと|あと、|それと|それから|また、|[？?。!！]\s*(?=\S))"
    r"|,?\s+and\s+(?=(?:how|when|where|who|what|which|is|are|can|do|does|will)\b)",
    re.IGNORECASE,
)
_MAX_PARTS = 4
_BLOCK_INTENTS = frozenset({"meetings", "trainings", "officers"})
_PAIR = re.compile(r"と|、|,|\band\b|&|・")


def answer_each(
    text: str,
    understand: Callable[[str], Understanding],
    subject: Callable[[Understanding], Hashable | None],
    reply: Callable[[Understanding], Reply],
    finder: BlockFinder,
    fold: Callable[[str], str],
) -> Reply | None:
    """The combined reply when `text` asks more than one thing; None when it asks one.

    `subject(u)` is what a part asks as understood, before any answer is looked up: None when its answer is
    sure to be the unknown one, else a value that differs between parts whose answers may differ. Parts are
    answered only when at least two of them may ask different things, so a message that is one question in
    several sentences costs no answers thrown away. A part that names no block asks about the block an
    earlier part named: "Who is the Kinki secretary, and when is their next meeting?"."""
    parts = [p.strip(" 　、,") for p in _CUT.split(text) if p and p.strip(" 　、,？?。")]
    if len(parts) < 2:
        parts = _per_block(text, finder, fold)
    if not 2 <= len(parts) <= _MAX_PARTS:
        return None
    understood = _carry_blocks([understand(part) for part in parts])
    if len({s for s in map(subject, understood) if s is not None}) < 2:
        return None
    known = [r for r in map(reply, understood) if r.intent != "unknown"]
    if len(known) < 2 or len({r.text for r in known}) < 2:
        return None
    first = known[0]
    text = "\n\n".join(dict.fromkeys(r.text for r in known))  # the same answer twice is said once
    events = tuple(e for r in known for e in r.events)
    return Reply(text, first.lang, first.intent, first.block or next((r.block for r in known if r.block), None), events)


def _carry_blocks(understood: list[Understanding]) -> list[Understanding]:
    """Each part that asks about meetings, trainings or officers and names no place, with the block of the
    part before it that named one."""
    carried, block = [], None
    for part in understood:
        u = part
        if u.place is None and block is not None and u.intent in _BLOCK_INTENTS:
            u = dataclasses.replace(u, place=PlaceMatch(block, "block", block, None, 0, 0))
        block = u.block or block
        carried.append(u)
    return carried


def _per_block(text: str, finder: BlockFinder, fold: Callable[[str], str]) -> list[str]:
    """「東海と近畿のブロック会議」: one question per block named (the same question, each block alone)."""
    folded = fold(text)
    blocks = [m for m in finder.find_all(folded) if m.kind == "block"]
    if len({m.block for m in blocks}) < 2:
        return []
    between = [folded[a.end : b.start] for a, b in itertools.pairwise(blocks)]
    if not all(_PAIR.search(gap) and len(gap) <= 6 for gap in between):
        return []
    # Keep the words around the list of blocks, and put each block alone in their place.
    head, tail = folded[: blocks[0].start], folded[blocks[-1].end :]
    return [f"{head}{m.name}{tail}" for m in blocks]
