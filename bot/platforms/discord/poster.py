"""Posting to Discord: the transport edge of the relay. One payload becomes one create-message call through
discord.py's HTTP client, and every failure a DeliveryError that says whether to retry.

discord.py's client keeps Discord's rate limits: when an answer announces a channel's message bucket as
spent, the post that spent it returns only after the reset, so the next one does not draw a 429; a global
429 holds every lane. It also retries 429s and 500/502/504 by itself; a retry repeats the payload's
enforced nonce, so it cannot post a part twice.
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
    return DeliveryRejected(f"Discord refused the post to {channel}: {status} {exc.text[:200]}")


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

    async def post(self, channel: str, payload: dict[str, Any]) -> None:
        http = await self._client()
        route = Route("POST", _MESSAGES, channel_id=channel)
        try:
            # The timeout is per request, so waiting for a bucket or a Retry-After is not cut short.
            await http.request(route, json=payload, timeout=aiohttp.ClientTimeout(total=self._timeout))
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

    async def upload(
        self, channel: str, files: Sequence[OutgoingFile], *, key: str, comment: str, since: datetime,
        started: str, record: Callable[[str], None],
    ) -> None:  # fmt: skip
        """Post a post's files in `channel` as one message, once (bot/platforms/discord/files.py)."""
        http = await self._client()
        await upload_files(http, channel, files, key=key, comment=comment, since=since, started=started, record=record)

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
