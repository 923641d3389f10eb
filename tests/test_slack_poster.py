"""The relay's Slack poster against the fake Slack Web API: one session for its life, closed at stop."""

from __future__ import annotations

from bot.platforms.slack.poster import SlackPoster
from tests.fakes import FakeSlack


def payload(number: int) -> dict:
    return {"channel": "C111", "text": f"お知らせ第{number}号", "blocks": []}


async def test_posts_share_a_connection_and_a_closed_poster_opens_a_new_one():
    """Posts reuse one connection; after close the poster posts again over a fresh session."""
    fake = FakeSlack()
    await fake.start()
    poster = SlackPoster("xoxb-test-token", fake.base_url)
    try:
        await poster.post("C111", payload(1))
        await poster.post("C111", payload(2))
        await poster.close()
        await poster.post("C111", payload(3))
    finally:
        await poster.close()
        await fake.stop()
    assert [c["text"] for c in fake.posted("C111")] == ["お知らせ第1号", "お知らせ第2号", "お知らせ第3号"]
    first, second, third = fake.peers_of("chat.postMessage")
    assert first == second
    assert third != first
