"""What a digest says and how big it is, read back with the standard library's email parser from the very
bytes the senders get: excerpts under 100 KB whatever is posted, dates, senders, attachments, links, the
network named, the settings link near the top; DKIM when a key is configured; none while links would
point at loopback."""

from __future__ import annotations

import base64
import dataclasses
import logging
import re
import subprocess
from datetime import timedelta
from email import message_from_bytes, policy
from email.header import decode_header, make_header

import dkim
import pytest

from bot import config_checks
from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from bot.errors import ConfigError
from bot.mail.compose import DigestRenderer, confirmation_mail
from bot.mail.digest_run import DigestJob, send_due
from bot.mail.sending import smtp_bytes
from storage.records import Announcement, Attachment
from tests.conftest import CALENDAR, NOW
from tests.helpers import rmo_bot

GMAIL_CLIPS = 100_000
_FROM = 'from = "rmo-bot <rmo-bot@rmo-network.example.jp>"\n'
_PUBLIC = '[http]\npublic_url = "https://rmo.example.jp"\n'


def _core(tmp_path, extra: str = _PUBLIC) -> Core:
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\nenabled = "off"\n[mail.outbound]\n{_FROM}{extra}', encoding="utf-8")
    core = Core.open(load_config(config, environ={}), tmp_path / "d", FrozenClock(NOW))
    core.store.apply(core.load_data_file(CALENDAR), now=NOW)
    core.digests.add_confirmed("member@example.jp", NOW - timedelta(days=2), lang="ja", frequency="daily", blocks=[])
    core.digests.add_confirmed("friend@example.org", NOW - timedelta(days=2), lang="en", frequency="weekly", blocks=[])
    return core


def _post(n: int, body: str, **more: object) -> Announcement:
    return Announcement(
        id=f"post-{n}", message_id=f"m{n}@x", subject=f"【ご案内】第{n}回 近畿ブロック会議のお知らせ", body=body,
        sender="jimukyoku@rmo-network.example.jp", sender_name="事務局", received_at=NOW - timedelta(hours=2, minutes=n),
        **more,
    )  # fmt: skip


def _digest(core: Core, email: str = "member@example.jp") -> tuple[bytes, object]:
    composed = core.digests.compose(core.store.subscribers.get(email), NOW)
    assert composed is not None
    _, raw = DigestRenderer(core.config, core.network_name).render(composed, NOW)
    return raw, message_from_bytes(raw, policy=policy.default)


def _raw_header(message: object, name: str) -> str:
    """A header field's value as it was written (folded, encoded words and all)."""
    return next(value for key, value in message.raw_items() if key == name)


def test_a_46000_character_post_gives_a_digest_under_100_kb_with_a_link_to_the_whole(tmp_path):
    """A 46,000-character post is an excerpt with a link to its page; the digest is under 100 KB and its
    text part starts with the subscriber's settings link."""
    with _core(tmp_path) as core:
        core.store.announcements.add_many([_post(1, "近畿ブロック会議を開催します。\n" + "あ" * 46_000)])
        raw, message = _digest(core)
    assert len(raw) < GMAIL_CLIPS
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.splitlines()[0].startswith("配信の変更・停止：https://rmo.example.jp/manage?token=")
    assert "近畿ブロック会議を開催します。" in text
    assert "あ" * 46_000 not in text
    assert "（続きは https://rmo.example.jp/announcements/post-1 でお読みいただけます）" in text
    assert '<a href="https://rmo.example.jp/announcements/post-1">続きを読む</a>' in html
    assert "https://rmo.example.jp/unsubscribe?token=" in text


def test_thirty_posts_give_a_digest_under_100_kb_that_names_every_one(tmp_path):
    """Thirty long posts share the excerpt budget: every subject is there and the digest is under 100 KB."""
    with _core(tmp_path) as core:
        core.store.announcements.add_many([_post(n, "お知らせの本文です。" * 600) for n in range(30)])
        raw, message = _digest(core)
    assert len(raw) < GMAIL_CLIPS
    text = message.get_body(("plain",)).get_content()
    for n in range(30):
        assert f"第{n}回 近畿ブロック会議のお知らせ" in text
        assert f"https://rmo.example.jp/announcements/post-{n}" in text


def test_a_digest_stays_under_100_kb_whatever_the_posts_subjects_senders_and_files(tmp_path):
    """Two hundred long posts with huge subjects, senders and twenty long-named files each still give a
    digest under 100 KB that says how many more posts there are."""
    files = tuple(Attachment("資料" * 100 + f"{i}.pdf", "application/pdf", 10**6) for i in range(20))
    posts = [
        dataclasses.replace(_post(n, "長" * 9000, attachments=files), subject="件名" * 200, sender_name="送信者" * 200)
        for n in range(200)
    ]
    with _core(tmp_path) as core:
        core.store.announcements.add_many(posts)
        raw, message = _digest(core)
    assert len(raw) < GMAIL_CLIPS
    text = message.get_body(("plain",)).get_content()
    assert re.search(r"ほかに(1[0-9][0-9])件のお知らせがあります：https://rmo.example.jp/", text)
    assert "https://rmo.example.jp/unsubscribe?token=" in text


def test_each_post_shows_its_date_sender_attachments_and_linked_urls(tmp_path):
    """A post's date and sender are shown, its attachments by name and size, and its URLs are links in the
    HTML part, escaped."""
    files = (
        Attachment("開催要項.pdf", "application/pdf", 245_760),
        Attachment("申込書.docx", "application/msword", 30_000),
    )
    body = "申込はこちら：https://forms.example.jp/apply?a=1&b=<2>\n詳細は https://rmo.example.jp/kinki_2ndから。"
    with _core(tmp_path) as core:
        core.store.announcements.add_many([_post(1, body, attachments=files)])
        _, message = _digest(core)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "2026年11月25日（水）07:59　事務局" in text
    assert "添付ファイル：開催要項.pdf（240 KB）、申込書.docx（29 KB）" in text
    assert (
        '<a href="https://forms.example.jp/apply?a=1&amp;b=">https://forms.example.jp/apply?a=1&amp;b=</a>&lt;2&gt;'
        in html
    )
    assert "<2>" not in html
    assert '<a href="https://rmo.example.jp/kinki_2nd">https://rmo.example.jp/kinki_2nd</a>から。' in html


def test_the_network_is_named_in_from_subject_list_id_and_a_footer_saying_why(tmp_path):
    """From's display name, the subject and the footer name the network; the footer says which address is
    subscribed how often, and how to change or stop it; List-Id is on the domain of `from`."""
    with _core(tmp_path) as core:
        core.store.announcements.add_many([_post(1, "本文")])
        _, japanese = _digest(core)
        _, english = _digest(core, "friend@example.org")
    network = "小規模多機能自治推進ネットワーク会議"
    # RFC 2047 (6.2): the space between two encoded words is no part of the text; the email package's
    # address parser keeps it, the header decoder (as mail programs do) does not.
    assert (
        str(make_header(decode_header(_raw_header(japanese, "From")))) == f"{network} <rmo-bot@rmo-network.example.jp>"
    )
    assert japanese["Subject"].startswith(f"【{network}】お知らせまとめ")
    assert japanese["List-Id"].endswith("<digest.rmo-network.example.jp>")
    text = japanese.get_body(("plain",)).get_content()
    assert f"member@example.jp が{network}のお知らせメール（毎日）に登録されているため" in text
    assert english["From"].addresses[0].display_name.startswith("Network Conference")
    english_text = english.get_body(("plain",)).get_content()
    assert "You get this mail because friend@example.org is subscribed" in english_text
    assert "(weekly)" in english_text
    assert "お知らせ" not in english_text.replace("【ご案内】第1回 近畿ブロック会議のお知らせ", "")


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory):
    """An RSA key made here, and the DNS TXT record that publishes it."""
    folder = tmp_path_factory.mktemp("dkim")
    private = folder / "private.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(private), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"], check=True, capture_output=True
    ).stdout
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_with_a_key_digests_and_confirmations_are_dkim_signed_over_the_unsubscribe_headers(tmp_path, dkim_key):
    """With `dkim_key_file` set, a digest's DKIM signature verifies and covers List-Unsubscribe and
    List-Unsubscribe-Post; the confirmation mail is base64 like the digests."""
    private, record = dkim_key
    extra = f'dkim_key_file = "{private}"\ndkim_selector = "rmo"\n{_PUBLIC}'
    with _core(tmp_path, extra) as core:
        core.store.announcements.add_many([_post(1, "本文")])
        raw, message = _digest(core)
        confirmation = confirmation_mail("new@example.jp", "tok", "ja", core.config, NOW)

    def dns(name: bytes, timeout: int = 5) -> bytes | None:
        del timeout
        return record if name == b"rmo._domainkey.rmo-network.example.jp." else None

    assert dkim.verify(raw, dnsfunc=dns)
    signed = {h.strip().lower() for h in str(message["DKIM-Signature"]).split("h=")[1].split(";")[0].split(":")}
    assert {"from", "subject", "list-unsubscribe", "list-unsubscribe-post", "list-id"} <= signed
    assert confirmation["Content-Transfer-Encoding"] == "base64"
    assert smtp_bytes(confirmation).isascii()


def test_a_key_without_a_selector_or_an_unreadable_key_is_a_clear_error(tmp_path, dkim_key):
    """A DKIM key file without a selector, or one that cannot be read, stops the renderer with a ConfigError
    naming the setting."""
    private, _ = dkim_key
    with (
        _core(tmp_path, f'dkim_key_file = "{private}"\n{_PUBLIC}') as core,
        pytest.raises(ConfigError, match="dkim_selector is empty"),
    ):
        DigestRenderer(core.config)
    (tmp_path / "2").mkdir()
    unreadable = f'dkim_key_file = "{tmp_path}/none.pem"\ndkim_selector = "s"\n{_PUBLIC}'
    with (
        _core(tmp_path / "2", unreadable) as core,
        pytest.raises(ConfigError, match=r"dkim_key_file .* cannot be read"),
    ):
        DigestRenderer(core.config)


async def test_no_digest_is_sent_while_public_url_is_empty(tmp_path):
    """With `[http] public_url` empty, a digest run refuses with a clear error (and `digest send` exits 1
    saying so); nothing is written to the outbox and nobody is marked sent."""
    with _core(tmp_path, "") as core:
        core.store.announcements.add_many([_post(1, "本文")])
        with pytest.raises(ConfigError, match=r"\[http\] public_url is empty"):
            await send_due(core, NOW)
        assert not (core.store.directory / "outbox-mail").exists()
        assert core.store.subscribers.get("member@example.jp").last_digest_at is None
    result = rmo_bot("digest", "send", "--now", NOW.isoformat(), "--config", tmp_path / "config.toml",
                     "--data-dir", tmp_path / "d")  # fmt: skip
    assert result.returncode == 1
    assert "public_url is empty" in result.stderr
    assert config_checks.digest_links("") is not None
    assert config_checks.digest_links("https://rmo.example.jp") is None


def test_the_running_bot_says_at_start_that_no_digest_goes_without_public_url(tmp_path, caplog):
    """Built for `rmo-bot run` with `[http] public_url` empty, the digest job logs why once, at start, and
    its ticks start no run."""
    with _core(tmp_path, "") as core:
        core.store.announcements.add_many([_post(1, "本文")])
        with caplog.at_level(logging.ERROR, logger="bot.mail.digest_run"):
            job = DigestJob(core)
        assert "[http] public_url is empty: digests are not sent" in caplog.text
        job.tick(NOW)  # outside an event loop: starting a run would raise
        assert core.store.subscribers.get("member@example.jp").last_digest_at is None
