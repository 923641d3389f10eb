"""A stand-in for the Graph API's Page feed, on loopback, recording exactly what is posted (re-exported by
`tests/fakes.py` beside FakeSlack and FakeDiscord).

Faults are scripted per request to `POST /{page}/feed`: "500" and "hang" (nothing posted), "landed-500" and
"landed-hang" (posted, then a 500 or no answer: the case the relay's feed check is for), "limit" (a page
rate limit, code 32). `feed_faults` does the same to `GET /{page}/feed`.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from aiohttp import web

from tests.fake_api import FakeAPI, Faults


def _graph_error(status: int, code: int, message: str, **extra: object) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Afake", **extra}},
        status=status,
    )


class FakeGraph(FakeAPI):
    """POST and GET /v21.0/{page-id}/feed, with the Page token checked like the Graph API does."""

    def __init__(self, token: str = "fb-page-token") -> None:
        super().__init__()
        self.token = token
        self._ids = itertools.count(1)
        self.feeds: dict[str, list[dict[str, Any]]] = {}  # page → its posts, oldest first
        self.attempts: list[str] = []  # the message of every POST /feed, answered or not
        self.feed_reads: list[dict[str, str]] = []  # the query of every GET /feed
        self.feed_faults = Faults()
        self.refuse_duplicates = False  # True: a repeated text is refused with code 506, as Facebook does
        self.app.router.add_post("/v21.0/{page}/feed", self.create_post)
        self.app.router.add_get("/v21.0/{page}/feed", self.read_feed)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v21.0"

    def _refusal(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        return None

    async def _graph_fault(self, fault: str | None) -> web.Response | None:
        if fault == "500":
            return _graph_error(500, 2, "An unexpected error has occurred. Please retry your request later.",
                                is_transient=True)  # fmt: skip
        if fault == "limit":
            return _graph_error(400, 32, "Page request limit reached")
        if fault == "hang":
            await self._release.wait()
            return _graph_error(503, 2, "shutting down")
        return None

    async def create_post(self, request: web.Request) -> web.Response:
        page = request.match_info["page"]
        form = dict(await request.post())
        message = str(form.get("message", ""))
        self.attempts.append(message)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        fault = self.faults.next()
        if fault is not None and not fault.startswith("landed-"):
            return await self._graph_fault(fault)  # type: ignore[return-value]
        feed = self.feeds.setdefault(page, [])
        if self.refuse_duplicates and any(p["message"] == message for p in feed):
            return _graph_error(400, 506, "Duplicate status message")
        post = {"id": f"{page}_{next(self._ids)}", "message": message, "created_time": int(time.time())}
        if "link" in form:
            post["link"] = str(form["link"])
        feed.append(post)
        self.calls.append({"page": page, **{k: str(v) for k, v in form.items()}})
        if fault == "landed-500":
            return await self._graph_fault("500")  # type: ignore[return-value]
        if fault == "landed-hang":
            return await self._graph_fault("hang")  # type: ignore[return-value]
        return web.json_response({"id": post["id"]})

    async def read_feed(self, request: web.Request) -> web.Response:
        page = request.match_info["page"]
        query = dict(request.query)
        self.feed_reads.append(query)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        fault = await self._graph_fault(self.feed_faults.next())
        if fault is not None:
            return fault
        since = int(query.get("since", "0"))
        limit = int(query.get("limit", "25"))
        start = int(query.get("after", "0"))
        newest_first = [p for p in reversed(self.feeds.get(page, [])) if p["created_time"] >= since]
        fields = set(query.get("fields", "id").split(","))
        shown = [{k: v for k, v in p.items() if k in fields} for p in newest_first[start : start + limit]]
        body: dict[str, Any] = {"data": shown}
        if start + limit < len(newest_first):
            rest = {**query, "after": str(start + limit)}
            body["paging"] = {"next": str(request.url.with_query(rest))}
        return web.json_response(body)

    def posted(self, page: str | None = None) -> list[dict[str, str]]:
        return [c for c in self.calls if page is None or c["page"] == page]
