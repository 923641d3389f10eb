"""A digest run: every due subscriber's digest composed, sent and recorded exactly once, even across a kill.

The run journals each recipient (storage/digest_journal.py) and records the store only at its end; a run
that was cut short is applied from its journal when the next one starts, so the recipients it reached are
not due again and the others still are. Composition streams to the senders through a short queue, so
memory stays flat however many subscribers there are.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.config_checks import digest_links
from bot.errors import ConfigError
from bot.mail.compose import DigestRenderer
from bot.mail.sending import OutboundUnavailableError, sender_for
from storage.atomic import atomic_write_bytes
from storage.digest_journal import DigestJournal

if TYPE_CHECKING:
    from bot.core import Core

__all__ = ["DigestJob", "DigestOutcome", "done_slot", "recover", "send_due"]

_log = logging.getLogger(__name__)
_QUEUE = 64
_SLICE = 200  # subscribers the producer goes through between two looks at the loop
_SYNC_EVERY = 500
_RETRY = timedelta(minutes=10)
_FEW = 3
_STATE = "digest-state.json"


@dataclass(slots=True)
class DigestOutcome:
    sent: list[str] = field(default_factory=list)
    quiet: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    resumed: int = 0  # recipients an interrupted run had already reached
    unknown: list[str] = field(default_factory=list)  # addresses the server refused (5xx at RCPT)
    in_doubt: list[str] = field(default_factory=list)


def recover(core: Core) -> int:
    """Apply an interrupted run's journal to the store; returns how many recipients it had reached."""
    journal = DigestJournal(core.store.directory)
    run = journal.interrupted()
    if run is None:
        return 0
    # A file written by the outbox counts only if it is there; for SMTP the final dot was on its way.
    reached = sorted({*run.sent, *run.quiet})
    core.digests.mark_sent(reached, run.run_at)
    if run.in_doubt:
        _log.warning(
            "digest run of %s was interrupted right after the end of %d message(s), counted as sent: %s",
            run.run_at.isoformat(), len(run.in_doubt), ", ".join(sorted(run.in_doubt)),
        )  # fmt: skip
    _log.info("digest run of %s was interrupted: %d recipient(s) it reached are recorded", run.run_at, len(reached))
    journal.finish()
    return len(reached)


def done_slot(core: Core) -> datetime | None:
    """The digest time whose run finished last (kept on disk, so that a restart does not run it again)."""
    path = core.store.directory / _STATE
    try:
        return datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["done_slot"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        _log.warning("%s unreadable (%s): the next digest time runs as usual", path, exc)
        return None


class _Journaled:
    """Sender hooks: every step goes to the journal first, then to the outcome."""

    def __init__(self, journal: DigestJournal, outcome: DigestOutcome) -> None:
        self._journal = journal
        self._outcome = outcome

    def committing(self, recipient: str, evidence: str) -> None:
        self._journal.committing(recipient, evidence)

    def uncommitted(self, recipient: str) -> None:
        self._journal.uncommitted(recipient)

    def sent(self, recipient: str) -> None:
        self._journal.done(recipient)
        self._outcome.sent.append(recipient)
        if len(self._outcome.sent) % _SYNC_EVERY == 0:
            self._journal.sync()

    def refused(self, recipient: str, reason: str, *, address: bool) -> None:
        self._journal.refused(recipient, reason)
        if address:
            self._outcome.unknown.append(recipient)


async def send_due(core: Core, now: datetime, *, connections: int | None = None) -> DigestOutcome:
    """Compose and send every due digest. Raises ConfigError while `[http] public_url` is empty (the links
    would point at loopback), OutboundUnavailableError when the SMTP server cannot be reached; what was sent
    until then is recorded and the rest stays due."""
    config = core.config
    if problem := digest_links(config.http.public_url):
        raise ConfigError(problem)
    outcome = DigestOutcome(resumed=recover(core))
    sender = sender_for(core, connections=connections)
    renderer = DigestRenderer(config, core.network_name)
    journal = DigestJournal(core.store.directory)
    journal.start(now)
    queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue(maxsize=_QUEUE)

    async def produce() -> None:
        due = await asyncio.to_thread(core.digests.due, now)  # every subscriber looked at: off the loop
        for count, listed in enumerate(due, 1):
            if count % _SLICE == 0:
                await asyncio.sleep(0)  # those with nothing new are not queued: let the loop in between
            subscriber = core.store.subscribers.get(listed.email)
            if subscriber is None or not subscriber.active:  # unsubscribed while the run was under way
                continue
            composed = core.digests.compose(subscriber, now)
            if composed is None:
                journal.quiet(subscriber.email)
                outcome.quiet.append(subscriber.email)
            else:
                await queue.put(renderer.render(composed, now))
        for _ in range(sender.connections):
            await queue.put(None)

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(produce())
            sending = group.create_task(sender.send_from(queue, _Journaled(journal, outcome)))
        outcome.failed = sending.result()
    except BaseExceptionGroup as group_error:
        # Record what was reached before giving up; the others are still due at the next run.
        recover(core)
        raise group_error.exceptions[0] from None
    finally:
        journal.close()
    outcome.in_doubt = sender.in_doubt
    core.digests.mark_sent([*outcome.sent, *outcome.quiet], now)
    journal.finish()
    state = {"done_slot": core.digests.slot(now).isoformat()}  # this digest time is done, restarts or not
    atomic_write_bytes(core.store.directory / _STATE, json.dumps(state).encode())
    threshold = config.digest.bounce_threshold
    if len(outcome.unknown) > max(_FEW, len(outcome.sent)):
        # Most addresses "unknown" at once is the server's doing (a policy), not the subscribers'.
        _log.warning("the SMTP server refused %d addresses as unknown: not counted as bounces", len(outcome.unknown))
    else:
        for email in outcome.unknown:  # refused at RCPT: as good as a bounce, and there will be no bounce mail
            core.digests.record_bounce(email, permanent=True, threshold=threshold)
    return outcome


class DigestJob:
    """The running bot's digests: at each scheduler tick, a run starts if anyone is due (or a run was cut
    short), one run at a time; when the SMTP server cannot be reached, the next try is 10 minutes later."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._task: asyncio.Task[None] | None = None
        self._retry_at: datetime | None = None
        self._refusal = digest_links(core.config.http.public_url)
        if self._refusal:
            _log.error("%s", self._refusal)

    def tick(self, now: datetime) -> None:
        if self._refusal:  # said once at start; nothing is sent until the configuration is fixed
            return
        if self._task is not None and not self._task.done():
            return
        if self._retry_at is not None and now < self._retry_at:
            return
        interrupted = DigestJournal(self._core.store.directory).path.exists()
        # One run per digest time: whoever a run could not reach (a refused address) waits for the next.
        if not interrupted and self._core.digests.slot(now) == done_slot(self._core):
            return
        self._task = asyncio.get_running_loop().create_task(self._run(now, check=not interrupted), name="digest run")

    async def _run(self, now: datetime, *, check: bool) -> None:
        # Whether anyone is due looks at every subscriber (50,000 take tens of milliseconds): in a worker
        # thread, off the loop. `Subscribers.all()` copies its values in one call, so the loop's writes
        # meanwhile cannot change what the thread goes through.
        try:
            if check and not await asyncio.to_thread(self._core.digests.due, now):
                return
            outcome = await send_due(self._core, now)
        except OutboundUnavailableError as exc:
            self._retry_at = self._core.clock.now() + _RETRY
            _log.warning("digests not sent: %s; trying again at %s", exc, self._retry_at.isoformat())
        except Exception:  # noqa: BLE001 - logged; the subscribers still due are tried again later
            self._retry_at = self._core.clock.now() + _RETRY
            _log.exception("digest run failed; trying again at %s", self._retry_at.isoformat())
        else:
            self._retry_at = None
            _log.info(
                "digests: %d sent, %d with nothing new, %d refused%s", len(outcome.sent), len(outcome.quiet),
                len(outcome.failed), f" (resumed a run that had reached {outcome.resumed})" if outcome.resumed else "",
            )  # fmt: skip

    async def stop(self) -> None:
        """Stop a run in progress; its journal lets the next start resume it."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
