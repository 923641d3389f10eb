"""An announcement's attachments on the public pages: `GET /announcements/{id}/files/{n}` (from 1).

Only a file of an allowed type ([attachments] allowed_types, `handlers/attachments.py`) is served, with
the content type of its extension (never the one the mail declared), as a download (`Content-Disposition:
attachment`, its Japanese name in RFC 5987's `filename*` beside an ASCII stand-in), with
`X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy, so no browser runs it as a page.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web

if TYPE_CHECKING:
    from bot.core import Core
    from storage.records import Attachment

__all__ = ["add_file_routes", "content_disposition", "served"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII name for old clients and the real one in `filename*` (RFC 6266, RFC 5987)."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "_").replace("/", "_")
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C") or "attachment"
    stem, dot, extension = name.rpartition(".")
    extension = _UNSAFE.sub("", extension) if dot else ""
    # Old clients read only `filename`: a Japanese name becomes "attachment.pdf" there, not a row of "_".
    fallback = (_UNSAFE.sub("_", stem if dot else name).strip("._") if name.isascii() else "") or "attachment"
    fallback += f".{extension}" if extension else ""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def served(core: Core, attachment: Attachment) -> bool:
    """Whether the public page serves this attachment (an allowed type, its bytes kept)."""
    return bool(attachment.ref) and core.config.file_rules.file_type(attachment) is not None


class _Files:
    def __init__(self, core: Core) -> None:
        self._core = core

    async def file(self, request: web.Request) -> web.Response:
        core = self._core
        post = core.store.announcements.get(request.match_info["id"])
        number = request.match_info["n"]
        if post is None or post.source == "reminder" or not number.isdigit():
            raise web.HTTPNotFound
        if post.withdrawn:  # as its page: gone (a withdrawal is often for the wrong file)
            raise web.HTTPGone
        index = int(number) - 1
        if not 0 <= index < len(post.attachments):
            raise web.HTTPNotFound
        attachment = post.attachments[index]
        file_type = core.config.file_rules.file_type(attachment)
        data = core.store.announcements.read_file(attachment.ref) if attachment.ref and file_type else None
        if data is None or file_type is None:
            raise web.HTTPNotFound
        headers = {
            "Content-Disposition": content_disposition(attachment.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            # Asked again each time, so a withdrawal takes effect at once, in browsers and caches alike.
            "Cache-Control": "no-cache",
        }
        return web.Response(body=data, content_type=file_type.content_type, headers=headers)


def add_file_routes(app: web.Application, core: Core) -> None:
    app.router.add_get("/announcements/{id}/files/{n}", _Files(core).file)
