"""The pages and a digest as people see them: rendered in a real headless Chromium at phone (390×844) and
desktop (1280×800) size, their text checked and no sideways scrolling; the screenshots are written under
build/screens/ for a person to look at."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.mail.compose import DigestRenderer
from storage.records import Announcement, Attachment
from tests.browser import Browser
from tests.conftest import NOW
from tests.test_public_pages import _app, _open

SCREENS = Path(__file__).resolve().parents[1] / "build" / "screens"
SIZES = (("phone", 390, 844), ("desktop", 1280, 800))
LONG_URL = (
    "https://www.city.example.lg.jp/soshiki/chiiki_shinko/kyodo_suishin/jichi_network_kinki_2nd_meeting_moshikomi.html"
)


def _core(tmp_path):
    core = _open(tmp_path, '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n')
    files = (Attachment("近畿ブロック会議_開催要項_第2回_最終版.pdf", "application/pdf", 245_760),)
    body = (
        f"会員各位\n\n近畿ブロック会議（第2回）の申込はこちらです。\n{LONG_URL}\n\n締切は1月10日（日）です。\n"
        + "詳細。" * 900
    )
    core.store.announcements.add_many([
        Announcement(id="long-url", message_id="m2@x", subject="【重要】近畿ブロック会議（第2回）の申込について",
                     body=body, sender="jimukyoku@rmo-network.example.jp", sender_name="事務局",
                     received_at=NOW - timedelta(hours=1), attachments=files),
    ])  # fmt: skip
    core.digests.add_confirmed("member@example.jp", NOW - timedelta(days=2), lang="ja", frequency="weekly", blocks=[])
    core.digests.add_confirmed("friend@example.org", NOW - timedelta(days=2), lang="en", frequency="daily", blocks=[])
    return core


async def _look(browser: Browser, url: str, name: str) -> list[str]:
    """The page's text at each size, after checking it fits the width and keeping its screenshots."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    texts = []
    for size, width, height in SIZES:
        look = await browser.look(url, width, height)
        path = SCREENS / f"{name}-{size}.png"
        path.write_bytes(look.png)
        assert path.stat().st_size > 1000
        assert look.png.startswith(b"\x89PNG")
        assert not look.scrolls_sideways, f"{name} at {width} px scrolls sideways"
        texts.append(look.text)
    return texts


async def test_the_pages_read_right_in_chromium_at_phone_and_desktop_size(tmp_path):
    """The front page, a post with a long URL, the form, a settings page, an error and the 404 page render at
    both sizes with their content, fitting the width."""
    core = _core(tmp_path)
    manage = core.digests.manage_token("member@example.jp", NOW)
    async with TestClient(TestServer(_app(core))) as client, Browser() as browser:
        pages = {
            "front": ("/", "これからのブロック会議・研修会"),
            "post": ("/announcements/long-url", "近畿ブロック会議_開催要項_第2回_最終版.pdf"),
            "subscribe": ("/subscribe", "メールアドレス"),
            "subscribe-en": ("/subscribe?lang=en", "E-mail address"),
            "manage": (f"/manage?token={manage}", "member@example.jp へのお知らせメールの設定です。"),
            "bad-link": ("/unsubscribe?token=forged", "このリンクは使えません"),
            "not-found": ("/no/such/page", "ページが見つかりません"),
        }
        for name, (path, expected) in pages.items():
            for text in await _look(browser, str(client.make_url(path)), name):
                assert expected in text, name
                assert "小規模多機能自治推進ネットワーク会議" in text or "Network Conference" in text, name
    core.close()


async def test_a_digest_reads_right_in_chromium_at_phone_and_desktop_size(tmp_path):
    """A digest's HTML part, as a mail program shows it, renders at both sizes with the post's excerpt, its
    attachment, the coming meetings and the footer, fitting the width."""
    core = _core(tmp_path)
    renderer = DigestRenderer(core.config, core.network_name)
    async with Browser() as browser:
        for email, name, expected in (("member@example.jp", "digest-ja", "今後の予定"),
                                      ("friend@example.org", "digest-en", "Coming up")):  # fmt: skip
            _, raw = renderer.render(core.digests.compose(core.store.subscribers.get(email), NOW), NOW)
            html = message_from_bytes(raw, policy=policy.default).get_body(("html",)).get_content()
            page = tmp_path / f"{name}.html"
            page.write_text(html, encoding="utf-8")
            for text in await _look(browser, page.as_uri(), name):
                assert expected in text
                assert "近畿ブロック会議_開催要項_第2回_最終版.pdf" in text
                assert email in text  # the footer: who is subscribed
    core.close()
