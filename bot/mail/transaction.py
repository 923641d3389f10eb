"""One message in one SMTP transaction, whose final dot waits for the caller's journal.

A digest run journals `C recipient` (storage/digest_journal.py) and must do so exactly when the message
becomes the server's: a message counts as sent after `C`, and a server keeps a message only once its final
dot has arrived. aiosmtplib's public API has no such point. `SMTP.data()` (and `sendmail()` on top of it)
writes the message and its final dot in one write after reading the 354, with nothing the caller can run in
between, and `execute_command()` refuses CR and LF, so it cannot carry a message. Journalling before `data()`
leaves the DATA round trip and the message's way out in the window (killed there, the server discards the
unfinished message while the journal says sent: in 10 runs of the SIGKILL test in tests/test_scheduled_jobs.py
it skipped someone 4 times); journalling after it leaves the server's answer in the window (a second copy).

So the transaction is split at the one place the ordering needs:

1. MAIL, RCPT and DATA (354) through aiosmtplib's public `mail()`, `rcpt()` and `execute_command(b"DATA")`;
2. the message, dot-stuffed, through the connection's asyncio transport with asyncio's public `WriteTransport`
   API, then a wait until no layer of this process holds any of it: the transport's buffer and, under
   STARTTLS, the buffer of the TCP transport beneath the TLS one (kept from before the upgrade: asyncio's TLS
   transport does not count what it has handed down);
3. `commit()` (the caller's journal line: a store into a memory map, no system call), the final ".\\r\\n"
   written to the transport at once, and the server's answer read with the protocol's `read_response()`, as
   `execute_command()` reads it. `execute_command(b".")` would write the dot too, but only after its checks
   and its lock: 9 µs on average from the journal line to the dot's `send()`, against 1.6 µs this way
   (measured in tests/test_scheduled_jobs.py's run), and a kill in that time skips the recipient.

What is used here that aiosmtplib does not document is its `SMTP.transport` and `SMTP.protocol` attributes
(it keeps them current across STARTTLS itself); the message and the dot go past aiosmtplib's protocol,
which is safe because a server says nothing between the 354 and the answer to the dot. That and the
behaviour above were tested with aiosmtplib 5.1, pinned to <6 in pyproject.toml.

The guarantee when this process is killed (the kernel still delivers what it had been handed, then closes):
- nobody twice: a message is sent again only if the journal has no `C` for it (or an `R`: the server refused
  the dot), and then its final dot was never written: the server had at most an unfinished message, which it
  discards;
- nobody skipped: `C` is written only once all of the message is with the kernel, and the dot follows with no
  wait in between, so the server gets the end and keeps it; except if the kill falls in the two microseconds
  from the journal's store to the dot's system call, or the server or the network fails before the end
  arrives.
A connection that breaks after the dot, before the answer, counts as sent and is reported as in doubt.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import select
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosmtplib

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["TIMEOUT", "Link", "open_link", "transmit", "wire_form"]

TIMEOUT = 30  # seconds, for connecting, each command, and the server reading a message
_START_INPUT, _COMPLETED, _UNAVAILABLE = 354, 250, 421
_LOST = "Connection lost"
_LEADING_DOT = re.compile(rb"(?m)^\.")
_POLL = 0.001


def wire_form(message: bytes) -> bytes:
    """A message (CRLF line ends, a final CRLF) as it goes after DATA: each line starting with a dot doubled."""
    if not message.startswith(b".") and b"\n." not in message:
        return message  # base64 bodies and header lines never start with a dot
    return _LEADING_DOT.sub(b"..", message)


@dataclass(slots=True)
class Link:
    """An SMTP connection, and under STARTTLS the TCP transport beneath its TLS transport."""

    smtp: aiosmtplib.SMTP
    beneath: asyncio.WriteTransport | None = None


async def open_link(hostname: str, port: int, *, starttls: bool, username: str, password: str) -> Link:
    """Connect, EHLO, STARTTLS when asked for and offered, log in when a user is set."""
    smtp = aiosmtplib.SMTP(hostname=hostname, port=port, start_tls=False, timeout=TIMEOUT)
    try:
        await smtp.connect()
        tcp = smtp.transport  # STARTTLS puts a TLS transport on top of this one in its place
        await smtp.ehlo()  # a server turning the connection away says so here
        beneath = None
        if starttls and smtp.supports_extension("starttls"):
            await smtp.starttls()
            await smtp.ehlo()
            beneath = tcp if isinstance(tcp, asyncio.WriteTransport) else None
        if username:
            await smtp.login(username, password)
    except BaseException:
        smtp.close()
        raise
    return Link(smtp, beneath)


async def transmit(link: Link, sender: str, recipient: str, message: bytes, commit: Callable[[], None]) -> None:
    """Send `message` (CRLF line ends, a final CRLF) to `recipient`, calling `commit()` just before its final
    dot. Raises aiosmtplib's errors; SMTPResponseException after `commit()` means the server refused the dot."""
    smtp = link.smtp
    try:
        await smtp.mail(sender)
        await smtp.rcpt(recipient)
        response = await smtp.execute_command(b"DATA")
        if response.code != _START_INPUT:
            raise aiosmtplib.SMTPDataError(response.code, response.message)
    except aiosmtplib.SMTPResponseException:
        with contextlib.suppress(aiosmtplib.SMTPException):
            await smtp.rset()
        raise
    transport = smtp.transport
    if not isinstance(transport, asyncio.WriteTransport) or transport.is_closing():
        raise aiosmtplib.SMTPServerDisconnected(_LOST)
    layers = [transport] if link.beneath is None else [transport, link.beneath]
    transport.write(wire_form(message))
    await _handed_to_the_kernel(layers)
    commit()
    transport.write(b".\r\n")  # nothing between the journal line and the dot's send() but this call
    response = await _answer(smtp)
    if response.code != _COMPLETED:
        raise aiosmtplib.SMTPDataError(response.code, response.message)


async def _handed_to_the_kernel(layers: list[asyncio.WriteTransport]) -> None:
    """Wait until no transport of this process holds anything still to be written, and the socket has room
    for the dot (else its `send()` would take none of it, and the dot would wait here, in the process)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    sock = layers[-1].get_extra_info("socket")
    poller = select.poll()
    if sock is not None:
        poller.register(sock.fileno(), select.POLLOUT)
    while True:
        if any(layer.is_closing() for layer in layers):  # a reset throws the unsent rest away: nothing is on its way
            raise aiosmtplib.SMTPServerDisconnected(_LOST)
        if not any(layer.get_write_buffer_size() for layer in layers) and (sock is None or _room(poller)):
            return
        if loop.time() > deadline:
            msg = "the server stopped reading the message"
            raise aiosmtplib.SMTPTimeoutError(msg)
        await asyncio.sleep(_POLL)


def _room(poller: select.poll) -> bool:
    """Whether the socket takes more at once. One in error (a reset came, asyncio has not seen it yet) has
    thrown away what it held: nothing is on its way."""
    events = poller.poll(0)
    if events and events[0][1] & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
        raise aiosmtplib.SMTPServerDisconnected(_LOST)
    return bool(events)


async def _answer(smtp: aiosmtplib.SMTP) -> aiosmtplib.SMTPResponse:
    """The server's answer to the final dot, read and failed as `SMTP.execute_command()` reads and fails one:
    a connection lost or timed out is closed (what is left of it cannot be trusted to pair replies), and so
    is one the server answers with 421."""
    protocol = smtp.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected(_LOST)
    try:
        response = await protocol.read_response(timeout=smtp.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        smtp.close()
        raise
    if response.code == _UNAVAILABLE:  # the server is closing the connection: a retry needs a new one
        smtp.close()
    return response
