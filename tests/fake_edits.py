"""Threads, edits and deletions for the fake Slack and Discord APIs, as the real services answer them.

Slack: a reply (`thread_ts`) is left out of conversations.history and read with conversations.replies;
its parent gets `thread_ts`, `reply_count` and `latest_reply`; chat.update and chat.delete answer
`message_not_found` for a `ts` the channel does not hold. Discord: a thread started from a message has the
message's id and takes messages like any channel; a second thread on one message is refused with code
160004; PATCH and DELETE of an unknown message answer 404 with code 10008; DELETE answers 204.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from tests.fakes import FakeDiscord, FakeSlack

__all__ = ["DiscordThreads", "SlackThreads"]


def _slack_error(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.method == "POST":
        params.update(
            await request.json() if request.content_type == "application/json" else dict(await request.post())
        )
    return params


class SlackThreads:
    """The thread and edit endpoints of one FakeSlack, over its `messages` (channel → messages)."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        fake.app.router.add_route("*", "/api/conversations.replies", self.replies)
        fake.app.router.add_post("/api/chat.update", self.update)
        fake.app.router.add_post("/api/chat.delete", self.delete)

    def find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.fake.messages.get(channel, []) if m["ts"] == ts), None)

    def reply_posted(self, channel: str, message: dict[str, Any]) -> str | None:
        """A chat.postMessage with `thread_ts`: the error Slack gives, or None once the parent knows of it."""
        parent = self.find(channel, message["thread_ts"])
        if parent is None:
            return "thread_not_found"
        if parent.get("thread_ts", parent["ts"]) != parent["ts"]:
            parent = self.find(channel, parent["thread_ts"]) or parent  # Slack threads under the parent
            message["thread_ts"] = parent["ts"]
        parent["thread_ts"] = parent["ts"]
        parent["reply_count"] = parent.get("reply_count", 0) + 1
        parent["latest_reply"] = message["ts"]
        return None

    async def replies(self, request: web.Request) -> web.Response:
        params = await _params(request)
        channel, ts = str(params.get("channel")), str(params.get("ts"))
        parent = self.find(channel, ts)
        if parent is None:
            return _slack_error("thread_not_found")
        thread = [m for m in self.fake.messages.get(channel, []) if m.get("thread_ts") == ts and m is not parent]
        return web.json_response({"ok": True, "messages": [parent, *thread], "has_more": False})

    async def update(self, request: web.Request) -> web.Response:
        fault = await self.fake._fault()
        if fault is not None:
            return fault
        payload = await _params(request)
        self.fake.calls.append({"method": "chat.update", "auth": request.headers.get("Authorization"), **payload})
        message = self.find(str(payload.get("channel")), str(payload.get("ts")))
        if message is None:
            return _slack_error("message_not_found")
        for key in ("text", "blocks", "metadata"):
            if key in payload:
                message[key] = payload[key]
        message["edited"] = {"user": "UBOT", "ts": payload["ts"]}
        return web.json_response({"ok": True, "channel": payload["channel"], "ts": payload["ts"],
                                  "text": message.get("text"), "message": message})  # fmt: skip

    async def delete(self, request: web.Request) -> web.Response:
        fault = await self.fake._fault()
        if fault is not None:
            return fault
        payload = await _params(request)
        self.fake.calls.append({"method": "chat.delete", "auth": request.headers.get("Authorization"), **payload})
        channel, ts = str(payload.get("channel")), str(payload.get("ts"))
        message = self.find(channel, ts)
        if message is None:
            return _slack_error("message_not_found")
        self.fake.messages[channel].remove(message)
        return web.json_response({"ok": True, "channel": channel, "ts": ts})

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """What the channel shows outside threads now (deleted messages gone)."""
        return [m for m in self.fake.messages.get(channel, []) if m.get("thread_ts", m["ts"]) == m["ts"]]

    def thread(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in one message's thread, oldest first."""
        return [m for m in self.fake.messages.get(channel, []) if m.get("thread_ts") == ts and m["ts"] != ts]


def _discord(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def _unknown_message() -> web.Response:
    return _discord({"message": "Unknown Message", "code": 10008}, 404)


class DiscordThreads:
    """Threads started from messages, and message edits and deletions, for one FakeDiscord."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.messages: dict[str, dict[str, Any]] = {}  # message id → the message as it is now
        self.threads: dict[str, dict[str, Any]] = {}  # thread id (= its starter message's id) → the thread
        self._ids: set[str] = set()  # every message id ever made
        path = "/api/v10/channels/{channel}/messages/{message}"
        fake.app.router.add_post(path + "/threads", self.start_thread)
        fake.app.router.add_patch(path, self.edit)
        fake.app.router.add_delete(path, self.delete)
        fake.app.router.add_patch("/api/v10/channels/{channel}", self.modify_thread)

    def created(self, message: dict[str, Any]) -> None:
        self.messages[message["id"]] = message
        self._ids.add(message["id"])

    def no_channel(self, channel: str) -> bool:
        """A message's id used as a channel before a thread was started from it: Discord knows no such channel."""
        return channel in self._ids and channel not in self.threads

    def _find(self, request: web.Request) -> dict[str, Any] | None:
        message = self.messages.get(request.match_info["message"])
        return message if message is not None and message["channel_id"] == request.match_info["channel"] else None

    async def start_thread(self, request: web.Request) -> web.Response:
        payload = json.loads(await request.read())
        self.fake.calls.append({"method": "start_thread", "channel": request.match_info["channel"],
                                "message": request.match_info["message"], **payload})  # fmt: skip
        message = self._find(request)
        if message is None:
            return _unknown_message()
        if not 1 <= len(payload.get("name", "")) <= 100:
            return _discord({"message": "Invalid Form Body", "code": 50035}, 400)
        if message["id"] in self.threads:
            return _discord({"message": "A thread has already been created for this message", "code": 160004}, 400)
        thread = {"id": message["id"], "type": 11, "parent_id": message["channel_id"], "name": payload["name"],
                  "thread_metadata": {"archived": False, "auto_archive_duration": payload.get("auto_archive_duration",
                  4320), "locked": False}}  # fmt: skip
        self.threads[message["id"]] = thread
        message["thread"] = thread
        return _discord(thread, 201)

    async def edit(self, request: web.Request) -> web.Response:
        payload = json.loads(await request.read())
        self.fake.calls.append({"method": "edit", "channel": request.match_info["channel"],
                                "message": request.match_info["message"], **payload})  # fmt: skip
        message = self._find(request)
        if message is None:
            return _unknown_message()
        message.update({k: v for k, v in payload.items() if k in {"content", "embeds", "allowed_mentions"}})
        message["edited_timestamp"] = "2026-11-25T01:00:00.000000+00:00"
        return _discord(message)

    async def delete(self, request: web.Request) -> web.Response:
        self.fake.calls.append({"method": "delete", "channel": request.match_info["channel"],
                                "message": request.match_info["message"]})  # fmt: skip
        message = self._find(request)
        if message is None:
            return _unknown_message()
        del self.messages[message["id"]]
        shown = self.fake.channel_messages.get(message["channel_id"], [])
        shown[:] = [m for m in shown if m["id"] != message["id"]]
        return web.Response(status=204)

    async def modify_thread(self, request: web.Request) -> web.Response:
        """PATCH /channels/{id} of a thread, as its creator may without Manage Threads (the bot's permissions):
        its name and `archived`; `locked` needs Manage Threads; an archived thread takes nothing unless
        the same request unarchives it. Deleting the starter message leaves the thread (Discord does)."""
        payload = json.loads(await request.read())
        self.fake.calls.append({"method": "modify_thread", "channel": request.match_info["channel"], **payload})
        thread = self.threads.get(request.match_info["channel"])
        if thread is None:
            return _discord({"message": "Unknown Channel", "code": 10003}, 404)
        if "locked" in payload:
            return _discord({"message": "Missing Permissions", "code": 50013}, 403)
        state = thread["thread_metadata"]
        if state["archived"] and payload.get("archived") is not False:
            return _discord({"message": "Thread is archived", "code": 50083}, 400)
        if "name" in payload and not 1 <= len(payload["name"]) <= 100:
            return _discord({"message": "Invalid Form Body", "code": 50035}, 400)
        thread["name"] = payload.get("name", thread["name"])
        state["archived"] = bool(payload.get("archived", state["archived"]))
        return _discord(thread)

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        """The messages the channel shows outside threads now."""
        return [m for m in self.messages.values() if m["channel_id"] == channel]

    def in_thread(self, thread: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == thread]
