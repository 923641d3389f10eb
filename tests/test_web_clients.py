"""The subscription form's rate limit: per client, the client named by a trusted proxy's X-Forwarded-For and
nobody else's; never per address named, so a stranger cannot lock an address's owner out; bounded in memory
(the real aiohttp server on loopback, clients bound to their own loopback addresses)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiosmtpd.controller import Controller

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.web.subscriptions import add_subscription_routes
from tests.botproc import free_port
from tests.conftest import NOW
from tests.smtp_clients import until
from tests.test_digests import Sink

VICTIM = "victim@example.jp"


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


async def _serve(tmp_path, sink, http: str):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[mail.outbound]\nhost = "127.0.0.1"\nport = {sink[1]}\nfrom = "rmo-bot <rmo-bot@rmo-network.example.jp>"\n'
        f'starttls = false\n[http]\npublic_url = "https://rmo.example.jp"\n{http}\n',
        encoding="utf-8",
    )
    with Core.open(load_config(config, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        app = web.Application()
        add_subscription_routes(app, core)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            yield client, core


@pytest.fixture
async def direct(tmp_path, sink):
    """The form with no proxy trusted."""
    async for served in _serve(tmp_path, sink, ""):
        yield served


@pytest.fixture
async def behind_proxy(tmp_path, sink):
    """The form behind a reverse proxy on loopback."""
    async for served in _serve(tmp_path, sink, 'trusted_proxies = ["127.0.0.0/8", "::1"]'):
        yield served


async def _subscribe(client: TestClient, email: str, *, source: str = "127.0.0.1", forwarded: str = "") -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        response = await session.post(client.make_url("/subscribe"), data={"email": email}, headers=headers)
        return response.status


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(behind_proxy):
    """Through a trusted proxy the client is the rightmost untrusted X-Forwarded-For hop: one client's 21st
    request in the hour is refused whatever it writes further left, and another client is still served."""
    client, _ = behind_proxy
    for n in range(20):
        assert await _subscribe(client, f"m{n}@example.jp", forwarded="198.51.100.1") == 200
    assert await _subscribe(client, "m20@example.jp", forwarded="198.51.100.1") == 429
    assert await _subscribe(client, "m21@example.jp", forwarded="203.0.113.9, 198.51.100.1") == 429
    assert await _subscribe(client, "m22@example.jp", forwarded="198.51.100.1, 127.0.0.5") == 429  # two proxies
    assert await _subscribe(client, "m23@example.jp", forwarded="198.51.100.2") == 200
    assert await _subscribe(client, "m24@example.jp", forwarded="198.51.100.1:5123, 198.51.100.3") == 200


async def test_from_an_untrusted_peer_x_forwarded_for_is_ignored(direct):
    """With no proxy trusted, a client cannot earn a fresh bucket by writing X-Forwarded-For: its peer address
    counts, and a different peer is still served."""
    client, _ = direct
    for n in range(20):
        assert await _subscribe(client, f"m{n}@example.jp", source="127.0.0.2", forwarded=f"198.51.100.{n}") == 200
    assert await _subscribe(client, "m20@example.jp", source="127.0.0.2", forwarded="198.51.100.99") == 429
    assert await _subscribe(client, "m21@example.jp", source="127.0.0.3") == 200


async def test_naming_someone_elses_address_does_not_lock_its_owner_out(direct, sink):
    """After a stranger names an address three times, its owner still gets the same answer (no 429), can
    subscribe with a link already mailed, and can leave with their digest's link; the address got three mails."""
    client, core = direct
    handler, _ = sink
    assert [await _subscribe(client, VICTIM, source="127.0.0.2") for _ in range(3)] == [200, 200, 200]
    await until(lambda: len(handler.received) == 3, "three confirmation mails reach the address")
    assert await _subscribe(client, VICTIM, source="127.0.0.3") == 200  # the owner: the same page as anyone

    mail = message_from_bytes(handler.received[0][2], policy=policy.default)
    token = re.search(r"/confirm\?token=([\w-]+)", mail.get_body(("plain",)).get_content()).group(1)
    assert (await client.post("/confirm", data={"token": token})).status == 200
    assert core.store.subscribers.get(VICTIM).confirmed
    leave = core.digests.unsubscribe_token(VICTIM, NOW)  # the link every digest carries
    assert (await client.post("/unsubscribe", data={"token": leave})).status == 200
    assert core.store.subscribers.get(VICTIM).unsubscribed
    assert len(handler.received) == 3  # the mail budget held: nobody turned the form into a mail bomb


def test_the_limiter_forgets_expired_clients_and_stays_bounded():
    """Many distinct clients leave at most `keys` entries; once their hour has passed they are forgotten, and
    a forgotten client starts afresh."""
    from bot.web.clients import RateLimiter

    now = [0.0]
    limiter = RateLimiter(3, window=3600, keys=1000, clock=lambda: now[0])
    for n in range(50_000):
        assert limiter.allow(f"198.51.{n // 256}.{n % 256}")
        now[0] += 0.01
    assert len(limiter) == 1000
    for _ in range(3):
        assert limiter.allow("192.0.2.1")
    assert not limiter.allow("192.0.2.1")
    now[0] += 3601
    assert limiter.allow("192.0.2.1")
    assert len(limiter) == 1
