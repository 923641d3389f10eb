"""A message that asks two things gets both answers, in the order asked, in one reply.

「入会方法と、次の近畿ブロック会議の日程を教えてください」, "How do I join, and when is the next Tokai meeting?",
「東海と近畿のブロック会議の日程を両方教えて」: the message is cut where one question ends and the next begins
(「と、」「あと」「それと」「。」「？」, ", and", "?"), or into one question per block when one question names
several blocks; each part is answered on its own. A part that says nothing the bot knows is left out, and a
message whose parts all ask the same thing stays one question.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from handlers.messages import Reply

if TYPE_CHECKING:
    from collections.abc import Callable

    from handlers.places import BlockFinder

__all__ = ["answer_each"]

_CUT = re.compile(
    r"(?<=[^\s、,])(?:と、|、\s*あと|。\s*あと|あと、|それと|それから|また、|[？?。!！]\s*(?=\S))"
    r"|,?\s+and\s+(?=(?:how|when|where|who|what|which|is|are|can|do|does|will)\b)",
    re.IGNORECASE,
)
_MAX_PARTS = 4
_PAIR = re.compile(r"と|、|,|\band\b|&|・")


def answer_each(
    text: str, answer_one: Callable[[str], Reply], finder: BlockFinder, fold: Callable[[str], str]
) -> Reply | None:
    """The combined reply when `text` asks more than one thing; None when it asks one."""
    parts = [p.strip(" 　、,") for p in _CUT.split(text) if p and p.strip(" 　、,？?。")]
    if len(parts) < 2:
        parts = _per_block(text, finder, fold)
    if not 2 <= len(parts) <= _MAX_PARTS:
        return None
    replies = [answer_one(part) for part in parts]
    known = [r for r in replies if r.intent != "unknown"]
    if len(known) < 2 or len({(r.intent, r.block) for r in known}) < 2:
        return None
    first = known[0]
    text = "\n\n".join(r.text for r in known)
    events = tuple(e for r in known for e in r.events)
    listings = tuple(listing for r in known for listing in r.listings)
    block = first.block or next((r.block for r in known if r.block), None)
    return Reply(text, first.lang, first.intent, block, events, listings)


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
