"""The IMAP intake: reads a mailbox subscribed to the list and spools what arrives, as the SMTP listener does.

Invariants, in the order a message meets them:
- A message is in the spool (written and fsynced) before its UID is recorded as handled and before the server
  is told (a flag, or a move to another folder), so a crash at any instant loses nothing. What was spooled but
  not yet recorded is fetched again after a restart and caught by the intake's de-duplication by Message-ID.
- The last handled UID is kept per mailbox and UIDVALIDITY in DATA/imap-state.json, replaced atomically. A
  UIDVALIDITY that changed (the mailbox was deleted and created again) starts that mailbox over from UID 1.
- Everything after the spool (authenticity, de-duplication, quarantine, the relay) is the SMTP intake's.
- IDLE is re-issued every `IDLE_RENEW` seconds, inside RFC 2177's 29 minutes; a server without IDLE is polled.
- Failures reconnect with back-off; a refused login is logged once a minute and /healthz shows
  "failing: authentication" until a login succeeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import shlex
import ssl
from typing import TYPE_CHECKING, Any

import aioimaplib

from bot.limits import Throttle
from storage.atomic import atomic_write_bytes
from storage.errors import RmoBotError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from bot.config_sections import ImapSettings
    from storage.spool import Spool

__all__ = ["IDLE_RENEW", "ImapAuthError", "ImapError", "ImapIntake", "ImapState"]

_log = logging.getLogger(__name__)

IDLE_RENEW = 25 * 60  # seconds an IDLE lasts before it is re-issued (servers may drop one after 29 minutes)
_TIMEOUT = 60.0  # seconds any one command may take
_XOAUTH2_TIMEOUT = 15.0  # seconds an XOAUTH2 login may take before the token counts as refused
_BATCH = 50  # messages fetched, spooled (one fsync) and marked together
_MAX_DELAY = 300.0  # the longest wait between two connection attempts
_AUTH_DELAY = 60.0  # a refused login is tried again once a minute, not faster
_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
_FETCHED = re.compile(rb"^\d+ FETCH \(.*?\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


class ImapError(RmoBotError):
    """The IMAP server refused a command or went away."""


class ImapAuthError(ImapError):
    """The IMAP server refused the login (a wrong password or token)."""


class ImapState:
    """The last handled UID per mailbox and UIDVALIDITY, in one JSON file replaced atomically."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._data: dict[str, dict[str, int]] = json.loads(path.read_bytes())
        except FileNotFoundError:
            self._data = {}

    def last_uid(self, mailbox: str, uidvalidity: int) -> int:
        """The last UID handled in `mailbox` under `uidvalidity`; 0 when none (or the UIDVALIDITY changed)."""
        seen = self._data.get(mailbox)
        if seen is None or seen.get("uidvalidity") != uidvalidity:
            return 0
        return seen.get("last_uid", 0)

    def record(self, mailbox: str, uidvalidity: int, last_uid: int) -> None:
        self._data[mailbox] = {"uidvalidity": uidvalidity, "last_uid": last_uid}
        atomic_write_bytes(self._path, json.dumps(self._data, indent=1, sort_keys=True).encode())


def _text(response: Any) -> str:  # noqa: ANN401 - aioimaplib's Response is untyped
    """A server's answer as one readable line."""
    lines = [bytes(line).decode("utf-8", "replace") for line in response.lines if isinstance(line, bytes)]
    return " ".join(lines).strip() or str(response.result)


def _check(response: Any, what: str) -> Any:  # noqa: ANN401
    if response.result != "OK":
        msg = f"{what}: {_text(response)}"
        raise ImapError(msg)
    return response


def fetched_sizes(lines: list[Any]) -> dict[int, int]:
    """UID → size from a `UID FETCH (UID RFC822.SIZE)` answer."""
    sizes = {}
    for line in lines:
        if isinstance(line, bytes) and (uid := _FETCHED.match(line)) and (size := _SIZE.search(line)):
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def fetched_messages(lines: list[Any]) -> list[tuple[int, bytes]]:
    """(UID, raw message) pairs from a UID FETCH answer, the literal after each FETCH line that names a UID."""
    found: list[tuple[int, bytes]] = []
    uid: int | None = None
    for line in lines:
        if isinstance(line, bytearray):
            if uid is not None:
                found.append((uid, bytes(line)))
            uid = None
        elif isinstance(line, bytes):
            match = _FETCHED.match(line)
            uid = int(match.group(1)) if match else None
    return found


class ImapIntake:
    """Spools the messages of `[mail.imap] folder` and marks them handled, until the bot stops."""

    name = "imap"

    def __init__(
        self,
        settings: ImapSettings,
        secret: str,
        spool: Spool,
        on_spooled: Callable[[], None],
        states: dict[str, str],
        state_file: Path,
        *,
        max_size: int = 10 * 1024 * 1024,
        keep_refused: int = 64 * 1024,
    ) -> None:
        self._max_size = max_size  # [mail.intake] max_size: what SMTP refuses with 552 is refused here too
        self._keep_refused = keep_refused
        self._settings = settings
        self._secret = secret
        self._spool = spool
        self._on_spooled = on_spooled
        self._states = states
        self._state = ImapState(state_file)
        self._mailbox = f"{settings.username}@{settings.host}:{settings.port}/{settings.folder}"
        self._reports: dict[str, Throttle] = {}
        self._delay = 1.0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._session(stop)
            except ImapAuthError as exc:
                self._failing("failing: authentication", f"IMAP login refused: {exc}", _AUTH_DELAY, logging.ERROR)
            except (OSError, TimeoutError, ImapError, aioimaplib.AioImapException) as exc:
                reason = str(exc) or type(exc).__name__
                state = f"reconnecting: {type(exc).__name__}"
                self._failing(state, f"IMAP connection failed: {reason}", self._delay, logging.WARNING)
            else:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._delay)
            self._delay = min(self._delay * 2, _MAX_DELAY)

    def _failing(self, state: str, problem: str, delay: float, level: int) -> None:
        """One log line a minute per kind of failure, however often it recurs; the state for /healthz."""
        self._states[self.name] = state
        self._delay = max(self._delay, delay)
        held = self._reports.setdefault(state, Throttle()).ready()
        if held is not None:
            s = self._settings
            more = f" ({held} more since the last report)" if held else ""
            _log.log(
                level,
                "%s (%s as %s); trying again in %.0f s, reported once a minute%s",
                problem, s.host, s.username, self._delay, more,
            )  # fmt: skip

    async def _session(self, stop: asyncio.Event) -> None:
        lost = asyncio.Event()
        client = await self._connect(lost)
        try:
            await self._login(client)
            s = self._settings
            if s.mark == "move" and s.done_folder:
                await client.create(s.done_folder)  # a NO when it exists already is fine
            selected = _check(await client.select(s.folder), f"cannot open folder {s.folder!r}")
            match = next((_UIDVALIDITY.search(bytes(x)) for x in selected.lines if _UIDVALIDITY.search(bytes(x))), None)
            if match is None:
                msg = f"the server named no UIDVALIDITY for {s.folder!r}"
                raise ImapError(msg)
            uidvalidity = int(match.group(1))
            self._delay = 1.0
            self._reports.clear()
            idle = client.has_capability("IDLE")
            _log.info("IMAP intake reading %s (%s)", self._mailbox, "IDLE" if idle else f"every {s.poll_interval} s")
            while not stop.is_set():
                await self._drain(client, uidvalidity)
                self._states[self.name] = "running"
                if idle:
                    await self._idle(client, stop, lost)
                else:
                    await _first(stop, lost, within=s.poll_interval)
                    _check(await client.noop(), "NOOP")
                if lost.is_set():
                    msg = "the server closed the connection"
                    raise ImapError(msg)
        finally:
            if not lost.is_set():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.logout(), 5)

    async def _connect(self, lost: asyncio.Event) -> aioimaplib.IMAP4:
        s = self._settings
        context = None
        if s.tls != "none":
            try:
                context = ssl.create_default_context(cafile=s.ca_file or None)
            except OSError as exc:
                msg = f"cannot read [mail.imap] ca_file {s.ca_file!r}: {exc.strerror or exc}"
                raise ImapError(msg) from None
        if s.tls == "ssl":
            client = aioimaplib.IMAP4_SSL(s.host, s.port, timeout=_TIMEOUT, ssl_context=context)
        else:
            client = aioimaplib.IMAP4(s.host, s.port, timeout=_TIMEOUT)
        client.protocol.conn_lost_cb = lambda _exc: lost.set()
        await client.wait_hello_from_server()
        if s.tls == "starttls" and context is not None:
            await self._starttls(client, context)
        return client

    async def _starttls(self, client: aioimaplib.IMAP4, context: ssl.SSLContext) -> None:
        # aioimaplib has STARTTLS in its command table but no method for it: send it, then upgrade the
        # protocol's transport with asyncio's public start_tls (tested with aioimaplib 2.0.3, pinned).
        protocol = client.protocol
        if "STARTTLS" not in protocol.capabilities:
            msg = 'the server offers no STARTTLS (set tls = "ssl" or check the port)'
            raise ImapError(msg)
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        _check(await asyncio.wait_for(protocol.execute(command), _TIMEOUT), "STARTTLS")
        loop = asyncio.get_running_loop()
        transport = await loop.start_tls(protocol.transport, protocol, context, server_hostname=self._settings.host)
        protocol.transport = transport
        await asyncio.wait_for(protocol.capability(), _TIMEOUT)  # what the server offers may differ under TLS

    async def _login(self, client: aioimaplib.IMAP4) -> None:
        s = self._settings
        if s.auth == "xoauth2":
            token = await self._token()
            try:
                response = await asyncio.wait_for(client.xoauth2(s.username, token), _XOAUTH2_TIMEOUT)
            except TimeoutError:
                # A refused token gets an error challenge that aioimaplib 2.0.3 leaves unanswered: no NO follows.
                msg = "the server did not accept the XOAUTH2 token"
                raise ImapAuthError(msg) from None
        else:
            response = await client.login(s.username, self._secret)
        if response.result != "OK":
            raise ImapAuthError(_text(response))
        # What the server offers may change with the login; aioimaplib keeps the greeting's list unless asked.
        await asyncio.wait_for(client.protocol.capability(), _TIMEOUT)

    async def _token(self) -> str:
        """IMAP_OAUTH2_TOKEN, or a fresh one printed by `token_command` (run before each login)."""
        command = self._settings.token_command
        if not command:
            return self._secret
        proc = await asyncio.create_subprocess_exec(
            *shlex.split(command), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), _TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        token = out.decode("utf-8", "replace").strip()
        if proc.returncode != 0 or not token:
            reason = err.decode("utf-8", "replace").strip()[:200]
            msg = f"token_command printed no token (exit status {proc.returncode}): {reason}"
            raise ImapAuthError(msg)
        return token

    async def _drain(self, client: aioimaplib.IMAP4, uidvalidity: int) -> None:
        """Spool everything past the last handled UID, a batch at a time, then mark it handled."""
        last = self._state.last_uid(self._mailbox, uidvalidity)
        if last == 0:
            _log.info("IMAP intake: %s (UIDVALIDITY %d) is read from its first message", self._mailbox, uidvalidity)
        while True:
            found = _check(await client.uid_search(f"UID {last + 1}:*", charset=None), "UID SEARCH")
            # "n:*" always matches the last message, even when its UID is below n.
            uids = sorted({int(u) for line in found.lines[:-1] for u in bytes(line).split() if u.isdigit()})
            uids = [u for u in uids if u > last][:_BATCH]
            if not uids:
                return
            messages = await self._spool_batch(client, uids)
            last = max(uids)
            await asyncio.to_thread(self._state.record, self._mailbox, uidvalidity, last)
            await self._mark(client, [uid for uid, _ in messages])

    async def _spool_batch(self, client: aioimaplib.IMAP4, uids: list[int]) -> list[tuple[int, bytes]]:
        """Spool a batch; a message over `max_size` is never fetched whole: its start is spooled to be refused
        (and kept, bounded, in the quarantine with its reason), as SMTP refuses it before its DATA ends."""
        sized = fetched_sizes(_check(await client.uid("fetch", _set(uids), "(UID RFC822.SIZE)"), "UID FETCH").lines)
        big = [uid for uid in uids if sized.get(uid, 0) > self._max_size]
        small = [uid for uid in uids if uid not in big]
        messages: list[tuple[int, bytes]] = []
        for part, what, oversize in ((small, "(UID BODY.PEEK[])", False),
                                     (big, f"(UID BODY.PEEK[]<0.{self._keep_refused}>)", True)):  # fmt: skip
            if not part:
                continue
            fetched = fetched_messages(_check(await client.uid("fetch", _set(part), what), "UID FETCH").lines)
            if fetched:
                raws = [raw for _, raw in fetched]
                name = await asyncio.to_thread(self._spool.put_many, raws, oversize=oversize)
                _log.info("IMAP intake spooled %d message(s) as %s", len(fetched), name)
                if oversize:
                    _log.warning("IMAP intake: %d message(s) over [mail.intake] max_size (%d bytes) are refused",
                                 len(fetched), self._max_size)  # fmt: skip
                messages += fetched
        if messages:
            self._on_spooled()
        return messages

    async def _mark(self, client: aioimaplib.IMAP4, uids: list[int]) -> None:
        # Already spooled and recorded: a mark that fails is reported, and changes nothing the bot relies on.
        if not uids:
            return
        s, uid_set = self._settings, ",".join(map(str, uids))
        if s.mark == "move" and s.done_folder:
            if client.has_capability("MOVE"):
                response = await client.uid("move", uid_set, s.done_folder)
            else:
                response = await client.uid("copy", uid_set, s.done_folder)
                if response.result == "OK":
                    response = await client.uid("store", uid_set, "+FLAGS.SILENT", "(\\Deleted)")
                    await client.expunge()
        else:
            response = await client.uid("store", uid_set, "+FLAGS.SILENT", f"({s.flag})")
        if response.result != "OK":
            _log.warning("IMAP intake could not mark %d message(s) handled: %s", len(uids), _text(response))

    async def _idle(self, client: aioimaplib.IMAP4, stop: asyncio.Event, lost: asyncio.Event) -> None:
        """Wait in IDLE until the server reports a change, IDLE_RENEW passes, the connection drops or we stop."""
        idle = await client.idle_start(timeout=IDLE_RENEW)
        push = asyncio.ensure_future(client.wait_server_push(timeout=IDLE_RENEW + _TIMEOUT))
        try:
            await _first(stop, lost, push, idle)
        finally:
            push.cancel()
        lines = push.result() if push.done() and not push.cancelled() and not push.exception() else []
        if lost.is_set():
            return
        client.idle_done()
        await asyncio.wait_for(idle, _TIMEOUT)
        # Dovecot answers a mailbox deleted under the session with an untagged NO; others send BYE.
        trouble = [bytes(x) for x in lines if isinstance(x, bytes) and x.startswith((b"NO", b"BAD", b"BYE"))]
        if trouble:
            msg = f"the server reported trouble with {self._settings.folder!r}: {trouble[0].decode('utf-8', 'replace')}"
            raise ImapError(msg)


def _set(uids: list[int]) -> str:
    return ",".join(map(str, uids))


async def _first(*waits: asyncio.Event | asyncio.Future[Any], within: float | None = None) -> None:
    """Return when the first event is set or future is done (or after `within` seconds)."""
    tasks = [asyncio.ensure_future(w.wait()) if isinstance(w, asyncio.Event) else w for w in waits]
    mine = [t for t, w in zip(tasks, waits, strict=True) if isinstance(w, asyncio.Event)]
    try:
        await asyncio.wait(tasks, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in mine:
            task.cancel()
