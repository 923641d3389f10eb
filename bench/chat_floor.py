"""bench/chat.py's baseline: a bare responder that does only what any bot must to answer, and nothing else.

Slack: an aiohttp endpoint that checks the request's signature and posts a fixed answer in its thread.
Discord: a gateway connection (IDENTIFY, then each MESSAGE_CREATE) posting a fixed reply. Both over one
aiohttp session, in a child process of its own, as `rmo-bot run` is:

    python bench/chat_floor.py PORT SLACK_API_URL DISCORD_API_URL SECRET
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.child import ChildServer  # noqa: E402

ANSWER = "次の近畿ブロック会議は 2027年1月20日（水）13:30～16:30、東近江市役所です。"


def slack_mention(n: int, ts: str, text: str, secret: str) -> tuple[bytes, dict[str, str]]:
    """A signed app_mention event callback: its body and headers."""
    body = json.dumps({
        "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": f"Ev{n}",
        "event_time": int(time.time()), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_mention", "user": "U1", "text": f"<@UBOT> {text}", "ts": ts, "channel": "C9",
                  "event_ts": ts},
    }, ensure_ascii=False)  # fmt: skip
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}",
               "Content-Type": "application/json"}  # fmt: skip
    return body.encode(), headers


def discord_message(message_id: str, text: str, channel: str) -> dict[str, Any]:
    """A MESSAGE_CREATE payload from a member in `channel`."""
    user = {"id": "2002", "username": "member", "discriminator": "0", "avatar": None}
    return {
        "id": message_id, "channel_id": channel, "author": user, "content": text,
        "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": False, "type": 0,
    }  # fmt: skip


async def serve(port: int, slack_url: str, discord_url: str, secret: str) -> None:
    import aiohttp
    from aiohttp import web

    session = aiohttp.ClientSession()
    tasks: set[asyncio.Task[None]] = set()

    def later(post: Any) -> None:
        task = asyncio.get_running_loop().create_task(post)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def post(url: str, payload: dict[str, Any], token: str) -> None:
        async with session.post(url, json=payload, headers={"Authorization": token}) as response:
            await response.read()

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        expected = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Slack-Signature", "")):
            return web.Response(status=401)
        event = json.loads(body)["event"]
        answer = {"channel": event["channel"], "thread_ts": event["ts"], "text": ANSWER}
        later(post(slack_url + "chat.postMessage", answer, "Bearer xoxb-floor"))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", events)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    async with session.get(discord_url + "/gateway/bot") as response:
        gateway = (await response.json())["url"]
    async with session.ws_connect(gateway) as ws:
        await ws.receive_json()  # HELLO
        await ws.send_json({"op": 2, "d": {"token": "floor", "intents": 0, "properties": {}}})
        print("ready", flush=True)
        async for frame in ws:
            data = json.loads(frame.data)
            if data.get("t") == "MESSAGE_CREATE":
                message = data["d"]
                reply = {"content": ANSWER, "message_reference": {"message_id": message["id"]}}
                later(post(f"{discord_url}/channels/{message['channel_id']}/messages", reply, "Bot floor"))


class Floor(ChildServer):
    """The bare responder as a child process; `port` is its HTTP port."""

    def __init__(self, slack_url: str, discord_url: str, secret: str) -> None:
        super().__init__(__file__, "{port}", slack_url, discord_url, secret)


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
