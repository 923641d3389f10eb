"""How a list post relates to one relayed before: a reply (In-Reply-To / References naming it) goes into its
thread; a post the secretariat marks 「【訂正】」 that names it (by those headers, its id, or its subject)
corrects it instead of being posted again."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from handlers.corrections import ANNOUNCEMENT_ID
from handlers.intake_reading import IntakeResult
from storage.revisions import Revision

if TYPE_CHECKING:
    from datetime import datetime

    from handlers.corrections import Corrections
    from handlers.intake_reading import Reading
    from handlers.mail.parse import ParsedMail
    from handlers.ports import AnnouncementRepository
    from storage.records import Announcement

__all__ = ["correction_of", "correction_result", "referenced", "take_correction_mark", "thread_root"]

_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
_CORRECTION = re.compile(r"^\s*[【\[［]\s*訂正\s*[】\]］]\s*")
_NAMED_IN = 500  # characters of a correction's body looked at for the id of the post it corrects
_SUBJECTS_LOOKED_AT = 200  # recent posts whose subject a correction may name


def take_correction_mark(subject: str) -> tuple[str, bool]:
    """The subject without a leading 「【訂正】」, and whether it had one."""
    stripped = _CORRECTION.sub("", subject, count=1)
    return stripped, stripped != subject


def referenced(mail: ParsedMail, announcements: AnnouncementRepository) -> Announcement | None:
    """The relayed post this one answers: In-Reply-To first, then References from the nearest back."""
    ids = _ANGLE_ID.findall(mail.header("in-reply-to"))
    ids += reversed(_ANGLE_ID.findall(mail.header("references")))
    for message_id in dict.fromkeys(ids):
        if message_id != mail.message_id and (found := announcements.find_message(message_id)) is not None:
            return found
    return None


def thread_root(answered: Announcement | None) -> str:
    """The announcement whose thread a reply goes into: the first post of the discussion."""
    if answered is None:
        return ""
    return answered.thread_of or answered.id


def correction_of(
    subject: str, body: str, answered: Announcement | None, announcements: AnnouncementRepository
) -> Announcement | None:
    """The post a 「【訂正】」 post corrects (the caller has taken the mark off `subject`): the one it
    answers, or the one whose id its subject or body's start names, or the recent one with its subject."""
    if answered is not None and not answered.withdrawn:
        return answered
    for named in ANNOUNCEMENT_ID.findall(f"{subject}\n{body[:_NAMED_IN]}"):
        found = announcements.get(named)
        if found is not None and not found.withdrawn:
            return found
    wanted = subject.strip()
    if not wanted:
        return None
    return next((a for a in announcements.recent(_SUBJECTS_LOOKED_AT) if a.subject.strip() == wanted), None)


def correction_result(
    corrections: Corrections, target: Announcement, reading: Reading, key: str, sent_at: datetime | None
) -> IntakeResult:
    """What a 「【訂正】」 post from the secretariat becomes: the post it names edited in place in every chat
    channel (the revision is recorded once these deliveries are queued), not a post of its own."""
    mail, author, subject, body, body_ref = (
        reading.mail,
        reading.author,
        reading.subject,
        reading.body,
        reading.body_ref,
    )
    now = sent_at or target.received_at
    revision = Revision(target.id, "corrected", now, author, subject.strip() or target.subject,
                        "" if body_ref else body, body_ref, corrections.next_count(target.id))  # fmt: skip
    corrected = dataclasses.replace(target, subject=revision.subject, body=body, corrected_at=now)
    deliveries = corrections.plan(target, "edit", revision.count)
    reason = f"a correction of {target.id}: edited in place"
    return IntakeResult("accepted", reason, corrected, deliveries, parsed=mail, revision=revision, revision_key=key)
