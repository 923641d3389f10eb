"""The relay's file steps: after a delivery's text parts, its attachments go up, one upload message a step.

Once only, across retries and restarts: each step tells its uploader what it recorded of an earlier
attempt (`started`), and the uploader records what it needs to recognise this attempt (`record`, written
to the outbox durably) *before* the request that makes the files visible. So a retry after an error, a
timeout or a SIGKILL first asks the platform whether that attempt landed (Slack: files.info on the recorded
file ids; Discord: the channel's recent messages, beside the enforced nonce) and does not upload again if
it did. Files uploaded but never shared (a crash before `record`) are invisible: uploading afresh shows
nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.platforms.common import attachment_lines
from handlers.texts import say

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from handlers.attachments import FileRules
    from handlers.ports import AnnouncementRepository
    from storage.records import Announcement

__all__ = ["FileSteps", "OutgoingFile", "Uploader"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    """One attachment as it is uploaded: its name as the mail gave it, the content type of its extension."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class UploadStep:
    """The files of one upload message, with the text shown beside them and the key that marks them."""

    files: tuple[OutgoingFile, ...]
    comment: str
    key: str


class Uploader(Protocol):
    """One platform's file transport (Slack, Discord): shares files in a channel as one message, once."""

    async def upload(
        self, channel: str, files: Sequence[OutgoingFile], *, key: str, comment: str, since: datetime,
        started: str, record: Callable[[str], None],
    ) -> None:  # fmt: skip
        """Share `files` with `comment`. `started` is what `record` was given by an earlier attempt of this
        step ("" when none): the uploader checks whether that attempt landed before it uploads again;
        `record(token)` saves this attempt's token durably and must be called before the files become visible."""
        ...


class FileSteps:
    """What the relay uploads for an announcement on a platform, and how the text lists the rest."""

    def __init__(self, rules: FileRules, files: AnnouncementRepository, pages_url: str = "") -> None:
        self.rules = rules
        self._files = files
        self._pages_url = pages_url

    def listing(self, announcement: Announcement, platform: str) -> list[str]:
        """The attachment lines of the text: each file, and why one that is not uploaded is only listed."""
        return attachment_lines(announcement, self.rules.plan(announcement.attachments, platform), self._pages_url)

    def count(self, announcement: Announcement, platform: str) -> int:
        return len(self.rules.plan(announcement.attachments, platform).uploads)

    def step(self, announcement: Announcement, platform: str, delivery_id: str, number: int) -> UploadStep:
        """The `number`th upload message (from 1): its files read back from the store."""
        uploads = self.rules.plan(announcement.attachments, platform).uploads
        files = []
        for index in uploads[number - 1]:
            attachment = announcement.attachments[index]
            data = self._files.read_file(attachment.ref)
            file_type = self.rules.file_type(attachment)
            if data is None or file_type is None:
                _log.error("announcement %s: attachment %r is not kept; it is not uploaded",
                           announcement.id, attachment.filename)  # fmt: skip
                continue
            files.append(OutgoingFile(attachment.filename, file_type.content_type, data))
        subject = announcement.subject or "（件名なし）"
        comment = (
            say("files.caption", "ja", subject=subject)
            if len(uploads) == 1
            else say("files.caption_part", "ja", subject=subject, number=number, count=len(uploads))
        )
        return UploadStep(tuple(files), comment, f"{delivery_id}#files{number}")
