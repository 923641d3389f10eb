"""Which of the nine intents a question has: a weighted lexicon over the folded text.

Japanese cues are substrings and short patterns (written here in natural form and folded like the
question, so カタカナ and ｶﾀｶﾅ match alike); English cues are words, matched with a one-slip typo
allowance. Each cue adds its weight to its intent; the FAQ's own keywords add a little more, so the
secretariat teaches the bot new phrasings by editing the data, not the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.text import Vocabulary, fold, fold_pattern, words

if TYPE_CHECKING:
    from collections.abc import Iterable

    from handlers.messages import Intent
    from storage.records import FaqEntry

__all__ = ["FaqMatcher", "IntentScores", "classify", "strip_network_name"]

STRONG, MEDIUM, WEAK = 3.0, 2.0, 1.0
# When two intents score the same, the more specific one wins.
_PRIORITY: tuple[Intent, ...] = (
    "trainings", "officers", "subscribe", "contact", "join", "about", "meetings", "help",
)  # fmt: skip

_JA: dict[Intent, tuple[tuple[str, float], ...]] = {
    "join": (
        ("入会", STRONG),
        ("加入", STRONG),
        ("加盟", STRONG),
        ("にゅうかい", STRONG),
        ("入怪", MEDIUM),
        (r"会員に(な|登録)", STRONG),
        (r"めんばーに", MEDIUM),
        ("仲間入り", MEDIUM),
        ("入りたい", MEDIUM),
        (r"(ねっとわーく|会)に(入|はい)", MEDIUM),
        (r"入れ(ます|る|ま)", WEAK),
        ("申込書", MEDIUM),
        ("申し込み書", MEDIUM),
        ("会費", STRONG),
        ("入会金", STRONG),
        (r"参加(したい|できますか|できる|方法|するには)", WEAK),
        ("会員", WEAK),
        ("押印", MEDIUM),
        ("会則", MEDIUM),
        ("退会", MEDIUM),
    ),
    "meetings": (
        ("ぶろっく会議", STRONG),
        ("会議", MEDIUM),
        ("会義", MEDIUM),
        ("例会", MEDIUM),
        ("円卓", MEDIUM),
        ("集まり", MEDIUM),
    ),
    "trainings": (
        ("研修", STRONG),
        ("けんしゅう", STRONG),
        ("研集", STRONG),
        ("件修", STRONG),
        ("研習", STRONG),
        ("勉強会", STRONG),
        ("せみなー", STRONG),
        ("講座", STRONG),
        ("講習", STRONG),
        ("わーくしょっぷ", STRONG),
        ("学習会", STRONG),
        ("学び合い", MEDIUM),
        ("講演", MEDIUM),
        ("ふぉーらむ", MEDIUM),
        ("しんぽじうむ", MEDIUM),
    ),
    "officers": (
        ("役員", STRONG),
        ("副代表", STRONG),
        ("代表", STRONG),
        ("参与", STRONG),
        ("幹事", STRONG),
        ("会長", STRONG),
        ("りーだー", MEDIUM),
        ("責任者", MEDIUM),
        ("とっぷ", MEDIUM),
        ("誰が", MEDIUM),
        ("だれが", MEDIUM),
        ("誰", WEAK),
        ("だれ", WEAK),
        ("どなた", WEAK),
        ("体制", MEDIUM),
        ("市長", MEDIUM),
    ),
    "about": (
        ("概要", STRONG),
        (r"(どんな|どのような|どういう|どういった|何の|なんの)(団体|組織|会|集まり|ねっとわーく)", STRONG),
        (r"いつ(頃|ごろ)?(でき|設立|発足|始ま|から(ある|あり))", STRONG),
        ("目的", MEDIUM),
        ("とは", MEDIUM),
        ("って何", MEDIUM),
        ("ってなに", MEDIUM),
        ("設立", STRONG),
        ("経緯", STRONG),
        ("歴史", STRONG),
        ("発足", STRONG),
        ("発起人", STRONG),
        ("活動方針", STRONG),
        ("方針", MEDIUM),
        ("活動内容", STRONG),
        ("何をして", MEDIUM),
        ("何して", MEDIUM),
        ("小規模多機能自治", MEDIUM),
        ("地域運営組織", STRONG),
        ("会員数", STRONG),
        ("何団体", STRONG),
        ("何自治体", STRONG),
        ("いくつの", WEAK),
        ("法人格", STRONG),
        ("報告書", STRONG),
        ("どのぶろっく", STRONG),
        ("何ぶろっく", STRONG),
        ("なにぶろっく", STRONG),
        ("どこのぶろっく", STRONG),
        ("どのぶろつく", STRONG),
        ("所属", MEDIUM),
        ("属して", MEDIUM),
        ("ねっとわーくについて", STRONG),
        ("rmo", MEDIUM),
        ("どんな活動", STRONG),
        ("何する", MEDIUM),
    ),
    "contact": (
        ("連絡先", STRONG),
        ("問い合わせ", STRONG),
        ("問合せ", STRONG),
        ("問い合せ", STRONG),
        ("といあわせ", STRONG),
        ("事務局", MEDIUM),
        ("電話", STRONG),
        ("住所", STRONG),
        ("めーるあどれす", MEDIUM),
        ("連絡", MEDIUM),
        ("ふぇいすぶっく", STRONG),
        ("facebook", STRONG),
        ("ほーむぺーじ", STRONG),
        ("ういぶさいと", STRONG),
        ("うぇぶさいと", STRONG),
        ("sns", MEDIUM),
        (r"\bhp\b", MEDIUM),
        ("送付先", MEDIUM),
        ("郵送先", MEDIUM),
    ),
    "subscribe": (
        ("購読", STRONG),
        ("配信", STRONG),
        ("だいじぇすと", STRONG),
        ("めるまが", STRONG),
        ("通知", MEDIUM),
        (r"めーる.{0,8}(受け取|受取|うけと|届|もらい|もらえ|欲しい|ほしい|知り)", STRONG),
        (r"(お知らせ|情報).{0,6}(受け取|受取|届|もらい|もらえ)", MEDIUM),
        (r"(毎週|毎日|定期的に).{0,12}めーる|めーる.{0,12}(毎週|毎日|定期的に)", STRONG),
        ("登録解除", STRONG),
        ("配信停止", STRONG),
        ("解除", MEDIUM),
        ("まとめめーる", STRONG),
        ("めーりんぐりすと", MEDIUM),
        ("subscribe", STRONG),
        ("登録", WEAK),
    ),
    "help": (
        ("へるぷ", STRONG),
        ("使い方", STRONG),
        ("つかいかた", STRONG),
        ("何ができ", STRONG),
        (r"どんな(質問|こと)(に|を|が)?(答え|聞け|きけ|教えて)", STRONG),
        (r"(質問|何)(に|を)?(答えて|答えられ|こたえ)", MEDIUM),
        ("なにができ", STRONG),
        ("できること", STRONG),
        ("何を聞け", STRONG),
        ("何が聞け", STRONG),
        ("こまんど", STRONG),
        ("機能", MEDIUM),
        (r"(ぼっと|\bbot\b|あなた|君)(って|は|で|に)", MEDIUM),
        (r"^(こんにちは|こんばんは|おはよう(ございます)?|はじめまして)[!。?]*$", MEDIUM),
    ),
}

# Cues that a question is about some event, without saying which kind: they go to trainings when
# the question names a training, to meetings otherwise.
_EVENT_CUES: tuple[tuple[str, float], ...] = (
    ("開催", MEDIUM),
    ("日程", MEDIUM),
    ("予定", WEAK),
    ("すけじゅーる", WEAK),
    ("いつ", WEAK),
    ("何時", WEAK),
    ("どこで", WEAK),
    ("場所", WEAK),
    ("会場", MEDIUM),
    ("次回", MEDIUM),
    ("次の", WEAK),
    ("今度の", WEAK),
    ("いべんと", WEAK),
    ("催し", WEAK),
    ("締切", WEAK),
    ("締め切り", WEAK),
    ("〆切", WEAK),
    ("申込", WEAK),
    ("申し込", WEAK),
    ("ある[?かの]", WEAK),
    ("あります", WEAK),
    ("やる", WEAK),
    ("おんらいん", WEAK),
    ("ずーむ", WEAK),
    ("zoom", WEAK),
    ("参加", WEAK),
    (r"\bwhen\b", WEAK),
    (r"\bwhere\b", WEAK),
    (r"\bnext\b", WEAK),
    (r"\bupcoming\b", MEDIUM),
    (r"\bschedule[sd]?\b", MEDIUM),
    (r"\bvenue\b", MEDIUM),
    (r"\bdeadline\b", WEAK),
    (r"\bregist(er|ration)\b", WEAK),
    (r"\bany\b", WEAK),
    (r"\bheld\b", MEDIUM),
    (r"\bevents?\b", MEDIUM),
    (r"\bcalendar\b", MEDIUM),
    (r"\bonline\b", WEAK),
    (r"\bhappening\b", MEDIUM),
    (r"\bdates?\b", WEAK),
    (r"\battend\b", WEAK),
)

_EN_PHRASES: dict[Intent, tuple[tuple[str, float], ...]] = {
    "join": (
        (r"\bjoin(ing)?\b", STRONG),
        (r"\bbecome (a )?members?\b", STRONG),
        (r"\bsign(ing)? up\b", MEDIUM),
        (r"\bapply\b", MEDIUM),
        (r"\bapplication form\b", MEDIUM),
        (r"\bmembership\b", STRONG),
        (r"\bfees?\b", STRONG),
        (r"\bdues\b", STRONG),
        (r"\bcan (we|i|our \w+) be\b", WEAK),
        (r"\benrol", MEDIUM),
        (r"\bmember\b", WEAK),
        (r"\bleave the network\b", MEDIUM),
    ),
    "meetings": ((r"\bblock meetings?\b", STRONG), (r"\b(meet|meets|get together|gather)\b", MEDIUM)),
    "trainings": (),
    "officers": (
        (r"\bwho (is|are|runs|leads|heads|chairs)\b", MEDIUM),
        (r"\bvice\b", STRONG),
        (r"\bin charge\b", MEDIUM),
        (r"\bblock secretar(y|ies)\b", STRONG),
        (r"\bmayor\b", MEDIUM),
        (r"\bboard\b", MEDIUM),
    ),
    "about": (
        (r"\bwhat (is|are|does) (this|the|your) (network|group|organi[sz]ation|conference)\b", STRONG),
        (r"\babout (the|this) (network|group|organi[sz]ation)\b", STRONG),
        (r"\bwhat is\b", MEDIUM),
        (r"\b(what|which) (kind|sort|type) of (group|organi[sz]ation|network|body)\b", STRONG),
        (r"\b(this|the|your) network\b", WEAK),
        (r"\bwhat does\b", WEAK),
        (r"\btell me about\b", MEDIUM),
        (r"\bhow many (members|municipalities|cities)\b", STRONG),
        (r"\bwhich block\b", STRONG),
        (r"\bwhat block\b", STRONG),
        (r"\bwhen was\b", MEDIUM),
        (r"\bsmall[- ]scale\b", STRONG),
        (r"\bmulti[- ]functional\b", STRONG),
        (r"\bself[- ]governance\b", MEDIUM),
        (r"\blegal (status|person|entity)\b", STRONG),
        (r"\bwhat do you do\b", MEDIUM),
        (r"\bwho founded\b", STRONG),
        (r"\bbelongs? to\b", MEDIUM),
        (r"\bpart of\b", WEAK),
        (r"\bwhy\b", WEAK),
    ),
    "contact": (
        (r"\bcontact\b", STRONG),
        (r"\bget in touch\b", STRONG),
        (r"\breach (the|you)\b", MEDIUM),
        (r"\bphone( number)?\b", STRONG),
        (r"\bemail address\b", MEDIUM),
        (r"\bpostal address\b", STRONG),
        (r"\bmailing address\b", STRONG),
        (r"\bfacebook\b", STRONG),
        (r"\bweb ?site\b", STRONG),
        (r"\bhome ?page\b", STRONG),
        (r"\bwho (do|should) i (ask|contact|talk)\b", STRONG),
    ),
    "subscribe": (
        (r"\b(un)?subscri", STRONG),
        (r"\bdigests?\b", STRONG),
        (r"\bnewsletters?\b", STRONG),
        (r"\bmailing list\b", MEDIUM),
        (r"\bopt[- ]?out\b", STRONG),
        (r"\bstop (the )?(e-?mails?|mails?)\b", STRONG),
        (r"\b(updates|news|notifications?|announcements?) by e-?mail\b", STRONG),
        (r"\bby e-?mail\b", MEDIUM),
        (r"\be-?mail (updates|notifications?|alerts?|summary|summaries)\b", STRONG),
        (r"\b(daily|weekly) (e-?mails?|summary|summaries|digest|updates?|news)\b", STRONG),
        (r"\bnotif", MEDIUM),
    ),
    "help": (
        (r"\bhelp\b", STRONG),
        (r"\bwhat can (you|i|this bot)\b", STRONG),
        (r"\bhow (do|can) i use\b", STRONG),
        (r"\bcommands?\b", STRONG),
        (r"\busage\b", MEDIUM),
        (r"^(hi|hello|hey|good (morning|afternoon|evening))[!. ]*$", MEDIUM),
        (r"\bwhat (do|can) you (know|answer)\b", STRONG),
        (r"\bwhat (kinds? of |sorts? of )?questions\b", STRONG),
        (r"\bquestions (do|can|will) you\b", STRONG),
        (r"\b(can|may) i ask\b", MEDIUM),
        (r"\bhow does this (bot )?work\b", STRONG),
    ),
}

# Single English words, matched with a typo allowance ("meetng", "trainning", "offcers").
_EN_WORDS: dict[Intent, tuple[tuple[str, float], ...]] = {
    "join": (("membership", STRONG),),
    "meetings": (("meeting", STRONG), ("gathering", MEDIUM), ("roundtable", MEDIUM), ("conference", WEAK)),
    "trainings": (
        ("training", STRONG),
        ("seminar", STRONG),
        ("workshop", STRONG),
        ("lecture", STRONG),
        ("webinar", STRONG),
        ("course", MEDIUM),
        ("study", WEAK),
        ("learning", MEDIUM),
    ),
    "officers": (
        ("officer", STRONG),
        ("representative", STRONG),
        ("president", STRONG),
        ("chairperson", STRONG),
        ("chair", MEDIUM),
        ("adviser", STRONG),
        ("advisor", STRONG),
        ("secretary", STRONG),
        ("leader", MEDIUM),
        ("leadership", STRONG),
        ("executives", STRONG),
    ),
    "about": (
        ("purpose", STRONG),
        ("history", STRONG),
        ("founded", STRONG),
        ("established", STRONG),
        ("policy", STRONG),
        ("activities", MEDIUM),
        ("overview", STRONG),
        ("mission", STRONG),
        ("report", MEDIUM),
        ("goal", MEDIUM),
    ),
    "contact": (("secretariat", MEDIUM), ("telephone", STRONG), ("address", MEDIUM)),
    "subscribe": (("subscribe", STRONG), ("unsubscribe", STRONG), ("newsletter", STRONG), ("digest", STRONG)),
    "help": (),
}

# Words that carry no intent: particles, politeness, punctuation, and English function words.
_FILLER = re.compile(
    r"[\s\W\d_]|ぶろっく|block|ですか|でしょうか|ます|です|ください|下さい|教えて|おしえて|知りたい|なんか|何か|なにか"
    r"|どう|どこ|近く|周辺|あたり|付近|地域|方面|[のはでにがもをへとやかねよなっ]"
    r"|\b(?:any|anything|something|are|is|there|what|whats|what's|about|how|the|a|an|in|at|on|near|around|for|of|do|does"
    r"|you|we|i|have|has|coming|up|soon|please|tell|me|us|know|to|it|be|s|and|or|with|from|this|that|our|one|ones"
    r"|being|been|will|would|could|should|can|may|get|they|their|its|my|your|thanks|thank|hi|hello|going|on|area"
    r"|region|side|held|planned|scheduled)\b",
    re.UNICODE,
)
_RESIDUAL_LIMIT = 3
_NETWORK_NAME = re.compile(fold_pattern(r"(小規模多機能自治(推進)?)?ネットワーク会議"))


def _compile(
    table: dict[Intent, tuple[tuple[str, float], ...]],
) -> list[tuple[re.Pattern[str], Intent, float]]:
    return [(re.compile(fold_pattern(p)), intent, w) for intent, cues in table.items() for p, w in cues]


_PATTERNS = _compile(_JA) + _compile(_EN_PHRASES)
_EN_WORD_CUES: dict[str, list[tuple[Intent, float]]] = {}
for _intent, _cues in _EN_WORDS.items():
    for _word, _weight in _cues:
        _EN_WORD_CUES.setdefault(_word, []).append((_intent, _weight))
_EN_VOCABULARY = Vocabulary(_EN_WORD_CUES)
_EVENT_PATTERNS = [(re.compile(fold_pattern(p)), w) for p, w in _EVENT_CUES]
# Typos that would otherwise hide a cue.
_TYPOS = (
    (re.compile("ぶろつく|ぶろく(?=会議)"), "ぶろっく"),
    # A meeting room is a room: 「大会議室を予約したい」 and "book a meeting room" ask about no meeting.
    (re.compile(r"会議室|\b(meeting|conference) rooms?\b"), " room "),
)


@dataclass(frozen=True, slots=True)
class IntentScores:
    """The winning intent, its score, and every intent's score (for the unanswered report)."""

    intent: Intent
    score: float
    scores: dict[Intent, float]

    @property
    def runner_up(self) -> Intent | None:
        ranked = sorted((s, i) for i, s in self.scores.items() if i != self.intent and s > 0)
        return ranked[-1][1] if ranked else None


def strip_network_name(folded: str) -> str:
    """「…ネットワーク会議」 is the network's name, not a meeting: drop 会議 from it (and mend typos)."""
    for pattern, replacement in _TYPOS:
        folded = pattern.sub(replacement, folded)
    return _NETWORK_NAME.sub("ねっとわーく", folded)


class FaqMatcher:
    """The FAQ's keywords, folded and indexed once: which entries a question mentions."""

    def __init__(self, faq: Iterable[FaqEntry]) -> None:
        self.entries = tuple(faq)
        self._substrings: list[list[str]] = []
        self._phrases: list[re.Pattern[str] | None] = []
        self._words: list[set[str]] = []
        for entry in self.entries:
            keys = [key for key in (fold(k) for k in entry.keywords) if key]
            self._substrings.append([k for k in keys if not k.isascii()])
            phrases = [k for k in keys if k.isascii() and " " in k]
            self._phrases.append(
                re.compile("|".join(rf"(?<![a-z]){re.escape(k)}(?![a-z])" for k in phrases)) if phrases else None
            )
            self._words.append({k for k in keys if k.isascii() and " " not in k})
        self._vocabulary = Vocabulary(set().union(*self._words))

    def hits(self, text: str, tokens: Iterable[str]) -> list[int]:
        """For each entry, how many of its keywords the (folded) question contains."""
        known = set().union(*(self._vocabulary.matches(t) for t in tokens)) if tokens else set()
        counts = []
        for substrings, phrases, word_set in zip(self._substrings, self._phrases, self._words, strict=True):
            count = sum(k in text for k in substrings) + len(word_set & known)
            if phrases is not None:
                count += len(set(phrases.findall(text)))
            counts.append(count)
        return counts


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _residual(text: str) -> int:
    """How many letters of a question no cue, place, period or filler word explains."""
    return len(_FILLER.sub("", text))


def classify(
    folded: str, faq: FaqMatcher, *, place: tuple[int, int] | None = None, period: tuple[int, int] | None = None
) -> IntentScores:
    """Score every intent for a folded question; `unknown` when nothing scores enough.

    `place` and `period` are where the question names a block or place and a time. Alone, or with
    little else, they ask "what is on there/then" (「近畿は？」, "Kyushu next month?"); with much
    else unexplained they do not (「大阪駅の近くで安いホテルある？」).
    """
    named = [span for span in (place, period) if span]
    text = strip_network_name(_blank(folded, named))
    explained: list[tuple[int, int]] = []
    scores: dict[Intent, float] = dict.fromkeys(_PRIORITY, 0.0)
    for pattern, intent, weight in _PATTERNS:
        found = [m.span() for m in pattern.finditer(text)]
        if found:
            scores[intent] += weight
            explained += found
    tokens = words(text)
    matched: set[str] = set()
    for token in tokens:
        known = _EN_VOCABULARY.matches(token)
        if known:
            matched |= known
            explained += [m.span() for m in re.finditer(rf"(?<![a-z]){re.escape(token)}(?![a-z])", text)]
    for word in matched:
        for intent, weight in _EN_WORD_CUES[word]:
            scores[intent] += weight
    for entry, count in zip(faq.entries, faq.hits(text, tokens), strict=True):
        if count and entry.intent in scores:
            scores[entry.intent] += MEDIUM
    specific = scores["meetings"] + scores["trainings"]
    event_kind: Intent = "trainings" if scores["trainings"] > scores["meetings"] else "meetings"
    event = 0.0
    for pattern, weight in _EVENT_PATTERNS:
        found = [m.span() for m in pattern.finditer(text)]
        if found:
            event += weight
            explained += found
    scores[event_kind] += event
    residual = _residual(_blank(text, explained))
    bare = bool(named) and residual == 0
    others = max(v for i, v in scores.items() if i not in {"meetings", "trainings"})
    if named and others < MEDIUM and (specific > 0 or (event > 0 and residual <= _RESIDUAL_LIMIT) or bare):
        scores[event_kind] += 1.5 * len(named)
    best = max(_PRIORITY, key=lambda i: (scores[i], -_PRIORITY.index(i)))
    if scores[best] < MEDIUM and not bare:
        return IntentScores("unknown", scores[best], scores)
    # "When and where?" words with much else unexplained and no meeting or training named are about
    # something else: 「来月の忘年会の会場どこがいい？」.
    if best in {"meetings", "trainings"} and specific == 0 and residual > _RESIDUAL_LIMIT:
        return IntentScores("unknown", scores[best], scores)
    return IntentScores(best, scores[best], scores)
