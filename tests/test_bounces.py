"""Mail to a digest's return path: the bounce handler ties it to the subscriber the signed return path
names and counts only a failed delivery; the intake hands such mail to it and keeps it in quarantine."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from handlers.bounces import BounceHandler, return_path_token
from handlers.digests import DigestService, verp_sign
from storage.store import Store
from tests.conftest import NOW

DOMAIN = "rmo-network.example.jp"


def _report(recipient: str, action: str, status: str) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix sends it, to `recipient`."""
    return (
        f"Return-Path: <>\r\nDelivered-To: {recipient}\r\n"
        "From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\r\n"
        f"To: {recipient}\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThis is the mail system at host mx.example.jp.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.jp\r\n\r\n"
        f"Final-Recipient: rfc822; gone@example.jp\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; {'550' if status.startswith('5') else '451'} {status} see the status\r\n--b--\r\n"
    ).encode()


def _out_of_office(recipient: str) -> bytes:
    return (
        f"Return-Path: <>\r\nDelivered-To: {recipient}\r\nFrom: gone@example.jp\r\nTo: {recipient}\r\n"
        "Subject: Out of office\r\nAuto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "I am away until Monday.\r\n"
    ).encode()


@pytest.fixture
def handler(tmp_path):
    """A bounce handler over a real store with one confirmed subscriber, gone@example.jp."""
    with Store.open(tmp_path / "d") as store:
        digests = DigestService(
            store.subscribers, store.announcements, store.events, store.secret(), ZoneInfo("Asia/Tokyo"),
            store.subscriber_batch,
        )  # fmt: skip
        digests.add_confirmed("gone@example.jp", NOW, lang="ja", frequency="daily", blocks=[])
        yield BounceHandler(digests, store.secret(), threshold=2), store


def test_an_unsigned_bounce_is_ignored_and_a_signed_failure_is_counted(handler):
    """A failure report to a return path without our signature counts against nobody; the same report to
    the signed return path counts once against the subscriber it names, who is suspended at the threshold."""
    bounces, store = handler
    for forged in ("gone=example.jp", "gone=example.jp+0123456789ab", verp_sign(b"another key", "gone@example.jp")):
        recipient = f"rmo-bot+bounce+{forged}@{DOMAIN}"
        verdict = bounces.handle(return_path_token(recipient), _report(recipient, "failed", "5.1.1"))
        assert (verdict.kind, verdict.email, verdict.subscriber) == ("unsigned", None, None)
    assert store.subscribers.get("gone@example.jp").bounces == 0

    recipient = f"rmo-bot+bounce+{verp_sign(store.secret(), 'gone@example.jp')}@{DOMAIN}"
    first = bounces.handle(return_path_token(recipient), _report(recipient, "failed", "5.1.1"))
    assert (first.kind, first.email, first.subscriber.bounces) == ("permanent", "gone@example.jp", 1)
    assert first.reason == "bounce for digest subscriber gone@example.jp (counted: 1 so far)"
    second = bounces.handle(return_path_token(recipient), _report(recipient, "failed", "5.1.1"))
    assert second.subscriber.suspended
    assert store.subscribers.get("gone@example.jp").suspended  # on record, not only in the verdict


def test_a_delay_and_an_out_of_office_reply_are_not_counted(handler):
    """A report that delivery is only delayed, and an out-of-office reply, both to the signed return path,
    name the subscriber but leave their count alone."""
    bounces, store = handler
    recipient = f"rmo-bot+bounce+{verp_sign(store.secret(), 'gone@example.jp')}@{DOMAIN}"
    delayed = bounces.handle(return_path_token(recipient), _report(recipient, "delayed", "4.4.1"))
    away = bounces.handle(return_path_token(recipient), _out_of_office(recipient))
    assert [(v.kind, v.email) for v in (delayed, away)] == [
        ("temporary", "gone@example.jp"), ("auto-reply", "gone@example.jp"),
    ]  # fmt: skip
    assert all("not counted" in v.reason for v in (delayed, away))
    assert store.subscribers.get("gone@example.jp").bounces == 0


def test_the_intake_hands_return_path_mail_to_the_bounce_handler_and_keeps_it(tmp_path):
    """A failure report to a digest's return path is rejected with the bounce handler's verdict as its reason,
    counted against the subscriber, and kept in quarantine like other refused mail; a report to the intake's
    own address is refused as a bounce and counts against nobody."""
    with Core.open(load_config(None, environ={}), tmp_path / "d", FrozenClock(NOW)) as core:
        core.digests.add_confirmed("gone@example.jp", NOW, lang="ja", frequency="daily", blocks=[])
        recipient = f"rmo-bot+bounce+{verp_sign(core.store.secret(), 'gone@example.jp')}@{DOMAIN}"
        plain = f"rmo-bot@{DOMAIN}"
        to_return_path, to_intake = core.intake.process_batch(
            [(_report(recipient, "failed", "5.1.1"), NOW, ""), (_report(plain, "failed", "5.1.1"), NOW, "")]
        )
        assert (to_return_path.status, to_return_path.reason) == (
            "rejected", "bounce for digest subscriber gone@example.jp (counted: 1 so far)",
        )  # fmt: skip
        assert (to_intake.status, to_intake.reason) == ("rejected", "bounce or delivery report")
        assert core.store.subscribers.get("gone@example.jp").bounces == 1
        kept = {item.id: item for item in core.store.quarantine.list()}
        assert kept[to_return_path.quarantine_id].reason == to_return_path.reason
        assert kept[to_return_path.quarantine_id].sender == "mailer-daemon@mx.example.jp"
        assert core.store.quarantine.raw(to_return_path.quarantine_id) == _report(recipient, "failed", "5.1.1")
