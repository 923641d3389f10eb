"""Stand-ins for the Slack Web API and Discord's REST API (and, from `fake_graph.py`, the Graph API's Page
feed), on loopback, recording exactly what arrives.

Faults are scripted per test: answer 429 with Retry-After, 500, hang, or refuse connections for a while.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from typing import Any

from aiohttp import web

from tests.fake_api import FakeAPI, Faults
from tests.fake_edits import DiscordThreads, SlackThreads
from tests.fake_files import SlackFiles, read_discord_multipart
from tests.fake_graph import FakeGraph

__all__ = ["FakeAPI", "FakeDiscord", "FakeGraph", "FakeSlack", "Faults"]


def _discord_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """discord.py reads a body as JSON only when the content type is exactly "application/json"."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json", **(headers or {})})  # fmt: skip


class FakeSlack(FakeAPI):
    """chat.postMessage and conversations.history, like https://slack.com/api/ (and, from `fake_edits.py`,
    threads, chat.update and chat.delete). Extra fault: "landed-hang" stores the message and never answers."""

    def __init__(self) -> None:
        super().__init__()
        self._ts = itertools.count(1)
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.app.router.add_post("/api/chat.postMessage", self.post_message)
        self.app.router.add_route("*", "/api/conversations.history", self.history)
        self.app.router.add_route("*", "/api/auth.test", self.auth_test)
        self.app.router.add_post("/response/{id}", self.response_url)
        self.usergroup_members: list[str] = []
        self.refuse_token = False  # True: auth.test answers invalid_auth, as Slack does for a wrong token
        self.app.router.add_route("*", "/api/usergroups.users.list", self.usergroup_users)
        for method in ("views.open", "views.publish", "views.update"):
            self.app.router.add_post(f"/api/{method}", self.recorder(method))
        self.app.router.add_route("*", "/api/apps.connections.open", self.connections_open)
        self.app.router.add_get("/socket", self.socket)
        self.sockets: list[web.WebSocketResponse] = []
        self.acks: list[str] = []
        self.socket_connected = asyncio.Event()
        self.files = SlackFiles(self)  # files.getUploadURLExternal, the upload URL, completeUploadExternal, files.info
        self.threads = SlackThreads(self)  # conversations.replies, chat.update, chat.delete

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    async def post_message(self, request: web.Request) -> web.Response:
        landed_then_hung = self.faults.script[:1] == ["landed-hang"]  # stored, then no answer at all
        if landed_then_hung:
            self.faults.next()
        elif (fault := await self._fault()) is not None:
            return fault
        payload = await request.json()
        self.calls.append({"method": "chat.postMessage", "auth": request.headers.get("Authorization"), **payload})
        ts = f"{time.time():.0f}.{next(self._ts):06d}"
        message = {"ts": ts, "text": payload.get("text"), "metadata": payload.get("metadata"),
                   "blocks": payload.get("blocks")}  # fmt: skip
        if payload.get("thread_ts"):
            message["thread_ts"] = payload["thread_ts"]
            error = self.threads.reply_posted(payload["channel"], message)
            if error is not None:
                return web.json_response({"ok": False, "error": error})
        self.messages.setdefault(payload["channel"], []).append(message)
        key = (payload.get("metadata") or {}).get("event_payload", {}).get("delivery", "")
        self.received_at.setdefault(
            f"{key}#{payload.get('metadata', {}).get('event_payload', {}).get('part')}", time.monotonic()
        )
        if landed_then_hung:
            await self._release.wait()
            return web.json_response({"ok": False, "error": "shutting down"}, status=503)
        return web.json_response({"ok": True, "channel": payload["channel"], "ts": ts, "message": message})

    async def history(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.method == "POST":
            params.update(await request.post() if request.content_type != "application/json" else await request.json())
        channel = str(params.get("channel"))
        messages = list(reversed(self.threads.top_level(channel)))  # replies are read with conversations.replies
        return web.json_response({"ok": True, "messages": messages, "has_more": False})

    async def auth_test(self, request: web.Request) -> web.Response:
        del request
        if self.refuse_token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(
            {"ok": True, "user_id": "UBOT", "team_id": "T1", "bot_id": "BBOT", "url": "https://t.slack.com/"}
        )

    async def response_url(self, request: web.Request) -> web.Response:
        self.calls.append({"method": "response_url", "id": request.match_info["id"], **(await request.json())})
        return web.json_response({"ok": True})

    def recorder(self, method: str):
        async def record(request: web.Request) -> web.Response:
            payload = await request.json() if request.content_type == "application/json" else dict(await request.post())
            self.calls.append({"method": method, **payload})
            return web.json_response({"ok": True, "view": {"id": "V1"}})

        return record

    async def usergroup_users(self, request: web.Request) -> web.Response:
        del request
        return web.json_response({"ok": True, "users": self.usergroup_members})

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"] == method]

    async def connections_open(self, request: web.Request) -> web.Response:
        self.calls.append({"method": "apps.connections.open", "auth": request.headers.get("Authorization")})
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"})

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then carry envelopes out and acknowledgements back."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        self.socket_connected.set()
        async for message in ws:
            if message.type == web.WSMsgType.TEXT:
                data = json.loads(message.data)
                if "envelope_id" in data:
                    self.acks.append(data["envelope_id"])
        return ws

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send one Socket Mode envelope to the connected app."""
        await self.sockets[-1].send_json(envelope)

    def responses(self) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"] == "response_url"]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [
            c for c in self.calls if c["method"] == "chat.postMessage" and (channel is None or c["channel"] == channel)
        ]


def _discord_429(retry_after: float, headers: dict[str, str] | None = None) -> web.Response:
    """A 429 as Discord sends it (through its proxy, hence Via): discord.py waits it out and retries."""
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    return _discord_json(
        body, 429, {"Retry-After": str(math.ceil(retry_after)), "Via": "1.1 google", **(headers or {})}
    )


class FakeDiscord(FakeAPI):
    """POST /channels/{id}/messages, honouring nonce + enforce_nonce like Discord does.

    Extra faults: "landed-500" stores the message, then answers 500; "landed-hang" stores it and never answers. With `bucket = (posts, seconds)` each
    channel's message bucket is announced in X-RateLimit-* headers and enforced: a post while it is spent
    is answered 429 and noted in `too_early`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1000)
        self.nonces: dict[tuple[str, str], dict[str, Any]] = {}
        self.attempts: list[str] = []  # the nonce of every create-message request, answered or not
        self.bucket: tuple[int, float] | None = None
        self._windows: dict[str, tuple[float, int]] = {}  # channel → (monotonic end of its window, posts left)
        self.too_early: list[str] = []
        self.spent: list[str] = []  # channels whose bucket an answer announced as spent
        self.app.router.add_post("/api/v10/channels/{channel}/messages", self.create_message)
        self.app.router.add_get("/api/v10/channels/{channel}/messages", self.list_messages)
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}  # what each channel shows, oldest first
        self.history_forbidden = False  # True: GET messages answers 403, as without Read Message History
        self.app.router.add_get("/api/v10/users/@me", self.me)
        self.app.router.add_get("/api/v10/gateway/bot", self.gateway)
        self.app.router.add_get("/api/v10/gateway", self.gateway)
        self.app.router.add_get("/gateway", self.gateway_socket)
        self.app.router.add_get("/no-gateway", self.no_gateway)
        self.refuse_logins = False  # True: every bot token is refused (401), as Discord refuses a wrong one
        self.serve_gateway = False  # True: a gateway that says HELLO and READY; False: a URL with nothing behind it
        self.gateway_dials: list[str] = []  # the path and query of every gateway connection attempt
        self.identified: list[dict[str, Any]] = []  # the IDENTIFY payloads the gateway received
        self.guilds: list[dict[str, Any]] = []  # sent as GUILD_CREATE after READY
        self._gateways: list[web.WebSocketResponse] = []
        self._sequence = itertools.count(2)
        self.app.router.add_get("/api/v10/oauth2/applications/@me", self.application)
        self.app.router.add_put("/api/v10/applications/{app}/commands", self.put_commands)
        self.app.router.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self.put_commands)
        self.app.router.add_post("/api/v10/interactions/{id}/{token}/callback", self.interaction_callback)
        self.synced: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []
        self.logins = 0
        self.threads = DiscordThreads(self)  # threads from messages, edits, deletions

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    async def _fault(self) -> web.Response | None:
        if self.faults.script[:1] == ["429"]:
            self.faults.next()
            return _discord_429(self.faults.retry_after)
        return await super()._fault()

    def _take_from_bucket(self, channel: str) -> dict[str, str] | web.Response:
        """The rate-limit headers of this post, or the 429 it draws when the channel's bucket is spent."""
        if self.bucket is None:
            return {}
        limit, seconds = self.bucket
        now = time.monotonic()
        end, left = self._windows.get(channel, (0.0, limit))
        if now >= end:
            end, left = now + seconds, limit
        reset_after = math.ceil((end - now) * 1000) / 1000
        if left == 0:
            self.too_early.append(channel)
            return _discord_429(reset_after, {"X-RateLimit-Scope": "user"})
        left -= 1
        self._windows[channel] = (end, left)
        if left == 0:
            self.spent.append(channel)
        return {
            "X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(left), "X-RateLimit-Bucket": "messages",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}", "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        }  # fmt: skip

    async def create_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        multipart = request.content_type.startswith("multipart/")
        payload = await read_discord_multipart(request) if multipart else json.loads(await request.read())
        nonce = payload.get("nonce")
        self.attempts.append(str(nonce))
        landed_then_failed = self.faults.script[:1] == ["landed-500"]
        landed_then_hung = self.faults.script[:1] == ["landed-hang"]
        if landed_then_failed or landed_then_hung:
            self.faults.next()
        else:
            fault = await self._fault()
            if fault is not None:
                return fault
        limits = self._take_from_bucket(channel)
        if isinstance(limits, web.Response):
            return limits
        if self.threads.no_channel(channel):
            return _discord_json({"message": "Unknown Channel", "code": 10003}, 404)
        if nonce and payload.get("enforce_nonce") and (channel, nonce) in self.nonces:
            return _discord_json(self.nonces[(channel, nonce)], headers=limits)  # the same message, not a new one
        # A snowflake, as Discord's ids are: the time in it is what GET messages?after= compares.
        snowflake = (int(time.time() * 1000) - 1420070400000) << 22 | next(self._ids) % 4096
        message = {"id": str(snowflake), "channel_id": channel, **payload}
        if multipart:
            message["attachments"] = [
                {"id": str(next(self._ids)), "filename": f["filename"], "size": len(f["data"]),
                 "content_type": f["content_type"], "url": f"https://cdn.example/{f['filename']}"}
                for f in payload["files"]
            ]  # fmt: skip
            del message["files"]
        self.channel_messages.setdefault(channel, []).append(message)
        if nonce:
            self.nonces[(channel, nonce)] = message
        self.threads.created(message)
        self.calls.append({"channel": channel, "auth": request.headers.get("Authorization"), **payload})
        self.received_at.setdefault(f"{channel}#{nonce}", time.monotonic())
        if landed_then_failed:
            return _discord_json({"message": "500: Internal Server Error", "code": 0}, 500)
        if landed_then_hung:
            await self._release.wait()
            return _discord_json({"message": "503: Service Unavailable", "code": 0}, 503)
        return _discord_json(message, headers=limits)

    def called(self, method: str) -> list[dict[str, Any]]:
        """The thread starts ("start_thread"), edits ("edit") or deletions ("delete") requested, in order."""
        return [c for c in self.calls if c.get("method") == method]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        return [c for c in self.calls if "method" not in c and (channel is None or c["channel"] == channel)]

    def uploads(self, channel: str | None = None) -> list[dict[str, Any]]:
        """The create-message calls that carried files."""
        return [c for c in self.posted(channel) if "files" in c]

    async def list_messages(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages: newest first, those after `after` (a snowflake) only."""
        if self.history_forbidden:
            return _discord_json({"message": "Missing Access", "code": 50001}, 403)
        after = int(request.query.get("after", "0"))
        shown = [m for m in self.channel_messages.get(request.match_info["channel"], []) if int(m["id"]) > after]
        return _discord_json([{k: v for k, v in m.items() if k != "nonce"} for m in reversed(shown)])

    async def gateway(self, request: web.Request) -> web.Response:
        """The gateway URL: on loopback, with a gateway behind it or none (discord.py then keeps failing here,
        never reaching the internet)."""
        del request
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        path = "gateway" if self.serve_gateway else "no-gateway"
        return _discord_json({"url": f"ws://127.0.0.1:{self.port}/{path}", "shards": 1, "session_start_limit": limit})

    async def no_gateway(self, request: web.Request) -> web.Response:
        self.gateway_dials.append(request.path_qs)
        return web.Response(status=404, text="no gateway here")

    async def gateway_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Just enough of Discord's gateway: HELLO, READY after IDENTIFY, and heartbeat acknowledgements."""
        self.gateway_dials.append(request.path_qs)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for message in ws:
            frame = json.loads(message.data)
            if frame["op"] == 1:
                await ws.send_json({"op": 11})
            elif frame["op"] == 2:
                self.identified.append(frame["d"])
                user = {"id": "1001", "username": "rmo-bot", "discriminator": "0", "avatar": None, "bot": True}
                await ws.send_json({"op": 0, "s": 1, "t": "READY", "d": {
                    "v": 10, "user": user, "guilds": [{"id": g["id"], "unavailable": True} for g in self.guilds],
                    "session_id": "session-1", "resume_gateway_url": f"ws://127.0.0.1:{self.port}/gateway",
                    "application": {"id": "555", "flags": 0},
                }})  # fmt: skip
                self._gateways.append(ws)
                for guild in self.guilds:
                    await self.dispatch("GUILD_CREATE", guild)
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one gateway dispatch (INTERACTION_CREATE, MESSAGE_CREATE …) to the connected bot."""
        await self._gateways[-1].send_json({"op": 0, "s": next(self._sequence), "t": event, "d": data})

    @property
    def connected(self) -> bool:
        return bool(self._gateways) and not self._gateways[-1].closed

    async def me(self, request: web.Request) -> web.Response:
        del request
        self.logins += 1
        if self.refuse_logins:
            return _discord_json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _discord_json({"id": "1001", "username": "rmo-bot", "discriminator": "0", "avatar": None, "bot": True})

    async def application(self, request: web.Request) -> web.Response:
        del request
        owner = {"id": "1", "username": "owner", "discriminator": "0", "avatar": None}
        return _discord_json({
            "id": "555", "name": "rmo-bot", "icon": None, "description": "", "rpc_origins": [], "bot_public": False,
            "bot_require_code_grant": False, "owner": owner, "summary": "", "verify_key": "k", "flags": 0,
        })  # fmt: skip

    async def put_commands(self, request: web.Request) -> web.Response:
        commands = await request.json()
        self.synced.append({"guild": request.match_info.get("guild"), "commands": commands})
        return _discord_json([{**c, "id": str(9000 + i), "application_id": "555", "version": "1"}
                                  for i, c in enumerate(commands)])  # fmt: skip

    async def interaction_callback(self, request: web.Request) -> web.Response:
        payload = (
            json.loads(await request.read())
            if request.content_type == "application/json"
            else await self._multipart(request)
        )
        self.callbacks.append({"id": request.match_info["id"], **payload})
        data = payload.get("data") or {}
        message = {"id": str(next(self._ids)), "channel_id": "900", "content": data.get("content", ""),
                   "embeds": data.get("embeds", []), "author": {"id": "1001", "username": "rmo-bot", "discriminator": "0",
                   "avatar": None, "bot": True}, "attachments": [], "mentions": [], "mention_roles": [],
                   "mention_everyone": False, "pinned": False, "tts": False, "type": 20, "flags": data.get("flags", 0),
                   "timestamp": "2026-11-25T01:00:00.000000+00:00", "edited_timestamp": None}  # fmt: skip
        return _discord_json({
            "interaction": {"id": request.match_info["id"], "type": 2, "activity_instance_id": None,
                            "response_message_id": message["id"], "response_message_loading": False,
                            "response_message_ephemeral": bool(data.get("flags", 0) & 64)},
            "resource": {"type": payload.get("type", 4), "message": message},
        })  # fmt: skip

    async def _multipart(self, request: web.Request) -> dict[str, Any]:
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                return json.loads(await part.text())
        return {}


__all__ = ["FakeAPI", "FakeDiscord", "FakeGraph", "FakeSlack", "Faults"]
