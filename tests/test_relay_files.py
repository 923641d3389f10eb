"""Attachments as files, end to end: `rmo-bot run` as a child, a post over SMTP with Japanese-named files,
and the fake Slack and Discord APIs recording each upload (issue 12, item 3)."""

from __future__ import annotations

import asyncio
import re
from email.header import Header
from typing import TYPE_CHECKING
from urllib.parse import quote

import aiohttp
import aiosmtplib
import pytest

from tests.botproc import SECRETARIAT, BotProcess, write_config
from tests.platform_checks import slack_shown
from tests.test_relay_e2e import post, until

if TYPE_CHECKING:
    from tests.fakes import FakeDiscord, FakeSlack

PDF_NAME = "研修会チラシ（第2回）.pdf"  # sent with RFC 2231 continuations (filename*0*, filename*1*)
PNG_NAME = "会場地図.png"  # sent as an ISO-2022-JP encoded word, as many Japanese mailers do
EXE_NAME = "setup.exe"
BIG_NAME = "申込書（大判）.pdf"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 20
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(255, -1, -1)) * 10
EXE = b"MZ\x90\x00" + b"\x00" * 2000
BIG = b"%PDF-1.7\n" + b"x" * 300_000
LIMITS = "[attachments]\nslack_max_bytes = 200000\ndiscord_max_bytes = 200000\n"
PUBLIC = "https://rmo.example.jp"


def _mail(number: int) -> bytes:
    message = post(number, "研修会のご案内", "研修会を開催します。チラシと申込書を添付します。")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename=PDF_NAME)
    message.add_attachment(PNG, maintype="image", subtype="png", filename=PNG_NAME)
    message.add_attachment(EXE, maintype="application", subtype="octet-stream", filename=EXE_NAME)
    message.add_attachment(BIG, maintype="application", subtype="pdf", filename=BIG_NAME)
    raw = message.as_bytes()
    encoded = Header(PNG_NAME, "iso-2022-jp").encode().encode("ascii")
    rfc2231 = f"utf-8''{quote(PNG_NAME)}".encode("ascii")
    raw = raw.replace(b"name*=" + rfc2231, b'name="' + encoded + b'"')
    assert encoded in raw
    return raw


async def _send(bot: BotProcess, raw: bytes) -> None:
    await aiosmtplib.send(raw, sender=SECRETARIAT, recipients=["announce@rmo-network.example.jp"],
                          hostname="127.0.0.1", port=bot.port, timeout=30)  # fmt: skip


def _bot(tmp_path, slack: FakeSlack, discord: FakeDiscord) -> BotProcess:
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url,
                          extra=LIMITS, public_url=PUBLIC)  # fmt: skip
    return BotProcess(config, tmp_path / "data")


def _thread_uploads(discord: FakeDiscord) -> list[dict[str, object]]:
    """The uploads in the thread started from the post's message in channel 900 (where its files go)."""
    top = discord.threads.top_level("900")
    return discord.uploads(top[0]["id"]) if top else []


def _uploaded(slack: FakeSlack, discord: FakeDiscord) -> bool:
    return len(slack.files.shared("C111")) >= 2 and len(_thread_uploads(discord)) >= 1


def _assert_once_and_intact(slack: FakeSlack, discord: FakeDiscord) -> None:
    shared = slack.files.shared("C111")
    assert [f["name"] for f in shared] == [PDF_NAME, PNG_NAME]
    assert [slack.files.data_of(f["id"]) for f in shared] == [PDF, PNG]
    assert [f["title"] for f in shared] == [PDF_NAME, PNG_NAME]
    assert {c["thread_ts"] for c in slack.files.completions} == {slack.threads.top_level("C111")[0]["ts"]}
    assert discord.uploads("900") == []  # in the post's thread, not in the channel
    (upload,) = _thread_uploads(discord)
    assert [(f["filename"], f["data"], f["content_type"]) for f in upload["files"]] == [
        (PDF_NAME, PDF, "application/pdf"), (PNG_NAME, PNG, "image/png"),
    ]  # fmt: skip
    assert [a["filename"] for a in upload["attachments"]] == [PDF_NAME, PNG_NAME]
    assert upload["allowed_mentions"] == {"parse": []}


async def test_a_post_with_files_arrives_as_files_once_and_lists_the_rest(tmp_path, fakes):
    """A Japanese-named PDF and image reach Slack and Discord as files, once, names intact; an .exe and an
    over-limit file are only listed, the big one with its size and a link the public page serves."""
    slack, discord = fakes
    bot = _bot(tmp_path, slack, discord)
    bot.start()
    try:
        await _send(bot, _mail(1))
        await until(lambda: _uploaded(slack, discord), what="the files at both fakes")
        await asyncio.sleep(1.0)  # nothing more may follow
        _assert_once_and_intact(slack, discord)
        assert "研修会のご案内" in slack.files.completions[0]["initial_comment"]
        (text,) = slack.posted("C111")
        listing = "\n".join(slack_shown(b) for b in text["blocks"] if b["type"] == "rich_text")
        assert f"{EXE_NAME} (application/octet-stream, 2 KB) — この種類のファイルは添付していません" in listing
        link = re.search(rf"{re.escape(BIG_NAME)} \(application/pdf, 293 KB\) — 大きすぎるため添付していません"
                         rf"　ダウンロード：{PUBLIC}/announcements/(a[0-9a-f]{{16}})/files/4", listing)  # fmt: skip
        assert link, listing
        (embed,) = discord.posted("900")[0]["embeds"]
        assert any(EXE_NAME in f["value"] and "添付していません" in f["value"] for f in embed["fields"])
        assert not any(EXE_NAME in str(f["filename"]) for u in discord.uploads() for f in u["files"])
        assert EXE_NAME not in [f["name"] for f in slack.files.files.values()]

        # The public page serves the allowed files (the big one too), never the .exe.
        base = f"http://127.0.0.1:{bot.http_port}/announcements/{link.group(1)}/files"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/4") as response:
                assert response.status == 200
                assert await response.read() == BIG
                assert response.headers["Content-Type"] == "application/pdf"
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                disposition = response.headers["Content-Disposition"]
                assert disposition.startswith("attachment; ")
                assert f"filename*=UTF-8''{quote(BIG_NAME, safe='')}" in disposition
            async with session.get(f"{base}/3") as response:
                assert response.status == 404
    finally:
        bot.stop()


async def test_a_500_during_the_upload_is_retried_without_a_double(tmp_path, fakes):
    """A 500 before the upload and one after Slack already shared the files (and a 500 from Discord after it
    stored the message) are retried, and each file still appears once."""
    slack, discord = fakes
    # files.getUploadURLExternal fails once; then the completion lands but answers 500.
    slack.files.upload_faults.script = ["500", "", "", "", "", "landed-500"]
    discord.faults.script = ["", "landed-500"]  # the text goes through; the upload lands, then 500
    bot = _bot(tmp_path, slack, discord)
    bot.start()
    try:
        await _send(bot, _mail(2))
        await until(lambda: _uploaded(slack, discord), what="the files at both fakes")
        await until(lambda: "not uploading them again" in bot.text(), what="the check after the 500")
        await asyncio.sleep(1.0)
        _assert_once_and_intact(slack, discord)
        assert slack.files.completing == 1
        assert len(discord.attempts) > len(discord.posted()), "the Discord upload was sent again, harmlessly"
    finally:
        bot.stop()


async def test_files_refused_for_good_stay_listed_and_do_not_hold_the_channel(tmp_path, fakes):
    """An app without files:write gets its post's text through with the files listed, and the next post (and
    its files) follows without waiting."""
    slack, discord = fakes
    slack.files.upload_faults.script = ["missing_scope"]
    bot = _bot(tmp_path, slack, discord)
    bot.start()
    try:
        await _send(bot, _mail(4))
        await _send(bot, _mail(5))
        await until(lambda: len(slack.posted("C111")) >= 2 and len(slack.files.shared("C111")) >= 2,
                    what="both texts and the second post's files")  # fmt: skip
        await asyncio.sleep(1.0)
        assert len(slack.files.shared("C111")) == 2
        assert "missing_scope; the files of" in bot.text()
        assert "stay listed, not uploaded" in bot.text()
        assert PDF_NAME in slack_shown(slack.posted("C111")[0]["blocks"][-1])
    finally:
        bot.stop()


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["hang", "landed-hang"])
async def test_sigkill_while_the_files_are_being_shared_does_not_double(tmp_path, fakes, fault):
    """SIGKILL while Slack's completion and Discord's upload are unanswered (landed or not, and Discord's
    nonce forgotten, as minutes later): after the restart each file is in each channel once."""
    slack, discord = fakes
    slack.files.upload_faults.script = ["", "", "", "", fault]
    discord.faults.script = ["", "hang" if fault == "hang" else "landed-hang"]
    bot = _bot(tmp_path, slack, discord)
    bot.start()
    try:
        await _send(bot, _mail(3))
        await until(lambda: slack.files.completing >= 1 and len(discord.attempts) >= 2, what="both uploads hanging")
        await asyncio.to_thread(bot.kill)
        discord.nonces.clear()  # beyond Discord's nonce window: only the history check is left
        await asyncio.to_thread(bot.start)
        if fault == "landed-hang":
            await until(lambda: bot.text().count("already in") >= 2, what="both uploads recognised after the restart")
        await until(lambda: _uploaded(slack, discord), what="the files at both fakes")
        await asyncio.sleep(2.0)
        _assert_once_and_intact(slack, discord)
        assert len(slack.files.files) == 2, "the recorded file ids were completed, not uploaded afresh"
        assert slack.files.completing == (2 if fault == "hang" else 1)
    finally:
        bot.stop()
