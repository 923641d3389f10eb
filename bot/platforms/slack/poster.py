"""Posting to Slack: the transport edge of the relay. One payload becomes one chat.postMessage call (in a
thread when asked: `thread_ts`), a correction one chat.update, a withdrawal one chat.delete, and every
failure a DeliveryError that says whether to retry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain
from bot.platforms.slack.files import upload_files
from bot.platforms.slack.render import EVENT_TYPE
from storage.records import MessageRef

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from datetime import datetime

    from slack_sdk.web.async_slack_response import AsyncSlackResponse

    from bot.relay_files import OutgoingFile

__all__ = ["SlackPoster"]

_log = logging.getLogger(__name__)
_TIMEOUT = 10.0
_HISTORY_UNAVAILABLE = frozenset({
    "missing_scope", "not_in_channel", "channel_not_found", "not_authed", "invalid_auth", "account_inactive",
    "no_permission", "method_not_supported_for_channel_type",
})  # fmt: skip
_GONE = frozenset({"message_not_found", "cant_update_message", "cant_delete_message", "file_not_found",
                   "file_deleted"})  # fmt: skip
_NOT_EDITABLE = ("unfurl_links", "unfurl_media", "thread_ts", "channel")  # chat.update takes none of these


def _retry_after(value: object) -> float | None:
    try:
        return max(0.0, float(str(value)))
    except (TypeError, ValueError):
        return None


class SlackPoster:
    """chat.postMessage through slack_sdk's async client (with its rate-limit retry handler), over one
    aiohttp session of the poster's own, so connections are reused from post to post."""

    platform = "slack"

    def __init__(self, token: str, base_url: str, *, timeout: float = _TIMEOUT) -> None:
        self._token = token
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._web: AsyncWebClient | None = None

    @property
    def _client(self) -> AsyncWebClient:
        """The client over the poster's session, made at first use (a session needs the running loop)
        and again after close."""
        if self._web is None or self._session is None or self._session.closed:
            # The session times out each request; without one, slack_sdk opens and closes a session per call.
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout))
            self._web = AsyncWebClient(
                token=self._token,
                base_url=self._base_url,
                timeout=int(self._timeout),
                session=self._session,
                retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
            )
        return self._web

    async def post(
        self, channel: str, payload: dict[str, Any], *, thread: MessageRef | None = None, thread_name: str = ""
    ) -> MessageRef:
        """Post one message (into `thread`'s thread when given); returns its channel and `ts`."""
        del thread_name  # a Slack thread has no name of its own
        if thread is not None:
            payload = {**payload, "thread_ts": thread.id}
        # No outer deadline: the client times out each request itself, and its rate-limit handler
        # must be free to wait out a long Retry-After.
        response = await self._call(channel, self._client.chat_postMessage(**payload))
        ts = str(response.get("ts") or "")
        if not ts:
            raise DeliveryUncertain(f"Slack answered without the message's ts ({channel})")
        return MessageRef(str(response.get("channel") or channel), ts)

    async def edit(self, ref: MessageRef, payload: dict[str, Any]) -> None:
        """chat.update with a corrected payload; a message that is gone is left gone."""
        fields = {k: v for k, v in payload.items() if k not in _NOT_EDITABLE}
        try:
            await self._call(ref.channel, self._client.chat_update(channel=ref.channel, ts=ref.id, **fields))
        except DeliveryRejected as exc:
            if not _gone(exc):
                raise
            _log.info("Slack message %s in %s is gone; nothing to correct", ref.id, ref.channel)

    async def delete(self, ref: MessageRef) -> None:
        """chat.delete (files.delete for an uploaded file: it goes from every message that shows it); one
        already gone counts as deleted (a retried withdrawal deletes once)."""
        try:
            if ref.kind == "file":
                await self._call(ref.channel, self._client.files_delete(file=ref.id))
            else:
                await self._call(ref.channel, self._client.chat_delete(channel=ref.channel, ts=ref.id))
        except DeliveryRejected as exc:
            if not _gone(exc):
                raise
            _log.info("Slack message %s in %s was already gone", ref.id, ref.channel)

    async def rename_thread(self, root: MessageRef, name: str, *, archive: bool = False) -> None:
        """Nothing to do: a Slack thread has no name, and its replies are deleted before the message they hang from."""
        del root, name, archive

    async def _call(self, channel: str, call: Awaitable[AsyncSlackResponse]) -> AsyncSlackResponse:
        """One Web API call, its failure translated into the DeliveryError the lane understands."""
        try:
            return await call
        except SlackApiError as exc:
            status = exc.response.status_code
            error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
            retry_after = _retry_after(
                exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            )
            if status == 429 or error == "ratelimited":
                raise DeliveryRetryable(f"Slack rate limit ({channel})", retry_after=retry_after) from exc
            if status >= 500 or error in {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}:
                raise DeliveryUncertain(f"Slack error {status} {error} ({channel})", retry_after=retry_after) from exc
            raise DeliveryRejected(f"Slack refused the post to {channel}: {error or status}", code=error) from exc
        except TimeoutError as exc:
            raise DeliveryTimeout(f"Slack did not answer ({channel})") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise DeliveryUncertain(f"cannot reach Slack ({channel}): {exc}") from exc

    async def posted_parts(self, channel: str, delivery_id: str, since: datetime) -> set[int]:
        """Parts of a delivery already in the channel (found by the metadata every post carries)."""
        return set(await self.posted_refs(channel, delivery_id, since))

    async def posted_refs(
        self, channel: str, delivery_id: str, since: datetime, thread: MessageRef | None = None
    ) -> dict[int, MessageRef]:
        """The parts of a delivery already posted and where: the channel's history shows the top-level
        ones, the thread (`thread`, or the one its first part started) the rest."""
        found = await self._find(channel, delivery_id, since, None)
        root = thread or found.get(1)
        if root is not None:
            found.update(await self._find(channel, delivery_id, since, root.id))
        return found

    async def _find(
        self, channel: str, delivery_id: str, since: datetime, thread_ts: str | None
    ) -> dict[int, MessageRef]:
        found: dict[int, MessageRef] = {}
        cursor: str | None = None
        for _ in range(20):
            try:
                if thread_ts is None:
                    call = self._client.conversations_history(
                        channel=channel, oldest=f"{since.timestamp() - 60:.6f}", include_all_metadata=True,
                        limit=200, cursor=cursor,
                    )  # fmt: skip
                else:
                    call = self._client.conversations_replies(
                        channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor
                    )
                response = await asyncio.wait_for(call, timeout=_TIMEOUT * 2)
            except SlackApiError as exc:
                error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
                if error in _HISTORY_UNAVAILABLE:
                    # Without the history a repeat cannot be ruled out; posting once more beats never posting.
                    _log.warning("cannot read %s's history (%s): posting without the duplicate check", channel, error)
                    return {}
                raise DeliveryUncertain(f"cannot look up {channel}'s history: {exc}") from exc
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise DeliveryUncertain(f"cannot look up {channel}'s history: {exc}") from exc
            messages: list[dict[str, Any]] = response.get("messages") or []
            for message in messages:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and payload.get("delivery") == delivery_id:
                    with contextlib.suppress(TypeError, ValueError):
                        found[int(payload.get("part", 0))] = MessageRef(channel, str(message.get("ts", "")))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return found

    async def upload(
        self, channel: str, files: Sequence[OutgoingFile], *, key: str, comment: str, since: datetime,
        started: str, record: Callable[[str], None], thread: MessageRef | None = None, thread_name: str = "",
    ) -> tuple[MessageRef, ...]:  # fmt: skip
        """Share a post's files in `channel` (in `thread`'s thread when given), once
        (bot/platforms/slack/files.py); returns the files, which a withdrawal deletes."""
        del key, thread_name  # Slack's file ids are the marker; a Slack thread has no name
        client, session = self._client, self._session
        if session is None:  # made with the client, so never; but mypy cannot know
            msg = "no session to upload with"
            raise DeliveryRetryable(msg)
        ids = await upload_files(
            client, session, channel, files, comment=comment, since=since, started=started, record=record,
            thread_ts=thread.id if thread is not None else None,
        )  # fmt: skip
        return tuple(MessageRef(channel, file_id, "file") for file_id in ids)

    async def close(self) -> None:
        if self._session is not None:
            session, self._session, self._web = self._session, None, None
            await session.close()


def _gone(exc: DeliveryRejected) -> bool:
    return exc.code in _GONE
