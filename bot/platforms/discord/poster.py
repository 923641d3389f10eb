"""Posting to Discord: the transport edge of the relay. One payload becomes one create-message call through
discord.py's HTTP client, and every failure a DeliveryError that says whether to retry.

discord.py's client keeps Discord's rate limits: when an answer announces a channel's message bucket as
spent, the post that spent it returns only after the reset, so the next one does not draw a 429; a global
429 holds every lane. It also retries 429s and 500/502/504 by itself; a retry repeats the payload's
enforced nonce, so it cannot post a part twice, and Discord answers a repeated nonce with the message it
already made, so the part's message id is known either way.

A long post's later parts, and a reply on the list, go into a thread started from the first post's message
(POST /channels/{id}/messages/{mid}/threads): a thread keeps them out of the channel, where a reply with
`message_reference` would be one more top-level message each. The thread's id is the message's id, so the
first part's ref is all a restart needs to find it again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.http import HTTPClient, Route  # not in discord.py's documented API: pinned in pyproject.toml

from bot.errors import DeliveryError, DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain
from bot.platforms.discord.files import upload_files
from storage.records import MessageRef

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from bot.relay_files import OutgoingFile

__all__ = ["DiscordPoster"]

_log = logging.getLogger(__name__)
_TIMEOUT = 10.0
# Retry-Afters up to this long are slept inside discord.py (30 s is the least it accepts); a longer one
# comes back as DeliveryRetryable, and the lane waits it out with the outbox saying why.
_MAX_RATELIMIT_WAIT = 30.0
_MESSAGES = "/channels/{channel_id}/messages"
_MESSAGE = "/channels/{channel_id}/messages/{message_id}"
_THREAD = "/channels/{channel_id}/messages/{message_id}/threads"
_CHANNEL = "/channels/{channel_id}"
_THREAD_EXISTS = 160004  # "A thread has already been created for this message"
_ARCHIVED = 50083  # "Operation cannot be performed on an archived thread"
_MISSING_PERMISSIONS = 50013
_UNKNOWN_MESSAGE = 10008
_UNKNOWN_CHANNEL = 10003
_THREAD_NAME_LIMIT = 100
_ARCHIVE_MINUTES = 10080  # a week: a list discussion goes on for days
_NOT_EDITABLE = ("nonce", "enforce_nonce")  # an edit takes the content, embeds and allowed mentions


def _retry_after(exc: discord.HTTPException) -> float | None:
    try:
        return max(0.0, float(exc.response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _delivery_error(exc: discord.HTTPException, channel: str) -> DeliveryError:
    """An HTTP error answer as the lane understands it."""
    status, retry_after = exc.status, _retry_after(exc)
    if status == 429:  # discord.py gave up retrying it, or no Discord answered (a proxy's 429)
        return DeliveryRetryable(f"Discord rate limit ({channel})", retry_after=retry_after)
    if status >= 500:
        return DeliveryUncertain(f"Discord error {status} ({channel})", retry_after=retry_after)
    return DeliveryRejected(f"Discord refused the post to {channel}: {status} {exc.text[:200]}", code=str(exc.code))


class DiscordPoster:
    """POST /channels/{id}/messages with discord.py's HTTP client, with a nonce Discord enforces."""

    platform = "discord"

    def __init__(self, token: str, base_url: str, *, timeout: float = _TIMEOUT) -> None:
        # Route.BASE is discord.py's one API address for every client in the process; the relay may run
        # without the Discord platform, so the poster points it at the configured one as well.
        Route.BASE = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._http: HTTPClient | None = None
        self._login = asyncio.Lock()
        # Messages known to have a thread (started by us or found so) → the name it was given here ("": unknown).
        self._threads: dict[str, str] = {}

    async def post(
        self, channel: str, payload: dict[str, Any], *, thread: MessageRef | None = None, thread_name: str = ""
    ) -> MessageRef:
        """Post one message (into the thread started from `thread`'s message when given, starting it if
        needed); returns where it is and its id."""
        target = channel if thread is None else await self._thread(thread, thread_name)
        message: Any = await self._request(Route("POST", _MESSAGES, channel_id=target), target, payload)
        if not isinstance(message, dict) or not message.get("id"):
            raise DeliveryUncertain(f"Discord answered without the message's id ({channel})")
        return MessageRef(target, str(message["id"]))

    async def edit(self, ref: MessageRef, payload: dict[str, Any]) -> None:
        """PATCH the message with a corrected payload; a message that is gone is left gone."""
        fields = {k: v for k, v in payload.items() if k not in _NOT_EDITABLE}
        route = Route("PATCH", _MESSAGE, channel_id=ref.channel, message_id=ref.id)
        try:
            await self._request(route, ref.channel, fields)
        except DeliveryRejected as exc:
            if exc.code not in {str(_UNKNOWN_MESSAGE), str(_UNKNOWN_CHANNEL)}:
                raise
            _log.info("Discord message %s in %s is gone; nothing to correct", ref.id, ref.channel)

    async def delete(self, ref: MessageRef) -> None:
        """DELETE the message; one already gone counts as deleted (a retried withdrawal deletes once)."""
        route = Route("DELETE", _MESSAGE, channel_id=ref.channel, message_id=ref.id)
        try:
            await self._request(route, ref.channel, None)
        except DeliveryRejected as exc:
            if exc.code not in {str(_UNKNOWN_MESSAGE), str(_UNKNOWN_CHANNEL)}:
                raise
            _log.info("Discord message %s in %s was already gone", ref.id, ref.channel)

    async def rename_thread(self, root: MessageRef, name: str, *, archive: bool = False) -> None:
        """PATCH the name of the thread started from `root` (archiving it too when asked). A thread's creator
        may rename and archive it without Manage Threads, which the bot is not given: a thread a member
        started is left as it is, and so is a post that never had a thread (Discord: unknown channel)."""
        name = (name.strip() or "…")[:_THREAD_NAME_LIMIT]
        if not archive and self._threads.get(root.id) == name:
            return  # a correction that kept the subject: Discord allows a channel two renames in ten minutes
        route = Route("PATCH", _CHANNEL, channel_id=root.id)
        body: dict[str, Any] = {"name": name}
        try:
            try:
                await self._request(route, root.id, {**body, "archived": True} if archive else body)
            except DeliveryRejected as exc:
                if exc.code != str(_ARCHIVED):
                    raise
                # Archived by a week without messages: reopened to be renamed (its creator may), then as it was.
                await self._request(route, root.id, {**body, "archived": False})
                await self._request(Route("PATCH", _CHANNEL, channel_id=root.id), root.id, {"archived": True})
        except DeliveryRejected as exc:
            if exc.code == str(_UNKNOWN_CHANNEL):
                return  # no thread was ever started from this post here
            if exc.code != str(_MISSING_PERMISSIONS):
                raise
            _log.warning("the thread of Discord message %s in %s is not the bot's to rename: left as it is",
                         root.id, root.channel)  # fmt: skip
            return
        if root.id in self._threads:
            self._threads[root.id] = name

    async def _thread(self, root: MessageRef, name: str) -> str:
        """The thread started from `root` (started now if it has none yet): its id is the message's."""
        if root.id in self._threads:
            return root.id
        name = (name.strip() or "…")[:_THREAD_NAME_LIMIT]
        body = {"name": name, "auto_archive_duration": _ARCHIVE_MINUTES}
        route = Route("POST", _THREAD, channel_id=root.channel, message_id=root.id)
        try:
            await self._request(route, root.channel, body)
        except DeliveryRejected as exc:
            if exc.code != str(_THREAD_EXISTS):  # started before a restart, or by a member: use it
                raise
            name = ""  # named by whoever started it
        self._threads[root.id] = name
        return root.id

    async def _request(self, route: Route, channel: str, payload: dict[str, Any] | None) -> object:
        http = await self._client()
        try:
            # The timeout is per request, so waiting for a bucket or a Retry-After is not cut short.
            body: dict[str, Any] = {} if payload is None else {"json": payload}
            return await http.request(route, timeout=aiohttp.ClientTimeout(total=self._timeout), **body)
        except discord.RateLimited as exc:  # a Retry-After longer than discord.py waits; nothing was sent
            raise DeliveryRetryable(f"Discord rate limit ({channel})", retry_after=exc.retry_after) from exc
        except discord.HTTPException as exc:
            raise _delivery_error(exc, channel) from exc
        except TimeoutError as exc:
            raise DeliveryTimeout(f"Discord did not answer ({channel})") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise DeliveryUncertain(f"cannot reach Discord ({channel}): {exc}") from exc

    async def posted_parts(self, channel: str, delivery_id: str, since: datetime) -> set[int]:
        """None known: each part's nonce is enforced, so re-sending a part that landed posts nothing new."""
        del channel, delivery_id, since
        return set()

    async def posted_refs(
        self, channel: str, delivery_id: str, since: datetime, thread: MessageRef | None = None
    ) -> dict[int, MessageRef]:
        """None known, as for `posted_parts`: the re-sent part's answer is the message it made before."""
        del channel, delivery_id, since, thread
        return {}

    async def upload(
        self, channel: str, files: Sequence[OutgoingFile], *, key: str, comment: str, since: datetime,
        started: str, record: Callable[[str], None], thread: MessageRef | None = None, thread_name: str = "",
    ) -> tuple[MessageRef, ...]:  # fmt: skip
        """Post a post's files as one message (bot/platforms/discord/files.py), in the thread started from
        `thread`'s message when given (starting it if needed), once; returns that message when known."""
        target = channel if thread is None else await self._thread(thread, thread_name)
        http = await self._client()
        message_id = await upload_files(
            http, target, files, key=key, comment=comment, since=since, started=started, record=record
        )
        return (MessageRef(target, message_id, "file"),) if message_id else ()

    async def _client(self) -> HTTPClient:
        """The logged-in client, made at first use (it needs the running loop) and again after close."""
        async with self._login:
            if self._http is not None:
                return self._http
            http = HTTPClient(asyncio.get_running_loop(), max_ratelimit_timeout=_MAX_RATELIMIT_WAIT)
            try:
                await asyncio.wait_for(http.static_login(self._token), timeout=self._timeout * 3)
            except discord.LoginFailure as exc:
                await http.close()
                raise DeliveryRejected(f"Discord refused the bot token: {exc}") from exc
            except (discord.DiscordException, aiohttp.ClientError, OSError) as exc:
                await http.close()
                raise DeliveryRetryable(f"cannot log in to Discord: {exc}") from exc  # nothing was posted yet
            except BaseException:
                await http.close()
                raise
            _log.debug("the relay is logged in to Discord at %s", Route.BASE)
            self._http = http
            return http

    async def close(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.close()
