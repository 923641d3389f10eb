"""The relay's decisions: is a post from our list and our secretariat, is it new, where does it go.

`MailIntake.process_batch` turns raw messages into announcements and deliveries (or keeps them in
quarantine with a reason); it touches the store only through its repositories and never a platform.
Mail to a digest's return path is no post: it goes to the bounce handler, and is kept with its verdict.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.attachments import NEVER_ALLOWED, extension_of, sniff
from handlers.authenticity import dkim_refusal
from handlers.authenticity import refusal as refusal_of
from handlers.bounces import return_path_token
from handlers.intake_reading import IntakeResult, MailText, Reading, Status, read_text
from handlers.intake_reading import message_key as _message_key
from handlers.intake_reading import sent_at as _sent_at
from handlers.intake_reading import short_id as _short_id
from handlers.intake_rules import IntakePolicy, Retention, Routes, take_page_mark
from handlers.intake_threads import correction_of, correction_result, referenced, take_correction_mark, thread_root
from handlers.mail.decoration import author_of, strip_subject_tag
from handlers.normalise import fold
from handlers.places import PlacesOf
from storage.records import BIG_BODY, Announcement, Attachment, Delivery, QuarantinedMail

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager
    from datetime import datetime

    from handlers.bounces import BounceHandler
    from handlers.corrections import Corrections
    from handlers.digests import DigestService
    from handlers.mail.parse import ParsedMail
    from handlers.ports import (
        AnnouncementRepository,
        KnowledgeRepository,
        MeetingProposer,
        OutboxRepository,
        OutboxWatcher,
        QuarantineRepository,
    )
    from storage.revisions import Revision

__all__ = [
    "IntakePolicy",
    "IntakeResult",
    "MailIntake",
    "MailText",
    "Reading",
    "Retention",
    "Routes",
    "Status",
    "read_text",
]

_log = logging.getLogger(__name__)

_BLOCK_WORD = re.compile("ぶろっく")
_BLOCK_WINDOWS = 200  # distinct 「…ブロック」 places looked at: a post names its blocks early
_BLOCKS_READ = 8_000  # characters of a body looked at for them (the loop must not wait on a long post)
_UNSUBSCRIBE = re.compile(r"^\s*(?:re\s*:\s*)*unsubscribe\s+([A-Za-z0-9_-]{16,400})\s*$", re.IGNORECASE)


class MailIntake:
    """Authenticity, normalisation, de-duplication and fan-out for mailing-list posts."""

    def __init__(
        self,
        knowledge: KnowledgeRepository,
        announcements: AnnouncementRepository,
        outbox: OutboxRepository,
        quarantine: QuarantineRepository,
        policy: IntakePolicy,
        routes: Routes,
        transaction: Callable[[], AbstractContextManager[None]],
        watcher: OutboxWatcher,
        bounces: BounceHandler,
        digests: DigestService,
        verify_dkim: Callable[[bytes], frozenset[str]] | None = None,
        meetings: MeetingProposer | None = None,
        corrections: Corrections | None = None,
    ) -> None:
        self._corrections = corrections
        self._meetings = meetings
        self._watcher = watcher
        self._bounces = bounces
        self._digests = digests
        self._transaction = transaction
        self._verify_dkim = verify_dkim
        self._knowledge = knowledge
        self._announcements = announcements
        self._outbox = outbox
        self._quarantine = quarantine
        self.policy = policy
        self.routes = routes
        self._places = PlacesOf(knowledge)

    # Decisions ------------------------------------------------------------------------------------

    def _blocks(self, subject: str, body: str) -> tuple[str, ...]:
        finder = self._places.finder()
        named = [m.block for m in finder.find_all(fold(subject)) if m.kind == "block"]
        # In the body only 「…ブロック」 counts: look just before each ブロック instead of reading it all.
        folded_body = fold(body[:_BLOCKS_READ])
        found = _BLOCK_WORD.finditer(folded_body)
        windows = dict.fromkeys(folded_body[max(0, f.start() - 12) : f.start()] for f in found)
        for window in itertools.islice(windows, _BLOCK_WINDOWS):
            named += [m.block for m in finder.find_all(window) if m.kind == "block" and m.end == len(window)]
        return tuple(dict.fromkeys(named))

    def warm_up(self, subject: str, body: str) -> None:
        """Build the block finder now (a long pattern to compile), not on the event loop with the first post."""
        self._blocks(subject, body)

    def read(
        self,
        raw: bytes,
        *,
        envelope_sender: str | None = None,
        trusted: bool = False,
        text: MailText | IntakeResult | None = None,
    ) -> Reading | IntakeResult:
        """Everything about one message that needs no repository: its text, and whether it is genuine.
        Safe in a worker thread; `text` is `read_text(raw)` when done elsewhere (a worker process, for a big
        post); `trusted` skips authenticity (release)."""
        text = text or read_text(raw)
        if isinstance(text, IntakeResult):
            return text
        mail = text.mail
        author, author_name = author_of(mail, self.policy.list_addresses)
        if not trusted:
            token = return_path_token(mail.header("delivered-to"))
            if token is not None:
                # Whatever comes to a digest's return path is about a digest we sent, never a post.
                return IntakeResult("rejected", "mail to a digest's return path", parsed=mail, return_path=token)
            asked = _UNSUBSCRIBE.match(mail.subject)
            if asked and not mail.list_id:
                # The digest's List-Unsubscribe mailto: "unsubscribe TOKEN" to the bot's own address.
                return IntakeResult("rejected", "an unsubscribe request by mail", parsed=mail, unsubscribe=asked[1])
            refusal = refusal_of(self.policy, mail, author, envelope_sender) or dkim_refusal(
                self.policy, self._verify_dkim, raw, mail, author
            )
            if refusal:
                return IntakeResult("rejected", refusal, parsed=mail)
        subject = strip_subject_tag(mail.subject, mail, self.policy.subject_tags)
        if not subject.strip() and not text.body.strip():
            return IntakeResult("quarantined", "no text: neither a subject nor a body could be read", parsed=mail)
        if text.problem:
            return IntakeResult("quarantined", text.problem, parsed=mail)
        return Reading(mail, author, author_name, subject, text.body)

    def read_batch(
        self,
        items: Sequence[tuple[bytes, datetime, str | None]],
        *,
        trusted: bool = False,
        texts: Sequence[MailText | IntakeResult | None] = (),
    ) -> list[Reading | IntakeResult]:
        """`read` for each message of a batch, big texts and attachments stored, meetings read ahead (for a worker
        thread: it uses no repository but the thread-safe `keep_body`, `keep_file` and `read_ahead`)."""
        texts = [*texts, *[None] * (len(items) - len(texts))]
        readings = [
            self._read_safely(raw, envelope_sender, trusted, text)
            for (raw, _, envelope_sender), text in zip(items, texts, strict=True)
        ]
        if self._meetings is not None:
            # Each post's meeting, read here (as `_settle` builds the announcement), not on the loop in propose_many.
            for (_, received_at, _), reading in zip(items, readings, strict=True):
                if isinstance(reading, Reading):
                    subject = take_page_mark(reading.subject)[0]
                    self._meetings.read_ahead(subject, reading.body, _sent_at(reading.mail) or received_at)
        readings = [
            r._replace(body_ref=self._announcements.keep_body(r.body))
            if isinstance(r, Reading) and len(r.body) >= BIG_BODY
            else r
            for r in readings
        ]
        return [r._replace(attachments=self._kept(r.mail)) if isinstance(r, Reading) else r for r in readings]

    def _kept(self, mail: ParsedMail) -> tuple[Attachment, ...]:
        """The attachments with their bytes stored (before the announcement is: on record, it has its files);
        a program is never kept, as nothing may ever relay or serve it."""
        kept = []
        for a in mail.attachments:
            kind = sniff(a.data)
            never = kind == "executable" or extension_of(a.filename) in NEVER_ALLOWED
            ref = "" if never else self._announcements.keep_file(a.data)
            kept.append(Attachment(a.filename, a.content_type, a.size, ref, kind))
        return tuple(kept)

    def _read_safely(
        self, raw: bytes, envelope_sender: str | None, trusted: bool, text: MailText | IntakeResult | None
    ) -> Reading | IntakeResult:
        try:
            return self.read(raw, envelope_sender=envelope_sender, trusted=trusted, text=text)
        except Exception as exc:  # noqa: BLE001 - one odd message must not stop the others: keep it instead
            _log.exception("could not examine a message; it is kept in quarantine")
            return IntakeResult("quarantined", f"unreadable: {type(exc).__name__}: {exc}")

    def examine(
        self, raw: bytes, received_at: datetime, *, envelope_sender: str | None = None, trusted: bool = False
    ) -> IntakeResult:
        """Decide about one message without writing anything. `trusted` skips authenticity (release)."""
        return self._settle(self.read(raw, envelope_sender=envelope_sender, trusted=trusted), received_at, trusted)

    def _settle(self, reading: Reading | IntakeResult, received_at: datetime, trusted: bool) -> IntakeResult:
        """The decision that needs the store: is it new, and where does it go."""
        if isinstance(reading, IntakeResult):
            return reading
        mail, author, author_name, subject, body, body_ref, kept = reading
        subject, marked = take_page_mark(subject)
        key = _message_key(mail, author)
        stored = self._announcements.get(_short_id("a", key)) if self._announcements.knows(key) else None
        if stored is not None and (stored.subject, stored.body) != (subject, body):
            # A corrected re-send, or a forgery trying to pre-empt the genuine post: the secretariat decides.
            if not trusted:
                reason = f"same Message-ID as {stored.id} ({key}) but a different text"
                return IntakeResult("quarantined", reason, parsed=mail)
            # Released: it goes out as a post of its own beside the first one.
            key = f"{key}#{hashlib.sha256((subject + chr(0) + body).encode()).hexdigest()[:12]}"
        if mail.replacements:
            _log.warning("message %s: %d characters could not be decoded (%s)", key, mail.replacements,
                         "; ".join(mail.replacement_sites))  # fmt: skip
        answered = referenced(mail, self._announcements)
        unmarked, correcting = take_correction_mark(subject)
        if correcting and self._corrections is not None:
            if self._corrections.knows(key):
                return IntakeResult("duplicate", f"correction already applied (Message-ID {key})", parsed=mail)
            target = correction_of(unmarked, body, answered, self._announcements)
            if target is not None:
                reading = Reading(mail, author, author_name, unmarked, body, body_ref)
                return correction_result(self._corrections, target, reading, key, _sent_at(mail))
        announcement = Announcement(
            id=_short_id("a", key),
            message_id=key,
            subject=subject,
            body=body,
            sender=author,
            sender_name=author_name,
            received_at=received_at,
            sent_at=_sent_at(mail),
            attachments=kept
            if kept is not None
            else tuple(Attachment(a.filename, a.content_type, a.size, kind=sniff(a.data)) for a in mail.attachments),
            blocks=self._blocks(subject, body),
            replacements=mail.replacements,
            body_ref=body_ref,
            thread_of=thread_root(answered),
        )
        deliveries = tuple(
            Delivery(
                id=f"{announcement.id}.{platform}.{channel}",
                announcement_id=announcement.id,
                platform=platform,
                channel=channel,
                seq=0,
                created_at=received_at,
            )
            for platform, channel in self.routes.destinations(
                announcement.blocks, pages=self.routes.to_pages("mail", marked)
            )
        )
        if self._announcements.knows(key):
            return IntakeResult("duplicate", f"already relayed (Message-ID {key})", announcement, parsed=mail)
        return IntakeResult("accepted", None, announcement, deliveries, parsed=mail)

    # Writes -----------------------------------------------------------------------------------------

    def draft(
        self, subject: str, body: str, author: str, author_name: str, blocks: Sequence[str], now: datetime
    ) -> Announcement:
        """An announcement written in chat by the secretariat, not yet stored (for the preview)."""
        key = f"chat:{author}:{now.isoformat()}:{hashlib.sha256((subject + body).encode()).hexdigest()[:12]}"
        named = tuple(dict.fromkeys([*blocks, *self._blocks(subject, body)]))
        return Announcement(
            id=_short_id("a", key), message_id=key, subject=subject.strip(), body=body.strip(), sender=author,
            sender_name=author_name, received_at=now, sent_at=now, blocks=named, source="chat",
        )  # fmt: skip

    def publish(self, announcement: Announcement, *, marked: bool = False) -> tuple[Delivery, ...]:
        """Store an announcement from chat (or a reminder) and queue it for every channel, as a relayed
        post would be (`marked`: the secretariat asked for the pages); the outbox's watcher hears of it at once."""
        if self._announcements.knows(announcement.message_id):
            return ()
        deliveries = tuple(
            Delivery(
                f"{announcement.id}.{p}.{c}", announcement.id, p, c, self._outbox.next_seq(), announcement.received_at
            )
            for p, c in self.routes.destinations(
                announcement.blocks, pages=self.routes.to_pages(announcement.source, marked)
            )
        )
        with self._transaction():
            self._outbox.add_many(deliveries)
            self._outbox.commit()
        self._announcements.add_many([announcement])
        self._watcher.queued(deliveries)
        return deliveries

    def process_batch(
        self,
        items: Sequence[tuple[bytes, datetime, str | None]],
        *,
        trusted: bool = False,
        readings: Sequence[Reading | IntakeResult] | None = None,
    ) -> list[IntakeResult]:
        """Examine and store a batch: announcements, deliveries and quarantined mail, one write each.

        The deliveries are written before the announcements: an announcement on record counts as
        relayed (de-duplication skips it), so it must never be on record without its deliveries. Mail to a
        digest's return path is handed to the bounce handler, then kept like any refused mail. `readings`
        are the batch's `read_batch`, when it was done elsewhere (in a worker thread, off the event loop).
        """
        if readings is None:
            readings = self.read_batch(items, trusted=trusted)
        results: list[IntakeResult] = []
        accepted: list[Announcement] = []
        deliveries: list[Delivery] = []
        kept: list[tuple[QuarantinedMail, bytes]] = []
        revisions: list[tuple[Revision, str]] = []
        seen: set[str] = set()
        for (raw, received_at, _), reading in zip(items, readings, strict=True):
            try:
                result = self._settle(reading, received_at, trusted)
                if result.return_path is not None:
                    verdict = self._bounces.handle(result.return_path, raw)
                    result = IntakeResult("rejected", verdict.reason, parsed=result.parsed)
                elif result.unsubscribe is not None:
                    done = self._digests.unsubscribe(result.unsubscribe, received_at)
                    outcome = "done" if done else "the token was not valid (or already used); nothing changed"
                    result = IntakeResult(
                        "rejected", f"an unsubscribe request by mail: {outcome}", parsed=result.parsed
                    )
            except Exception as exc:  # noqa: BLE001 - one odd message must not stop the others: keep it instead
                _log.exception("could not examine a message; it is kept in quarantine")
                result = IntakeResult("quarantined", f"unreadable: {type(exc).__name__}: {exc}")
            if result.status == "accepted" and result.announcement and result.announcement.message_id in seen:
                result = IntakeResult(
                    "duplicate", "already relayed (same batch)", result.announcement, parsed=result.parsed
                )
            if result.status == "accepted" and result.revision is not None:
                revisions.append((result.revision, result.revision_key))
                deliveries += result.deliveries
            elif result.status == "accepted" and result.announcement:
                seen.add(result.announcement.message_id)
                accepted.append(result.announcement)
                queued = tuple(
                    Delivery(d.id, d.announcement_id, d.platform, d.channel, self._outbox.next_seq(), d.created_at)
                    for d in result.deliveries
                )
                deliveries += queued
                result = IntakeResult("accepted", None, result.announcement, queued, parsed=result.parsed)
            elif result.status in {"rejected", "quarantined"}:
                parsed = result.parsed
                record = QuarantinedMail(
                    id=_short_id("q", hashlib.sha256(raw).hexdigest() + received_at.isoformat()),
                    status=result.status,
                    reason=result.reason or "",
                    received_at=received_at,
                    subject=parsed.subject if parsed else "",
                    sender=parsed.from_address if parsed else "",
                    size=len(raw),
                )
                limit = self.policy.retention.refused_bytes
                if result.status == "rejected" and len(raw) > limit:
                    # The headers and the start: enough to see what it was (nobody releases refused mail).
                    kept.append((dataclasses.replace(record, kept=limit), raw[:limit]))
                else:
                    kept.append((record, raw))
                result = IntakeResult(result.status, result.reason, quarantine_id=record.id, parsed=parsed)
            results.append(result)
        with self._transaction():
            self._quarantine.add_many(kept)
            if kept:
                retention = self.policy.retention
                newest = max(record.received_at for record, _ in kept)
                self._quarantine.prune(
                    max_bytes=retention.max_bytes, older_than=newest - timedelta(days=retention.days)
                )
            self._outbox.add_many(deliveries)
            self._outbox.commit()
        for revision, message_key in revisions:
            assert self._corrections is not None
            self._corrections.record(revision, message_key)
        if accepted:
            self._announcements.add_many(accepted)
            if self._meetings is not None:
                # A post that announces a meeting proposes it to the secretariat (after it is safely stored).
                self._meetings.propose_many(accepted, max(a.received_at for a in accepted))
        if deliveries:
            self._watcher.queued(deliveries)
        return results
