"""Posting to Discord: the transport edge of the relay. One payload becomes one create-message call, and
every failure a DeliveryError that says whether to retry."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import aiohttp

from bot.errors import DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain

__all__ = ["DiscordPoster"]

_log = logging.getLogger(__name__)
_TIMEOUT = 10.0


def _retry_after(value: object) -> float | None:
    try:
        return max(0.0, float(str(value)))
    except (TypeError, ValueError):
        return None


class DiscordPoster:
    """POST /channels/{id}/messages on Discord's REST API, with a nonce Discord enforces."""

    platform = "discord"

    def __init__(self, token: str, base_url: str, *, timeout: float = _TIMEOUT) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {
            "Authorization": f"Bot {token}",
            "Content-Type": "application/json",
            "User-Agent": "DiscordBot (https://github.com/rmo-bot, 0.1) rmo-bot",
        }
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def post(self, channel: str, payload: dict[str, Any]) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
        url = f"{self._base}/channels/{channel}/messages"
        body = json.dumps(payload, ensure_ascii=False).encode()
        try:
            async with self._session.post(url, data=body) as response:
                text = await response.text(errors="replace")
                status = response.status
                headers = response.headers
        except TimeoutError as exc:
            raise DeliveryTimeout(f"Discord did not answer ({channel})") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise DeliveryUncertain(f"cannot reach Discord ({channel}): {exc}") from exc
        if 200 <= status < 300:
            return
        retry_after = _retry_after(headers.get("Retry-After"))
        if status == 429:
            with contextlib.suppress(ValueError, AttributeError):
                retry_after = _retry_after(json.loads(text).get("retry_after")) or retry_after
            raise DeliveryRetryable(f"Discord rate limit ({channel})", retry_after=retry_after)
        if status >= 500:
            raise DeliveryUncertain(f"Discord error {status} ({channel})", retry_after=retry_after)
        raise DeliveryRejected(f"Discord refused the post to {channel}: {status} {text[:200]}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
