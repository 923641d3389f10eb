"""Answering members' questions: understand, look up, and say it in the language asked."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.city_answers import city_reply
from handlers.dates import format_date, format_span
from handlers.event_answers import EventAnswers, block_name
from handlers.followups import FollowUps
from handlers.intents import FaqMatcher, IntentScores, classify, strip_network_name
from handlers.messages import Incoming, Intent, Lang, Reply
from handlers.normalise import detect_language, fold, words
from handlers.periods import Period, find_period
from handlers.places import PlaceMatch, PlacesOf
from handlers.several import answer_each
from handlers.texts import say
from storage.records import Block, FaqEntry, NetworkInfo, Officer, UnansweredQuestion

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, tzinfo

    from handlers.ports import (
        Clock,
        ConversationRepository,
        EventRepository,
        KnowledgeRepository,
        UnansweredRepository,
    )

__all__ = [
    "CONTACT_FIELDS",
    "MAX_QUESTION_LENGTH",
    "PLACEHOLDERS",
    "Answerer",
    "Understanding",
    "clean_text",
    "fill_placeholders",
    "internal_error_reply",
]

_log = logging.getLogger(__name__)

CONTACT_FIELDS = (
    "application_form_url", "secretariat_name", "secretariat_address", "secretariat_email", "secretariat_phone",
    "facebook_url", "mailing_list", "website_url",
)  # fmt: skip
NETWORK_FIELDS = (
    "network_name", "network_name_en", "founded_ja", "founded_en", "founding_members", "founders", "founders_en",
    "policy_title", "policy_title_en", "policy", "policy_en", "channels", "channels_en",
)  # fmt: skip
# Every {placeholder} a FAQ answer may use; import refuses any other.
PLACEHOLDERS = CONTACT_FIELDS + NETWORK_FIELDS
_WHICH_BLOCK = re.compile(
    r"どの(ぶろっく|ぶろつく)|何(ぶろっく|ぶろつく)|なに(ぶろっく)|どこのぶろっく|所属|属して"
    r"|\b(which|what) block\b|\bbelongs? to\b|\bpart of\b"
)
_ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("副代表", re.compile(r"副代表|副会長|\bvice\b")),
    (
        "代表",
        re.compile(r"(?<!副)代表(?!的)|(?<!副)会長|とっぷ|\b(representative|president|chair(person)?|head|leader)\b"),
    ),
    ("参与", re.compile(r"参与|\badvi[sc]or|\badviser")),
    ("ブロック幹事", re.compile(r"幹事|\bsecretar(y|ies)\b")),
)
MAX_QUESTION_LENGTH = 2000
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A greeting alone gets a greeting and what the bot can do; before a question it is only a greeting.
_GREETING = re.compile(
    r"^(?:(?:こんにちは|こんにちわ|おはよう(?:ございます)?|こんばんは|はじめまして|お疲れ様です|おつかれさまです"
    r"|(?:どうぞ)?よろしく(?:お願い|おねがい)?(?:します|いたします)?|hello|hi|hey|good (?:morning|afternoon|evening))"
    r"(?:[!！。、,.\s]+|$))+"
)
_HAS_WORDS = re.compile(r"[^\W\d_]", re.UNICODE)
# A bare "thank you" needs a kind word back, not a place in the secretariat's unanswered report.
_THANKS = re.compile(
    r"^(?:(どうも)?(ありがと(う|ー)?(ございます|ございました)?|感謝(します|です)?|助かりました|了解(です|しました)?"
    r"|わかりました|承知しました|thanks?( you)?( so much| very much| a lot)?|thx|ty|ok(ay)?|got it|great)"
    r"[!.。!~ー、,\s]*)+$"
)


@dataclass(frozen=True, slots=True)
class Understanding:
    """What a question asks: intent, language, the block and period it names."""

    intent: Intent
    lang: Lang
    folded: str
    place: PlaceMatch | None
    period: Period | None
    scores: IntentScores

    @property
    def block(self) -> str | None:
        return self.place.block if self.place else None


def fill_placeholders(template: str, values: Mapping[str, str], blank: str) -> str:
    """Replace {name} in secretariat-written text; nothing else in it is interpreted. Two missing values side
    by side say so once (「送付先：未登録」, not 「未登録　未登録」)."""
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1)) or blank, template)
    for sep in ("　", " ", ", ", "、"):
        filled = filled.replace(f"{blank}{sep}{blank}", blank)
    return filled


def clean_text(text: str) -> str:
    """The text without control characters or unpaired surrogates (which cannot be stored)."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return _CONTROL.sub(" ", text)


class Answerer:
    """Turns an Incoming question into a Reply from the store. Platform-neutral and synchronous."""

    def __init__(
        self,
        knowledge: KnowledgeRepository,
        events: EventRepository,
        unanswered: UnansweredRepository,
        clock: Clock,
        tz: tzinfo,
        contact: Mapping[str, str] | None = None,
        pages: str = "",
        conversations: ConversationRepository | None = None,
    ) -> None:
        self._follow_ups = FollowUps(conversations)
        self._knowledge = knowledge
        self._events = events
        self._unanswered = unanswered
        self._clock = clock
        self._tz = tz
        self._contact = {k: v for k, v in (contact or {}).items() if v}
        self._places = PlacesOf(knowledge)
        self._matcher: FaqMatcher | None = None
        self._event_answers = EventAnswers(events, knowledge, tz, pages)

    # Understanding -------------------------------------------------------------------------------

    def _faq_matcher(self) -> FaqMatcher:
        faq = self._knowledge.faq()
        if self._matcher is None or self._matcher.entries is not faq:
            self._matcher = FaqMatcher(faq)
        return self._matcher

    def understand(self, text: str, now: datetime) -> Understanding:
        """Language, intent, block and period of one question."""
        lang = detect_language(text)
        folded = fold(text)
        place = self._places.finder().find(folded)
        period = find_period(folded, now.astimezone(self._tz))
        scores = classify(
            folded,
            self._faq_matcher(),
            place=(place.start, place.end) if place else None,
            period=period.span if period else None,
        )
        return Understanding(scores.intent, lang, folded, place, period, scores)

    # Answering ----------------------------------------------------------------------------------

    def answer(self, incoming: Incoming) -> Reply:
        """The reply to one question; an unknown one is recorded for the secretariat."""
        # A pasted 40,000-character message must not stall the bot: the question is at its start.
        text = clean_text(incoming.text)[:MAX_QUESTION_LENGTH]
        greeting = _GREETING.match(fold(text))
        if greeting is not None:
            rest = text[greeting.end() :].strip() if len(fold(text)) == len(text) else ""
            if not _HAS_WORDS.search(rest):
                return self._greeting_reply(incoming, text)
            text = rest  # 「おはようございます！東海ブロック会議の会場は？」: the question after the greeting
        now = self._clock.now()
        several = answer_each(
            text,
            lambda part: self._follow_ups.carry(incoming, self.understand(part, now), now),
            self._subject,
            lambda u: self._reply(incoming, u, now),
            self._places.finder(),
            fold,
        )
        reply = several or self._answer_one(incoming, text)
        self._follow_ups.keep(incoming, reply, self._clock.now())
        return reply

    def _greeting_reply(self, incoming: Incoming, text: str) -> Reply:
        lang = detect_language(text)
        help_text = self._answer_one(incoming, say("question.help", lang)).text
        return Reply(f"{say('greeting', lang)}\n{help_text}", lang, "help")

    def _subject(self, u: Understanding) -> tuple[str, ...] | None:
        """What one part of a message asks, as `_reply` will answer it (for `answer_each`): None when its
        answer is sure to be the unknown one; a city's part is its own subject (its answer may be about its
        role or membership), and a FAQ answer is the entry it picks."""
        if u.place is not None and u.place.kind == "city":
            return ("city", u.place.name, u.folded)
        if not _HAS_WORDS.search(u.folded) or (u.intent == "unknown" and _THANKS.match(u.folded)):
            return ("help", "")
        if u.intent == "unknown":
            return None
        if u.intent in {"meetings", "trainings", "officers"} or u.place is not None:
            return (u.intent, u.block or "")
        entry = self._pick_faq(u)
        return (u.intent, entry.question if entry else "")

    def _answer_one(self, incoming: Incoming, text: str) -> Reply:
        now = self._clock.now()
        return self._reply(incoming, self._follow_ups.carry(incoming, self.understand(text, now), now), now)

    def _reply(self, incoming: Incoming, u: Understanding, now: datetime) -> Reply:
        if not _HAS_WORDS.search(u.folded):
            return Reply(say("empty", u.lang), u.lang, "help")
        about_city = city_reply(u, self._knowledge, self._contact.get("secretariat_email", ""))
        if about_city is not None:
            return about_city
        match u.intent:
            case "meetings":
                return self._event_answers.reply(u, now, "block_meeting")
            case "trainings":
                return self._event_answers.reply(u, now, "training")
            case "officers":
                return self._officers_reply(u)
            case "about" if u.place and (u.place.kind != "block" or _WHICH_BLOCK.search(u.folded)):
                return self._block_reply(u, now)
            case "unknown" if _THANKS.match(u.folded):
                return Reply(say("thanks", u.lang), u.lang, "help")
            case "unknown":
                return self._unknown_reply(incoming, u, now)
            case _:
                return self._faq_reply(incoming, u)

    def _officers_reply(self, u: Understanding) -> Reply:
        lang = u.lang
        officers = self._knowledge.officers()
        if not officers:
            return Reply(say("officers.none", lang), lang, "officers", u.block)
        wanted = [role for role, cue in _ROLE_CUES if cue.search(u.folded)]
        block = self._block(u.block)
        if block and (not wanted or "ブロック幹事" in wanted):
            holder = next((o for o in officers if o.block == block.key), None)
            name = self._block_name(block, lang)
            holder_name = (
                (holder.holder if lang == "ja" else holder.holder_en or holder.holder)
                if holder
                else (
                    (block.secretary if lang == "ja" else block.secretary_en or block.secretary)
                    or say("not_registered", lang)
                )
            )
            return Reply(
                say("officers.block_secretary", lang, block=name, holder=holder_name),
                lang,
                "officers",
                block.key,
            )
        network = self._knowledge.network()
        lines = [say("officers.header", lang, network=self._network_name(network, lang))] if not wanted else []
        roles: dict[str, list[Officer]] = {}
        for officer in officers:
            roles.setdefault(officer.role, []).append(officer)
        sep = say("list.sep", lang)
        for role, holders in roles.items():
            if wanted and role not in wanted:
                continue
            role_name = role if lang == "ja" else holders[0].role_en or role
            if any(o.block for o in holders):
                lines.append(say("officers.block_secretaries", lang))
                for o in holders:
                    b = self._block(o.block)
                    name = self._block_name(b, lang) if b else o.block or ""
                    holder_name = o.holder if lang == "ja" else o.holder_en or o.holder
                    lines.append(
                        ("　" if lang == "ja" else "  ") + say("officers.block", lang, block=name, holder=holder_name)
                    )
            else:
                names = sep.join(o.holder if lang == "ja" else o.holder_en or o.holder for o in holders)
                lines.append(say("officers.role", lang, role=role_name, holders=names))
        return Reply("\n".join(lines), lang, "officers", u.block)

    def _block_reply(self, u: Understanding, now: datetime) -> Reply:
        lang = u.lang
        block = self._block(u.block)
        assert block is not None
        assert u.place is not None
        name = self._block_name(block, lang)
        prefectures = say("list.sep", lang).join(block.prefectures)
        secretary = (block.secretary if lang == "ja" else block.secretary_en) or say("not_registered", lang)
        key = "block.info.self" if u.place.kind == "block" else "block.info"
        lines = [say(key, lang, place=u.place.name, block=name, prefectures=prefectures, secretary=secretary)]
        upcoming = self._events.upcoming(after=now, kind="block_meeting", blocks={block.key}, limit=1)
        if upcoming:
            event = upcoming[0]
            when = format_span(event.starts_at, event.ends_at, lang, self._tz)
            title = event.title_en if lang == "en" and event.title_en else event.title
            lines.append(say("block.next_meeting", lang, block=name, title=title, when=when))
        return Reply("\n".join(lines), lang, "about", block.key, tuple(upcoming))

    def _faq_reply(self, incoming: Incoming, u: Understanding) -> Reply:
        lang = u.lang
        entry = self._pick_faq(u)
        if entry is None:
            return self._unknown_reply(incoming, u, self._clock.now())
        template = entry.answer if lang == "ja" else entry.answer_en
        text = fill_placeholders(template, self._placeholders(), say("not_registered", lang))
        return Reply(text, lang, u.intent, u.block)

    def _pick_faq(self, u: Understanding) -> FaqEntry | None:
        matcher = self._faq_matcher()
        text = strip_network_name(u.folded)
        all_hits = matcher.hits(text, words(text))
        candidates = [(e, h) for e, h in zip(matcher.entries, all_hits, strict=True) if e.intent == u.intent]
        if not candidates:
            return None
        # The first entry of an intent is its general answer, and its keywords are the intent's own
        # words (入会, join): they recognise the intent but must not outvote a specific entry.
        general, specific = candidates[0][0], candidates[1:]
        best = max(specific, key=lambda pair: pair[1], default=None)
        return best[0] if best and best[1] > 0 else general

    def _unknown_reply(self, incoming: Incoming, u: Understanding, now: datetime) -> Reply:
        guess = u.scores.runner_up if u.scores.score > 0 else None
        text = clean_text(incoming.text)[:MAX_QUESTION_LENGTH]
        try:
            self._unanswered.record(UnansweredQuestion(text, u.lang, now, incoming.platform, guess))
        except OSError as exc:
            _log.warning("could not record an unanswered question: %s", exc)
        email = self._contact.get("secretariat_email") or say("not_registered", u.lang)
        lines = [say("unknown", u.lang, secretariat_email=email)]
        block = self._block(u.block)
        if block is not None:  # 「明日の士別の天気は？」: not known, but what the bot can say about that block is
            lines.append(say("unknown.block", u.lang, block=self._block_name(block, u.lang)))
        return Reply("\n".join(lines), u.lang, "unknown", u.block)

    # Lookups ----------------------------------------------------------------------------------

    def _block(self, key: str | None) -> Block | None:
        if key is None:
            return None
        return next((b for b in self._knowledge.blocks() if b.key == key), None)

    @staticmethod
    def _block_name(block: Block | None, lang: Lang) -> str:
        return block_name(block, lang)

    @staticmethod
    def _network_name(network: NetworkInfo | None, lang: Lang) -> str:
        if network is None:
            return "ネットワーク" if lang == "ja" else "network"
        return network.name if lang == "ja" else network.name_en or network.name

    def _placeholders(self) -> dict[str, str]:
        values = dict(self._contact)
        network = self._knowledge.network()
        if network:
            values.update(_network_values(network))
        return values


def internal_error_reply(text: str) -> Reply:
    """What a member sees when answering failed: an apology, never a stack trace."""
    lang = detect_language(text)
    return Reply(say("internal_error", lang), lang, "unknown")


def _network_values(n: NetworkInfo) -> dict[str, str]:
    founded_en = f"{n.founded.day} {n.founded:%B %Y}"
    return {
        "network_name": n.name,
        "network_name_en": n.name_en or n.name,
        "founded_ja": n.founded_ja or format_date(n.founded, "ja"),
        "founded_en": founded_en,
        "founding_members": str(n.founding_members),
        "founders": "・".join(n.founders),
        "founders_en": ", ".join(n.founders_en),
        "policy_title": n.policy_title,
        "policy_title_en": n.policy_title_en,
        "policy": "\n".join(f"（{i}）{p}" for i, p in enumerate(n.policy, start=1)),
        "policy_en": "\n".join(f"({i}) {p}" for i, p in enumerate(n.policy_en, start=1)),
        "channels": "\n".join(f"・{c.name}（{c.timing}）：{c.content}" for c in n.channels),
        "channels_en": "\n".join(f"- {c.name_en} ({c.timing_en}): {c.content_en}" for c in n.channels),
    }
