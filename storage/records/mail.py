"""Mail records: announcements and their attachments, deliveries to post, and mail kept in quarantine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["Announcement", "Attachment", "Delivery", "QuarantinedMail"]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with an announcement. `ref` names its bytes, kept beside the announcements (""
    when they were not kept); `kind` is what its first bytes say it is ("pdf", "zip", "ole", "png", …, "" when
    nothing is recognised), so whether it may be relayed can be decided without reading it again."""

    filename: str
    content_type: str
    size: int
    ref: str = ""
    kind: str = ""

    def to_doc(self) -> Doc:
        doc: Doc = {"filename": self.filename, "content_type": self.content_type, "size": self.size}
        if self.ref:
            doc |= {"ref": self.ref, "kind": self.kind}
        return doc


BIG_BODY = 64 * 1024  # characters: an announcement's text this long is stored in a file of its own


@dataclass(frozen=True, slots=True)
class Announcement:
    """A post from the mailing list (or from chat), normalised, as members will read it."""

    id: str
    message_id: str
    subject: str
    body: str
    sender: str
    received_at: datetime
    attachments: tuple[Attachment, ...] = ()
    blocks: tuple[str, ...] = ()
    sender_name: str = ""
    sent_at: datetime | None = None
    replacements: int = 0
    source: str = "mail"
    body_ref: str = ""  # a big body's file in the archive (the repository reads it back into `body`)

    def to_doc(self) -> Doc:
        return {
            "id": self.id,
            "message_id": self.message_id,
            "subject": self.subject,
            "body": self.body,
            "sender": self.sender,
            "sender_name": self.sender_name,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "replacements": self.replacements,
            "source": self.source,
            **({"body_ref": self.body_ref} if self.body_ref else {}),
            "received_at": self.received_at.isoformat(),
            "attachments": [a.to_doc() for a in self.attachments],
            "blocks": list(self.blocks),
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Announcement:
        return cls(
            id=doc["id"],
            message_id=doc["message_id"],
            subject=doc["subject"],
            body=doc["body"],
            sender=doc["sender"],
            received_at=datetime.fromisoformat(doc["received_at"]),
            attachments=tuple(Attachment(**a) for a in doc.get("attachments", [])),
            blocks=tuple(doc.get("blocks", [])),
            sender_name=doc.get("sender_name", ""),
            sent_at=datetime.fromisoformat(doc["sent_at"]) if doc.get("sent_at") else None,
            replacements=doc.get("replacements", 0),
            source=doc.get("source", "mail"),
            body_ref=doc.get("body_ref", ""),
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """One announcement to one channel: the outbox's unit of work, kept until it is posted. Its text parts
    go first (`parts_done`), then its files, one upload message at a time (`uploads_done`); `upload_started`
    is what the platform was told of the upload in progress (Slack: its file ids), recorded durably before
    the step that shares the files, so a retry or a restart checks it before uploading again."""

    id: str
    announcement_id: str
    platform: str
    channel: str
    seq: int
    created_at: datetime
    parts_done: int = 0
    attempts: int = 0
    last_error: str | None = None
    failed: bool = False
    uploads_done: int = 0
    upload_started: str = ""

    def to_doc(self) -> Doc:
        return {
            **({"uploads_done": self.uploads_done} if self.uploads_done else {}),
            **({"upload_started": self.upload_started} if self.upload_started else {}),
            "id": self.id,
            "announcement_id": self.announcement_id,
            "platform": self.platform,
            "channel": self.channel,
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "parts_done": self.parts_done,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "failed": self.failed,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> Delivery:
        return cls(
            id=doc["id"],
            announcement_id=doc["announcement_id"],
            platform=doc["platform"],
            channel=doc["channel"],
            seq=doc["seq"],
            created_at=datetime.fromisoformat(doc["created_at"]),
            parts_done=doc.get("parts_done", 0),
            attempts=doc.get("attempts", 0),
            last_error=doc.get("last_error"),
            failed=doc.get("failed", False),
            uploads_done=doc.get("uploads_done", 0),
            upload_started=doc.get("upload_started", ""),
        )


@dataclass(frozen=True, slots=True)
class QuarantinedMail:
    """A message the intake kept but did not relay, with why."""

    id: str
    status: str  # "rejected" or "quarantined"
    reason: str
    received_at: datetime
    subject: str = ""
    sender: str = ""
    size: int = 0
    released: bool = False
    kept: int | None = None  # bytes of the raw message kept, when only its start was (refused mail)

    @property
    def truncated(self) -> bool:
        return self.kept is not None and self.kept < self.size

    def to_doc(self) -> Doc:
        return {
            "id": self.id,
            "status": self.status,
            "reason": self.reason,
            "received_at": self.received_at.isoformat(),
            "subject": self.subject,
            "sender": self.sender,
            "size": self.size,
            "released": self.released,
            "kept": self.kept,
        }

    @classmethod
    def from_doc(cls, doc: Doc) -> QuarantinedMail:
        return cls(
            id=doc["id"],
            status=doc["status"],
            reason=doc["reason"],
            received_at=datetime.fromisoformat(doc["received_at"]),
            subject=doc.get("subject", ""),
            sender=doc.get("sender", ""),
            size=doc.get("size", 0),
            released=doc.get("released", False),
            kept=doc.get("kept"),
        )
