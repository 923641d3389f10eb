"""End to end, threads and attachments together: `rmo-bot run` as a child against the fake Slack and Discord
APIs — a long post's files go into its first part's thread, and a withdrawal takes them down with the post."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import aiosmtplib

from tests.botproc import BotProcess, write_config
from tests.helpers import rmo_bot
from tests.test_relay_e2e import post, until
from tests.test_threads_e2e import LONG, PAGES

if TYPE_CHECKING:
    from tests.fakes import FakeDiscord, FakeSlack

PDF_NAME = "研修会チラシ（第2回）.pdf"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 20


def _discord_top_level(discord: FakeDiscord) -> dict[str, list[dict[str, Any]]]:
    """The messages each channel (not thread) shows outside threads now."""
    channels = {m["channel_id"] for m in discord.threads.messages.values()} - set(discord.threads.threads)
    return {channel: discord.threads.top_level(channel) for channel in channels}


def _files_delivered(slack: FakeSlack, discord: FakeDiscord) -> bool:
    return len(slack.files.completions) >= 1 and len(discord.uploads()) >= 1


async def test_a_long_post_with_a_pdf_is_one_top_level_message_and_its_withdrawal_deletes_the_file(tmp_path, fakes):
    """A long post with a Japanese-named PDF is one top-level message per channel on both platforms with the
    file in its thread, and withdrawing it deletes the file on both."""
    slack, discord = fakes
    config = write_config(
        tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url, public_url=PAGES
    )
    bot = BotProcess(config, tmp_path / "data")
    message = post(1, "研修会のご案内", LONG[:12_000])
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename=PDF_NAME)
    bot.start()
    try:
        await aiosmtplib.send(message, hostname="127.0.0.1", port=bot.port, timeout=30)
        await until(lambda: _files_delivered(slack, discord), what="the files on both platforms")
        await asyncio.sleep(1.0)  # nothing more may follow

        assert sorted(slack.messages) == [c["channel"] for c in slack.files.completions] == ["C111"]
        for channel in slack.messages:
            (top,) = slack.threads.top_level(channel)
            (shared,) = [c for c in slack.files.completions if c["channel"] == channel]
            assert shared["thread_ts"] == top["ts"]
            in_thread = [f["name"] for m in slack.threads.thread(channel, top["ts"]) for f in m.get("files") or []]
            assert in_thread == [PDF_NAME]
        tops = _discord_top_level(discord)
        assert sorted(tops) == ["900"]
        assert len(discord.uploads()) == 1
        for channel, (first,) in tops.items():
            assert discord.uploads(channel) == []
            (upload,) = discord.uploads(first["id"])  # the thread started from the first part
            assert [(f["filename"], f["data"]) for f in upload["files"]] == [(PDF_NAME, PDF)]
            assert len(discord.threads.in_thread(first["id"])) >= 2  # a later part and the file
        file_messages = {m["id"] for m in discord.threads.messages.values() if m.get("attachments")}
        assert len(file_messages) == 1
    finally:
        bot.stop()

    (listed,) = json.loads(rmo_bot("announcements", "list", "--json", "--data-dir", bot.data_dir).stdout)
    done = rmo_bot("announcements", "withdraw", listed["id"], "--lang", "en", "--config", bot.config,
                   "--data-dir", bot.data_dir)  # fmt: skip
    assert "is withdrawn" in done.stdout
    bot.start()
    try:
        await until(lambda: not any(slack.messages.values()) and not discord.threads.messages,
                    what="every message and file deleted")  # fmt: skip
        shared_ids = {f["id"] for c in slack.files.completions for f in c["files"]}
        assert {c["file"] for c in slack.called("files.delete")} == shared_ids
        assert not shared_ids & set(slack.files.files)
        assert file_messages <= {c["message"] for c in discord.called("delete")}
    finally:
        bot.stop()
