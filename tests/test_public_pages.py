"""The public pages: the network's front page, one post in full, the Atom feed and the subscription form,
served by the bot's own HTTP server; nothing private on them, and `[web] public = false` serves none."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import HealthBoard, build_components
from bot.clock import FrozenClock
from bot.config import load_config
from bot.core import Core
from storage.records import Announcement, Attachment
from storage.subscribers import Subscriber
from tests.conftest import CALENDAR, NOW

if TYPE_CHECKING:
    from aiohttp import web

SECRET_ADDRESS = "private.member@example.jp"


def _open(tmp_path, extra: str = "") -> Core:
    config = tmp_path / "config.toml"
    config.write_text(
        '[console]\nenabled = "off"\n[http]\npublic_url = "https://rmo.example.jp"\n'
        '[contact]\nsecretariat_email = "jimukyoku@rmo-network.example.jp"\n' + extra,
        encoding="utf-8",
    )
    core = Core.open(load_config(config, environ={}), tmp_path / "d", FrozenClock(NOW))
    core.store.apply(core.load_data_file(CALENDAR), now=NOW)
    core.store.announcements.add_many([
        Announcement(id="a-post", message_id="m1@x", subject="【ご案内】近畿ブロック会議のお知らせ",
                     body="会員各位\n\n近畿ブロック会議を開催します。<script>alert(1)</script>",
                     sender="jimukyoku@rmo-network.example.jp", sender_name="事務局", received_at=NOW - timedelta(hours=2)),
        Announcement(id="r-reminder", message_id="reminder:x", subject="【リマインダー】内部", body="…",
                     sender="rmo-bot", received_at=NOW - timedelta(hours=1), source="reminder"),
    ])  # fmt: skip
    with core.store.subscriber_batch():
        core.store.subscribers.save([Subscriber(SECRET_ADDRESS, confirmed=True)])
    return core


def _app(core: Core) -> web.Application:
    http = next(c for c in build_components(core, HealthBoard(core)) if c.name == "http")
    return http.web_app  # type: ignore[attr-defined]


@pytest.fixture
async def site(tmp_path):
    core = _open(tmp_path)
    async with TestClient(TestServer(_app(core))) as client:
        yield client
    core.close()


async def test_the_front_page_shows_meetings_posts_joining_and_subscribing(site):
    """The front page names the network, lists coming meetings by block with calendar links, recent posts
    (not reminders), how to join and a link to the subscription form; no address but the contact's."""
    response = await site.get("/")
    html = await response.text()
    assert response.status == 200
    assert '<html lang="ja">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "小規模多機能自治推進ネットワーク会議" in html
    assert "近畿ブロック会議（第2回）" in html
    assert "近畿ブロック会議（第1回）" not in html  # held already
    assert "webcal://rmo.example.jp/calendar/kinki.ics" in html
    assert "webcal://rmo.example.jp/calendar.ics" in html
    assert '<a href="/announcements/a-post">【ご案内】近畿ブロック会議のお知らせ</a>' in html
    assert "リマインダー" not in html
    assert "入会" in html
    assert 'href="/subscribe"' in html
    assert SECRET_ADDRESS not in html
    assert "https://" not in html.replace("https://rmo.example.jp", "").split("<main>")[0]  # no external asset


async def test_the_english_page_is_english_and_links_back(site):
    """`?lang=en` gives the page in English, marked lang="en", with a link to the Japanese one."""
    html = await (await site.get("/?lang=en")).text()
    assert '<html lang="en">' in html
    assert "Coming meetings and trainings" in html
    assert "これからの" not in html
    assert '<a class="lang" href="/" hreflang="ja" lang="ja">日本語</a>' in html


async def test_a_post_in_full_escaped_and_an_unknown_one_is_a_404_page(site):
    """One post in full, its text escaped; a reminder or an unknown id is the bot's own 404 page."""
    html = await (await site.get("/announcements/a-post")).text()
    assert "近畿ブロック会議を開催します。" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "jimukyoku@rmo-network.example.jp</a>" in html  # the contact, in the footer
    for path in ("/announcements/r-reminder", "/announcements/nothing"):
        missing = await site.get(path)
        assert missing.status == 404
        assert "ページが見つかりません" in await missing.text()


async def test_the_atom_feed_parses_with_its_posts(site):
    """/feed.atom is well-formed Atom with one entry per post (not reminders), linking to its page."""
    response = await site.get("/feed.atom")
    assert response.content_type == "application/atom+xml"
    root = ET.fromstring(await response.read())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert [e.findtext("a:title", namespaces=ns) for e in entries] == ["【ご案内】近畿ブロック会議のお知らせ"]
    assert entries[0].find("a:link", ns).get("href") == "https://rmo.example.jp/announcements/a-post"


async def test_the_subscription_form_posts_to_subscribe(site):
    """GET /subscribe is a form (address, language, frequency, blocks) posting to /subscribe, in the page's
    language; the Japanese one links to the English one, marked lang="en"."""
    html = await (await site.get("/subscribe?lang=en")).text()
    assert '<form method="post" action="/subscribe"' in html
    assert 'name="email" type="email"' in html
    assert '<input type="radio" name="lang" value="en" checked>' in html
    assert '<input type="radio" name="frequency" value="daily">' in html
    assert html.count('type="checkbox" name="blocks"') == 10
    assert "Kinki block" in html
    assert "近畿" not in html
    japanese = await (await site.get("/subscribe")).text()
    assert '<p class="note" lang="en"><a href="/subscribe?lang=en" hreflang="en">This form in English</a>' in japanese
    assert '<input type="radio" name="lang" value="ja" checked>' in japanese
    assert "近畿ブロック" in japanese


async def test_public_false_serves_no_public_page(tmp_path):
    """With `[web] public = false` the front page, posts, feed and calendars are not served."""
    core = _open(tmp_path, "[web]\npublic = false\n")
    async with TestClient(TestServer(_app(core))) as client:
        for path in ("/", "/announcements/a-post", "/feed.atom", "/calendar.ics"):
            assert (await client.get(path)).status == 404, path
    core.close()


async def test_the_front_page_in_chromium_at_phone_and_desktop_width(tmp_path):
    """In a real headless Chromium the front page reads right at phone width (390 px, no sideways scrolling)
    and at desktop width; the screenshots are kept beside the test's files for a person to look at."""
    from tests.browser import Browser

    core = _open(tmp_path)
    server = TestServer(_app(core))
    async with TestClient(server) as client, Browser() as browser:
        url = str(client.make_url("/"))
        for name, width in (("phone", 390), ("desktop", 1280)):
            look = await browser.look(url, width)
            (tmp_path / f"front-{name}.png").write_bytes(look.png)
            assert look.png.startswith(b"\x89PNG")
            assert not look.scrolls_sideways, name
            assert "これからのブロック会議・研修会" in look.text
            assert "近畿ブロック会議（第2回）" in look.text
            assert "最近のお知らせ" in look.text
            assert "メール配信の登録" in look.text
        english = await browser.look(url + "?lang=en", 390)
        assert "Coming meetings and trainings" in english.text
        assert not english.scrolls_sideways
    core.close()


async def test_a_posts_allowed_files_are_linked_and_served_as_downloads_and_others_never(tmp_path):
    """A kept PDF is linked from its post and served with its Japanese name, its extension's type and nosniff;
    an .exe, a file not kept and a number out of range are 404s, a withdrawn post's file is gone (410), and
    `[web] public = false` serves none."""
    pdf = b"%PDF-1.4\n" + b"0" * 50
    for public in ("true", "false"):
        (tmp_path / public).mkdir()
        core = _open(tmp_path / public, f"[web]\npublic = {public}\n")
        announcements = core.store.announcements
        files = (
            Attachment("研修会チラシ.pdf", "application/octet-stream", len(pdf), announcements.keep_file(pdf), "pdf"),
            Attachment(
                "setup.exe", "application/octet-stream", 4, announcements.keep_file(b"MZ\x90\x00"), "executable"
            ),
            Attachment("申込書.pdf", "application/pdf", 10, "", "pdf"),
        )
        announcements.add_many([Announcement(id="a-files", message_id="m-files@x", subject="研修会", body="本文",
                                             sender="jimukyoku@rmo-network.example.jp", received_at=NOW,
                                             attachments=files)])  # fmt: skip
        async with TestClient(TestServer(_app(core))) as client:
            if public == "false":
                assert (await client.get("/announcements/a-files/files/1")).status == 404
                core.close()
                continue
            html = await (await client.get("/announcements/a-files")).text()
            assert '<a href="/announcements/a-files/files/1">研修会チラシ.pdf（59 bytes）</a>' in html
            assert "<li>setup.exe（4 bytes）</li>" in html
            assert "<li>申込書.pdf（10 bytes）</li>" in html
            response = await client.get("/announcements/a-files/files/1")
            assert response.status == 200
            assert await response.read() == pdf
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"] == (
                "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''"
                "%E7%A0%94%E4%BF%AE%E4%BC%9A%E3%83%81%E3%83%A9%E3%82%B7.pdf"
            )
            for n in ("2", "3", "4", "0", "x", "-1"):
                assert (await client.get(f"/announcements/a-files/files/{n}")).status == 404, n
            assert (await client.get("/announcements/r-reminder/files/1")).status == 404
            assert response.headers["Cache-Control"] == "no-cache"  # a withdrawal must take effect at once
            core.corrections.withdraw("a-files", "slack:USEC", NOW)
            assert (await client.get("/announcements/a-files/files/1")).status == 410
        core.close()
