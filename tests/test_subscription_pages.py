"""The subscription pages as a subscriber meets them, through the bot's own HTTP server: each says whose it
is and which address it concerns, in the subscriber's language; a bad address or link gets a page saying so
before anything happens; the link in every digest opens a settings page that changes what they get."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.mail.compose import DigestRenderer
from tests.conftest import NOW
from tests.smtp_clients import until
from tests.test_public_pages import _app, _open

LIST = '[mail.intake]\nlist_ids = ["announce.rmo-network.example.jp"]\n'


@pytest.fixture
async def served(tmp_path):
    core = _open(tmp_path, LIST)
    core.digests.add_confirmed("member@example.jp", NOW - timedelta(days=2), lang="ja", frequency="weekly", blocks=[])
    core.digests.add_confirmed("friend@example.org", NOW - timedelta(days=2), lang="en", frequency="daily", blocks=[])
    async with TestClient(TestServer(_app(core))) as client:
        yield client, core
    core.close()


def _says_whose(html: str) -> None:
    assert "小規模多機能自治推進ネットワーク会議" in html or "Network Conference" in html
    assert "announce.rmo-network.example.jp" in html
    assert 'href="mailto:jimukyoku@rmo-network.example.jp"' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<link rel="stylesheet" href="/static/rmo.css">' in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "no external asset or link"


async def test_an_empty_or_invalid_address_gets_a_page_saying_so_and_nothing_is_mailed(served):
    """An empty or malformed address is answered with a page saying so (400), and no mail is written."""
    client, core = served
    empty = await client.post("/subscribe", data={"email": "", "lang": "ja"})
    assert empty.status == 400
    assert "メールアドレスが入力されていません。何も送信していません。" in await empty.text()
    bad = await client.post("/subscribe", data={"email": "not an address", "lang": "en", "page_lang": "en"})
    html = await bad.text()
    assert bad.status == 400
    assert "“not an address” is not an address we can send to" in html
    assert '<html lang="en">' in html
    _says_whose(html)
    await asyncio.sleep(0)
    assert not (core.store.directory / "outbox-mail").exists()


async def test_a_good_address_gets_the_check_your_mail_page_and_a_confirmation(served):
    """A valid address is told a mail is on its way, with the address named, and the mail is written."""
    client, core = served
    response = await client.post("/subscribe", data={"email": "new@example.jp", "lang": "ja", "blocks": "kinki"})
    assert response.status == 200
    assert "new@example.jp 宛てに確認メールをお送りしました。" in await response.text()
    outbox = core.store.directory / "outbox-mail"
    await until(lambda: outbox.exists() and any(outbox.iterdir()), "the confirmation mail was not written")
    assert core.store.subscribers.get("new@example.jp").blocks == ("kinki",)


async def test_too_many_requests_get_a_page_with_content(served):
    """Past the per-client limit the form answers 429 with a page that says what happened and what to do."""
    client, _ = served
    for _ in range(20):
        await client.post("/subscribe", data={"email": "x"})
    response = await client.post("/subscribe", data={"email": "x"})
    html = await response.text()
    assert response.status == 429
    assert "1時間ほどしてから、もう一度お試しください。" in html
    _says_whose(html)


async def test_an_unknown_path_is_the_bots_own_404_page(served):
    """Any unknown path gets the bot's 404 page (network, contact, a way home), not aiohttp's bare text."""
    client, _ = served
    for path in ("/nothing-here", "/static/other.css", "/announcements/x/y"):
        response = await client.get(path)
        html = await response.text()
        assert response.status == 404, path
        assert "ページが見つかりません" in html
        _says_whose(html)
    english = await (await client.get("/nothing?lang=en")).text()
    assert "Page not found" in english
    assert "ページ" not in english


async def test_a_bad_link_is_an_error_page_before_any_button(served):
    """A forged or wrong-kind link to unsubscribe, confirm or the settings shows an error page (400) with no
    form or button, and changes nothing."""
    client, core = served
    wrong_kind = core.digests.manage_token("member@example.jp", NOW)
    for path in ("/unsubscribe?token=forged", f"/unsubscribe?token={wrong_kind}", "/confirm?token=x",
                 "/manage?token=x", "/manage"):  # fmt: skip
        response = await client.get(path)
        html = await response.text()
        assert response.status == 400, path
        assert "このリンクは使えません" in html
        assert "<form" not in html
        assert "<button" not in html
    assert core.store.subscribers.get("member@example.jp").active


async def test_link_pages_name_the_address_in_the_subscribers_language(served):
    """The unsubscribe page of an English subscriber is in English only, names the address, and has the
    button; the Japanese subscriber's is in Japanese."""
    client, core = served
    token = core.digests.unsubscribe_token("friend@example.org", NOW)
    html = await (await client.get(f"/unsubscribe?token={token}")).text()
    assert '<html lang="en">' in html
    assert "The digest to friend@example.org will stop." in html
    assert '<button type="submit">Unsubscribe</button>' in html
    assert "配信" not in html
    japanese = await client.get(f"/unsubscribe?token={core.digests.unsubscribe_token('member@example.jp', NOW)}")
    assert "member@example.jp へのお知らせメールの配信を停止します。" in await japanese.text()


async def test_the_link_in_a_digest_opens_settings_that_change_frequency_language_and_blocks(served):
    """The settings link near the top of a digest opens a page with the subscriber's current choices; saving
    it changes their frequency, language and blocks, and the next page is in the new language."""
    client, core = served
    composed = core.digests.compose(core.store.subscribers.get("member@example.jp"), NOW)
    _, raw = DigestRenderer(core.config, core.network_name).render(composed, NOW)
    text = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    link = re.search(r"https://rmo\.example\.jp(/manage\?token=[\w-]+)", text.splitlines()[0]).group(1)
    page = await client.get(link)
    html = await page.text()
    assert page.status == 200
    assert "member@example.jp へのお知らせメールの設定です。" in html
    assert '<input type="radio" name="frequency" value="weekly" checked>' in html
    assert 'href="/unsubscribe?token=' in html
    _says_whose(html)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    saved = await client.post("/manage", data=[("token", token), ("frequency", "daily"), ("lang", "en"),
                                               ("blocks", "kinki"), ("blocks", "tokai"), ("blocks", "nowhere")])  # fmt: skip
    answer = await saved.text()
    assert saved.status == 200
    assert "The digest to member@example.jp follows the new settings (daily)" in answer
    assert '<html lang="en">' in answer
    member = core.store.subscribers.get("member@example.jp")
    assert (member.frequency, member.lang, member.blocks) == ("daily", "en", ("tokai", "kinki"))
    forged = await client.post("/manage", data={"token": "forged", "frequency": "daily"})
    assert forged.status == 400


async def test_with_public_pages_off_the_form_stylesheet_and_404_page_are_still_served(tmp_path):
    """With `[web] public = false` the subscription form, the stylesheet and the bot's own 404 page are still
    served (subscribers need them), and the front page is that 404 page."""
    core = _open(tmp_path, LIST + "[web]\npublic = false\n")
    async with TestClient(TestServer(_app(core))) as client:
        assert "メール配信の登録" in await (await client.get("/subscribe")).text()
        css = await client.get("/static/rmo.css")
        assert css.status == 200
        assert css.content_type == "text/css"
        front = await client.get("/")
        assert front.status == 404
        assert "ページが見つかりません" in await front.text()
    core.close()
