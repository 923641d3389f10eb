"""The intake under a flood of idle connections: bounded in all and per client, 421 for one more, idle ones
closed, and mail and /healthz still served (a real aiosmtpd and aiohttp on loopback)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import aiosmtplib
import pytest

from bot.limits import Throttle, client_key
from bot.mail.listener import MailListener
from bot.web.server import HttpService
from storage.spool import Spool
from tests.botproc import free_port
from tests.smtp_clients import WAIT, small_message, until


@pytest.fixture
async def intake(tmp_path):
    listener = MailListener(
        Spool(tmp_path / "spool"), "127.0.0.1", 0, max_connections=20, max_per_client=3, idle_timeout=1.0
    )
    await listener.start()
    yield listener
    await listener.stop()


def _refusals(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.mail.listener" and r.levelno == logging.WARNING]


async def test_one_client_gets_421_past_its_cap_and_a_closed_connection_frees_its_place(intake, idle, caplog):
    """Past its cap a client's connection is greeted with 421 and closed, reported once however many; another
    client still gets in, and once the client closes one of its own, it gets in again."""
    held = [await idle(intake.port, "127.0.0.2") for _ in range(3)]
    assert all(c.greeting.startswith(b"220 ") for c in held)
    extra = [await idle(intake.port, "127.0.0.2") for _ in range(10)]
    for connection in extra:
        assert connection.greeting.startswith(b"421 4.7.0 ")
        assert await connection.closed_by_server()
    other = await idle(intake.port, "127.0.0.3")
    assert other.greeting.startswith(b"220 ")
    assert intake.connections == 4
    assert len(_refusals(caplog)) == 1

    await held.pop().close()
    await until(lambda: intake.connections == 3, "the closed connection is counted free")
    again = await idle(intake.port, "127.0.0.2")
    assert again.greeting.startswith(b"220 ")


async def test_a_flood_past_the_total_cap_leaves_healthz_and_later_mail_working(tmp_path, idle, caplog):
    """300 idle connections from 30 addresses against a cap of 20: the other 280 get 421 and are closed,
    /healthz answers throughout, and once the idle ones time out a sender delivers."""
    spool = Spool(tmp_path / "spool")
    listener = MailListener(spool, "127.0.0.1", 0, max_connections=20, max_per_client=10, idle_timeout=5.0)
    await listener.start()
    http_port = free_port()
    http = HttpService("127.0.0.1", http_port, lambda: {"mail": "running"})
    stop = asyncio.Event()
    serving = asyncio.create_task(http.run(stop))
    try:
        flood = [await idle(listener.port, f"127.0.0.{2 + n // 10}") for n in range(300)]
        greeted = [c for c in flood if c.greeting.startswith(b"220 ")]
        refused = [c for c in flood if c.greeting.startswith(b"421 4.3.2 ")]
        assert (len(greeted), len(refused)) == (20, 280)
        assert all([await c.closed_by_server() for c in refused])
        assert len(_refusals(caplog)) == 1

        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{http_port}/healthz") as page:
            assert page.status == 200
        with pytest.raises(aiosmtplib.SMTPConnectError):  # full: the sender is told to come back later
            await aiosmtplib.send(small_message(), hostname="127.0.0.1", port=listener.port, timeout=WAIT)

        assert all([await c.closed_by_server() for c in greeted])  # idle for the timeout: closed
        await until(lambda: listener.connections == 0, "idle connections are closed and counted free")
        errors, _ = await aiosmtplib.send(small_message(), hostname="127.0.0.1", port=listener.port, timeout=WAIT)
        assert errors == {}
        assert len(spool.pending()) == 1
    finally:
        stop.set()
        await serving
        await listener.stop()


def test_a_report_goes_once_a_minute_saying_how_many_were_held_back():
    """Of 700 reports an eighth of a second apart, one passes at once and one a minute later, the second
    saying how many were held back meanwhile."""
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    passed = []
    for _ in range(700):
        held = throttle.ready()
        if held is not None:
            passed.append((now[0] - 1000.0, held))
        now[0] += 0.125
    assert passed == [(0.0, 0), (60.0, 479)]


def test_clients_are_counted_by_address_and_ipv6_ones_by_their_64():
    """IPv4 clients count by address (a mapped IPv6 form too), IPv6 clients by their /64 network."""
    assert client_key("192.0.2.7") == client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("2001:db8:1:2::5") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::5") != client_key("2001:db8:1:2::5")
