"""Announcements as e-mail text (the digest's building block and the preview's third view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from bot.platforms.common import attachment_lines, byline

if TYPE_CHECKING:
    from datetime import tzinfo

    from storage.records import Announcement

__all__ = ["EmailView", "render_email"]


class EmailView(TypedDict):
    subject: str
    text: str


def render_email(announcement: Announcement, tz: tzinfo) -> EmailView:
    lines = [announcement.subject, byline(announcement, tz), "", announcement.body]
    if announcement.attachments:
        lines += ["", *attachment_lines(announcement)]
    return EmailView(subject=announcement.subject, text="\n".join(lines).rstrip() + "\n")
