"""A real Mailman 3 takes Japanese announcements in by LMTP and delivers them, decorated, by SMTP.

An aiosmtpd sink stands in for the bot's intake here; the acceptance test puts
the intake in its place.  One Mailman serves the whole module (it takes a few
seconds to start); its teardown checks that no Mailman process is left.
"""

from __future__ import annotations

import threading
import time
from email import message_from_bytes, policy
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

import pytest
from aiosmtpd.controller import Controller

from tests.mailman.harness import Mailman, ensure_venv, free_port

pytestmark = pytest.mark.mailman

LIST = "announce@lists.example.org"
LIST_ID = "announce.lists.example.org"
DISPLAY_NAME = "RMO Announce"
INTAKE = "bot@intake.example.org"
SENDER = "jimukyoku@example.org"
DELIVERY_TIMEOUT = 30.0

UTF8_SUBJECT = "【お知らせ】12月の定例会議について"
UTF8_TEXT = "12月の定例会議は12月10日(水)14時から公民館で開催します。"
JIS_SUBJECT = "年末年始の休業のお知らせ"
JIS_TEXT = "年末年始の事務局休業は12月28日から1月4日までです。"


class Sink:
    """Keeps every message it is handed, with its envelope."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self._arrived:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` messages in all have arrived."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= count, timeout)


@pytest.fixture(scope="module")
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mailman(sink):
    _, sink_port = sink
    began = time.monotonic()
    mailman_bin = ensure_venv()
    venv_seconds = time.monotonic() - began
    instance = Mailman("127.0.0.1", sink_port, mailman=mailman_bin)
    with instance:
        print(f"\nmailman: virtualenv ready in {venv_seconds:.1f} s, started in {instance.startup_seconds:.1f} s")
        yield instance
        stop_began = time.monotonic()
    print(f"\nmailman: stopped in {time.monotonic() - stop_began:.1f} s")
    assert instance.running_pids() == []


def post_and_wait(mailman, sink, raw: bytes):
    """Post ``raw`` and return the next delivered message and its envelope, timing the trip."""
    handler, _ = sink
    count = len(handler.received) + 1
    posted = time.monotonic()
    mailman.post(raw)
    arrived = handler.wait_for(count, DELIVERY_TIMEOUT)
    seconds = time.monotonic() - posted
    assert arrived, f"no delivery within {DELIVERY_TIMEOUT:.0f} s; held: {mailman.held(LIST)}\n{mailman.log_tail()}"
    mail_from, rcpt_tos, delivered = handler.received[count - 1]
    return mail_from, rcpt_tos, message_from_bytes(delivered, policy=policy.default), seconds


def utf8_announcement(to: str = LIST) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"事務局 <{SENDER}>"
    msg["To"] = to
    msg["Subject"] = UTF8_SUBJECT
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.set_content(f"会員各位\n\n{UTF8_TEXT}\n事務局\n", charset="utf-8")
    return msg.as_bytes()


def iso2022jp_announcement(to: str = LIST) -> bytes:
    msg = MIMEText(f"会員の皆様へ\n\n{JIS_TEXT}\n", "plain", "iso-2022-jp")
    msg["From"] = f"{Header('事務局', 'iso-2022-jp').encode()} <{SENDER}>"
    msg["To"] = to
    msg["Subject"] = Header(JIS_SUBJECT, "iso-2022-jp")
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="example.org")
    raw = msg.as_bytes()
    assert b"\x1b$B" in raw  # really ISO-2022-JP on the wire, not UTF-8
    assert max(raw) < 0x80
    return raw


def body_text(message) -> str:
    """All text/plain parts, decoded with their declared charsets."""
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_type() == "text/plain")


def test_announce_list_delivers_utf8_and_iso2022jp_posts_decorated(mailman, sink):
    assert mailman.create_list(LIST, DISPLAY_NAME, posters=[SENDER]) == LIST_ID
    mailman.subscribe(LIST, INTAKE)

    timings = []
    for charset, raw, subject, text in (
        ("utf-8", utf8_announcement(), UTF8_SUBJECT, UTF8_TEXT),
        ("iso-2022-jp", iso2022jp_announcement(), JIS_SUBJECT, JIS_TEXT),
    ):
        mail_from, rcpt_tos, delivered, seconds = post_and_wait(mailman, sink, raw)
        timings.append(f"{charset} {seconds:.2f} s")
        assert rcpt_tos == [INTAKE]
        assert mail_from == "announce-bounces@lists.example.org"
        assert LIST_ID in str(delivered["List-Id"])
        assert str(delivered["Subject"]) == f"[{DISPLAY_NAME}] {subject}"
        assert delivered["List-Post"] == "NO"  # an announce list: replies do not go to the list
        assert delivered["List-Unsubscribe"] == "<mailto:announce-leave@lists.example.org>"
        assert delivered["X-MailFrom"] == SENDER
        body = body_text(delivered)
        assert text in body, (charset, body)
        assert f"{DISPLAY_NAME} mailing list -- {LIST}" in body, (charset, body)  # Mailman's English footer
        if charset == "iso-2022-jp":  # an English list passes the charset through untouched
            assert delivered.get_content_charset() == "iso-2022-jp"
    print(f"\nmailman: post -> intake {', '.join(timings)}")
    assert mailman.held(LIST) == []


def test_japanese_list_footer_and_member_posts_held(mailman, sink):
    """preferred_language ja gives Mailman's Japanese footer; a member's own post is held, not delivered."""
    fqdn = "kaiin@lists.example.org"
    mailman.create_list(fqdn, "RMO 会員", posters=[SENDER], preferred_language="ja")
    mailman.subscribe(fqdn, INTAKE)
    assert mailman.list_config(fqdn)["preferred_language"] == "ja"

    _, rcpt_tos, delivered, _ = post_and_wait(mailman, sink, iso2022jp_announcement(to=fqdn))
    assert rcpt_tos == [INTAKE]
    assert str(delivered["Subject"]) == f"[RMO 会員] {JIS_SUBJECT}"
    body = body_text(delivered)
    assert JIS_TEXT in body
    assert "RMO 会員 メーリングリスト -- kaiin@lists.example.org" in body
    # With a Japanese list the footer is UTF-8, and Mailman re-encodes the whole text part to it.
    assert delivered.get_content_charset() == "utf-8"

    handler, _ = sink
    before = len(handler.received)
    member_post = utf8_announcement(to=fqdn).replace(f"<{SENDER}>".encode(), f"<{INTAKE}>".encode())
    mailman.post(member_post)
    deadline = time.monotonic() + 10
    while not mailman.held(fqdn) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [held["sender"] for held in mailman.held(fqdn)] == [INTAKE]
    assert len(handler.received) == before
