"""Answers about meetings and trainings: what is coming, what was cancelled or moved, and what was held.

A cancelled meeting is said to be cancelled, not left out; a moved one says from when; a question that
points back (「前回の…はどこでしたか」, "where was the last …") is answered from the meetings held.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.dates import format_date, format_datetime, format_span
from handlers.messages import Reply
from handlers.texts import say

if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from handlers.answering import Understanding
    from handlers.messages import Lang
    from handlers.periods import Period
    from handlers.ports import EventRepository, KnowledgeRepository
    from storage.records import Block, Event, EventKind

__all__ = ["EventAnswers", "block_name"]

_NEXT = re.compile(r"次の|次回|今度の|直近|一番近い|\bnext\b|\bsoonest\b|\bupcoming one\b")
# A question about what was: 「前回の」「先月の」, "where was the last …". Not 「…でしたっけ」 alone: Japanese
# asks about what is coming that way too (「来週でしたっけ」).
_BACK = re.compile(
    r"前回|この前の|先日の|先月|先週|去年|昨年|前年度|\b(when|where) (was|were|did)\b|\bprevious\b"
    r"|\blast (block )?(meeting|training|one)\b|\bpast (meeting|training)|\b(was|were) held\b"
    r"|\blast (month|week|year)\b|(?:直近|最近|この間|もう)[^。？?]*(?:でしたか|ましたか|ました[?？]|終わ)"
    r"|\balready (met|held|took place)\b|\bdid\b[^?]*\balready\b"
)
# With a month named (「11月の会議はどこでしたか」 asked in December), the past tense points back.
_PAST_TENSE = re.compile(
    r"でしたか|でしたっけ|ましたか|ましたっけ|ました[?？]|だった|にあった|であった|終わりました|終わった"
    r"|\b(when|where) (was|were|did)\b|\bwas held\b|\bdid\b[^?]*\b(meet|hold|take place)\b"
)
# Whether a meeting is still on (a question about the cancelled one): then say what comes instead.
_STILL_ON = re.compile(r"予定どおり|予定通り|開催されますか|やりますか|中止|延期|\bstill\b|\bhappening\b")
_DEADLINE = re.compile(r"締切|締め切|〆切|申込|申し込|\bdeadline\b|\bregist")
_AHEAD = re.compile(r"来週|来月|来年|次|今度|これから|\b(next|coming|upcoming|will)\b")
_MAX_LISTED = 5
_MAX_ALL = 20  # when the whole list is asked for (全部, 一覧, "all"), or all in a time ("this winter", 今年度中)
_COUNTED = 50  # past the list, this many more are counted (the rest is "50+")
_ALL = re.compile(r"全部|全て|すべて|一覧|いちらん|リスト|\ball\b|\bevery\b|\blist\b")
_CANCELLED_AHEAD = timedelta(days=183)  # with no period named, cancellations this far ahead are told


def block_name(block: Block | None, lang: Lang) -> str:
    if block is None:
        return ""
    return block.name if lang == "ja" else block.name_en


class EventAnswers:
    """The meetings part of answering, over the event repository."""

    def __init__(self, events: EventRepository, knowledge: KnowledgeRepository, tz: tzinfo, pages: str = "") -> None:
        self._events = events
        self._pages = pages  # the public pages' address: answers offer the calendar there
        self._knowledge = knowledge
        self._tz = tz

    def _block(self, key: str | None) -> Block | None:
        return next((b for b in self._knowledge.blocks() if b.key == key), None) if key else None

    def reply(self, u: Understanding, now: datetime, kind: EventKind) -> Reply:
        block = self._block(u.block)
        blocks: set[str | None] | None = None
        if block:
            blocks = {block.key, None} if kind == "training" else {block.key}
        if self._points_back(u, now):
            return self._past_reply(u, now, kind, block, blocks)
        lang = u.lang
        after = now if u.period is None else max(now, u.period.start)
        until = u.period.end if u.period else None
        next_only = u.period is None and _NEXT.search(u.folded) is not None
        everything = _ALL.search(u.folded) is not None
        limit = (1 if block else 3) if next_only else _MAX_ALL if everything or u.period else _MAX_LISTED
        # One more than shown says whether the list is cut; only then are the rest counted (from the index).
        found = self._events.upcoming(after=after, until=until, kind=kind, blocks=blocks, limit=limit + 1)
        shown = found[:limit]
        cut = len(found) > limit
        # A cancellation is told when the question names its block or its time: up to the last meeting
        # shown, or the period's end (a listing of everything ahead leaves cancelled meetings out).
        cancelled: list[Event] = []
        if block or u.period:
            horizon = shown[-1].starts_at if shown and cut else until or after + _CANCELLED_AHEAD
            cancelled = self._events.cancelled(after=after, until=horizon, kind=kind, blocks=blocks, limit=3)
        if next_only and shown:
            cancelled = [c for c in cancelled if c.starts_at <= shown[0].starts_at]
        scope = self._scope(u, block)
        kind_name = say(f"kind.{kind}", lang)
        lines: list[str] = []
        if u.place and block and u.place.kind != "block":
            written = u.folded[u.place.start : u.place.end]
            # In English the place as the asker wrote it ("Sapporo"), never the Japanese name in an English line.
            place = written.title() if lang == "en" and written.isascii() and written else u.place.name
            if lang == "ja" or place.isascii():
                lines.append(say("events.via", lang, place=place, block=block_name(block, lang)))
        lines.extend(self._cancelled_line(event, lang) for event in cancelled)
        if not shown and cancelled and block and _STILL_ON.search(u.folded):
            # Only a cancelled meeting in that time: say what comes instead, after it.
            instead = self._events.upcoming(after=until or after, kind=kind, blocks=blocks, limit=1)
            if instead:
                beyond = self._scope(dataclasses.replace(u, period=None), block)  # the block, beyond the time asked
                lines.append(say("events.instead", lang, scope=beyond, kind=kind_name))
                lines.append(self.event_lines(instead[0], lang, now))
                return self._with_link(Reply("\n".join(lines), lang, u.intent, u.block, tuple(instead)), lang)
        if not shown:
            # 「近畿ブロックで予定されている…」, not 「近畿ブロックの予定されている…」
            where = scope[:-1] + "で" if lang == "ja" and scope.endswith("の") else scope
            lines.append(say("events.none", lang, scope=where, kind=kind_name))
            network = self._knowledge.network()
            if network and u.period is None:
                lines.append(network.meetings_note if lang == "ja" else network.meetings_note_en)
            lines.append(say("events.will_announce", lang))
        else:
            header = "events.header.next" if next_only else "events.header"
            if next_only and len(shown) == 1:
                header, kind_name = "events.header.next.one", say(f"kind.{kind}", lang)
            one = say(f"kind1.{kind}", lang)
            lines.append(say(header, lang, scope=scope, kind=kind_name, one=one))
            lines.extend(self.event_lines(event, lang, now) for event in shown)
            if cut and not next_only:
                total = self._events.count_upcoming(
                    after=after, until=until, kind=kind, blocks=blocks, limit=limit + _COUNTED
                )
                more = total - limit
                # Past a whole list, "ask for all of them" would show the same: say where the rest is.
                key = "events.more_count.all" if limit == _MAX_ALL else "events.more_count"
                lines.append(say(key, lang, count=f"{more}+" if more >= _COUNTED else more))
            elif not block and next_only:
                lines.append(say("events.national_hint", lang))
        return self._with_link(Reply("\n".join(lines), lang, u.intent, u.block, tuple(shown)), lang)

    def _with_link(self, reply: Reply, lang: Lang) -> Reply:
        """The answer, offering the calendar page where there is one."""
        if not self._pages:
            return reply
        page = f"{self._pages}/" + ("?lang=en" if lang == "en" else "")
        return dataclasses.replace(reply, text=f"{reply.text}\n{say('events.calendar_link', lang, url=page)}")

    @staticmethod
    def _points_back(u: Understanding, now: datetime) -> bool:
        if _DEADLINE.search(u.folded):
            return False  # 「もう締切過ぎちゃいました？」 is about a meeting still coming
        if u.period is not None and u.period.end <= now:
            return True  # 先月, last year: a period gone by
        if u.period is not None:
            return _PAST_TENSE.search(u.folded) is not None and not _AHEAD.search(u.folded)
        return _BACK.search(u.folded) is not None

    def _past_reply(
        self, u: Understanding, now: datetime, kind: EventKind, block: Block | None, blocks: set[str | None] | None
    ) -> Reply:
        lang = u.lang
        period = _back_in_time(u.period, now)
        before = min(now, period.end) if period else now
        limit = _MAX_LISTED if period else 1
        held = self._events.past(before=before, since=period.start if period else None, kind=kind, blocks=blocks,
                                 limit=limit)  # fmt: skip
        cancelled = []
        if period:
            cancelled = self._events.cancelled(after=period.start, until=before, kind=kind, blocks=blocks, limit=3)
        scope = self._scope(dataclasses.replace(u, period=period), block)
        kind_name = say(f"kind.{kind}", lang)
        lines = [self._cancelled_line(event, lang) for event in cancelled]
        if not held:
            lines.append(say("events.none.past.period" if period else "events.none.past", lang, scope=scope,
                             kind=kind_name))  # fmt: skip
            coming = self._events.upcoming(after=now, kind=kind, blocks=blocks, limit=1) if block else []
            if coming:  # 「おととい九州ブロック会議ありましたっけ？」: none then, so when the block meets next
                beyond = self._scope(dataclasses.replace(u, period=None), block)
                lines.append(say("events.next_instead", lang, scope=beyond, one=say(f"kind1.{kind}", lang)))
                lines.append(self.event_lines(coming[0], lang, now))
                return Reply("\n".join(lines), lang, u.intent, u.block, tuple(coming))
        else:
            lines.append(say("events.header.past" if period else "events.header.last", lang, scope=scope,
                             kind=kind_name))  # fmt: skip
            lines.extend(self.event_lines(event, lang, now) for event in held)
        return Reply("\n".join(lines), lang, u.intent, u.block, tuple(held))

    def _scope(self, u: Understanding, block: Block | None) -> str:
        lang = u.lang
        if block and u.period:
            label = u.period.label_ja if lang == "ja" else u.period.label_en
            return say("events.scope.both", lang, block=block_name(block, lang), period=label)
        if block:
            return say("events.scope.block", lang, block=block_name(block, lang))
        if u.period:
            return say("events.scope.period", lang, period=u.period.label_ja if lang == "ja" else u.period.label_en)
        return ""

    def _cancelled_line(self, event: Event, lang: Lang) -> str:
        title = event.title_en if lang == "en" and event.title_en else event.title
        day = format_date(event.starts_at.astimezone(self._tz).date(), lang)
        where = event.venue.description or event.venue.address if event.venue else None
        place = (f"（{where}）" if lang == "ja" else f" ({where})") if where else ""
        return say("event.cancelled", lang, day=day, title=title, place=place)

    def event_lines(self, event: Event, lang: Lang, now: datetime) -> str:
        title = event.title_en if lang == "en" and event.title_en else event.title
        bullet, indent = ("■ ", "　") if lang == "ja" else ("• ", "  ")
        block = self._block(event.block)
        label = block_name(block, lang) if block else say("event.national", lang)
        lines = [f"{bullet}{title}" + (f"（{label}）" if lang == "ja" and not block else "")]
        if event.starts_at <= now < event.assumed_end:
            lines[0] += say("event.in_progress", lang)
        if lang == "en" and title == event.title:
            lines[0] += f" [{label}]"
        lines.append(indent + say("event.when", lang, when=format_span(event.starts_at, event.ends_at, lang, self._tz)))
        moved = self._events.last_move(event.id)
        if moved is not None and moved.before.starts_at.date() != event.starts_at.date() and event.assumed_end > now:
            before = format_date(moved.before.starts_at.astimezone(self._tz).date(), lang)
            lines.append(indent + say("event.moved_from", lang, day=before))
        venue = event.venue
        if venue and (venue.description or venue.address):
            where = venue.description or ""
            if venue.address:
                where = (
                    f"{where}（{venue.address}）"
                    if where and lang == "ja"
                    else f"{where} ({venue.address})"
                    if where
                    else venue.address
                )
            lines.append(indent + say("event.where", lang, where=where))
        if venue and venue.online_url and event.assumed_end > now:
            lines.append(indent + say("event.online", lang, url=venue.online_url))
        if event.assumed_end <= now:
            return "\n".join(lines)  # held: registration is over
        if event.registration_url:
            lines.append(indent + say("event.register", lang, url=event.registration_url))
        if event.registration_deadline:
            key = "event.deadline_passed" if event.registration_deadline < now else "event.deadline"
            lines.append(indent + say(key, lang, when=format_datetime(event.registration_deadline, lang, self._tz)))
        return "\n".join(lines)


def _back_in_time(period: Period | None, now: datetime) -> Period | None:
    """A period asked about in the past tense: 「11月の…でしたか」 in December is the November gone by, and
    "this year" (the rest of it, when asked about what is coming) is the whole year."""
    if period is None:
        return None
    if period.start.date() == now.date() and period.end > now:
        start = period.start.replace(month=1, day=1)
        return dataclasses.replace(period, start=start, label_ja=f"{start.year}年", label_en=str(start.year))
    if period.start < now:
        return period
    length = period.end - period.start
    shifted = period.start.replace(year=period.start.year - 1)
    label_ja = period.label_ja.replace(str(period.start.year), str(shifted.year), 1)
    label_en = period.label_en.replace(str(period.start.year), str(shifted.year), 1)
    return dataclasses.replace(period, start=shifted, end=shifted + length, label_ja=label_ja, label_en=label_en)
