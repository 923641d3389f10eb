"""Meeting reminders: planned from the events in the store, sent once each through the outbox.

The store is the source of truth. Once after start every event's reminders are planned (`catch_up`, in
steps, so the running bot stays responsive); after that an event is planned again when it changes
(`plan_changed`: a moved meeting moves its reminders and a cancelled one gets a notice instead), and a
tick reads only the reminders that are due, from the store's index by due time. A reminder due while the
bot was down is sent once, marked late, within the grace period, and recorded as skipped beyond it.
Sending is idempotent: the announcement's key is the reminder's id, so a crash between posting and
recording it never sends it twice; what one tick did is therefore recorded in one write.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers.dates import format_date, format_datetime, format_span
from storage.records import Announcement, Delivery, Event
from storage.reminders import Reminder

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator
    from datetime import tzinfo

    from handlers.intake import MailIntake
    from handlers.ports import ChangingCalendar, ReminderRepository

__all__ = ["ReminderService", "ReminderSettings"]

_log = logging.getLogger(__name__)
_LATE = timedelta(minutes=5)
_STEP = 100  # events planned between two yields of `catch_up` (a few ms)
_SAVE_STEP = 500  # reminders it writes between two yields
_NAMED = 5  # skipped reminders named in the log line (the rest are counted)
_SEND_STEP = 5  # due reminders a tick handles between two yields (see `tick_steps`): 2-3 ms each


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    days_before: tuple[int, ...] = (7, 1)
    deadline_days_before: tuple[int, ...] = (3,)
    hour: int = 9  # reminders go out at this local hour, not at 3 a.m.
    grace: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Sent:
    reminder: Reminder
    deliveries: tuple[Delivery, ...]


class ReminderService:
    """Plans, sends and records reminders. A scheduler runs `catch_up` once, then `tick(now)` every minute."""

    def __init__(
        self,
        events: ChangingCalendar,
        reminders: ReminderRepository,
        intake: MailIntake,
        tz: tzinfo,
        settings: ReminderSettings,
    ) -> None:
        self._events = events
        self._reminders = reminders
        self._intake = intake
        self._tz = tz
        self._settings = settings
        self._revision = 0  # the events' revision the reminders are planned up to
        self._caught_up = False

    def _at_hour(self, moment: datetime, days: int) -> datetime:
        local = (moment.astimezone(self._tz) - timedelta(days=days)).replace(
            hour=self._settings.hour, minute=0, second=0, microsecond=0
        )
        return min(local, moment - timedelta(hours=1))  # never after (or at) what it reminds of

    def _wanted(self, event: Event, now: datetime) -> dict[str, tuple[str, datetime]]:
        """id → (kind, due) of the reminders an event should have. The id carries the day reminded of, so a
        meeting moved to another day gets reminders of its own, whatever was sent for the old day."""
        day = event.starts_at.astimezone(self._tz).date().isoformat()
        wanted = {
            f"{event.id}:{day}:{d}d": (f"{d}d", self._at_hour(event.starts_at, d)) for d in self._settings.days_before
        }
        deadline = event.registration_deadline
        if deadline and deadline > now:
            by = deadline.astimezone(self._tz).date().isoformat()
            for d in self._settings.deadline_days_before:
                wanted[f"{event.id}:{by}:deadline-{d}d"] = (f"deadline-{d}d", self._at_hour(deadline, d))
        return wanted

    @property
    def caught_up(self) -> bool:
        """Whether every event's reminders were planned since the store opened."""
        return self._caught_up

    def plan(self, now: datetime) -> int:
        """Bring every event's reminders in line with it, at once; returns how many records changed."""
        steps = self.catch_up(now)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return int(done.value)

    def catch_up(self, now: datetime, step: int = _STEP) -> Generator[tuple[int, int], None, int]:
        """Plan every event's reminders, `step` events at a time (yielding how many of how many are done),
        and write them at the end, `_SAVE_STEP` at a time. An event written meanwhile is left to
        `plan_changed`, which plans it from what it became (what was computed here may be out of date)."""
        revision, _ = self._events.changed_after(self._revision)
        ids = self._events.ids()
        planned: dict[str, list[Reminder]] = {}
        for start in range(0, len(ids), step):
            for event in self._events.get_many(ids[start : start + step]):
                planned[event.id] = self._changes_of(event, now)
            yield min(start + step, len(ids)), len(ids)
        _, meanwhile = self._events.changed_after(revision)
        for event_id in meanwhile:
            planned.pop(event_id, None)
        # Written a slice at a time too (each slice one commit): an event written between two slices is
        # planned again from what it became by `plan_changed`, whose revision starts before this catch-up.
        reminders = [r for changes in planned.values() for r in changes]
        changed = 0
        for start in range(0, len(reminders), _SAVE_STEP):
            changed += self._reminders.save(reminders[start : start + _SAVE_STEP])
            yield len(ids), len(ids)
        self._revision = max(self._revision, revision)
        self._caught_up = True
        return changed

    def plan_changed(self, now: datetime) -> int:
        """Plan the reminders of the events written since the last planning; returns how many records changed."""
        revision, ids = self._events.changed_after(self._revision)
        changes = [r for event_id in ids if (event := self._events.get(event_id)) for r in self._changes_of(event, now)]
        changed = self._reminders.save(changes)
        self._revision = revision
        return changed

    def _changes_of(self, event: Event, now: datetime) -> list[Reminder]:
        """The reminder records to write so that this event's reminders are what it needs at `now`."""
        existing = {r.id: r for r in self._reminders.for_event(event.id)}
        if event.status == "cancelled":
            changes = [dataclasses.replace(r, status="obsolete") for r in existing.values() if r.status == "pending"]
            notice = f"{event.id}:cancelled"
            if existing and notice not in existing and event.starts_at > now:
                changes.append(Reminder(notice, event.id, "cancelled", now, for_start=event.starts_at))
            return changes
        if event.starts_at <= now:
            return []
        return self._planned(event, existing, now)

    def _planned(self, event: Event, existing: dict[str, Reminder], now: datetime) -> list[Reminder]:
        changes: list[Reminder] = []
        wanted = self._wanted(event, now)
        sent = [r for r in existing.values() if r.status == "sent" and r.kind not in {"cancelled", "moved"}]
        for reminder_id, (kind, due) in wanted.items():
            current = existing.get(reminder_id)
            if current is None:
                if any(r.kind == kind and r.due_at == due for r in sent):
                    continue  # sent already, under the id a reminder had before ids carried the day
                changes.append(Reminder(reminder_id, event.id, kind, due, for_start=event.starts_at))
            elif current.status in {"pending", "obsolete"} and (current.due_at != due or current.status == "obsolete"):
                # The meeting moved within its day, or back to this day: the reminder is due again.
                changes.append(dataclasses.replace(current, due_at=due, status="pending", for_start=event.starts_at))
        changes += [
            dataclasses.replace(r, status="obsolete")
            for r in existing.values()
            if r.status == "pending" and r.id not in wanted and r.kind not in {"cancelled", "moved"}
        ]
        # Members were reminded of another time: tell them the meeting moved (once per new time).
        told = [r for r in sent if r.for_start is not None and r.for_start != event.starts_at]
        notice = f"{event.id}:{event.starts_at.astimezone(self._tz):%Y-%m-%dT%H%M}:moved"
        if told and notice not in existing:
            last = max(told, key=lambda r: r.sent_at or r.due_at)
            moved = Reminder(notice, event.id, "moved", now, for_start=event.starts_at, moved_from=last.for_start)
            changes.append(moved)
        return changes

    def tick(self, now: datetime) -> list[Sent]:
        """Plan what changed (everything, the first time, unless `catch_up` ran), then send every reminder that
        is due, or skip it when it is older than the grace; what became of them is recorded in one write per
        slice of `tick_steps`."""
        sent: list[Sent] = []
        for step in self.tick_steps(now):
            sent += step
        return sent

    def tick_steps(self, now: datetime, step: int = _SEND_STEP) -> Iterator[list[Sent]]:
        """`tick` a slice of at most `step` due reminders at a time (what each sent), so that the scheduler
        serves the event loop between them: a restart after a day away finds hundreds due (one tick of 120
        of them held the loop 111 ms). Each slice is recorded in one write; a reminder changed before its
        slice comes is left to the next tick; a crash between them re-sends nothing (the sent ones are on
        record). Those past the grace are all skipped first, in one write."""
        if self._caught_up:
            self.plan_changed(now)
        else:
            self.plan(now)
        skipped: list[str] = []
        due = self._reminders.due(now)  # once: 15 ms when 650 are due (after a day away, at 100,000 events)
        overdue = [r for r in due if now - r.due_at > self._settings.grace]
        if overdue:  # past the grace (after a downtime, hundreds): all recorded as skipped in one write
            self._send(overdue, now, skipped)
        waiting = [r for r in due if now - r.due_at <= self._settings.grace]
        for start in range(0, len(waiting), step):
            # Only those still as they were: one re-planned or sent meanwhile is the next tick's to judge.
            yield self._send([r for r in waiting[start : start + step] if self._reminders.get(r.id) == r], now, skipped)
        if skipped:
            more = f" and {len(skipped) - _NAMED} more" if len(skipped) > _NAMED else ""
            _log.warning("%d reminders were due beyond the grace: skipped: %s%s", len(skipped),
                         ", ".join(skipped[:_NAMED]), more)  # fmt: skip

    def _send(self, due: list[Reminder], now: datetime, skipped: list[str]) -> list[Sent]:
        """Send these due reminders (or skip those past the grace, naming them in `skipped`), in one write."""
        sent: list[Sent] = []
        records: list[Reminder] = []
        try:
            for reminder in due:
                event = self._events.get(reminder.event_id)
                if event is None:
                    records.append(dataclasses.replace(reminder, status="obsolete"))
                    continue
                overdue = now - reminder.due_at
                if overdue > self._settings.grace:
                    skipped.append(f"{reminder.id} (due {overdue} ago)")
                    records.append(dataclasses.replace(reminder, status="skipped"))
                    continue
                late = overdue > _LATE
                deliveries = self._intake.publish(self._announcement(reminder, event, now, late=late))
                records.append(dataclasses.replace(reminder, status="sent", sent_at=now, late=late))
                _log.info("reminder %s sent%s to %d channels", reminder.id, " (late)" if late else "", len(deliveries))
                sent.append(Sent(reminder, deliveries))
        finally:
            # One write for the slice: a crash before it re-sends nothing (the announcements are on record).
            self._reminders.save(records)
        return sent

    def _announcement(self, reminder: Reminder, event: Event, now: datetime, *, late: bool) -> Announcement:
        when = format_span(event.starts_at, event.ends_at, "ja", self._tz)
        if reminder.kind == "cancelled":
            subject = f"【中止】{event.title}は中止になりました"
            lead = f"{when}に予定していた{event.title}は中止になりました。"
        elif reminder.kind == "moved":
            before = reminder.moved_from or event.starts_at
            old_day, new_day = (format_date(m.astimezone(self._tz).date(), "ja") for m in (before, event.starts_at))
            subject = f"【日程変更】{event.title}：{old_day} → {new_day}"
            lead = (f"{event.title}の日程が変わりました。\n変更前：{format_span(before, None, 'ja', self._tz)}\n"
                    f"変更後：{when}")  # fmt: skip
        elif reminder.kind.startswith("deadline"):
            deadline = format_datetime(event.registration_deadline or event.starts_at, "ja", self._tz)
            subject = f"【申込締切が近づいています】{event.title}"
            lead = f"{event.title}の申込締切は{deadline}です。"
        else:
            days = int(reminder.kind.rstrip("d"))
            soon = "明日" if days == 1 else f"{days}日後" if days != 7 else "1週間後"
            subject = f"【リマインダー】{event.title}は{soon}です"
            lead = f"{event.title}は{soon}、{when}に開催します。"
        lines = [lead]
        if late:
            lines.append("（ボットの停止中に予定していたお知らせを、遅れてお送りしています。）")
        if reminder.kind != "cancelled":
            venue = event.venue
            if venue and (venue.description or venue.address):
                lines.append("会場：" + "　".join(x for x in (venue.description, venue.address) if x))
            if venue and venue.online_url:
                lines.append(f"オンライン：{venue.online_url}")
            if event.registration_url:
                lines.append(f"申込：{event.registration_url}")
        return Announcement(
            id="r-" + reminder.id.replace(":", "-"),
            message_id=f"reminder:{reminder.id}",
            subject=subject,
            body="\n".join(lines),
            sender="rmo-bot",
            sender_name="rmo-bot",
            received_at=now,
            sent_at=now,
            blocks=(event.block,) if event.block else (),
            source="reminder",
        )
