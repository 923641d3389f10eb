"""Subscriptions (double opt-in, signed expiring links) and what each subscriber's digest says."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Literal

from handlers.dates import format_date, format_span
from storage.errors import RmoBotError
from storage.records import EventChange
from storage.subscribers import Subscriber

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager
    from datetime import tzinfo

    from handlers.ports import AnnouncementRepository, EventRepository, SubscriberRepository
    from storage.records import Announcement, Event

# subject, news, changes, events, text, html
_Shared = tuple[str, tuple["Announcement", ...], tuple["EventChange", ...], tuple["Event", ...], str, str]

__all__ = [
    "Digest", "DigestService", "TokenAction", "check_token", "is_address", "make_token", "verp_check", "verp_sign",
]  # fmt: skip

TokenAction = Literal["confirm", "unsubscribe"]
# ASCII only: an internationalised address needs SMTPUTF8 all the way, which few servers offer.
_log = logging.getLogger(__name__)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_SIGNATURE = 16
_COMPOSED = 256
CONFIRM_FOR = timedelta(days=3)
UNSUBSCRIBE_FOR = timedelta(days=365)
_PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
_FOOTER_JA = "配信停止は、メール末尾のリンク（またはメールソフトの「配信停止」）からいつでもできます。"
_FOOTER_EN = "You can unsubscribe at any time with the link below or your mail program's unsubscribe button."


def is_address(email: str) -> bool:
    return bool(_EMAIL.match(email.strip()))


def verp_sign(secret: bytes, email: str) -> str:
    """What a digest's return path carries for `email`: the address and a short signature, so that only a
    bounce of mail we sent (not a forged one) can count against a subscriber."""
    signature = hmac.new(secret, b"verp|" + email.lower().encode(), hashlib.sha256).hexdigest()[:12]
    local, _, domain = email.lower().rpartition("@")
    return f"{local}={domain}+{signature}"


def verp_check(secret: bytes, token: str) -> str | None:
    """The subscriber a signed return-path token names; None for an unsigned or forged one."""
    named, _, signature = token.lower().rpartition("+")
    local, _, domain = named.rpartition("=")  # a domain has no "=", a local part may
    email = f"{local}@{domain}"
    if not named or not hmac.compare_digest(verp_sign(secret, email), f"{named}+{signature}"):
        return None
    return email


def make_token(secret: bytes, action: TokenAction, email: str, expires: datetime) -> str:
    """A link token: who, what for and until when, signed so that none of it can be changed."""
    body = f"{action}|{email}|{int(expires.timestamp())}"
    signature = hmac.new(secret, body.encode(), hashlib.sha256).digest()[:_SIGNATURE]
    return base64.urlsafe_b64encode(body.encode() + b"|" + signature).decode().rstrip("=")


def check_token(secret: bytes, token: str, action: TokenAction, now: datetime) -> str | None:
    """The address a valid, unexpired token for `action` names; None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        # The signature is binary and may hold any byte, "|" included: cut it off by its length.
        body, signature = raw[: -_SIGNATURE - 1], raw[-_SIGNATURE:]
        # The action has no "|" and the expiry is digits: an address may hold "|" (RFC 5322 allows it).
        kind, _, rest = body.decode().partition("|")
        email, _, expires = rest.rpartition("|")
    except (ValueError, UnicodeDecodeError):
        return None
    expected = hmac.new(secret, body, hashlib.sha256).digest()[:_SIGNATURE]
    if not hmac.compare_digest(signature, expected) or kind != action or int(expires) < now.timestamp():
        return None
    return email


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
    ) -> None:
        self._hour = hour
        self._pages = pages.rstrip("/")  # where each post has a page of its own ("" for none)
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
        if not _EMAIL.match(address):
            return None
        if not self.mail_budget.allow(address, now):
            _log.warning("confirmation mail to %s not sent: it has had its link mails for the hour", address)
            return None
        current = self._subscribers.get(address)
        if current is None or current.unsubscribed or not current.confirmed:
            fresh = Subscriber(
                address, "en" if lang == "en" else "ja", "daily" if frequency == "daily" else "weekly",
                tuple(blocks), confirmed=False, created_at=now,
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
        return Digest(subscriber, subject, news, changes, events, text, html, token)

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
        day = format_date(now.astimezone(self._tz).date(), subscriber.lang)
        subject = f"【お知らせまとめ】{day}" if subscriber.lang == "ja" else f"Network digest — {day}"
        text = self._text(subscriber, news, changes, events)
        return subject, news, changes, events, text, self._html(subscriber, news, changes, events)

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

    def _event_line(self, event: Event, lang: str) -> str:
        when = format_span(event.starts_at, event.ends_at, "ja" if lang == "ja" else "en", self._tz)
        where = event.venue.description if event.venue and event.venue.description else ""
        return f"・{event.title}　{when}" + (f"　{where}" if where else "")

    def _change_line(self, change: EventChange, language: str) -> str:
        lang: Literal["ja", "en"] = "ja" if language == "ja" else "en"
        before, current = change.before, self._events.get(change.event_id) or change.before
        was = format_span(before.starts_at, before.ends_at, lang, self._tz)
        now_on = format_span(current.starts_at, current.ends_at, lang, self._tz)
        old_venue = before.venue.description if before.venue and before.venue.description else "—"
        new_venue = current.venue.description if current.venue and current.venue.description else "—"
        if lang == "ja":
            if change.kind == "cancelled":
                return f"・【中止】{before.title}（{was}に予定していました）"
            if change.kind == "moved":
                return f"・【日程変更】{current.title}　{now_on}（変更前：{was}）"
            return f"・【会場変更】{current.title}　{now_on}　{new_venue}（変更前：{old_venue}）"
        title = current.title_en or current.title
        if change.kind == "cancelled":
            return f"・Cancelled: {title} (was {was})"
        if change.kind == "moved":
            return f"・Moved: {title} — now {now_on} (was {was})"
        return f"・New venue: {title} — {now_on}, {new_venue} (was {old_venue})"

    def _text(
        self, subscriber: Subscriber, news: Sequence[Announcement], changes: Sequence[EventChange],
        events: Sequence[Event],
    ) -> str:  # fmt: skip
        ja = subscriber.lang == "ja"
        lines: list[str] = []
        if news:
            lines.append("■ 新しいお知らせ" if ja else "■ New announcements")
            for a in news:
                lines += ["", f"◆ {a.subject}", *([f"{self._pages}/announcements/{a.id}"] if self._pages else []),
                          a.body.strip()]  # fmt: skip
        if changes:
            lines += ["", "■ 変更・中止になった予定" if ja else "■ Changed or cancelled meetings"]
            lines += [self._change_line(c, subscriber.lang) for c in changes]
        if events:
            lines += [
                "",
                "■ 今後の予定" if ja else "■ Coming up",
                *(self._event_line(e, subscriber.lang) for e in events),
            ]
        lines += ["", _FOOTER_JA if ja else _FOOTER_EN]
        return "\n".join(lines).strip() + "\n"

    def _html(
        self, subscriber: Subscriber, news: Sequence[Announcement], changes: Sequence[EventChange],
        events: Sequence[Event],
    ) -> str:  # fmt: skip
        ja = subscriber.lang == "ja"
        parts = [f'<html lang="{subscriber.lang}"><body>']
        if news:
            parts.append(f"<h2>{'新しいお知らせ' if ja else 'New announcements'}</h2>")
            for a in news:
                body = escape(a.body.strip()).replace("\n", "<br>\n")
                title = escape(a.subject)
                if self._pages:
                    title = f'<a href="{escape(self._pages)}/announcements/{escape(a.id)}">{title}</a>'
                parts.append(f"<h3>{title}</h3><p>{body}</p>")
        if changes:
            parts.append(f"<h2>{'変更・中止になった予定' if ja else 'Changed or cancelled meetings'}</h2><ul>")
            parts += [f"<li>{escape(self._change_line(c, subscriber.lang)[1:])}</li>" for c in changes]
            parts.append("</ul>")
        if events:
            parts.append(f"<h2>{'今後の予定' if ja else 'Coming up'}</h2><ul>")
            parts += [f"<li>{escape(self._event_line(e, subscriber.lang)[1:])}</li>" for e in events]
            parts.append("</ul>")
        parts.append("</body></html>")
        return "\n".join(parts)
