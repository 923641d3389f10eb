"""Uploading a post's files to Slack, once: files.getUploadURLExternal → the bytes to the URL it returns →
files.completeUploadExternal into the channel.

These are the three steps of slack_sdk's `files_upload_v2`, called one by one because the relay must record
the file ids between the upload and the completion (which is what makes the files visible): with them, a
retry or a restart asks whether the completion landed (the channel's recent history, then files.info)
instead of uploading again. Slack shares completed files asynchronously (after its malware scan: see
slackapi/bolt-js#2115), so recorded files that do not show yet are looked for again for a while before they
are completed a second time. A file whose
bytes were sent but which was never completed is not shown to anyone; Slack drops it.

Scopes: `files:write` to upload, `files:read` for files.info (without it a retry completes the recorded
files again, and Slack may then show them twice; the log says so).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.errors import DeliveryError, DeliveryRejected, DeliveryRetryable, DeliveryTimeout, DeliveryUncertain
from bot.platforms.slack.render import escape_mrkdwn

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from slack_sdk.web.async_client import AsyncWebClient

    from bot.relay_files import OutgoingFile

__all__ = ["upload_files"]

_log = logging.getLogger(__name__)
_BYTES_TIMEOUT = 30.0
_LEAST_RATE = 256 * 1024  # bytes a second: slower than this, an upload is given up (and retried)
_SETTLE = 20.0  # seconds Slack is given to show completed files before they are completed again
_LOOK_AGAIN = 4.0
_GONE = frozenset({"file_not_found", "file_deleted", "invalid_file_id"})
_UNREADABLE = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})


def _error(exc: SlackApiError, channel: str) -> DeliveryError:
    status = exc.response.status_code
    error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
    if status == 429 or error == "ratelimited":
        return DeliveryRetryable(f"Slack rate limit ({channel}, files)")
    if status >= 500 or error in {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}:
        return DeliveryUncertain(f"Slack error {status} {error} ({channel}, files)")
    return DeliveryRejected(f"Slack refused the files for {channel}: {error or status}")


def _shared_in(file: dict[str, Any], channel: str) -> bool:
    shares = file.get("shares") or {}
    in_shares = any(channel in (shares.get(kind) or {}) for kind in ("public", "private"))
    listed = any(channel in (file.get(kind) or []) for kind in ("channels", "groups", "ims"))
    return in_shares or listed


async def _in_history(client: AsyncWebClient, channel: str, ids: list[str], since: datetime) -> bool:
    """Whether a message in the channel's recent history carries one of these files (a second sign beside
    files.info, whose shares Slack may fill in a moment after the completion)."""
    try:
        response = await client.conversations_history(channel=channel, oldest=f"{since.timestamp() - 60:.6f}",
                                                       limit=200)  # fmt: skip
    except SlackApiError as exc:
        _log.warning("cannot read %s's history to look for files %s: %s", channel, ",".join(ids), exc)
        return False
    messages: list[dict[str, Any]] = response.get("messages") or []
    wanted = set(ids)
    return any(wanted & {f.get("id") for f in message.get("files") or []} for message in messages)


async def _state(client: AsyncWebClient, channel: str, ids: list[str], since: datetime) -> str:
    """What became of recorded file ids: "shared" (in the channel), "uploaded" (not shared yet, or cannot
    be told), or "gone" (Slack no longer has one of them: upload afresh)."""
    if await _in_history(client, channel, ids, since):
        return "shared"
    shared = 0
    for file_id in ids:
        try:
            response = await client.files_info(file=file_id)
        except SlackApiError as exc:
            error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
            if error in _GONE:
                return "gone"
            if error in _UNREADABLE:
                _log.warning("cannot look up file %s (%s): completing it again may show it twice", file_id, error)
                return "uploaded"
            raise
        file = response.get("file") or {}
        shared += _shared_in(file, channel)
    return "shared" if shared == len(ids) else "uploaded"


async def _send_bytes(session: aiohttp.ClientSession, url: str, file: OutgoingFile) -> None:
    # A big file takes longer than one API call: its own deadline, beside the session's per-call one.
    timeout = aiohttp.ClientTimeout(total=_BYTES_TIMEOUT + len(file.data) / _LEAST_RATE)
    headers = {"Content-Type": file.content_type}
    async with session.post(url, data=file.data, headers=headers, timeout=timeout) as response:
        if response.status == 200:
            return
        text = (await response.text())[:200]
    if response.status == 429 or response.status >= 500:
        msg = f"Slack did not take the bytes of {file.filename!r}: {response.status} {text}"
        raise DeliveryRetryable(msg)
    msg = f"Slack refused the bytes of {file.filename!r}: {response.status} {text}"
    raise DeliveryRejected(msg)


async def _complete(
    client: AsyncWebClient, channel: str, ids: list[str], files: Sequence[OutgoingFile], comment: str
) -> None:
    await client.files_completeUploadExternal(
        files=[{"id": i, "title": f.filename} for i, f in zip(ids, files, strict=True)],
        channel_id=channel,
        initial_comment=escape_mrkdwn(comment),
    )


async def _resume(
    client: AsyncWebClient, channel: str, files: Sequence[OutgoingFile], comment: str, started: str, since: datetime
) -> bool:
    """Finish an earlier attempt whose file ids were recorded; False when it must start afresh."""
    listed, _, at = started.partition("@")
    ids = listed.split(",")
    state = await _state(client, channel, ids, since)
    if state == "shared":
        _log.info("files %s are already in %s; not uploading them again", listed, channel)
        return True
    if state == "gone" or len(ids) != len(files):
        return False
    # Slack shares completed files a moment later (after its scans), so a completion that landed may not
    # show yet: look again until it has had time to, before completing the files a second time.
    waited = time.time() - float(at or 0)
    if waited < _SETTLE:
        msg = f"Slack does not show files {listed} in {channel} yet; looking again before completing them"
        raise DeliveryUncertain(msg, retry_after=min(_LOOK_AGAIN, _SETTLE - waited))
    try:
        await _complete(client, channel, ids, files, comment)
    except SlackApiError as exc:
        error = exc.response.get("error", "") if isinstance(exc.response.data, dict) else ""
        if error in _GONE:
            return False  # never fully uploaded after all: nothing of it is shown
        raise
    return True


async def upload_files(
    client: AsyncWebClient, session: aiohttp.ClientSession, channel: str, files: Sequence[OutgoingFile], *,
    comment: str, since: datetime, started: str, record: Callable[[str], None],
) -> None:  # fmt: skip
    """Share `files` in `channel` with `comment`, once (see the module's docstring)."""
    try:
        if started and await _resume(client, channel, files, comment, started, since):
            return
        ids = []
        urls = []
        for file in files:
            response = await client.files_getUploadURLExternal(filename=file.filename, length=len(file.data))
            ids.append(str(response["file_id"]))
            urls.append(str(response["upload_url"]))
        for url, file in zip(urls, files, strict=True):
            await _send_bytes(session, url, file)
        record(f"{','.join(ids)}@{time.time():.0f}")  # the wall clock: the token must outlive the process
        await _complete(client, channel, ids, files, comment)
    except SlackApiError as exc:
        raise _error(exc, channel) from exc
    except TimeoutError as exc:
        raise DeliveryTimeout(f"Slack did not answer ({channel}, files)") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise DeliveryUncertain(f"cannot reach Slack ({channel}, files): {exc}") from exc
