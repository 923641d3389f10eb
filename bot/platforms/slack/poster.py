"""Posting to Slack: the transport edge of the relay. One payload becomes one chat.postMessage call, and
every failure a DeliveryError that says whether to retry."""

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

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from bot.relay_files import OutgoingFile

__all__ = ["SlackPoster"]

_log = logging.getLogger(__name__)
_TIMEOUT = 10.0
_HISTORY_UNAVAILABLE = frozenset({
    "missing_scope", "not_in_channel", "channel_not_found", "not_authed", "invalid_auth", "account_inactive",
    "no_permission", "method_not_supported_for_channel_type",
})  # fmt: skip


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

    async def post(self, channel: str, payload: dict[str, Any]) -> None:
        try:
            # No outer deadline: the client times out each request itself, and its rate-limit handler
            # must be free to wait out a long Retry-After.
            await self._client.chat_postMessage(**payload)
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
            raise DeliveryRejected(f"Slack refused the post to {channel}: {error or status}") from exc
        except TimeoutError as exc:
            raise DeliveryTimeout(f"Slack did not answer ({channel})") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise DeliveryUncertain(f"cannot reach Slack ({channel}): {exc}") from exc

    async def posted_parts(self, channel: str, delivery_id: str, since: datetime) -> set[int]:
        """Parts of a delivery already in the channel (found by the metadata every post carries)."""
        found: set[int] = set()
        cursor: str | None = None
        for _ in range(20):
            try:
                response = await asyncio.wait_for(
                    self._client.conversations_history(
                        channel=channel,
                        oldest=f"{since.timestamp() - 60:.6f}",
                        include_all_metadata=True,
                        limit=200,
                        cursor=cursor,
                    ),
                    timeout=_TIMEOUT * 2,
                )
            except SlackApiError as exc:
                error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
                if error in _HISTORY_UNAVAILABLE:
                    # Without the history a repeat cannot be ruled out; posting once more beats never posting.
                    _log.warning("cannot read %s's history (%s): posting without the duplicate check", channel, error)
                    return set()
                raise DeliveryUncertain(f"cannot look up {channel}'s history: {exc}") from exc
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise DeliveryUncertain(f"cannot look up {channel}'s history: {exc}") from exc
            messages: list[dict[str, Any]] = response.get("messages") or []
            for message in messages:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and payload.get("delivery") == delivery_id:
                    with contextlib.suppress(TypeError, ValueError):
                        found.add(int(payload.get("part", 0)))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        return found

    async def upload(
        self, channel: str, files: Sequence[OutgoingFile], *, key: str, comment: str, since: datetime,
        started: str, record: Callable[[str], None],
    ) -> None:  # fmt: skip
        """Share a post's files in `channel`, once (bot/platforms/slack/files.py)."""
        del key  # Slack's file ids are the marker
        client, session = self._client, self._session
        if session is None:  # made with the client, so never; but mypy cannot know
            msg = "no session to upload with"
            raise DeliveryRetryable(msg)
        await upload_files(
            client, session, channel, files, comment=comment, since=since, started=started, record=record
        )

    async def close(self) -> None:
        if self._session is not None:
            session, self._session, self._web = self._session, None, None
            await session.close()
