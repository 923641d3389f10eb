"""Follow-ups: 「九州のほうはどうですか」 after a question about meetings asks about Kyushu's meetings. Each
conversation (one user in one channel or DM) carries its last subject for a while, in the store, so a restart
mid-conversation keeps it; conversations never share it."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.places import PlaceMatch
from storage.conversations import Conversation

if TYPE_CHECKING:
    from datetime import datetime

    from handlers.answering import Understanding
    from handlers.messages import Incoming, Reply
    from handlers.ports import ConversationRepository

__all__ = ["FollowUps"]

_FRESH = timedelta(minutes=15)  # how long a conversation's subject carries over
_SHORT = 40  # characters: a follow-up is short; a long question says what it asks
_CARRIED = frozenset({"meetings", "trainings", "officers"})
_BARE = 6  # characters beside the place name: 「九州は？」「じゃあ北陸」 say nothing else
_FOLLOW_UP = re.compile(
    r"(?:の)?ほうは|はどう(?:です|でしょう|かな|[?？]|$)|はいかが|もお?願い|も教えて|も[?？]?$"
    r"|^(?:じゃあ|では|それでは|なら|で、)"
    r"|\bwhat about\b|\bhow about\b|^and\b|\band (?:in|for)\b"
)


class FollowUps:
    """Reads and keeps each conversation's subject."""

    def __init__(self, conversations: ConversationRepository | None) -> None:
        self._conversations = conversations

    @staticmethod
    def key(incoming: Incoming) -> str | None:
        if incoming.user is None:
            return None  # the command line: no conversation
        return f"{incoming.platform}:{incoming.user}:{incoming.channel or '-'}"

    def carry(self, incoming: Incoming, u: Understanding, now: datetime) -> Understanding:
        """`u` with the conversation's subject, when it is a follow-up to it."""
        key = self.key(incoming)
        if key is None or self._conversations is None or len(u.folded) > _SHORT:
            return u
        last = self._conversations.get(key)
        if last is None or now - last.at > _FRESH or last.intent not in _CARRIED:
            return u
        # Only a question that says no subject of its own: a place or a time, and a follow-up's words.
        bare_place = u.place is not None and len(u.folded) - (u.place.end - u.place.start) <= _BARE
        if u.intent not in {"unknown", "about"} or not (_FOLLOW_UP.search(u.folded) or bare_place):
            return u
        if u.intent == "about" and not bare_place:
            return u
        place = u.place
        if place is None and last.block:
            place = PlaceMatch(last.block, "block", last.block, None, 0, 0)
        if place is None and u.period is None:
            return u
        return dataclasses.replace(u, intent=last.intent, place=place)  # type: ignore[arg-type]

    def keep(self, incoming: Incoming, reply: Reply, now: datetime) -> None:
        key = self.key(incoming)
        if key is not None and self._conversations is not None and reply.intent in _CARRIED:
            with contextlib.suppress(OSError):  # a full disk costs the follow-up, never the answer
                self._conversations.put(Conversation(key, reply.intent, reply.block, now))
