"""What one delivery does, step by step: post each part (the first in the channel, the rest in its thread),
correct each posted part in place, or delete them (the post's file messages first). The lane retries a
step until it succeeds; a step done is counted in the outbox (`parts_done`) with the messages it made
(`refs`), so none is done twice. The post's files go up after its parts (`bot/relay_files.py`), into the
thread of its first part (`thread_for_files`), and are recorded with them (`finish`).

Where the thread is: a reply on the list goes into the thread of the post it answers (its first part, in
this channel); a post's own later parts into the thread of its first part. After an uncertain step the
channel is asked what it already shows (Slack's history and the thread's replies, by the metadata each
message carries), so a part that landed is not posted again and its message is known.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.errors import DeliveryRejected
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.poster import Poster
    from storage.posted import PostedMessages
    from storage.records import Announcement, Delivery, MessageRef

__all__ = ["DeliverySteps"]

_log = logging.getLogger("bot.relay")
# The message a thread hangs from is gone (deleted in the channel): Slack's error, Discord's unknown
# message (starting the thread) or unknown channel (posting into it).
_THREAD_GONE = frozenset({"thread_not_found", "10008", "10003"})


class DeliverySteps:
    """The steps of one delivery of `announcement` (rendered as `payloads` for its channel)."""

    def __init__(
        self,
        delivery: Delivery,
        announcement: Announcement,
        payloads: list[Any],
        poster: Poster,
        posted: PostedMessages,
        *,
        root: MessageRef | None,
        thread_name: str,
        uncertain: Callable[[], bool],
    ) -> None:
        self._delivery = delivery
        self._announcement = announcement
        self._payloads = payloads
        self._poster = poster
        self._posted = posted
        self._root = root
        self._thread_name = thread_name
        self._uncertain = uncertain
        before = posted.get(delivery.announcement_id, delivery.platform, delivery.channel)
        self._before: tuple[MessageRef, ...] = before.parts if before is not None else ()
        self._files: tuple[MessageRef, ...] = before.files if before is not None else ()

    @property
    def count(self) -> int:
        if self._delivery.action == "post":
            return len(self._payloads)
        if self._delivery.action == "delete":
            return len(self._files) + len(self._before)
        if not self._before:
            return 0  # never posted to this channel (failed for good, or withdrawn): nothing to correct
        return max(len(self._payloads), len(self._before))

    async def run(self, step: int, refs: tuple[MessageRef, ...]) -> tuple[MessageRef, ...]:
        """Do step `step` (from 1), given the messages the earlier steps made; returns them with this one's."""
        action = self._delivery.action
        if action == "delete":
            # The files and the thread's replies first, the message that holds the thread last.
            if step <= len(self._files):
                await self._poster.delete(self._files[step - 1])
            else:
                await self._poster.delete(self._before[len(self._files) + len(self._before) - step])
            if step == self.count and self._root is None:
                # A Discord thread outlives the message it started from: no longer named after the subject.
                withdrawn = say("revise.thread_withdrawn", "ja")  # named like the posts: in the network's language
                await self._poster.rename_thread(self._before[0], withdrawn, archive=True)
            return refs
        if action == "edit" and step <= len(self._before):
            if step > len(self._payloads):
                await self._poster.delete(self._before[step - 1])  # the corrected text is shorter
                return refs
            await self._poster.edit(self._before[step - 1], dict(self._payloads[step - 1]))
            if step == 1 and self._root is None:  # the post's own thread (a reply's is its first post's)
                await self._poster.rename_thread(self._before[0], self._thread_name)
            return (*refs, self._before[step - 1])
        return (*refs, await self._post(step, refs))

    async def _post(self, step: int, refs: tuple[MessageRef, ...]) -> MessageRef:
        delivery = self._delivery
        first = refs[0] if refs else None
        thread = self._root if self._root is not None else (first if step > 1 else None)
        if self._uncertain():
            found = await self._poster.posted_refs(delivery.channel, delivery.id, delivery.created_at, thread)
            if step in found:
                _log.info("delivery %s part %d was already posted; not posting it again", delivery.id, step)
                return found[step]
        payload = dict(self._payloads[step - 1])
        try:
            return await self._poster.post(delivery.channel, payload, thread=thread, thread_name=self._thread_name)
        except DeliveryRejected as exc:
            if thread is None or exc.code not in _THREAD_GONE:
                raise
        # Someone deleted the message the thread hangs from: the part goes in the channel rather than nowhere.
        _log.warning("delivery %s part %d: the thread's first message is gone; posting it in %s itself",
                     delivery.id, step, delivery.channel)  # fmt: skip
        return await self._poster.post(delivery.channel, payload)

    def thread_for_files(self, refs: tuple[MessageRef, ...]) -> MessageRef | None:
        """Where the post's files go: the thread its first part is in (a reply's) or the one it starts."""
        if self._root is not None:
            return self._root
        return refs[0] if refs else None

    def finish(self, refs: tuple[MessageRef, ...], files: tuple[MessageRef, ...] = ()) -> None:
        """Record what the channel shows now (written before the outbox lets the delivery go): the parts'
        messages and the file messages (a correction keeps those of the post)."""
        delivery = self._delivery
        key = (delivery.announcement_id, delivery.platform, delivery.channel)
        if delivery.action == "delete":
            self._posted.forget(*key)
        elif delivery.action == "post":
            self._posted.record(*key, refs, files=files)
        elif self._before:
            self._posted.record(*key, refs, files=self._files)
