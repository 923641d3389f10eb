"""The posters' threads, edits and deletions against the fake Slack and Discord APIs, and the rendering of a
long post's first part (checked with slack_sdk's Block Kit models)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block

from bot.errors import DeliveryRejected
from bot.platforms.discord.poster import DiscordPoster
from bot.platforms.discord.render import render_discord
from bot.platforms.preview import preview_of
from bot.platforms.slack.render import render_slack
from storage.records import Announcement, MessageRef
from tests.conftest import JST

SINCE = datetime(2020, 1, 1, tzinfo=UTC)
LONG = "\n\n".join(f"第{n}段落。" + "詳細です。" * 300 for n in range(12))


def _announcement(body: str = LONG) -> Announcement:
    return Announcement(id="a0123456789abcdef", message_id="m1@x", subject="長いお知らせ", body=body,
                        sender="jimukyoku@rmo-network.example.jp", received_at=datetime(2026, 11, 25, 10, tzinfo=JST))  # fmt: skip


async def test_slack_threads_edits_deletes_and_finds_parts_in_the_thread(slack):
    """Slack: parts 2+ go in part 1's thread, are found there again by their metadata, and edit and delete."""
    fake, poster = slack
    payloads = render_slack(_announcement(), "C111", JST, "d1")
    first = await poster.post("C111", dict(payloads[0]))
    second = await poster.post("C111", dict(payloads[1]), thread=first)
    assert first == MessageRef("C111", fake.messages["C111"][0]["ts"])
    assert fake.posted()[1]["thread_ts"] == first.id
    assert [m["ts"] for m in fake.threads.top_level("C111")] == [first.id]
    assert await poster.posted_refs("C111", "d1", SINCE) == {1: first, 2: second}
    await poster.edit(second, dict(render_slack(_announcement(LONG + "訂正"), "C111", JST, "d1")[1]))
    (update,) = fake.called("chat.update")
    assert (update["channel"], update["ts"]) == ("C111", second.id)
    assert "unfurl_links" not in update
    assert "thread_ts" not in update
    await poster.delete(second)
    await poster.delete(second)  # already gone: done, not an error
    await poster.delete(first)
    assert fake.messages["C111"] == []
    with pytest.raises(DeliveryRejected):
        await poster.post("C999", {**payloads[0], "channel": "C999"}, thread=MessageRef("C999", "1.000001"))


async def test_discord_starts_one_thread_from_the_first_message_and_edits_and_deletes(discord):
    """Discord: later parts go in a thread started once from part 1 (its id the message's); edits and deletes."""
    fake, poster = discord
    payloads = render_discord(_announcement(), "900", JST, "d1")
    first = await poster.post("900", dict(payloads[0]))
    second = await poster.post("900", dict(payloads[1]), thread=first, thread_name="長いお知らせ")
    assert second.channel == first.id
    fresh = DiscordPoster("discord-test-token", fake.base_url)  # after a restart: the thread exists already
    try:
        third = await fresh.post("900", dict(payloads[2]), thread=first, thread_name="長いお知らせ")
    finally:
        await fresh.close()
    assert third.channel == first.id
    assert [c["message"] for c in fake.called("start_thread")] == [first.id, first.id]
    assert fake.threads.threads[first.id]["name"] == "長いお知らせ"
    assert [m["id"] for m in fake.threads.top_level("900")] == [first.id]
    again = await poster.post("900", dict(payloads[0]))  # the same nonce: the same message, not a second one
    assert again == first
    await poster.edit(second, {**payloads[1], "embeds": [{"title": "訂正", "description": "新しい本文"}]})
    (edit,) = fake.called("edit")
    assert "nonce" not in edit
    assert fake.threads.messages[second.id]["embeds"][0]["description"] == "新しい本文"
    for ref in (third, second, first, first):  # the last one is gone already: done, not an error
        await poster.delete(ref)
    assert fake.threads.messages == {}


def test_a_long_posts_first_part_links_the_whole_post_and_its_blocks_are_valid():
    """With a public address, part 1 links the post's page on both platforms; every Slack block is valid Block Kit."""
    slack = render_slack(_announcement(), "C111", JST, "d1", pages_url="https://rmo.example.jp/")
    discord = render_discord(_announcement(), "900", JST, "d1", pages_url="https://rmo.example.jp/")
    page = "https://rmo.example.jp/announcements/a0123456789abcdef"
    assert len(slack) > 1
    assert len(discord) > 1
    assert page in str(slack[0]["blocks"])
    assert all(page not in str(m["blocks"]) for m in slack[1:])
    assert discord[0]["embeds"][0]["url"] == page
    assert discord[0]["embeds"][0]["fields"][0]["value"] == page
    for message in slack:
        for block in message["blocks"]:
            Block.parse(block).validate_json()  # raises on any Block Kit limit broken
    embed = discord[0]["embeds"][0]
    size = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    assert size + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"]) <= 6000
    short = render_slack(_announcement("短い本文"), "C111", JST, "d1", pages_url="https://rmo.example.jp")
    assert "announcements" not in str(short[0]["blocks"])


def test_the_preview_says_how_a_post_is_split_and_shows_discord_as_read():
    """The secretariat's preview counts each platform's messages and shows Discord's text without backslashes."""
    shown = preview_of(_announcement("*重要* 申込は https://example.jp/kinki_2nd_meeting へ\n" + LONG), JST)
    assert len(shown.slack) > len(shown.discord) > 1
    assert shown.split_note("ja") == (
        f"Slackでは{len(shown.slack)}件、Discordでは{len(shown.discord)}件のメッセージになります"
        "（1件目をチャンネルに、続きはそのスレッドに投稿）。"
    )
    assert shown.split_note("en").startswith(f"Slack gets {len(shown.slack)} message(s), Discord {len(shown.discord)}")
    assert "\\" not in shown.discord_shown
    assert shown.discord_shown.startswith("*重要* 申込は https://example.jp/kinki_2nd_meeting へ")
