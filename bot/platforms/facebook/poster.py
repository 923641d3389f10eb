"""Posting to a Facebook Page: the transport edge of the relay. One payload becomes one Graph API
`POST /{page-id}/feed`, and every failure a DeliveryError that says whether to retry.

The Graph API has no idempotency key. After a timeout or a 5xx (the post may have landed) the lane asks
`posted_parts`, which reads the Page's recent feed for a message ending with the post's reference line
(`render.reference`); a found post is not sent again. Facebook's own refusal of a repeated text
(error 506, "duplicate status message") also means the post is there.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import aiohttp

from bot.errors import DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain
from bot.platforms.facebook.render import reference
from storage.records import MessageRef

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["FacebookPoster"]

_log = logging.getLogger(__name__)
_TIMEOUT = 10.0
_FEED_PAGES = 10  # pages of 100 feed posts read at most when looking for a post
_RATE_LIMITED = frozenset({4, 17, 32, 613})  # application, user, page and custom request limits
_TRANSIENT = frozenset({1, 2})  # "unknown error", "service temporarily unavailable": it may have landed
_DUPLICATE = 506
_NO_FEED = frozenset({10, 100, 190, 200})  # no permission to read the feed, or no such edge for this token
_LIMIT_WAIT = 60.0  # the Graph API gives no Retry-After; its limits are per hour


def _error_of(data: object) -> dict[str, Any]:
    error = data.get("error") if isinstance(data, dict) else None
    return error if isinstance(error, dict) else {}


class FacebookPoster:
    """POST /{page-id}/feed over one aiohttp session of the poster's own, with the Page access token."""

    platform = "facebook"

    def __init__(self, token: str, base_url: str, *, timeout: float = _TIMEOUT) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def _http(self) -> aiohttp.ClientSession:
        """The session, made at first use (it needs the running loop) and again after close."""
        if self._session is None or self._session.closed:
            # The token goes in a header, never in a URL that an error message or a proxy log would show.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"Authorization": f"Bearer {self._token}"},
            )
        return self._session

    async def post(
        self, channel: str, payload: dict[str, Any], *, thread: MessageRef | None = None, thread_name: str = ""
    ) -> MessageRef:
        """Publish one Page post (a Page post has no thread: `thread` is ignored); returns its id."""
        del thread, thread_name
        return MessageRef(channel, await self._publish(channel, payload))

    async def edit(self, ref: MessageRef, payload: dict[str, Any]) -> None:
        """Not offered for the Page: the relay corrects and withdraws chat messages only."""
        del payload
        msg = f"correcting a Page post ({ref.id}) is not supported"
        raise DeliveryRejected(msg)

    async def delete(self, ref: MessageRef) -> None:
        """Not offered for the Page: see `edit`."""
        msg = f"deleting a Page post ({ref.id}) is not supported"
        raise DeliveryRejected(msg)

    async def rename_thread(self, root: MessageRef, name: str, *, archive: bool = False) -> None:
        """Nothing to do: nothing threads into a Page post."""
        del root, name, archive

    async def posted_refs(
        self, channel: str, delivery_id: str, since: datetime, thread: MessageRef | None = None
    ) -> dict[int, MessageRef]:
        """{1: …} when the Page's feed shows the post (its id unknown: nothing threads into a Page post)."""
        del thread
        return {part: MessageRef(channel, "") for part in await self.posted_parts(channel, delivery_id, since)}

    async def _publish(self, channel: str, payload: dict[str, Any]) -> str:
        try:
            async with self._http.post(f"{self._base_url}/{channel}/feed", data=payload) as response:
                status = response.status
                data = await response.json(content_type=None) if status != 204 else {}
        except TimeoutError as exc:
            raise DeliveryTimeout(f"Facebook did not answer (page {channel})") from exc
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise DeliveryUncertain(f"cannot reach Facebook (page {channel}): {exc}") from exc
        if status < 300:
            if isinstance(data, dict) and data.get("id"):
                _log.debug("posted %s to page %s", data["id"], channel)
                return str(data["id"])
            msg = f"Facebook answered {status} without a post id (page {channel})"
            raise DeliveryUncertain(msg)
        error = _error_of(data)
        code = error.get("code")
        text = f"Facebook error {status} code {code} (page {channel}): {str(error.get('message', ''))[:200]}"
        if code == _DUPLICATE:
            _log.info("Facebook says page %s already shows this post; not posting it again", channel)
            return ""
        if status == 429 or code in _RATE_LIMITED:
            raise DeliveryRetryable(text, retry_after=_LIMIT_WAIT)
        if status >= 500 or code in _TRANSIENT or error.get("is_transient"):
            raise DeliveryUncertain(text)
        raise DeliveryRejected(text)

    async def posted_parts(self, channel: str, delivery_id: str, since: datetime) -> set[int]:
        """{1} when the Page's feed since `since` (less a minute) shows the post, else none."""
        line = reference(delivery_id)
        url: str | None = f"{self._base_url}/{channel}/feed"
        params: dict[str, str] | None = {"fields": "id,message", "since": str(int(since.timestamp()) - 60),
                                         "limit": "100"}  # fmt: skip
        for _ in range(_FEED_PAGES):
            if url is None:
                break
            try:
                async with self._http.get(url, params=params) as response:
                    status = response.status
                    data = await response.json(content_type=None)
            except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
                raise DeliveryUncertain(f"cannot read page {channel}'s feed: {exc}") from exc
            if status >= 300:
                error = _error_of(data)
                if status < 500 and error.get("code") in _NO_FEED:
                    # Without the feed a repeat cannot be ruled out; posting once more beats never posting.
                    _log.warning("cannot read page %s's feed (%s): posting without the duplicate check", channel,
                                 error.get("message", status))  # fmt: skip
                    return set()
                msg = f"cannot read page {channel}'s feed: {status} {error.get('message', '')}"
                raise DeliveryUncertain(msg)
            posts = data.get("data") if isinstance(data, dict) else None
            for post in posts if isinstance(posts, list) else []:
                if isinstance(post, dict) and str(post.get("message", "")).rstrip().endswith(line):
                    return {1}
            paging = data.get("paging") if isinstance(data, dict) else None
            url, params = (paging.get("next") if isinstance(paging, dict) else None), None
        return set()

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
