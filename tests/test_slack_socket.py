"""The Slack app in Socket Mode: a local WebSocket server stands in for Slack's, and the fake Web API
hands out its URL from apps.connections.open."""

from __future__ import annotations

import asyncio
import itertools
import time

import aiohttp

from tests.botproc import BotProcess, write_config
from tests.fakes import FakeDiscord, FakeSlack
from tests.test_relay_e2e import until


async def test_socket_mode_answers_mentions_and_dms(tmp_path):
    """Over Socket Mode, a mention and a DM are acknowledged and answered in the language asked."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    config = write_config(tmp_path / "config.toml", slack_url=slack.base_url, discord_url=discord.base_url)
    bot = BotProcess(config, tmp_path / "data", env={"SLACK_APP_TOKEN": "xapp-test"})
    await asyncio.to_thread(bot.start)
    try:
        await asyncio.wait_for(slack.socket_connected.wait(), 30)
        now = int(time.time())
        for number, (_kind, event) in enumerate([
            ("app_mention", {"type": "app_mention", "user": "U1", "text": "<@UBOT> Who is the representative?",
                             "ts": "1.1", "channel": "C9", "event_ts": "1.1"}),
            ("message", {"type": "message", "channel_type": "im", "user": "U1", "text": "研修会の予定は？",
                         "ts": "2.2", "channel": "D1", "event_ts": "2.2"}),
        ]):  # fmt: skip
            await slack.push({
                "envelope_id": f"env-{number}", "type": "events_api", "accepts_response_payload": False,
                "payload": {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"Ev{number}",
                            "event_time": now, "event": event,
                            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]},
            })  # fmt: skip
        await until(lambda: slack.posted("C9") and slack.posted("D1"), what="both answers")
    finally:
        bot.stop()
        await slack.stop()
        await discord.stop()
    assert {"env-0", "env-1"} <= set(slack.acks)
    assert "Mayor of Unnan" in slack.posted("C9")[0]["text"]
    assert "研修会" in slack.posted("D1")[0]["text"]
    assert any(c["method"] == "apps.connections.open" and c["auth"] == "Bearer xapp-test" for c in slack.calls)


async def _slack_health(bot: BotProcess) -> str:
    await until(lambda: bot.http_port, what="the HTTP server's port")
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{bot.http_port}/healthz") as page:
        return (await page.json())["slack"]


async def test_healthz_says_connected_only_once_slack_is(tmp_path):
    """/healthz's Slack state is "connected" once the Socket Mode connection is up, and "failed" with the
    reason, not "running", when Slack refuses the bot token."""
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    try:
        for refused in (False, True):
            slack.refuse_token = refused
            config = write_config(tmp_path / f"config-{refused}.toml", slack_url=slack.base_url,
                                  discord_url=discord.base_url)  # fmt: skip
            bot = BotProcess(config, tmp_path / f"data-{refused}", env={"SLACK_APP_TOKEN": "xapp-test"})
            await asyncio.to_thread(bot.start)
            try:
                states = [await _slack_health(bot)]
                for _ in itertools.count():  # until the platform has said how it stands
                    if states[-1] not in {"connecting", "running"}:
                        break
                    await asyncio.sleep(0.1)
                    states.append(await _slack_health(bot))
            finally:
                bot.stop()
            expected = "failed: Slack refused the bot token (invalid_auth)" if refused else "connected"
            assert states[-1] == expected
            assert "running" not in states
    finally:
        await slack.stop()
        await discord.stop()
