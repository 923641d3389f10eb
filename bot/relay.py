"""The relay at run time: drain the spool into announcements, and post the outbox, channel by channel.

Each (platform, channel) has one lane that posts its deliveries strictly in order; a failure holds the lane
and is retried with back-off (honouring Retry-After), so order is kept and nothing is skipped. Progress is
committed with the message each part became; after a crash, Discord's enforced nonce and a look at Slack's
history (or the Facebook Page's feed) keep a re-sent part from appearing twice. Attachments follow the text
into its thread (`bot/relay_files.py`), each upload recorded before it is shared. A delivery done is kept in
the posted messages (`storage/posted.py`): a reply on the list threads under it, a correction edits it, a
withdrawal deletes it — each a delivery of its own in the same lane, so it follows the post it changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.errors import DeliveryError, DeliveryRejected, DeliveryRetryable, DeliveryUncertain
from bot.flood_gate import FloodGate
from bot.mail.reading import TextReader
from bot.platforms.discord.render import render_discord
from bot.platforms.facebook.render import render_facebook
from bot.platforms.slack.render import render_slack
from bot.relay_steps import DeliverySteps
from handlers.intake import IntakeResult
from storage.records import BIG_BODY
from storage.spool import OVERSIZE, OVERSIZE_REASON

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import tzinfo

    from bot.outbox_signal import OutboxSignal
    from bot.poster import Poster
    from bot.relay_files import FileSteps, Uploader, UploadStep
    from handlers.intake import MailIntake, MailText, Reading
    from storage.records import Announcement, Delivery, MessageRef
    from storage.store import Store

__all__ = ["RelayService"]

_log = logging.getLogger(__name__)

_BATCH = 3  # spool files (each one or more messages) taken at once; small, so SMTP is answered between batches
_STORED_AT_ONCE = 8  # messages stored between two turns of the event loop (each a few milliseconds)
_COMMIT_EVERY = 0.05  # seconds at most from progress to its commit; sooner once no lane is posting
_MAX_BACKOFF = 8.0
_PERMANENT_TRIES = 5
_Item = tuple[bytes, datetime, str | None]  # a spooled message, when it was received, and by which path (none)


def _render(
    platform: str, pages_url: str, listing: list[str] | None = None
) -> Callable[[Announcement, str, tzinfo, str], list[Any]]:
    if platform == "facebook":
        return functools.partial(render_facebook, pages_url=pages_url)
    render = {"slack": render_slack, "discord": render_discord}[platform]
    return functools.partial(render, pages_url=pages_url, listing=listing)  # type: ignore[return-value]


class RelayService:
    """Spool → intake → outbox → platforms, inside the bot's event loop."""

    def __init__(
        self, store: Store, intake: MailIntake, signal: OutboxSignal, posters: dict[str, Poster], tz: tzinfo,
        *, pages_url: str = "", files: FileSteps | None = None, uploaders: Mapping[str, Uploader] | None = None,
        ready: asyncio.Event | None = None,
    ) -> None:  # fmt: skip
        self._ready = ready  # the spool is stored from once it is set (the announcements' keys are read)
        self._pages_url = pages_url  # where the public pages are, for the Facebook post's link
        self._files = files  # what goes up as files after a delivery's text, and by whom
        self._uploaders = dict(uploaders or {})
        self._store = store
        self._intake = intake
        self._signal = signal
        self._posters = posters
        self._tz = tz
        self._spooled = asyncio.Event()
        self._flood = FloodGate()
        self._reader = TextReader()
        self._lane_wakeups: dict[tuple[str, str], asyncio.Event] = {}
        self._lanes: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._dirty = asyncio.Event()
        self._posting = 0  # lanes in the middle of a delivery; `_quiet` is set while there are none
        self._quiet = asyncio.Event()
        self._quiet.set()
        # Deliveries that may already be (partly) posted: found in the outbox at start, or after a timeout.
        self._uncertain: set[str] = {d.id for d in store.outbox.pending()}
        self.processed = 0

    def spooled(self) -> None:
        """Called by the intake server after each message is durably spooled."""
        self._flood.arrived()
        self._spooled.set()

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [
            asyncio.create_task(self._process_spool(), name="relay-spool"),
            asyncio.create_task(self._commit_loop(), name="relay-commit"),
            asyncio.create_task(self._answer_signal(), name="relay-signal"),
        ]
        try:
            await stop.wait()
        finally:
            for task in [*tasks, *self._lanes.values()]:
                task.cancel()
            await asyncio.gather(*tasks, *self._lanes.values(), return_exceptions=True)
            self._commit()
            self._reader.close()
            for poster in self._posters.values():
                with contextlib.suppress(Exception):
                    await poster.close()

    # Spool ------------------------------------------------------------------------------------------

    async def _process_spool(self) -> None:
        spool = self._store.spool
        if self._ready is not None:
            await self._ready.wait()
        # The first look: whatever a crash left in the spool is stored before the outbox's lanes start posting.
        self._spooled.set()
        opened = False
        while True:
            await self._spooled.wait()
            self._spooled.clear()
            while True:
                await self._flood.settled()  # under a flood, senders are answered first (bot/flood_gate.py)
                # Listed in a worker thread: a flood leaves thousands of files there, and a listing on the
                # loop waits for the interpreter at each entry while other threads are busy.
                if not (names := (await asyncio.to_thread(spool.pending))[:_BATCH]):
                    break
                if not await self._process_safely(names):
                    await asyncio.sleep(1.0)  # e.g. a full disk: the mail stays spooled, try again
                    self._spooled.set()
                    break
                await asyncio.sleep(0)
            for lane in self._store.outbox.lanes() if not opened else ():
                self._open_lane(lane)
            opened = True

    async def _process_safely(self, names: list[str]) -> bool:
        try:
            await self._process(names)
        except Exception:  # noqa: BLE001 - the spool keeps the mail; the listener must keep listening
            _log.exception("could not process the spool (%d files); they stay spooled and are retried", len(names))
            return False
        return True

    async def _process(self, names: list[str]) -> None:
        spool, reader = self._store.spool, self._reader

        def read() -> tuple[list[_Item], list[MailText | IntakeResult | None], list[Reading | IntakeResult] | None]:
            # In a thread: a big post's spool file takes milliseconds to read (the listener only adds new files).
            items: list[_Item] = []
            texts: list[MailText | IntakeResult | None] = []
            for name in names:
                received = datetime.fromtimestamp(int(name.split("-", 1)[0]) / 1e9, tz=UTC).astimezone(self._tz)
                for raw in spool.read(name):
                    items.append((raw, received, None))
                    # The start of a mail over the size limit is refused with its reason, not read.
                    texts.append(IntakeResult("rejected", OVERSIZE_REASON) if OVERSIZE in name else None)
            if any(text is None and reader.reads(raw) for (raw, _, _), text in zip(items, texts, strict=True)):
                return items, texts, None  # read in the worker process first
            return items, texts, self._intake.read_batch(items, texts=texts)  # small posts: read here too

        items, texts, readings = await asyncio.to_thread(read)
        if readings is None:
            # Reading a big post takes a while: in a worker process (big ones) and a thread, off the loop.
            big = await reader.texts([r if t is None else b"" for (r, _, _), t in zip(items, texts, strict=True)])
            texts = [text if text is not None else found for text, found in zip(texts, big, strict=True)]
            readings = await asyncio.to_thread(self._intake.read_batch, items, texts=texts)
        results = []
        for at in range(0, len(items), _STORED_AT_ONCE):  # a spool file may hold a burst: stored in steps
            part = slice(at, at + _STORED_AT_ONCE)
            results += self._intake.process_batch(items[part], readings=readings[part])
            await asyncio.sleep(0)
        # Only now: a crash before this re-processes them, and de-duplication catches it. In a thread (disk
        # waits: the store's commits, the removal, the directory's fsync); nothing else removes spool files.
        await asyncio.to_thread(self._store.release_spooled, names)
        self.processed += len(results)
        for result in results:
            if result.status == "accepted" and result.announcement:
                _log.info("accepted %s %r → %d deliveries", result.announcement.id, result.announcement.subject,
                          len(result.deliveries))  # fmt: skip
            else:
                _log.info("%s: %s", result.status, result.reason)

    # Outbox -----------------------------------------------------------------------------------------

    async def _answer_signal(self) -> None:
        while True:
            for lane in await self._signal.wait():
                self._open_lane(lane).set()

    def _open_lane(self, lane: tuple[str, str]) -> asyncio.Event:
        wakeup = self._lane_wakeups.get(lane)
        if wakeup is None:
            wakeup = self._lane_wakeups[lane] = asyncio.Event()
            wakeup.set()
            if lane[0] in self._posters:
                self._lanes[lane] = asyncio.create_task(self._run_lane(lane, wakeup), name=f"lane-{lane[0]}-{lane[1]}")
            else:
                _log.warning("no %s credentials: deliveries to %s wait in the outbox", lane[0], lane[1])
        return wakeup

    async def _run_lane(self, lane: tuple[str, str], wakeup: asyncio.Event) -> None:
        platform, channel = lane
        while True:
            delivery = self._store.outbox.next_for(platform, channel)
            if delivery is None:
                wakeup.clear()
                await wakeup.wait()
                continue
            self._posting += 1
            self._quiet.clear()
            try:
                await self._deliver(delivery)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a lane must outlive any one delivery's surprise
                _log.exception("delivery %s failed unexpectedly", delivery.id)
                current = self._store.outbox.get(delivery.id) or delivery
                updated = self._store.outbox.update(
                    current, attempts=current.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"
                )
                if updated.attempts >= _PERMANENT_TRIES:
                    self._store.outbox.update(updated, failed=True)
                self._dirty.set()
                self._done_posting()
                await asyncio.sleep(min(_MAX_BACKOFF, 0.5 * 2**updated.attempts))
            else:
                self._done_posting()

    def _done_posting(self) -> None:
        self._posting -= 1
        if not self._posting:
            self._quiet.set()

    async def _deliver(self, delivery: Delivery) -> None:
        outbox = self._store.outbox
        announcement = self._store.announcements.get(delivery.announcement_id)
        if announcement is None:
            # Deliveries are written before their announcement: it may be a moment away (or a retry away).
            msg = f"announcement {delivery.announcement_id} is not stored (yet)"
            raise LookupError(msg)
        if delivery.action == "post" and announcement.withdrawn:
            # Withdrawn before it was (wholly) posted: not another part. What is already there is recorded, so
            # the withdrawal queued behind this delivery deletes it.
            _log.info("%s was withdrawn; not posting (the rest of) it to %s", announcement.id, delivery.channel)
            self._record_partial(delivery)
            outbox.done(delivery)
            self._dirty.set()
            return
        poster = self._posters[delivery.platform]
        uploader = self._uploaders.get(delivery.platform)
        uploads = 0
        listing = None
        if self._files is not None and delivery.platform in {"slack", "discord"}:
            listing = self._files.listing(announcement, delivery.platform)
            if uploader is not None and delivery.action == "post" and not announcement.withdrawn:
                uploads = self._files.count(announcement, delivery.platform)
        render = functools.partial(
            _render(delivery.platform, self._pages_url, listing), announcement, delivery.channel, self._tz, delivery.id
        )
        # A big post's text takes milliseconds to split and escape: in a thread (rendering is a pure function).
        payloads = await asyncio.to_thread(render) if len(announcement.body) >= BIG_BODY else render()
        root, thread_name = self._thread_of(announcement, delivery)
        steps = DeliverySteps(
            delivery, announcement, payloads, poster, self._store.posted, root=root, thread_name=thread_name,
            uncertain=lambda: delivery.id in self._uncertain,
        )  # fmt: skip
        tries = 0
        refusals = 0
        while delivery.parts_done < steps.count or delivery.uploads_done < uploads:
            step = delivery.parts_done + 1
            texts = step <= steps.count
            refs: tuple[MessageRef, ...] = delivery.refs
            file_refs: tuple[MessageRef, ...] = ()
            try:
                if texts:
                    refs = await steps.run(step, delivery.refs)
                elif uploader is not None and self._files is not None:
                    files = self._files.step(announcement, delivery.platform, delivery.id, delivery.uploads_done + 1)
                    # Into the thread of the first part (or of the post a reply answers): one top-level message.
                    thread = steps.thread_for_files(delivery.refs)
                    file_refs = await self._upload(uploader, delivery, files, thread, thread_name)
            except DeliveryError as exc:
                if isinstance(exc, DeliveryRejected) and not texts:
                    # The text is there and lists every file: a platform that refuses the files for good (no
                    # files:write, no Attach Files, too large for this server) must not hold the channel's lane.
                    _log.error("%s; the files of %s stay listed, not uploaded", exc, delivery.id)
                    delivery = outbox.get(delivery.id) or delivery
                    delivery = outbox.update(delivery, uploads_done=delivery.uploads_done + 1, upload_started="",
                                             last_error=str(exc))  # fmt: skip
                    self._dirty.set()
                    continue
                tries += 1
                if isinstance(exc, DeliveryUncertain):
                    self._uncertain.add(delivery.id)
                refusals += isinstance(exc, DeliveryRejected)
                delivery = outbox.get(delivery.id) or delivery  # with what an upload recorded meanwhile
                delivery = outbox.update(delivery, attempts=delivery.attempts + 1, last_error=str(exc))
                if refusals >= _PERMANENT_TRIES:
                    _log.error("giving up on %s after %d refusals: %s", delivery.id, refusals, exc)
                    self._record_partial(delivery)  # a withdrawal or correction must still find what was posted
                    outbox.update(delivery, failed=True)
                    self._dirty.set()
                    return
                delay = exc.retry_after if exc.retry_after is not None else min(_MAX_BACKOFF, 0.5 * 2 ** min(tries, 8))
                delay = min(delay, 600.0) + random.uniform(0, 0.1)  # noqa: S311 - jitter, not security
                _log.warning("%s; retrying in %.1f s", exc, delay)
                self._dirty.set()
                await asyncio.sleep(delay)
                continue
            tries = 0
            delivery = outbox.get(delivery.id) or delivery
            if texts:
                delivery = outbox.update(delivery, parts_done=step, refs=refs)
            else:
                delivery = outbox.update(delivery, uploads_done=delivery.uploads_done + 1, upload_started="",
                                         file_refs=(*delivery.file_refs, *file_refs))  # fmt: skip
            self._dirty.set()
        steps.finish(delivery.refs, delivery.file_refs)
        outbox.done(delivery)
        self._uncertain.discard(delivery.id)
        self._dirty.set()

    def _record_partial(self, delivery: Delivery) -> None:
        """What a post delivery that stops short already put in the channel, on record as a finished one's is."""
        if delivery.action == "post" and (delivery.refs or delivery.file_refs):
            key = (delivery.announcement_id, delivery.platform, delivery.channel)
            self._store.posted.record(*key, delivery.refs, files=delivery.file_refs)

    async def _upload(
        self, uploader: Uploader, delivery: Delivery, step: UploadStep, thread: MessageRef | None, thread_name: str
    ) -> tuple[MessageRef, ...]:
        """Share one upload message's files (in `thread` when given); returns the messages they became."""
        if not step.files:
            return ()  # its files are no longer kept (logged): nothing to upload

        def record(token: str) -> None:
            # Durably, now: the next request may make the files visible, and a restart must know of it.
            current = self._store.outbox.get(delivery.id) or delivery
            self._store.outbox.update(current, upload_started=token)
            if not self._commit():
                msg = f"could not record the upload of {delivery.id}; not sharing its files yet"
                raise DeliveryRetryable(msg)

        current = self._store.outbox.get(delivery.id) or delivery
        return await uploader.upload(
            delivery.channel, step.files, key=step.key, comment=step.comment, since=delivery.created_at,
            started=current.upload_started, record=record, thread=thread, thread_name=thread_name,
        )  # fmt: skip

    def _thread_of(self, announcement: Announcement, delivery: Delivery) -> tuple[MessageRef | None, str]:
        """The message whose thread a reply on the list goes into in this channel (None: a post of its own,
        or the first post is not in this channel), and the thread's name (its first post's subject)."""
        if not announcement.thread_of:
            return None, announcement.subject
        first = self._store.posted.get(announcement.thread_of, delivery.platform, delivery.channel)
        if first is None:
            return None, announcement.subject
        started = self._store.announcements.get(announcement.thread_of)
        return first.first, started.subject if started is not None else announcement.subject

    async def _commit_loop(self) -> None:
        while True:
            await self._dirty.wait()
            await asyncio.sleep(0)  # the other lanes' progress of this moment, saved with it
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quiet.wait(), timeout=_COMMIT_EVERY)
            self._dirty.clear()
            self._commit()

    def _commit(self) -> bool:
        try:
            with self._store.mail_batch():
                self._store.posted.commit()
                self._store.outbox.commit()
        except OSError:
            _log.exception("could not save the outbox; will try again")
            self._dirty.set()
            return False
        return True
