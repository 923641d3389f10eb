"""Sending digests when the SMTP server is difficult: 4xx retried, 5xx recorded (and still due next time),
a server that allows fewer connections than configured, one that drops the connection after taking a
message, and one that cannot be reached at all. A real aiosmtpd server on loopback each time."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.mail.digest_run import DigestJob, send_due
from bot.mail.sending import OutboundUnavailableError, sender_for, smtp_bytes
from storage.digest_journal import JOURNAL
from storage.errors import RmoBotError
from storage.records import Announcement
from storage.subscribers import Subscriber
from tests.botproc import free_port
from tests.conftest import NOW
from tests.helpers import rmo_bot


class Difficult:
    """Refuses, defers or drops as told; keeps what it accepts (recipient list per message)."""

    def __init__(
        self, *, max_sessions: int | None = None, drop_after_data: str | None = None, slow_first_data: float = 0
    ) -> None:
        self.slow_first_data = slow_first_data
        self.kept: list[str] = []
        self.rcpt_seen: Counter[str] = Counter()
        self.data_seen: Counter[str] = Counter()
        self.sessions: set[int] = set()
        self.turned_away = 0
        self.max_sessions = max_sessions
        self.drop_after_data = drop_after_data
        self.lock = threading.Lock()
        self.closing: set[int] = set()  # sessions answered 421 ("closing"), which no client may use again
        self.mail_after_421 = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            if self.max_sessions is not None and len(self.sessions) >= self.max_sessions:
                self.turned_away += 1
                return ["421 4.7.0 Too many concurrent connections"]
            self.sessions.add(id(session))
        session.host_name = hostname
        return responses

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.sessions.discard(id(session))
        return "221 Bye"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mail_after_421 += id(session) in self.closing
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.rcpt_seen[address] += 1
        if address.startswith("gone@"):
            return "550 5.1.1 No such user"
        if address.startswith("policy@"):
            return "554 5.7.1 Relay access denied"  # the server's rule, not the subscriber's address
        if address.startswith("busy@") and self.rcpt_seen[address] == 1:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        recipient = envelope.rcpt_tos[0]
        self.data_seen[recipient] += 1
        if self.slow_first_data and len(self.kept) == 0:
            await asyncio.sleep(self.slow_first_data)  # content scanning, say
        if recipient.startswith("late@") and self.data_seen[recipient] == 1:
            return "452 4.3.1 Insufficient storage"
        if recipient.startswith("closing@") and self.data_seen[recipient] == 1:
            self.closing.add(id(session))
            return "421 4.3.2 Shutting down"
        with self.lock:
            self.kept.append(recipient)
        if recipient == self.drop_after_data:
            server.transport.close()  # the message is kept, the answer never comes
        return "250 OK"


@pytest.fixture
def server():
    servers = []

    def start(handler: Difficult) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return controller.port

    yield start
    for controller in servers:
        controller.stop()


def _core(tmp_path, port: int, subscribers: list[str], *, connections: int = 4, starttls: bool = False) -> Core:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[mail.outbound]\nhost = "127.0.0.1"\nport = {port}\nstarttls = {str(starttls).lower()}\n'
        f"connections = {connections}\n"
        'from = "rmo-bot <rmo-bot@rmo-network.example.jp>"\n[http]\npublic_url = "https://rmo.example.jp"\n',
        encoding="utf-8",
    )
    core = Core.open(load_config(config, environ={}), tmp_path / "data", FrozenClock(NOW))
    core.store.announcements.add_many([
        Announcement(id="a1", message_id="m1@test", subject="【お知らせ】研修会のご案内", body="会員各位\n\n研修会を開催します。",
                     sender="jimukyoku@rmo-network.example.jp", received_at=NOW - timedelta(hours=2)),
    ])  # fmt: skip
    with core.store.subscriber_batch():
        core.store.subscribers.save(
            Subscriber(email, confirmed=True, frequency="daily", created_at=NOW - timedelta(days=1))
            for email in subscribers
        )
    return core


async def test_4xx_is_retried_and_5xx_recorded_and_still_due(tmp_path, server):
    handler = Difficult()
    port = server(handler)
    with _core(tmp_path, port, ["ok@example.jp", "busy@example.jp", "late@example.jp", "gone@example.jp"]) as core:
        outcome = await send_due(core, NOW)
        due_after = [s.email for s in core.digests.due(NOW + timedelta(minutes=1))]
    assert sorted(handler.kept) == ["busy@example.jp", "late@example.jp", "ok@example.jp"]
    assert handler.rcpt_seen["busy@example.jp"] == 2  # 451, then accepted
    assert handler.data_seen["late@example.jp"] == 2  # 452 after the data, then accepted
    assert list(outcome.failed) == ["gone@example.jp"]
    assert outcome.failed["gone@example.jp"].startswith("550")
    assert handler.rcpt_seen["gone@example.jp"] == 1  # a 5xx is not tried again in the same run
    assert due_after == ["gone@example.jp"]  # the next run tries it again; the others are done
    assert not (tmp_path / "data" / JOURNAL).exists()


@pytest.mark.parametrize("slow_first", [0.0, 4.0])
async def test_a_server_allowing_fewer_connections_still_gets_everyone_once(tmp_path, server, slow_first):
    """Connections the server turns away hand their messages to the ones it allows. They count as working
    as soon as they are made, not after their first message: a server that takes its time over the first
    message (content scanning, say) does not make the turned-away connections stop the run."""
    handler = Difficult(max_sessions=2, slow_first_data=slow_first)
    port = server(handler)
    emails = [f"member{i:02d}@example.jp" for i in range(40)]
    with _core(tmp_path, port, emails, connections=4) as core:
        outcome = await send_due(core, NOW)
    assert handler.turned_away >= 2
    assert sorted(handler.kept) == emails
    assert sorted(outcome.sent) == emails


async def test_a_421_to_the_final_dot_is_retried_on_a_new_connection(tmp_path, server):
    """421 says the server is closing the connection: the message is tried again, on a new one."""
    handler = Difficult()
    port = server(handler)
    emails = ["closing@example.jp", "member00@example.jp", "member01@example.jp"]
    with _core(tmp_path, port, emails, connections=1) as core:
        outcome = await send_due(core, NOW)
    assert sorted(handler.kept) == emails
    assert handler.data_seen["closing@example.jp"] == 2
    assert handler.mail_after_421 == 0
    assert sorted(outcome.sent) == emails


async def test_a_connection_dropped_after_the_final_dot_is_not_sent_again(tmp_path, server):
    handler = Difficult(drop_after_data="member05@example.jp")
    port = server(handler)
    emails = [f"member{i:02d}@example.jp" for i in range(12)]
    with _core(tmp_path, port, emails, connections=1) as core:
        outcome = await send_due(core, NOW)
    assert sorted(handler.kept) == emails  # each exactly once
    assert outcome.in_doubt == ["member05@example.jp"]
    assert sorted(outcome.sent) == emails


async def test_an_unreachable_server_stops_the_run_and_everyone_stays_due(tmp_path):
    emails = ["a@example.jp", "b@example.jp"]
    with _core(tmp_path, free_port(), emails) as core:
        with pytest.raises(OutboundUnavailableError, match=r"SMTP server 127\.0\.0\.1:\d+ unavailable"):
            await send_due(core, NOW)
        assert [s.email for s in core.digests.due(NOW)] == emails
    assert not (tmp_path / "data" / JOURNAL).exists()
    result = rmo_bot(
        "digest",
        "send",
        "--now",
        NOW.isoformat(),
        "--config",
        tmp_path / "config.toml",
        "--data-dir",
        tmp_path / "data",
    )
    assert result.returncode != 0
    assert "unavailable" in result.stderr
    assert "Traceback" not in result.stderr


async def test_one_run_per_digest_time_and_a_refused_address_counts_as_a_bounce(tmp_path, server):
    """The running bot's digest job: a refused address does not start a new run at every tick (it waits for
    the next digest time), and a 5xx at RCPT counts like a bounce towards suspension."""
    handler = Difficult()
    port = server(handler)
    with _core(tmp_path, port, ["ok@example.jp", "gone@example.jp", "policy@example.jp"]) as core:
        job = DigestJob(core)
        for minute in range(5):
            job.tick(NOW + timedelta(minutes=minute))
            if job._task is not None:
                await job._task
        again = DigestJob(core)  # as after a restart: the digest time is done, on disk
        again.tick(NOW + timedelta(minutes=6))
        assert again._task is None
        assert handler.rcpt_seen["gone@example.jp"] == 1
        assert handler.kept == ["ok@example.jp"]
        assert core.store.subscribers.get("gone@example.jp").bounces == 1
        assert core.store.subscribers.get("policy@example.jp").bounces == 0  # 5.7.1 is not about the address
        tomorrow = core.digests.slot(NOW) + timedelta(days=1, minutes=1)
        job.tick(tomorrow)
        await job._task
        assert handler.rcpt_seen["gone@example.jp"] == 2
        assert core.store.subscribers.get("gone@example.jp").bounces == 2


async def test_addresses_that_are_not_ascii_are_refused_and_do_not_stop_a_run(tmp_path, server):
    handler = Difficult()
    port = server(handler)
    with _core(tmp_path, port, ["ok@example.jp"]) as core:
        assert core.digests.request("taro@例え.jp", NOW) is None
        with pytest.raises(RmoBotError, match="ASCII"):
            core.digests.add_confirmed("たろう@example.jp", NOW, lang="ja", frequency="daily", blocks=[])
        with core.store.subscriber_batch():  # one stored by an older version
            core.store.subscribers.save(
                [Subscriber("たろう@example.jp", confirmed=True, frequency="daily", created_at=NOW - timedelta(days=1))]
            )
        outcome = await send_due(core, NOW)
    assert handler.kept == ["ok@example.jp"]
    assert "ASCII" in outcome.failed["たろう@example.jp"]


async def test_a_connection_reset_in_the_middle_of_a_message_is_not_counted_as_sent(tmp_path):
    """The server resets the connection while the message is still going out: asyncio drops the rest, so
    nothing may be journalled as on its way; the message is tried again (here: refused in the end)."""

    async def resetting(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 ready\r\n")
        while line := await reader.readline():
            if line.upper().startswith(b"DATA"):
                writer.write(b"354 go on\r\n")
                await writer.drain()
                await reader.read(65536)
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
                writer.transport.abort()
                return
            writer.write(b"250 ok\r\n")
            await writer.drain()

    server = await asyncio.start_server(resetting, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    with _core(tmp_path, port, []) as core:
        sender, hooks, failed = await send_one_big_mail(core)
    server.close()
    assert hooks.journal == [("F", "member@example.jp")]
    assert "not sent" in failed["member@example.jp"]
    assert sender.in_doubt == []


async def test_with_no_smtp_server_digests_are_written_to_the_outbox_once(tmp_path):
    """The embedded default: each due digest becomes one .eml file in data/outbox-mail, readable and 0600;
    a second run at the same digest time writes nothing more."""
    config = tmp_path / "config.toml"
    config.write_text('[http]\npublic_url = "https://rmo.example.jp"\n', encoding="utf-8")
    with Core.open(load_config(config, environ={}), tmp_path / "data", FrozenClock(NOW)) as core:
        core.store.announcements.add_many([
            Announcement(id="a1", message_id="m1@test", subject="【お知らせ】総会のご案内", body="会員各位\n\n総会を開催します。",
                         sender="jimukyoku@rmo-network.example.jp", received_at=NOW - timedelta(hours=2)),
        ])  # fmt: skip
        for email in ("a@example.jp", "b@example.jp"):
            core.digests.add_confirmed(email, NOW - timedelta(days=1), lang="ja", frequency="daily", blocks=[])
        first = await send_due(core, NOW)
        second = await send_due(core, NOW + timedelta(minutes=5))
    files = sorted((tmp_path / "data" / "outbox-mail").glob("*.eml"))
    assert sorted(first.sent) == ["a@example.jp", "b@example.jp"]
    assert second.sent == []
    assert len(files) == 2
    assert {oct(f.stat().st_mode & 0o777) for f in files} == {"0o600"}
    mails = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert {m["To"] for m in mails} == {"a@example.jp", "b@example.jp"}
    assert all("総会を開催します。" in m.get_body(("plain",)).get_content() for m in mails)


class JournalHooks:
    """Sender hooks that write down each step as the digest journal would (C, R, D, F)."""

    def __init__(self) -> None:
        self.journal: list[tuple[str, str]] = []

    def committing(self, recipient: str, evidence: str) -> None:
        self.journal.append(("C", recipient))

    def uncommitted(self, recipient: str) -> None:
        self.journal.append(("R", recipient))

    def sent(self, recipient: str) -> None:
        self.journal.append(("D", recipient))

    def refused(self, recipient: str, reason: str, *, address: bool) -> None:
        self.journal.append(("F", recipient))


async def send_one_big_mail(core):
    """One 15 MB mail (far more than the socket buffers hold) over one connection: (sender, hooks, refusals)."""
    sender = sender_for(core, connections=1)
    message = EmailMessage()
    message["To"] = "member@example.jp"
    message["Subject"] = "big"
    message.set_content("あ" * 5_000_000)
    hooks = JournalHooks()
    queue: asyncio.Queue = asyncio.Queue()
    for item in (("member@example.jp", smtp_bytes(message)), None):
        queue.put_nowait(item)
    failed = await sender.send_from(queue, hooks, workers=1)
    return sender, hooks, failed
