"""Which of a post's attachments may be relayed as files, and how they are grouped into uploads.

A file is relayed only when three things agree: its name's extension is on the allow list, the content
type the mail declared fits that extension (or says nothing, as `application/octet-stream` does), and its
first bytes are what that extension claims (a PDF starts with `%PDF-`, a .docx is a zip, …). Only the
extensions in `FILE_TYPES` can be allowed at all, and none of them runs or renders code: executables,
scripts, HTML and SVG are never on it, whatever the configuration says. What is relayed is sent and served
with the content type of its extension, never the one the mail declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from storage.records import Attachment

__all__ = [
    "DEFAULT_ALLOWED",
    "FILE_TYPES",
    "NEVER_ALLOWED",
    "FilePlan",
    "FileRules",
    "FileType",
    "Refusal",
    "extension_of",
    "sniff",
]

Refusal = Literal["type", "size", "missing"]


@dataclass(frozen=True, slots=True)
class FileType:
    """One extension a municipal reader opens: the content type it is sent with, the declared types that fit
    it, and what its first bytes must say (`sniff`)."""

    content_type: str
    declared: frozenset[str]
    kinds: frozenset[str]


def _type(content_type: str, *declared: str, kinds: str) -> FileType:
    return FileType(content_type, frozenset({content_type, *declared}), frozenset(kinds.split()))


_OOXML = "application/vnd.openxmlformats-officedocument."
FILE_TYPES: dict[str, FileType] = {
    "pdf": _type("application/pdf", "application/x-pdf", "application/acrobat", kinds="pdf"),
    "doc": _type("application/msword", kinds="ole"),
    "xls": _type("application/vnd.ms-excel", "application/excel", "application/x-msexcel", kinds="ole"),
    "ppt": _type("application/vnd.ms-powerpoint", kinds="ole"),
    "docx": _type(_OOXML + "wordprocessingml.document", "application/zip", kinds="zip"),
    "xlsx": _type(_OOXML + "spreadsheetml.sheet", "application/zip", kinds="zip"),
    "pptx": _type(_OOXML + "presentationml.presentation", "application/zip", kinds="zip"),
    "jpg": _type("image/jpeg", "image/jpg", "image/pjpeg", kinds="jpeg"),
    "jpeg": _type("image/jpeg", "image/jpg", "image/pjpeg", kinds="jpeg"),
    "png": _type("image/png", "image/x-png", kinds="png"),
    "gif": _type("image/gif", kinds="gif"),
    "webp": _type("image/webp", kinds="webp"),
    "txt": _type("text/plain", kinds="text"),
    "csv": _type("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", kinds="text"),
    # Allowed only when the configuration says so: a zip may carry anything, and nobody looks inside.
    "zip": _type("application/zip", "application/x-zip-compressed", "application/x-zip", kinds="zip"),
}
DEFAULT_ALLOWED = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "jpg", "jpeg", "png", "gif", "webp", "txt",
                   "csv")  # fmt: skip
# Named so that the configuration check can say why one is refused (none of them is in FILE_TYPES).
_NEVER = (
    "exe com bat cmd scr pif msi msp dll cpl jar js jse mjs vbs vbe wsf wsh hta ps1 psm1 sh bash app dmg pkg iso img "
    "lnk reg inf html htm xhtml shtml mht mhtml svg svgz xml swf docm xlsm pptm dotm xltm potm"
)
NEVER_ALLOWED = frozenset(_NEVER.split())
# What a mailer says when it does not know: the extension and the bytes decide then.
_UNDECLARED = frozenset({"", "application/octet-stream", "application/x-download", "application/force-download",
                         "application/unknown", "binary/octet-stream"})  # fmt: skip
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
)
_SNIFFED = 4096


def sniff(data: bytes) -> str:
    """What a file's first bytes say it is: "pdf", "zip", "ole", "png", "jpeg", "gif", "webp", "text",
    "markup" (HTML, SVG, XML: never relayed), "executable", or "" when nothing is recognised."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:_SNIFFED]
    if b"\x00" in head:
        return ""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "markup"
    return "text"


def extension_of(filename: str) -> str:
    """The last extension, lower case ("report.PDF" → "pdf"; "flyer.pdf.exe" → "exe"; none → "")."""
    name = filename.strip().rstrip(". ")
    return name.rpartition(".")[2].lower() if "." in name else ""


@dataclass(frozen=True, slots=True)
class FilePlan:
    """How one post's attachments go to one platform: `uploads` holds, for each upload message, the indexes
    (into `Announcement.attachments`) it carries; `refused` says why each other one is only listed."""

    uploads: tuple[tuple[int, ...], ...] = ()
    refused: tuple[tuple[int, Refusal], ...] = ()

    def refusal(self, index: int) -> Refusal | None:
        return next((why for i, why in self.refused if i == index), None)


@dataclass(frozen=True, slots=True)
class FileRules:
    """The configured allow list and each platform's limits ([attachments] in the configuration)."""

    upload: bool = True
    allowed: frozenset[str] = frozenset(DEFAULT_ALLOWED)
    slack_max_bytes: int = 100 * 1024 * 1024
    discord_max_bytes: int = 10 * 1024 * 1024
    files_per_message: int = 10

    def file_type(self, attachment: Attachment) -> FileType | None:
        """The type an attachment is relayed and served as; None when it is not allowed."""
        extension = extension_of(attachment.filename)
        known = FILE_TYPES.get(extension)
        if known is None or extension not in self.allowed or extension in NEVER_ALLOWED:
            return None
        declared = attachment.content_type.lower().strip()
        if declared not in known.declared and declared not in _UNDECLARED:
            return None
        return known if attachment.kind in known.kinds else None

    def plan(self, attachments: Sequence[Attachment], platform: str) -> FilePlan:
        """Which files go up in which message, within the platform's limits (Slack: each file at most
        `slack_max_bytes`; Discord: one message's files together at most `discord_max_bytes`), in order."""
        if platform not in {"slack", "discord"}:
            return FilePlan()
        limit = self.slack_max_bytes if platform == "slack" else self.discord_max_bytes
        uploads: list[list[int]] = []
        refused: list[tuple[int, Refusal]] = []
        room = 0
        for index, attachment in enumerate(attachments):
            if self.file_type(attachment) is None:
                refused.append((index, "type"))
            elif attachment.size > limit:
                refused.append((index, "size"))
            elif not attachment.ref:
                refused.append((index, "missing"))
            elif not self.upload:
                continue
            else:
                full = not uploads or len(uploads[-1]) >= self.files_per_message
                if full or (platform == "discord" and attachment.size > room):
                    uploads.append([])
                    room = limit
                uploads[-1].append(index)
                room -= attachment.size
        return FilePlan(tuple(tuple(u) for u in uploads), tuple(refused))
