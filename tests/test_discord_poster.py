"""The relay's Discord poster against the fake Discord API: discord.py's rate limiter and retries, and
how each failure reaches the lane."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import DeliveryRetryable, DeliveryTimeout
from bot.platforms.discord.poster import DiscordPoster
from tests.fakes import FakeDiscord

TOKEN = "discord-test-token"


def payload(number: int) -> dict:
    return {
        "content": "",
        "embeds": [{"title": f"お知らせ第{number}号", "description": "本文"}],
        "allowed_mentions": {"parse": []},
        "nonce": f"nonce-{number}",
        "enforce_nonce": True,
    }


@pytest.fixture
async def fake():
    api = FakeDiscord()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def poster(fake):
    posting = DiscordPoster(TOKEN, fake.base_url)
    yield posting
    await posting.close()


async def test_a_spent_bucket_is_waited_out_instead_of_drawing_a_429(fake, poster):
    """When Discord's headers say a channel's bucket is spent, the next post to it waits for the reset."""
    fake.bucket = (2, 1.0)  # two posts a second per channel, announced in X-RateLimit-* headers
    for number in range(5):
        await asyncio.wait_for(poster.post("900", payload(number)), 30)
    assert [c["embeds"][0]["title"] for c in fake.posted("900")] == [f"お知らせ第{n}号" for n in range(5)]
    assert fake.spent == ["900", "900"]  # the bucket ran out twice, so the limiter had something to do
    assert fake.too_early == []  # and no post reached the fake while it was spent


async def test_a_5xx_after_the_message_landed_is_retried_without_a_second_message(fake, poster):
    """discord.py re-sends after a 500, with the same enforced nonce: the channel shows the part once."""
    fake.faults.script = ["landed-500"]
    await asyncio.wait_for(poster.post("900", payload(1)), 30)
    assert fake.attempts == ["nonce-1", "nonce-1"]
    assert len(fake.posted("900")) == 1


async def test_a_short_retry_after_is_waited_out_by_discord_py(fake, poster):
    """A 429 with a Retry-After of a moment is slept on and retried inside the post, which then succeeds."""
    fake.faults.script = ["429"]
    fake.faults.retry_after = 0.2
    await asyncio.wait_for(poster.post("900", payload(1)), 30)
    assert fake.attempts == ["nonce-1", "nonce-1"]
    assert len(fake.posted("900")) == 1


async def test_a_long_retry_after_comes_back_to_the_lane(fake, poster):
    """A Retry-After beyond discord.py's limit is a DeliveryRetryable carrying it, with nothing posted."""
    fake.faults.script = ["429"]
    fake.faults.retry_after = 120
    with pytest.raises(DeliveryRetryable) as raised:
        await asyncio.wait_for(poster.post("900", payload(1)), 30)
    assert raised.value.retry_after == 120
    assert fake.attempts == ["nonce-1"]
    assert fake.posted() == []


async def test_no_answer_is_a_timeout_the_lane_treats_as_uncertain(fake):
    """A post Discord never answers ends as DeliveryTimeout after the poster's timeout, sent once."""
    poster = DiscordPoster(TOKEN, fake.base_url, timeout=0.5)
    fake.faults.script = ["hang"]
    try:
        with pytest.raises(DeliveryTimeout):
            await asyncio.wait_for(poster.post("900", payload(1)), 30)
    finally:
        await poster.close()
    assert fake.attempts == ["nonce-1"]


async def test_after_close_the_poster_logs_in_again(fake, poster):
    """Closed at the relay's stop, the poster posts again on a fresh login when the relay restarts."""
    await poster.post("900", payload(1))
    await poster.close()
    await poster.post("900", payload(2))
    assert fake.logins == 2
    assert [c["auth"] for c in fake.posted("900")] == [f"Bot {TOKEN}"] * 2


async def test_a_thread_archived_for_inactivity_is_renamed_and_archived_again(fake, poster):
    """Discord takes nothing for an archived thread unless the request reopens it: the rename reopens it,
    renames it and archives it again; a post that never had a thread is left alone."""
    root = await poster.post("900", payload(1))
    await poster.post("900", payload(2), thread=root, thread_name="お知らせ")
    fake.threads.threads[root.id]["thread_metadata"]["archived"] = True  # a week without messages
    await poster.rename_thread(root, "お知らせ（訂正）")
    thread = fake.threads.threads[root.id]
    assert (thread["name"], thread["thread_metadata"]["archived"]) == ("お知らせ（訂正）", True)
    lonely = await poster.post("900", payload(3))
    await poster.rename_thread(lonely, "取り下げられた投稿", archive=True)  # Discord: unknown channel, no failure
    assert lonely.id not in fake.threads.threads
