"""Subscriptions (double opt-in, signed expiring links, preferences) and which posts and meetings each
subscriber's digest holds; what it says is handlers/digest_writing.py's."""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from handlers.dates import format_date
from handlers.digest_tokens import EMAIL, TokenAction, check_token, is_address, make_token, verp_check, verp_sign
from handlers.digest_writing import DigestWriter
from handlers.texts import say
from storage.datafile import BLOCK_KEYS
from storage.errors import RmoBotError
from storage.records import EventChange
from storage.subscribers import Subscriber

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager
    from datetime import tzinfo

    from handlers.messages import Lang
    from handlers.ports import AnnouncementRepository, EventRepository, SubscriberRepository
    from storage.records import Announcement, Event

# subject, news, changes, events, text, html
_Shared = tuple[str, tuple["Announcement", ...], tuple["EventChange", ...], tuple["Event", ...], str, str]

__all__ = [
    "Digest", "DigestService", "TokenAction", "check_token", "is_address", "make_token", "verp_check", "verp_sign",
]  # fmt: skip

_log = logging.getLogger(__name__)
_COMPOSED = 256
CONFIRM_FOR = timedelta(days=3)
UNSUBSCRIBE_FOR = timedelta(days=365)
_PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class Digest:
    """One subscriber's digest, in their language: what is new and what is coming."""

    subscriber: Subscriber
    subject: str
    announcements: tuple[Announcement, ...]
    changes: tuple[EventChange, ...]
    events: tuple[Event, ...]
    text: str
    html: str
    unsubscribe_token: str
    manage_token: str = ""


class MailBudget:
    """At most `limit` link mails to one address per `window`, however they were asked for (web form, chat,
    command line): nobody can turn the bot into a way of flooding someone's mailbox. Bounded in memory."""

    def __init__(self, limit: int = 3, window: timedelta = timedelta(hours=1), *, addresses: int = 10_000) -> None:
        self._limit = limit
        self._window = window
        self._addresses = addresses
        self._sent: OrderedDict[str, list[datetime]] = OrderedDict()

    def allow(self, email: str, now: datetime) -> bool:
        """Whether one more mail to `email` may go now (counting it if so)."""
        recent = [t for t in self._sent.pop(email, []) if now - t < self._window]
        allowed = len(recent) < self._limit
        if allowed:
            recent.append(now)
        if recent:
            self._sent[email] = recent  # most recently asked last, so the oldest are forgotten first
        while len(self._sent) > self._addresses:
            self._sent.popitem(last=False)
        return allowed


class DigestService:
    def __init__(
        self,
        subscribers: SubscriberRepository,
        announcements: AnnouncementRepository,
        events: EventRepository,
        secret: bytes,
        tz: tzinfo,
        transaction: Callable[[], AbstractContextManager[None]],
        *,
        hour: int = 7,
        pages: str = "",
        network: Callable[[Lang], str] | None = None,
    ) -> None:
        self._hour = hour
        self._network = network or (lambda _lang: "")  # the network's name in a language, for subjects
        self._writer = DigestWriter(events, tz, pages)
        self._subscribers = subscribers
        self._announcements = announcements
        self._events = events
        self._secret = secret
        self._tz = tz
        self._transaction = transaction
        self.mail_budget = MailBudget()
        self._composed: dict[tuple[object, ...], _Shared | None] = {}
        self._recent_cache: tuple[Announcement, ...] = ()
        self._recent_for: datetime | None = None

    # Subscriptions --------------------------------------------------------------------------------

    def request(
        self, email: str, now: datetime, *, lang: str = "ja", frequency: str = "weekly", blocks: Sequence[str] = ()
    ) -> str | None:
        """Start a subscription; returns the confirmation token to mail (None for a malformed address, or one
        that has had its link mails for the hour). What the member is told never depends on either."""
        address = email.strip().lower()
        if not EMAIL.match(address):
            return None
        if not self.mail_budget.allow(address, now):
            _log.warning("confirmation mail to %s not sent: it has had its link mails for the hour", address)
            return None
        current = self._subscribers.get(address)
        if current is None or current.unsubscribed or not current.confirmed:
            fresh = Subscriber(
                address, "en" if lang == "en" else "ja", "daily" if frequency == "daily" else "weekly",
                tuple(b for b in BLOCK_KEYS if b in set(blocks)), confirmed=False, created_at=now,
            )  # fmt: skip
            with self._transaction():
                self._subscribers.save([fresh])
        return make_token(self._secret, "confirm", address, now + CONFIRM_FOR)

    def add_confirmed(
        self, email: str, now: datetime, *, lang: str, frequency: str, blocks: Sequence[str]
    ) -> Subscriber:
        """The secretariat's own `rmo-bot subscribers add --confirmed`."""
        if not is_address(email):
            msg = f"not an e-mail address this bot can send to (ASCII only): {email!r}"
            raise RmoBotError(msg)
        subscriber = Subscriber(
            email.strip().lower(), "en" if lang == "en" else "ja", "daily" if frequency == "daily" else "weekly",
            tuple(blocks), confirmed=True, created_at=now,
        )  # fmt: skip
        with self._transaction():
            self._subscribers.save([subscriber])
        return subscriber

    def confirm(self, token: str, now: datetime) -> bool:
        email = check_token(self._secret, token, "confirm", now)
        current = self._subscribers.get(email) if email else None
        if current is None:
            return False
        with self._transaction():
            self._subscribers.save([dataclasses.replace(current, confirmed=True, unsubscribed=False)])
        return True

    def unsubscribe(self, token: str, now: datetime) -> bool:
        email = check_token(self._secret, token, "unsubscribe", now)
        current = self._subscribers.get(email) if email else None
        if current is None:
            return False
        with self._transaction():
            self._subscribers.save([dataclasses.replace(current, unsubscribed=True)])
        return True

    def record_bounce(self, email: str, *, permanent: bool, threshold: int) -> Subscriber | None:
        """Count a permanent bounce; at `threshold` the address is suspended (nothing more is sent to it)."""
        current = self._subscribers.get(email)
        if current is None or not permanent:
            return current
        bounces = current.bounces + 1
        updated = dataclasses.replace(current, bounces=bounces, suspended=current.suspended or bounces >= threshold)
        with self._transaction():
            self._subscribers.save([updated])
        return updated

    def unsubscribe_token(self, email: str, now: datetime) -> str:
        return make_token(self._secret, "unsubscribe", email, now + UNSUBSCRIBE_FOR)

    def manage_token(self, email: str, now: datetime) -> str:
        """The token of a digest's link to its subscriber's preferences page."""
        return make_token(self._secret, "manage", email, now + UNSUBSCRIBE_FOR)

    def holder(self, token: str, action: TokenAction, now: datetime) -> Subscriber | None:
        """The subscriber a valid link names (None for a forged, expired or unknown one): a page checks it
        before it shows any button."""
        email = check_token(self._secret, token, action, now)
        return self._subscribers.get(email) if email else None

    def change(
        self, token: str, now: datetime, *, lang: str, frequency: str, blocks: Sequence[str]
    ) -> Subscriber | None:
        """Change the preferences of the subscriber a manage link names; None for a bad link. Saving them
        also takes back an unsubscription made with the same mailbox's link."""
        current = self.holder(token, "manage", now)
        if current is None:
            return None
        updated = dataclasses.replace(
            current, lang="en" if lang == "en" else "ja", frequency="daily" if frequency == "daily" else "weekly",
            blocks=tuple(b for b in BLOCK_KEYS if b in set(blocks)), unsubscribed=False,
        )  # fmt: skip
        with self._transaction():
            self._subscribers.save([updated])
        return updated

    # Digests ---------------------------------------------------------------------------------------

    def slot(self, now: datetime) -> datetime:
        """The latest digest time at or before `now`: today's `hour`, or yesterday's before it."""
        local = now.astimezone(self._tz)
        today = local.replace(hour=self._hour, minute=0, second=0, microsecond=0)
        return today if local >= today else today - timedelta(days=1)

    def due(self, now: datetime) -> list[Subscriber]:
        """Active subscribers whose digest is due: daily ones not sent since the latest digest time, weekly
        ones not since six days before it. Digests keep to the hour, however late a run once was."""
        slot = self.slot(now)
        since = {"daily": slot, "weekly": slot - timedelta(days=6)}

        def is_due(s: Subscriber) -> bool:
            if not s.active:
                return False
            if s.last_digest_at is not None:
                return s.last_digest_at < since[s.frequency]
            # Someone new gets their first digest at the first digest time after subscribing, not at once.
            return s.created_at is None or s.created_at < slot

        return [s for s in self._subscribers.all() if is_due(s)]

    def _first_since(self, subscriber: Subscriber, now: datetime) -> datetime:
        """Where a first digest starts: one period back, or the digest time before subscribing when that is
        earlier (the bot was off when it was due), so no post since subscribing is left out. The digest
        time, not the moment: everyone who subscribed that day shares one composition."""
        period_back = now - _PERIOD[subscriber.frequency]
        return min(period_back, self.slot(subscriber.created_at)) if subscriber.created_at else period_back

    def compose(self, subscriber: Subscriber, now: datetime) -> Digest | None:
        """What is new since their last digest and what is coming in their blocks (None: nothing to say).

        Subscribers with the same language, blocks and last digest share one text, composed once per run.
        """
        since = subscriber.last_digest_at or self._first_since(subscriber, now)
        key = (now, since, subscriber.lang, subscriber.blocks)
        if key not in self._composed:
            if len(self._composed) > _COMPOSED:
                self._composed.clear()
            self._composed[key] = self._compose_shared(subscriber, since, now)
        shared = self._composed[key]
        if shared is None:
            return None
        subject, news, changes, events, text, html = shared
        token = self.unsubscribe_token(subscriber.email, now)
        manage = self.manage_token(subscriber.email, now)
        return Digest(subscriber, subject, news, changes, events, text, html, token, manage)

    def _recent(self, now: datetime) -> tuple[Announcement, ...]:
        if self._recent_for != now:
            self._recent_cache, self._recent_for = tuple(self._announcements.recent(500)), now
        return self._recent_cache

    def _compose_shared(self, subscriber: Subscriber, since: datetime, now: datetime) -> _Shared | None:
        wanted = set(subscriber.blocks)
        news = tuple(
            a for a in self._recent(now)
            # Reminders are for chat; the digest has its own "coming up" and "changed" sections.
            if since < a.received_at <= now and a.source != "reminder"
            and (not wanted or not a.blocks or wanted & set(a.blocks))
        )[::-1]  # fmt: skip
        changes = tuple(
            c for c in self._changes(since, now) if not wanted or c.before.block is None or c.before.block in wanted
        )
        blocks = {*wanted, None} if wanted else None
        events = tuple(self._events.upcoming(after=now, until=now + timedelta(days=45), blocks=blocks, limit=10))
        if not news and not changes and not events:
            return None
        lang: Lang = "en" if subscriber.lang == "en" else "ja"
        day = format_date(now.astimezone(self._tz).date(), lang)
        subject = say("digest.subject", lang, network=self._network(lang) or "rmo-bot", day=day)
        text, html = self._writer.write(lang, news, changes, events)
        return subject, news, changes, events, text, html

    def _changes(self, since: datetime, now: datetime) -> list[EventChange]:
        """Each meeting changed since `since` once: how it was before the first change, against how it is
        now (a meeting moved and moved back is no change); only meetings still ahead."""
        first: dict[str, EventChange] = {}
        for change in self._events.changes_since(since):
            if change.changed_at <= now:
                first.setdefault(change.event_id, change)
        result = []
        for change in first.values():
            current = self._events.get(change.event_id)
            overall = EventChange.between(change.before, current, change.changed_at) if current else None
            if overall is not None and max(change.before.starts_at, current.starts_at if current else now) > now:
                result.append(overall)
        return sorted(result, key=lambda c: c.before.starts_at)

    def mark_sent(self, emails: Sequence[str], now: datetime) -> None:
        updated = [dataclasses.replace(s, last_digest_at=now) for e in emails if (s := self._subscribers.get(e))]
        with self._transaction():
            self._subscribers.save(updated)
