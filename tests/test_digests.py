"""E-mail digests: received by a real aiosmtpd server, complete headers, Japanese intact; one-click
unsubscribe by POST only; tampered and expired links refused; nothing but the confirmation before opt-in."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta
from email import message_from_bytes, policy
from html import escape
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.mail.compose import DigestRenderer
from bot.web.subscriptions import add_subscription_routes
from handlers.digests import Digest, check_token, make_token, verp_check, verp_sign
from storage.subscribers import Subscriber
from tests.botproc import free_port
from tests.conftest import CALENDAR, NOW
from tests.helpers import rmo_bot

MAIL = Path(__file__).parent / "mail"


class Sink:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def setup(tmp_path, sink):
    _, port = sink
    config = tmp_path / "config.toml"
    config.write_text(
        '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\nallowed_senders = ["jimukyoku@rmo-network.example.jp"]\n'
        f'[mail.outbound]\nhost = "127.0.0.1"\nport = {port}\nfrom = "rmo-bot <rmo-bot@rmo-network.example.jp>"\n'
        'starttls = false\n[http]\npublic_url = "https://rmo.example.jp"\n',
        encoding="utf-8",
    )
    data = tmp_path / "d"
    with Core.open(load_config(config, environ={}), data, FrozenClock(NOW)) as core:
        core.store.apply(core.load_data_file(CALENDAR), now=core.clock.now())
        core.intake.process_batch([((MAIL / "kinki_block_subject.eml").read_bytes(), NOW - timedelta(hours=3), None)])
    return config, data


def test_digests_arrive_complete_and_in_japanese(setup, sink):
    """Each confirmed subscriber gets one digest, multipart, with every header, readable in Japanese."""
    config, data = setup
    handler, _ = sink
    yesterday = (NOW - timedelta(days=1)).isoformat()  # subscribed before today's digest time
    rmo_bot("subscribers", "add", "member@example.jp", "--confirmed", "--now", yesterday, "--config", config,
            "--data-dir", data)  # fmt: skip
    rmo_bot("subscribers", "add", "friend@example.org", "--lang", "en", "--confirmed", "--now", yesterday,
            "--config", config, "--data-dir", data)  # fmt: skip
    today = rmo_bot("subscribers", "add", "late@example.org", "--confirmed", "--now", NOW.isoformat(),
                    "--config", config, "--data-dir", data)  # fmt: skip
    assert today.returncode == 0, today.stderr
    result = rmo_bot("digest", "send", "--now", NOW.isoformat(), "--config", config, "--data-dir", data)
    assert result.returncode == 0, result.stderr
    assert "2 sent" in result.stdout
    assert len(handler.received) == 2  # not late@, who subscribed after today's digest time
    by_recipient = {
        rcpt[0]: (mail_from, message_from_bytes(raw, policy=policy.default))
        for mail_from, rcpt, raw in handler.received
    }
    mail_from, digest = by_recipient["member@example.jp"]
    # VERP, signed: a bounce names the subscriber and proves it is about mail we sent
    assert mail_from == f"rmo-bot+bounce+{verp_sign(secret_of(data), 'member@example.jp')}@rmo-network.example.jp"
    assert "late@example.org" not in by_recipient  # subscribed after today's digest time: tomorrow
    assert digest["List-Id"].endswith(" digest <digest.rmo-network.example.jp>")  # the domain of `from`
    unsubscribe = digest["List-Unsubscribe"]
    assert "<https://rmo.example.jp/unsubscribe?token=" in unsubscribe
    assert "<mailto:rmo-bot@rmo-network.example.jp?subject=unsubscribe" in unsubscribe
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["Auto-Submitted"] == "auto-generated"
    assert digest["Precedence"] == "bulk"
    assert digest["Subject"] == "【小規模多機能自治推進ネットワーク会議】お知らせまとめ 2026年11月25日（水）"
    text = digest.get_body(("plain",)).get_content()
    html = digest.get_body(("html",)).get_content()
    assert "近畿ブロック" in text
    assert "■ 今後の予定" in text
    assert "東海ブロック会議（第2回）　2026年11月30日（月）13:00" in text
    assert "<script" not in html
    # The one-click link at the end of both parts is this subscriber's own, the same as in the header.
    token = unsubscribe.split("token=")[1].split(">")[0]
    assert check_token(secret_of(data), token, "unsubscribe", NOW) == "member@example.jp"
    assert text.rstrip().endswith(f"https://rmo.example.jp/unsubscribe?token={token}")
    assert f'<a href="https://rmo.example.jp/unsubscribe?token={token}">' in html
    raw = next(raw for _, rcpt, raw in handler.received if rcpt == ["member@example.jp"])
    assert raw.isascii(), "the message is 7-bit: bodies in base64"
    head, _, body = raw.partition(b"\r\n\r\n")
    assert max(len(line) for line in head.split(b"\r\n")) <= 998  # a link in a header cannot be folded
    assert max(len(line) for line in body.split(b"\r\n")) <= 78
    _, english = by_recipient["friend@example.org"]
    assert english["Subject"].endswith("Self-Governance: digest of Wed 25 Nov 2026")
    again = rmo_bot(
        "digest", "send", "--now", (NOW + timedelta(hours=1)).isoformat(), "--config", config, "--data-dir", data
    )
    assert "0 sent" in again.stdout
    assert len(handler.received) == 2


def secret_of(data: Path) -> bytes:
    return (data / "secret.key").read_bytes()


def test_rendered_bytes_say_the_digest_and_each_subscribers_own_link(setup):
    """The fast renderer (shared header lines, per-recipient base64 bodies) says exactly what was composed,
    with each subscriber's own link, and a List-Unsubscribe header mail programs can read as it is."""
    config, data = setup
    with Core.open(load_config(config, environ={}), data, FrozenClock(NOW)) as core:
        core.digests.add_confirmed("member@example.jp", NOW, lang="ja", frequency="daily", blocks=["kinki"])
        core.digests.add_confirmed("other@example.jp", NOW, lang="ja", frequency="daily", blocks=["kinki"])
        renderer = DigestRenderer(core.config)
        seen = set()
        for email in ("member@example.jp", "other@example.jp"):
            digest = core.digests.compose(core.store.subscribers.get(email), NOW)
            assert digest is not None
            _, raw = renderer.render(digest, NOW)
            message = message_from_bytes(raw, policy=policy.default)
            link = f"https://rmo.example.jp/unsubscribe?token={digest.unsubscribe_token}"
            assert message["To"] == email
            assert message["Subject"] == digest.subject
            assert (
                f"List-Unsubscribe: <{link}>,\r\n <mailto:rmo-bot@rmo-network.example.jp?subject=unsubscribe%20".encode()
                in raw
            )
            text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
            manage = f"https://rmo.example.jp/manage?token={digest.manage_token}"
            assert text.startswith(f"配信の変更・停止：{manage}\n\n{digest.text}")
            assert text.rstrip().endswith(f"配信停止：{link}")
            html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
            assert digest.html in html
            assert html.rstrip().endswith(f'<a href="{link}">配信停止</a></p>\n</body></html>')
            seen.add(message["Message-ID"])
        assert len(seen) == 2


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(st.characters(blacklist_characters="\r", blacklist_categories=["Cs"]), max_size=300),
    html=st.text(st.characters(blacklist_characters="\r", blacklist_categories=["Cs"]), max_size=300),
    lang=st.sampled_from(["ja", "en"]),
)
def test_each_subscribers_bodies_decode_to_the_composition_and_their_own_link(text, html, lang):
    """Whatever a composition's length, each subscriber's text and HTML decode to exactly it and their own link,
    though most of their base64 is shared."""
    renderer = DigestRenderer(load_config(None, environ={}))
    label = {"ja": "配信停止", "en": "Unsubscribe"}[lang]
    for email in ("a@example.jp", "b@example.jp"):
        digest = Digest(Subscriber(email, lang, confirmed=True), "件名", (), (), (), text + "\n", html,
                        f"token-{email[0]}", f"manage-{email[0]}")  # fmt: skip
        _, raw = renderer.render(digest, NOW)
        message = message_from_bytes(raw, policy=policy.default)
        link = f"http://127.0.0.1:8080/unsubscribe?token=token-{email[0]}"
        plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert f"\n\n{text}\n\n-- \n" in plain
        assert plain.endswith(f"{label}{'：' if lang == 'ja' else ': '}{link}\n")
        markup = message.get_body(("html",)).get_content().replace("\r\n", "\n")
        assert f"</h1>\n{html}<hr>" in markup
        assert markup.endswith(f'<a href="{escape(link)}">{label}</a></p>\n</body></html>\n')
        for subtype, content in (("plain", plain), ("html", markup)):
            part = message.get_body((subtype,))
            whole = base64.encodebytes(content.replace("\n", "\r\n").encode()).decode()
            # the very lines of the whole encoded at once (the break before a boundary belongs to the boundary)
            assert part.get_payload().replace("\r\n", "\n") == whole.removesuffix("\n")


def test_nothing_but_the_confirmation_before_opt_in(setup, sink):
    """An unconfirmed address gets only the confirmation mail, never a digest."""
    config, data = setup
    handler, _ = sink
    rmo_bot("subscribers", "add", "new@example.jp", "--now", (NOW - timedelta(days=1)).isoformat(), "--config", config,
            "--data-dir", data)  # fmt: skip
    rmo_bot("digest", "send", "--now", NOW.isoformat(), "--config", config, "--data-dir", data)
    assert len(handler.received) == 1
    confirmation = message_from_bytes(handler.received[0][2], policy=policy.default)
    assert confirmation["Subject"] == "【確認】お知らせメール配信の登録"
    assert "https://rmo.example.jp/confirm?token=" in confirmation.get_content()


@pytest.fixture
async def web_client(setup):
    config, data = setup
    with Core.open(load_config(config, environ={}), data, FrozenClock(NOW)) as core:
        core.digests.add_confirmed("member@example.jp", NOW, lang="ja", frequency="weekly", blocks=[])
        app = web.Application()
        add_subscription_routes(app, core)
        async with TestClient(TestServer(app)) as client:
            yield client, core


async def test_one_click_post_unsubscribes_and_get_does_not(web_client):
    """A link scanner's GET changes nothing; the RFC 8058 one-click POST unsubscribes."""
    client, core = web_client
    token = core.digests.unsubscribe_token("member@example.jp", NOW)
    page = await client.get(f"/unsubscribe?token={token}")
    assert page.status == 200
    assert 'method="post"' in await page.text()
    assert core.store.subscribers.get("member@example.jp").active
    done = await client.post(f"/unsubscribe?token={token}", data="List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert done.status == 200
    assert core.store.subscribers.get("member@example.jp").unsubscribed


async def test_tampered_and_expired_links_are_refused(web_client):
    """A token with a changed address, or past its expiry, is refused and changes nothing."""
    client, core = web_client
    secret = core.store.secret()
    expired = make_token(secret, "unsubscribe", "member@example.jp", NOW - timedelta(days=1))
    forged = make_token(b"not-the-secret", "unsubscribe", "member@example.jp", NOW + timedelta(days=1))
    wrong_kind = make_token(secret, "confirm", "member@example.jp", NOW + timedelta(days=1))
    good = core.digests.unsubscribe_token("member@example.jp", NOW)
    tampered = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    for token in (expired, forged, wrong_kind, tampered):
        response = await client.post("/unsubscribe", data={"token": token})
        assert response.status == 400, token
    assert core.store.subscribers.get("member@example.jp").active


async def test_subscribing_never_reveals_who_is_subscribed(web_client):
    """The subscribe form answers the same for a subscribed and an unknown address, and however often one
    address is named (past the mail budget no mail goes, and the page does not say so)."""
    client, _ = web_client
    known = await (await client.post("/subscribe", data={"email": "member@example.jp"})).text()
    unknown = await (await client.post("/subscribe", data={"email": "stranger@example.jp"})).text()
    assert known.replace("member@", "X@") == unknown.replace("stranger@", "X@")  # only the typed address differs
    answers = [await client.post("/subscribe", data={"email": "same@example.jp"}) for _ in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 200]
    assert {(await a.text()).replace("same@", "X@") for a in answers} == {known.replace("member@", "X@")}


def test_tokens_round_trip_whatever_bytes_the_signature_has():
    """Many tokens (signatures with every byte value among them) verify, and only for their own action."""
    for n in range(300):
        email = f"m{n}@example.jp"
        token = make_token(b"secret", "unsubscribe", email, NOW + timedelta(days=1))
        assert check_token(b"secret", token, "unsubscribe", NOW) == email
        assert check_token(b"secret", token, "confirm", NOW) is None


def _vacation(recipient: str) -> bytes:
    return (
        f"Return-Path: <>\r\nDelivered-To: {recipient}\r\nFrom: gone@example.jp\r\nTo: {recipient}\r\n"
        "Subject: =?utf-8?b?5LiN5Zyo44Gu44GK55+l44KJ44Gb?=\r\nAuto-Submitted: auto-replied\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nOut of office until Monday.\r\n"
    ).encode()


def test_return_path_signatures_hold_for_any_address_and_any_case():
    key = b"k" * 32
    for email in ("a=b@example.jp", "member@example.jp", "x+tag@sub.example.org"):
        assert verp_check(key, verp_sign(key, email)) == email
        assert verp_check(key, verp_sign(key, email).upper()) == email  # an MTA may change the case
    assert verp_check(key, verp_sign(key, "a@example.jp").replace("a=", "b=")) is None


def _bounce(recipient: str) -> bytes:
    return (
        "Return-Path: <>\r\n"
        f"Delivered-To: {recipient}\r\n"
        "From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\r\n"
        "To: rmo-bot@rmo-network.example.jp\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.jp\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.jp\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n--b--\r\n"
    ).encode()


def test_bounces_to_the_verp_address_suspend_after_the_threshold(setup):
    """Permanent bounces at the intake are tied to their subscriber, who is suspended at the third; a
    forged bounce (an unsigned or wrongly signed return path) counts against nobody."""
    config, data = setup
    with Core.open(load_config(config, environ={}), data, FrozenClock(NOW)) as core:
        core.digests.add_confirmed("gone@example.jp", NOW, lang="ja", frequency="daily", blocks=[])
        for forged in ("gone=example.jp", "gone=example.jp+0123456789ab", verp_sign(b"another key", "gone@example.jp")):
            address = f"rmo-bot+bounce+{forged}@rmo-network.example.jp"
            (result,) = core.intake.process_batch([(_bounce(address), NOW, None)])
            assert result.status == "rejected"
        assert core.store.subscribers.get("gone@example.jp").bounces == 0
        verp = f"rmo-bot+bounce+{verp_sign(core.store.secret(), 'gone@example.jp')}@rmo-network.example.jp"
        for _ in range(3):  # an out-of-office reply goes to the return path too: not a failed delivery
            core.intake.process_batch([(_vacation(verp), NOW, None)])
        assert core.store.subscribers.get("gone@example.jp").bounces == 0
        for n in range(3):
            (result,) = core.intake.process_batch([(_bounce(verp), NOW + timedelta(minutes=n), None)])
            assert result.status == "rejected"
            assert "bounce" in result.reason
            subscriber = core.store.subscribers.get("gone@example.jp")
            assert subscriber.bounces == n + 1
        assert subscriber.suspended
        assert "gone@example.jp" not in [s.email for s in core.digests.due(NOW + timedelta(days=2))]


def test_the_digest_tells_of_meetings_moved_re_sited_or_cancelled_since_the_last_one(setup, tmp_path):
    """Re-importing the calendar with one meeting moved, one re-sited and one cancelled: the next digest
    of a subscriber of those blocks says so, with how it was before; a block filter leaves others out;
    a meeting moved and moved back is no change; the next digest does not repeat them."""
    config, data = setup
    calendar = CALENDAR.read_text(encoding="utf-8")
    chugoku = calendar.index('id = "chugoku-2026-2"')
    status = calendar.index('status = "scheduled"', chugoku)
    edited = calendar[:status] + 'status = "cancelled"' + calendar[status + len('status = "scheduled"') :]
    edited = (
        edited.replace("starts_at = 2027-01-20T13:30:00+09:00\nends_at = 2027-01-20T16:30:00+09:00",
                       "starts_at = 2027-01-27T13:30:00+09:00\nends_at = 2027-01-27T16:30:00+09:00")
        .replace('description = "白石市文化体育活動センター"', 'description = "盛岡市 新会場"')
    )  # fmt: skip
    moved_back = edited.replace("starts_at = 2027-02-12T13:00:00+09:00", "starts_at = 2027-02-13T13:00:00+09:00")
    (tmp_path / "edited.toml").write_text(edited, encoding="utf-8")
    (tmp_path / "moved.toml").write_text(moved_back, encoding="utf-8")
    with Core.open(load_config(config, environ={}), data, FrozenClock(NOW)) as core:
        for email, blocks in (("all@example.jp", []), ("kinki@example.jp", ["kinki"]), ("en@example.jp", [])):
            lang = "en" if email.startswith("en") else "ja"
            core.digests.add_confirmed(email, NOW, lang=lang, frequency="daily", blocks=blocks)
        core.digests.mark_sent(["all@example.jp", "kinki@example.jp", "en@example.jp"], NOW)
        core.store.apply(core.load_data_file(tmp_path / "moved.toml"), now=NOW + timedelta(hours=1))
        core.store.apply(core.load_data_file(tmp_path / "edited.toml"), now=NOW + timedelta(hours=2))
        later = NOW + timedelta(days=1)
        everything = core.digests.compose(core.store.subscribers.get("all@example.jp"), later)
        kinki = core.digests.compose(core.store.subscribers.get("kinki@example.jp"), later)
        english = core.digests.compose(core.store.subscribers.get("en@example.jp"), later)
        core.digests.mark_sent(["all@example.jp"], later)
        next_day = core.digests.compose(core.store.subscribers.get("all@example.jp"), later + timedelta(days=1))
    assert everything is not None
    assert kinki is not None
    assert english is not None
    assert "■ 変更・中止になった予定" in everything.text
    assert (
        "・【日程変更】近畿ブロック会議（第2回）　2027年1月27日（水）13:30～16:30（変更前：2027年1月20日（水）13:30～16:30）"
        in everything.text
    )
    assert "・【中止】中国ブロック会議（第2回）（2026年12月10日（木）14:00" in everything.text
    assert "【会場変更】東北ブロック会議（第2回）" in everything.text
    assert "盛岡市 新会場" in everything.text
    assert "変更・中止になった予定" in everything.html
    assert "【日程変更】" in everything.html
    assert "【日程変更】近畿ブロック会議" in kinki.text
    assert "中国ブロック" not in kinki.text
    assert "東北ブロック" not in kinki.text
    assert "北海道ブロック" not in everything.text.split("■ 今後の予定")[0]  # moved and moved back
    assert "■ Changed or cancelled meetings" in english.text
    assert "・Moved: " in english.text
    assert next_day is None or "変更・中止" not in next_day.text


def test_a_late_first_digest_covers_everything_since_subscribing(setup):
    """When the first digest comes days late (the bot was off), it covers every post since the subscription,
    not just the last period; a later subscriber's first digest starts no earlier than usual."""
    config, data = setup
    from storage.records import Announcement

    with Core.open(load_config(config, environ={}), data, FrozenClock(NOW)) as core:
        core.digests.add_confirmed("early@example.jp", NOW - timedelta(days=4), lang="ja", frequency="daily", blocks=[])
        core.digests.add_confirmed("late@example.jp", NOW, lang="ja", frequency="daily", blocks=[])
        core.store.announcements.add_many(
            Announcement(id=f"x{days}", message_id=f"x{days}@t", subject=f"【お知らせ】{days}日前の投稿", body="本文",
                         sender="jimukyoku@rmo-network.example.jp", received_at=NOW - timedelta(days=days))
            for days in (3, 2)
        )  # fmt: skip
        early = core.digests.compose(core.store.subscribers.get("early@example.jp"), NOW)
        late = core.digests.compose(core.store.subscribers.get("late@example.jp"), NOW)
    assert early is not None
    assert "3日前の投稿" in early.text
    assert "2日前の投稿" in early.text
    assert late is not None
    assert "3日前の投稿" not in late.text
    assert "2日前の投稿" not in late.text
