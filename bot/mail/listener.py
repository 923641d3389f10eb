"""The mail intake: an SMTP (or LMTP) listener that answers 250 only once a message is safely spooled.

It accepts mail only for its configured addresses and relays nothing onward; a message it cannot
store gets 451, so the sending MTA keeps it and tries again. It holds a bounded number of connections, in
all and per client address: one more is greeted with 421 and closed (the sender tries again later), and
a connection idle for `idle_timeout` seconds is closed, so idle connections cannot use up the process's
file descriptors and take the HTTP server down with the intake.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, syntax

from bot.acceptor import Acceptor
from bot.limits import Throttle, client_key
from bot.mail.smtp_data import read_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from storage.spool import Spool

__all__ = ["MailListener"]

_log = logging.getLogger(__name__)


class _GroupCommit:
    """Messages that arrive while the writers are busy are written together by the next free one. Up to
    `WRITERS` writes run at once (each a file and two fsyncs, which the disk's journal commits together), so a
    burst does not queue behind one write's fsyncs; the spool is read in name order all the same."""

    WRITERS = 3

    def __init__(self, spool: Spool) -> None:
        self._spool = spool
        self._waiting: list[tuple[tuple[bytes, ...], asyncio.Future[str]]] = []
        self._writers: set[asyncio.Task[None]] = set()

    async def put(self, raw: tuple[bytes, ...]) -> str:
        """Spool one message, given in pieces (written one after another: a big one is not copied)."""
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting.append((raw, future))
        if len(self._writers) < self.WRITERS:
            writer = asyncio.create_task(self._write())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        return await asyncio.shield(future)

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                name = await asyncio.to_thread(self._spool.put_many, [raw for raw, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every waiting sender gets its 451, whatever went wrong
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc if isinstance(exc, OSError) else OSError(str(exc)))
                continue
            for _, future in batch:
                if not future.done():  # a sender that hung up meanwhile: its message is stored all the same
                    future.set_result(name)


def _served(address: str, addresses: frozenset[str]) -> bool:
    """An address served exactly, or a digest's VERP bounce to one (rmo-bot+bounce+…@d for rmo-bot@d)."""
    address = address.strip().lower()
    if address in addresses:
        return True
    local, _, domain = address.rpartition("@")
    base, marker, _ = local.partition("+bounce+")
    return bool(marker) and f"{base}@{domain}" in addresses


class _Handler:
    def __init__(
        self, spool: Spool, addresses: frozenset[str], on_spooled: Callable[[], None], *, lmtp: bool = False
    ) -> None:
        self.lmtp = lmtp
        self._spool = _GroupCommit(spool)
        self._addresses = addresses
        self._on_spooled = on_spooled

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        del server, session, rcpt_options
        if self._addresses and not _served(address, self._addresses):
            return "550 5.1.1 No such recipient here (this intake relays nothing)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del server, session
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode("utf-8", "surrogateescape")
        # The envelope sender travels with the message, as an MTA's Return-Path would: "<>" marks a bounce.
        mail_from = envelope.mail_from or ""
        rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        # Like an MTA's Return-Path and Delivered-To: the envelope travels with the message.
        stamp = f"Return-Path: <{mail_from.strip('<>')}>\r\nDelivered-To: {rcpt}\r\n".encode("utf-8", "replace")
        try:
            name = await self._spool.put((stamp, raw))
        except Exception as exc:  # noqa: BLE001 - never a 5xx for our own trouble: the sender must retry
            _log.error("could not spool a message from %s: %s", mail_from, exc)
            return self._reply(envelope, "451 4.3.0 Cannot store the message now; please try again later")
        _log.debug("spooled %s (%d bytes) from %s", name, len(raw), mail_from)
        self._on_spooled()
        return self._reply(envelope, "250 2.0.0 OK: queued")

    def _reply(self, envelope: Any, status: str) -> str:
        # LMTP answers DATA once per accepted recipient.
        count = len(envelope.rcpt_tos) if self.lmtp else 1
        return "\r\n".join([status] * max(1, count))


class _Gate:
    """Counts the open connections, in all and per client, against their caps; reports refusals once a minute."""

    def __init__(self, total: int, per_client: int) -> None:
        self.total, self.per_client = total, per_client
        self.open = 0
        self._by_client: dict[str, int] = {}
        self._report = Throttle()

    def refusal(self, client: str) -> str | None:
        """None to admit `client` (counted until `release`), else the 421 to greet it with."""
        if self.open >= self.total:
            reply = "421 4.3.2 rmo-bot: too many connections, try again later"
        elif self._by_client.get(client, 0) >= self.per_client:
            reply = "421 4.7.0 rmo-bot: too many connections from your address, try again later"
        else:
            self.open += 1
            self._by_client[client] = self._by_client.get(client, 0) + 1
            return None
        held = self._report.ready()
        if held is not None:
            _log.warning(
                "refusing connections: %d open of %d at most, %d from %s of %d%s; reported once a minute",
                self.open, self.total, self._by_client.get(client, 0), client, self.per_client,
                f" ({held} more refused since the last report)" if held else "",
            )  # fmt: skip
        return reply

    def release(self, client: str) -> None:
        self.open -= 1
        left = self._by_client.pop(client) - 1
        if left:
            self._by_client[client] = left


# The gate hooks asyncio's protocol callbacks (public API) around aiosmtpd's session; aiosmtpd's own
# `timeout` is the idle timeout, reset by each command, so a message's DATA must arrive within it too.
class _GatedSMTP(SMTP):
    def __init__(self, gate: _Gate, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate = gate
        self._client: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._client is not None:  # STARTTLS: the same connection, already counted
            super().connection_made(transport)
            return
        peer = transport.get_extra_info("peername")
        client = client_key(str(peer[0]) if isinstance(peer, tuple) and peer else "?")
        refusal = self._gate.refusal(client)
        if refusal is not None:
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(refusal.encode("ascii") + b"\r\n")
            transport.close()  # once written; aiosmtpd never saw this connection
            return
        self._client = client
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._client is None:
            return
        self._gate.release(self._client)
        self._client = None
        super().connection_lost(error)

    # aiosmtpd's own DATA with its reading replaced (bot/mail/smtp_data.py: it held the event loop for tens
    # of milliseconds on a big post). It uses aiosmtpd's `_reader`, `_writer` and `_set_post_data_state`,
    # which its documentation does not cover: tested with aiosmtpd 1.4.6, pinned to <1.5 in pyproject.toml.
    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's command method name
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        envelope = self.envelope
        assert envelope is not None  # aiosmtpd makes one with the connection
        if not envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            content = await read_data(self._reader, size_limit=self.data_size_limit, line_limit=self.line_length_limit)
        except asyncio.CancelledError:  # the connection was reset during DATA
            self._writer.close()
            raise
        if content is None:
            return  # the connection ended before the message did
        if isinstance(content, str):  # too big, or a line too long: refused once all of it has come
            await self.push(content)
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            return
        envelope.content = envelope.original_content = content  # decode_data is off
        status = await self.event_handler.handle_DATA(self, self.session, envelope)
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push(status)


class _GatedLMTP(_GatedSMTP, LMTP):
    pass


class MailListener:
    """Serves SMTP or LMTP on `host:port` (port 0 picks a free one; `port` tells which)."""

    def __init__(
        self,
        spool: Spool,
        host: str,
        port: int,
        *,
        protocol: str = "smtp",
        addresses: frozenset[str] = frozenset(),
        max_size: int = 10 * 1024 * 1024,
        on_spooled: Callable[[], None] = lambda: None,
        max_connections: int = 100,
        max_per_client: int = 20,
        idle_timeout: float = 60.0,
    ) -> None:
        self._handler = _Handler(spool, addresses, on_spooled, lmtp=protocol == "lmtp")
        self._gate = _Gate(max_connections, max_per_client)
        self._idle_timeout = idle_timeout
        self._host = host.strip("[]")
        self._port = port
        self._protocol = protocol
        self._max_size = max_size
        self._acceptor: Acceptor | None = None

    @property
    def port(self) -> int:
        assert self._acceptor is not None
        return self._acceptor.port

    @property
    def connections(self) -> int:
        """How many connections are open now (refused ones not counted)."""
        return self._gate.open

    async def start(self) -> None:
        cls = _GatedLMTP if self._protocol == "lmtp" else _GatedSMTP

        def factory() -> Any:
            return cls(
                self._gate,
                self._handler,
                timeout=self._idle_timeout,
                data_size_limit=self._max_size,
                enable_SMTPUTF8=True,
                decode_data=False,
                hostname="rmo-bot",
                ident="rmo-bot intake",
            )

        acceptor = Acceptor(factory, "the mail intake", "[mail.intake] listen")
        await acceptor.start(self._host, self._port)
        self._acceptor = acceptor
        _log.info("mail intake listening on %s:%d (%s)", self._host, self.port, self._protocol.upper())

    async def stop(self) -> None:
        if self._acceptor is not None:
            await self._acceptor.stop()
            self._acceptor = None
