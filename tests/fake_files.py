"""File uploads at the fake Slack and Discord APIs, as the real ones take them, recording what arrives.

Slack (https://docs.slack.dev/messaging/working-with-files#upload): files.getUploadURLExternal answers an
`upload_url` on the fake itself and a `file_id`; the bytes are POSTed there; files.completeUploadExternal
shares the files in `channel_id` as one message (with `initial_comment`) that conversations.history shows;
files.info tells where a file is shared. Completing a file twice shares it twice, as nothing stops it: a
double upload is seen, not hidden. `upload_faults` script the three file endpoints apart from the others:
"500" answers 500 without doing anything, "landed-500" does the work and then answers 500, "hang" never
answers and "landed-hang" does the work and then never answers (until the fake stops); "missing_scope"
refuses files.getUploadURLExternal as an app without `files:write`.

Discord: a create-message request as multipart/form-data (`payload_json` and `files[n]`, the names from the
`attachments` array) is parsed like Discord does; GET /channels/{id}/messages lists what the channel shows.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.fake_api import Faults

if TYPE_CHECKING:
    from tests.fakes import FakeSlack

__all__ = ["SlackFiles", "read_discord_multipart"]


class SlackFiles:
    """The file endpoints of a FakeSlack (`slack.files`)."""

    def __init__(self, slack: FakeSlack) -> None:
        self._slack = slack
        self._ids = itertools.count(1)
        self.files: dict[str, dict[str, Any]] = {}  # file id → name, length, data, shares
        self.completions: list[dict[str, Any]] = []  # every files.completeUploadExternal that shared files
        self.upload_faults = Faults()
        self.completing = 0  # files.completeUploadExternal requests received, answered or not
        router = slack.app.router
        router.add_route("*", "/api/files.getUploadURLExternal", self.get_upload_url)
        router.add_post("/upload/{file_id}", self.receive_bytes)
        router.add_route("*", "/api/files.completeUploadExternal", self.complete)
        router.add_route("*", "/api/files.info", self.info)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST":
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        return params

    def _fault(self) -> str | None:
        return self.upload_faults.next()

    @staticmethod
    def _failed() -> web.Response:
        return web.json_response({"ok": False, "error": "internal_error"}, status=500)

    async def get_upload_url(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        fault = self._fault()
        if fault == "500":
            return self._failed()
        if fault == "missing_scope":  # an app installed before it asked for files:write
            return web.json_response({"ok": False, "error": "missing_scope", "needed": "files:write"})
        file_id = f"F{next(self._ids):06d}"
        self.files[file_id] = {"id": file_id, "name": params["filename"], "length": int(params["length"]),
                               "data": None, "shares": {}}  # fmt: skip
        url = f"http://127.0.0.1:{self._slack.port}/upload/{file_id}"
        return web.json_response({"ok": True, "upload_url": url, "file_id": file_id})

    async def receive_bytes(self, request: web.Request) -> web.Response:
        fault = self._fault()
        if fault == "500":
            return web.Response(status=500, text="upload failed")
        file = self.files.get(request.match_info["file_id"])
        if file is None:
            return web.Response(status=404, text="no such upload")
        data = await request.read()
        if len(data) != file["length"]:
            return web.Response(status=400, text=f"expected {file['length']} bytes, got {len(data)}")
        file["data"] = data
        file["content_type"] = request.headers.get("Content-Type", "")
        return web.Response(text=f"OK - {len(data)}")

    async def complete(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        self.completing += 1
        fault = self._fault()
        if fault == "500":
            return self._failed()
        if fault == "hang":
            await self._slack.hang()
            return self._failed()
        listed = json.loads(params["files"])
        channel = params.get("channel_id") or ""
        found = [self.files.get(f["id"]) for f in listed]
        if any(f is None or f["data"] is None for f in found):
            return web.json_response({"ok": False, "error": "file_not_found"})
        ts = f"{time.time():.0f}.{next(self._ids):06d}"
        shared = []
        for entry, file in zip(listed, found, strict=True):
            assert file is not None
            file["title"] = entry.get("title") or file["name"]
            if channel:
                file["shares"].setdefault("public", {}).setdefault(channel, []).append({"ts": ts})
            shared.append({"id": file["id"], "name": file["name"], "title": file["title"], "size": file["length"]})
        if channel:
            message = {"ts": ts, "text": params.get("initial_comment", ""), "files": shared, "user": "UBOT"}
            self._slack.messages.setdefault(channel, []).append(message)
            self.completions.append({"channel": channel, "initial_comment": params.get("initial_comment", ""),
                                     "thread_ts": params.get("thread_ts"), "files": shared})  # fmt: skip
        if fault == "landed-hang":
            await self._slack.hang()
        if fault in {"landed-500", "landed-hang"}:
            return self._failed()
        return web.json_response({"ok": True, "files": shared})

    async def info(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        file = self.files.get(str(params.get("file")))
        if file is None:
            return web.json_response({"ok": False, "error": "file_not_found"})
        shares = file["shares"]
        body = {"id": file["id"], "name": file["name"], "title": file.get("title", file["name"]),
                "size": file["length"], "shares": shares, "channels": sorted(shares.get("public", {}))}  # fmt: skip
        return web.json_response({"ok": True, "file": body})

    def shared(self, channel: str) -> list[dict[str, Any]]:
        """Every file shared in `channel`, once per time it was shared, in order."""
        return [f for c in self.completions if c["channel"] == channel for f in c["files"]]

    def data_of(self, file_id: str) -> bytes:
        return bytes(self.files[file_id]["data"])


async def read_discord_multipart(request: web.Request) -> dict[str, Any]:
    """A multipart create-message request as Discord reads it: `payload_json`, and each `files[n]` under the
    name its `attachments` entry gives (else the part's own filename), with its bytes."""
    payload: dict[str, Any] = {}
    parts: dict[str, dict[str, Any]] = {}
    reader = await request.multipart()
    async for part in reader:
        if part.name == "payload_json":
            payload = json.loads(await part.text())  # type: ignore[union-attr]
        elif part.name and part.name.startswith("files["):
            data = await part.read()  # type: ignore[union-attr]
            parts[part.name[6:-1]] = {"filename": part.filename, "data": bytes(data),
                                      "content_type": part.headers.get("Content-Type", "")}  # fmt: skip
    named = {str(a["id"]): a for a in payload.get("attachments", [])}
    payload["files"] = [
        {**part, "filename": named.get(n, {}).get("filename") or part["filename"]} for n, part in sorted(parts.items())
    ]
    return payload
