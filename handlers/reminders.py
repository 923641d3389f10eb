"""Meeting reminders: planned from the events in the store, sent once each through the outbox.

The store is the source of truth: every tick re-plans from the events (so a moved meeting moves its
reminders and a cancelled one gets a notice instead), then sends what is due. A reminder due while the
bot was down is sent once, marked late, within the grace period, and recorded as skipped beyond it.
Sending is idempotent: the announcement's key is the reminder's id, so a crash between posting and
recording it never sends it twice.
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
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from datetime import tzinfo

    from handlers.intake import MailIntake
    from handlers.ports import EventRepository, ReminderRepository

__all__ = ["ReminderService", "ReminderSettings"]

_log = logging.getLogger(__name__)
_LATE = timedelta(minutes=5)


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
    """Plans, sends and records reminders. `tick(now)` is all a scheduler has to call."""

    def __init__(
        self,
        events: EventRepository,
        reminders: ReminderRepository,
        intake: MailIntake,
        tz: tzinfo,
        settings: ReminderSettings,
        transaction: Callable[[], AbstractContextManager[None]],
    ) -> None:
        self._events = events
        self._reminders = reminders
        self._intake = intake
        self._tz = tz
        self._settings = settings
        self._transaction = transaction

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

    def plan(self, now: datetime) -> int:
        """Bring the reminder records in line with the events; returns how many records changed."""
        changes: list[Reminder] = []
        for event in self._events.all():
            existing = {r.id: r for r in self._reminders.for_event(event.id)}
            if event.status == "cancelled":
                changes += [
                    dataclasses.replace(r, status="obsolete") for r in existing.values() if r.status == "pending"
                ]
                notice = f"{event.id}:cancelled"
                if existing and notice not in existing and event.starts_at > now:
                    changes.append(Reminder(notice, event.id, "cancelled", now, for_start=event.starts_at))
                continue
            if event.starts_at <= now:
                continue
            changes += self._planned(event, existing, now)
        with self._transaction():
            return self._reminders.save(changes)

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
        """Plan, then send every reminder that is due (or skip it, when it is older than the grace)."""
        self.plan(now)
        sent: list[Sent] = []
        for reminder in self._reminders.all():
            if reminder.status != "pending" or reminder.due_at > now:
                continue
            event = self._events.get(reminder.event_id)
            if event is None:
                self._save(dataclasses.replace(reminder, status="obsolete"))
                continue
            overdue = now - reminder.due_at
            if overdue > self._settings.grace:
                _log.warning("reminder %s was due %s ago, beyond the grace: skipped", reminder.id, overdue)
                self._save(dataclasses.replace(reminder, status="skipped"))
                continue
            late = overdue > _LATE
            deliveries = self._intake.publish(self._announcement(reminder, event, now, late=late))
            self._save(dataclasses.replace(reminder, status="sent", sent_at=now, late=late))
            _log.info("reminder %s sent%s to %d channels", reminder.id, " (late)" if late else "", len(deliveries))
            sent.append(Sent(reminder, deliveries))
        return sent

    def _save(self, reminder: Reminder) -> None:
        with self._transaction():
            self._reminders.save([reminder])

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
