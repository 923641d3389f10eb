"""Each platform's poster keeps its connection to the API open from post to post (issue 15, item 6)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.platforms.discord.poster import DiscordPoster
from bot.platforms.facebook.poster import FacebookPoster
from bot.platforms.slack.poster import SlackPoster
from tests.fakes import FakeDiscord, FakeGraph, FakeSlack


async def test_slack_posts_corrections_and_deletions_share_one_connection(slack):
    """Several posts, an edit and a delete reach the fake Slack API over one TCP connection."""
    fake, poster = slack
    refs = [await poster.post("C111", {"channel": "C111", "text": f"お知らせ第{n}号"}) for n in range(5)]
    await poster.edit(refs[0], {"channel": "C111", "text": "訂正"})
    await poster.delete(refs[1])
    assert len(fake.posted("C111")) == 5
    assert len(fake.connections) == 7
    assert len({peer for _, peer in fake.connections}) == 1


async def test_slack_lanes_posting_at_once_reuse_their_connections(slack):
    """Two lanes posting side by side open at most one connection each, however many posts they make."""
    fake, poster = slack

    async def lane(channel: str) -> None:
        for n in range(6):
            await poster.post(channel, {"channel": channel, "text": f"{channel} {n}"})

    await asyncio.gather(lane("C111"), lane("C222"))
    assert len(fake.peers_of("chat.postMessage")) == 12
    assert len(set(fake.peers_of("chat.postMessage"))) <= 2


async def test_discord_posts_share_one_connection_after_the_login(discord):
    """The login and several posts reach the fake Discord API over one TCP connection."""
    fake, poster = discord
    for n in range(5):
        await poster.post("900", {"content": f"お知らせ第{n}号", "nonce": f"n{n}", "enforce_nonce": True})
    posts = fake.peers_of("/messages")
    assert len(posts) == 5
    assert len({peer for _, peer in fake.connections}) == 1


async def test_facebook_posts_share_one_connection():
    """Several Page posts and a look at the feed reach the fake Graph API over one TCP connection."""
    graph = FakeGraph("fb-page-token")
    await graph.start()
    poster = FacebookPoster("fb-page-token", graph.base_url)
    try:
        for n in range(4):
            await poster.post("123", {"message": f"お知らせ第{n}号"})
        await poster.posted_parts("123", "d1", datetime.now(UTC))
    finally:
        await poster.close()
        await graph.stop()
    assert len(graph.posted("123")) == 4
    assert len(graph.connections) == 5
    assert len({peer for _, peer in graph.connections}) == 1


async def test_a_closed_poster_opens_a_fresh_connection():
    """After close (the relay stopping), each poster posts again, over a new connection."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    posters = (SlackPoster("xoxb-test-token", slack.base_url), DiscordPoster("discord-test-token", discord.base_url))
    try:
        for round_ in range(2):
            await posters[0].post("C111", {"channel": "C111", "text": f"{round_}"})
            await posters[1].post("900", {"content": f"{round_}", "nonce": f"r{round_}", "enforce_nonce": True})
            for poster in posters:
                await poster.close()
    finally:
        for poster in posters:
            await poster.close()
        await slack.stop()
        await discord.stop()
    assert len(set(slack.peers_of("chat.postMessage"))) == 2
    assert len(set(discord.peers_of("/messages"))) == 2
