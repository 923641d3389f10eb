"""Uploading a post's files to Discord, once: one create-message request, multipart/form-data with
`payload_json` (the caption, the `attachments` array naming each file, an enforced nonce) and `files[n]`.

Within Discord's nonce window a repeat of the request posts nothing new. Beyond it (a restart minutes
later) the relay has recorded that the request was about to go out, and the channel's recent messages are
read first: a message with the same caption and files of the same sizes is this upload, and it
is not sent again. Without "Read Message History" that check cannot be made, and the nonce is all there is.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.http import Route  # not in discord.py's documented API: pinned in pyproject.toml

from bot.errors import DeliveryError, DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain
from bot.platforms.discord.render import ALLOWED_MENTIONS_NONE, escape_markdown, nonce_for

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from discord.http import HTTPClient

    from bot.relay_files import OutgoingFile

__all__ = ["SENT", "upload_files"]

_log = logging.getLogger(__name__)
SENT = "sent"  # recorded before the request (with its time: "sent@ISO-8601"): it may have landed
_BYTES_TIMEOUT = 30.0
_LEAST_RATE = 256 * 1024  # bytes a second
_LOOKBACK = timedelta(minutes=1)


def _marker(content: str, sizes: Sequence[int]) -> tuple[str, tuple[int, ...]]:
    # Names are left out: Discord may rewrite a file's name (spaces, some characters), never its size.
    return content, tuple(sorted(sizes))


async def _landed(http: HTTPClient, channel: str, content: str, files: Sequence[OutgoingFile], since: datetime) -> bool:
    """Whether the channel shows this upload already (its caption and its files' sizes)."""
    wanted = _marker(content, [len(f.data) for f in files])
    route = Route("GET", "/channels/{channel_id}/messages", channel_id=channel)
    after = discord.utils.time_snowflake(since - _LOOKBACK)
    try:
        messages: list[dict[str, Any]] = await http.request(route, params={"limit": 100, "after": after})
    except discord.Forbidden:
        _log.warning("cannot read %s's history: only the nonce keeps its files from being posted twice", channel)
        return False
    for message in messages:
        attachments = message.get("attachments") or []
        seen = _marker(message.get("content", ""), [a.get("size", 0) for a in attachments])
        if seen == wanted:
            return True
    return False


def _sent_at(started: str, since: datetime) -> datetime:
    """When the earlier attempt went out (the history is read from a minute before it), else `since`."""
    try:
        return datetime.fromisoformat(started.partition("@")[2])
    except ValueError:
        return since


def _error(exc: discord.HTTPException, channel: str) -> DeliveryError:
    if exc.status == 429:
        return DeliveryRetryable(f"Discord rate limit ({channel}, files)")
    if exc.status >= 500:
        return DeliveryUncertain(f"Discord error {exc.status} ({channel}, files)")
    return DeliveryRejected(f"Discord refused the files for {channel}: {exc.status} {exc.text[:200]}")


async def upload_files(
    http: HTTPClient, channel: str, files: Sequence[OutgoingFile], *, key: str, comment: str, since: datetime,
    started: str, record: Callable[[str], None],
) -> None:  # fmt: skip
    """Post `files` with `comment` as one message in `channel`, once (see the module's docstring)."""
    content = escape_markdown(comment)
    payload = {
        "content": content,
        "attachments": [{"id": n, "filename": f.filename} for n, f in enumerate(files)],
        "allowed_mentions": ALLOWED_MENTIONS_NONE,
        "nonce": nonce_for(key, 0),
        "enforce_nonce": True,
    }
    try:
        if started.startswith(SENT) and await _landed(http, channel, content, files, _sent_at(started, since)):
            _log.info("the files of %s are already in %s; not posting them again", key, channel)
            return
        record(f"{SENT}@{datetime.now(UTC).isoformat()}")
        uploads = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in files]
        form: list[dict[str, Any]] = [{"name": "payload_json", "value": json.dumps(payload, ensure_ascii=False)}]
        form += [
            {"name": f"files[{n}]", "value": u.fp, "filename": f.filename, "content_type": f.content_type}
            for n, (f, u) in enumerate(zip(files, uploads, strict=True))
        ]
        size = sum(len(f.data) for f in files)
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel)
        timeout = aiohttp.ClientTimeout(total=_BYTES_TIMEOUT + size / _LEAST_RATE)
        await http.request(route, form=form, files=uploads, timeout=timeout)
    except discord.RateLimited as exc:
        raise DeliveryRetryable(f"Discord rate limit ({channel}, files)", retry_after=exc.retry_after) from exc
    except discord.HTTPException as exc:
        raise _error(exc, channel) from exc
    except TimeoutError as exc:
        raise DeliveryTimeout(f"Discord did not answer ({channel}, files)") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise DeliveryUncertain(f"cannot reach Discord ({channel}, files): {exc}") from exc
