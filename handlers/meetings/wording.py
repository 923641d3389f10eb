"""What a post is, from its words: an announcement, a change to one (moved, postponed, cancelled), or
something else (a report, a fee request, a newsletter, minutes, a reply); which kind of meeting; its title.

The patterns read text already passed through `when.tidy`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from storage.records import EventKind

__all__ = [
    "Change",
    "change_of",
    "is_announcing",
    "is_generic",
    "is_not_announcement",
    "is_reply",
    "is_report",
    "kind_of",
    "said_national",
    "title_from_body",
    "title_from_subject",
    "without_network_name",
]

Change = Literal["move", "cancel", "postpone"]

_REPLY = re.compile(r"^\s*(?:re|返信|ｒｅ)\s*(?:\[\d+\])?\s*[:：]", re.IGNORECASE)
# The network's own name ends in 会議: it is in every signature and says nothing about a meeting.
_NETWORK = re.compile(r"(?:小規模多機能自治推進)?ネットワーク会議|RMO\s*network", re.IGNORECASE)
_SUBJECT_CANCEL = re.compile(
    r"中止|取りやめ|取り止め|取止め|開催見合わせ|開催を見合わせ|cancel(?:l?ed|lation)?\b|called off", re.IGNORECASE
)
_SUBJECT_POSTPONE = re.compile(r"延期|postpone", re.IGNORECASE)
_SUBJECT_MOVE = re.compile(
    r"(?:日程|日時|開催日|期日|会場|開催場所|時間)(?:の|を)?(?:変更|訂正)|変更後|reschedul|date change"
    r"|change of (?:date|venue)|new date|new venue|\bmoved\b",
    re.IGNORECASE,
)
_SUBJECT_WEAK_CHANGE = re.compile(
    r"変更(?:のお知らせ|について|のご連絡|のご案内)|【変更】|\[変更\]|\bchange\b", re.IGNORECASE
)
_BODY_CANCEL = re.compile(
    r"中止(?:と|に)(?:なり|いた|致|させていただき|することと)|中止(?:します|いたします|致します|することとし|を決定)"
    r"|取りやめ(?:ます|ることと|といたします)|取り止め(?:ます|ることと)|見合わせ(?:ることと|ます|させて)"
    r"|(?:has|have) been cancel|is cancel|will not (?:take place|be held)",
    re.IGNORECASE,
)
_BODY_POSTPONE = re.compile(
    r"延期(?:と|に)(?:なり|いた|致|させていただき|することと)|延期(?:します|いたします|致します|することとし)"
    r"|(?:has|have) been postponed|will be postponed|is postponed",
    re.IGNORECASE,
)
_BODY_MOVE = re.compile(
    r"(?:日程|日時|開催日|期日|会場|開催場所|時間)(?:が|を|について(?:は)?)?[、,]?\s*(?:下記の(?:とおり|通り)|次の(?:とおり|通り)|以下の(?:とおり|通り))?\s*"
    r"変更(?:と|に)?(?:なり|いた|致|させていただき|することと|します|しました)"
    r"|(?:has|have) been (?:moved|rescheduled|changed)|will be (?:moved|rescheduled)",
    re.IGNORECASE,
)
_NOT_ANNOUNCEMENT_SUBJECT = re.compile(
    r"報告|御礼|お礼|議事録|議事要旨|会議録|記録|会費|納入|請求|振込|振り込み|会報|ニュースレター|news\s*letter|通信\s*(?:第|vol|no)"
    r"|メルマガ|メールマガジン|アンケート|調査|照会|名簿|規約|資料|送付|掲載|発行|退会|入会|年末年始|休業|移転|異動|着任"
    r"|退任|就任|人事|結果|採択|公募|助成|補助金|求人|事務局だより|だより|\breport\b|minutes|invoice|\bfees?\b|\bdues\b"
    r"|ありがとうございました|thank you|survey|questionnaire",
    re.IGNORECASE,
)
_REPORT_BODY = re.compile(
    r"開催(?:し|いたし|致し)ました|実施(?:し|いたし|致し)ました|終了(?:し|いたし|致し)ました|盛会のうちに|無事(?:に)?(?:終了|開催)"
    r"|ご参加(?:いただき|頂き)[、,]?(?:誠に|まことに)?(?:ありがとう|有難う)|ご参加(?:ありがとう|有難う)|開催報告|実施報告|ご報告"
    r"|(?:was|were) held|took place|thank you (?:for|all for) (?:joining|attending|participating|coming)",
    re.IGNORECASE,
)
_ANNOUNCING = re.compile(
    r"開催(?:します|いたします|致します|する運び|することと(?:なり|し)|予定です|を予定)|実施(?:します|いたします|致します)"
    r"|ご案内(?:いたします|致します|します|申し上げます)|参加(?:者)?を?募集|ご参加(?:ください|下さい|を(?:お待ち|お願い))"
    r"|お申し?込み(?:ください|下さい|の上)|参加申込|ご出席(?:ください|下さい|をお願い)|お集まりください"
    r"|will be held|will take place|invite you|join us|please register|register (?:by|at|here|online)|you are invited",
    re.IGNORECASE,
)
_TRAINING = re.compile(
    r"研修|セミナー|勉強会|講座|講演会|学習会|フォーラム|シンポジウム|ワークショップ|視察|交流会|意見交換会|大会|塾"
    r"|training|seminar|workshop|forum|symposium|webinar|lecture|study (?:tour|session)",
    re.IGNORECASE,
)
_BLOCK_MEETING = re.compile(
    r"ブロック\s*(?:別)?\s*(?:会議|会合|円卓会議|幹事会|連絡会|総会|大会)|円卓会議|block\s+meeting", re.IGNORECASE
)
_MEETING = re.compile(r"会議|会合|総会|幹事会|連絡会|meeting|assembly", re.IGNORECASE)
_NATIONAL = re.compile(r"全国|national(?:wide)?|all blocks|全ブロック", re.IGNORECASE)

_DECORATION = (
    r"ご?案内|お知らせ|再送|再掲|重要|至急|リマインド|要返信|要回答|締切延長|参加者?募集|募集|開催決定|開催|日程変更|日時変更"
    r"|会場変更|変更|中止|延期|訂正|修正|速報|告知|追加|第\d+報|お願い|再案内|拡散希望|転送歓迎|転送可|お誘い|予告"
    r"|reminder|notice|announcement|invitation|update|cancel(?:l?ed)?|postponed|rescheduled|save the date|info|fyi"
)
_TAG = re.compile(
    rf"^\s*(?:[【\[〔《<＜]\s*(?:{_DECORATION})[^】\]〕》>＞]{{0,12}}[】\]〕》>＞]|(?:fw|fwd|転送)\s*:)\s*",
    re.IGNORECASE,
)
_TAG_END = re.compile(rf"\s*[【\[〔《(（]\s*(?:{_DECORATION})\s*[】\]〕》)）]\s*$", re.IGNORECASE)
_EN_PREFIX = re.compile(
    r"^\s*(?:invitation|announcement|notice|reminder|save the date|cancel(?:l?ed|lation)|postponed|rescheduled"
    r"|date change|new date|change of date|venue change)\s*(?:to|of|for)?\s*[:\-–—]\s*",
    re.IGNORECASE,
)
_EN_SUFFIX = re.compile(
    r"\s*(?:[\-–—:(]\s*)?(?:invitation|announcement|call for participants|registration (?:is )?open"
    r"|cancel(?:l?ed|lation)|postponed|rescheduled|date change|new date"
    r"|has been (?:moved|rescheduled|postponed|cancel(?:l?ed)))\)?\s*$",
    re.IGNORECASE,
)
_JA_SUFFIX = re.compile(
    r"\s*(?:(?:の|への|に(?:ついて|関する))?\s*(?:日程|日時|開催日|会場|開催)?\s*(?:の)?"
    r"(?:(?:開催|実施)?\s*(?:中止|延期|変更|日程変更|日時変更|会場変更)|開催|実施)?\s*(?:について|に関して|の件)?\s*(?:の|に関する)?\s*"
    r"(?:ご案内|ご通知|お知らせ|お誘い|案内|ご連絡|連絡|参加者?(?:の)?募集|参加(?:の)?お願い|開催決定|を開催します|を開催いたします"
    r"|開催要[項領]|実施要[項領]|について|の件)"
    r"|(?:の|への)?\s*(?:開催|実施)?\s*(?:中止|延期|変更|日程変更|日時変更|会場変更)|(?:の|を)?\s*開催(?:します|いたします)?)\s*$"
)
# 「（1月20日開催）」「（1/20）」 decorate; 「（2月）」 alone tells one meeting from the next and stays.
_DATE_IN_PARENS = re.compile(r"\s*[(（][^)）]*\d+\s*(?:/\s*\d+|日)[^)）]*[)）]\s*$")
_LEADING_DATE = re.compile(
    r"^\s*(?:(?:令和|平成|[RH]|20)?\d{1,2}[./]\d{1,2}[./]\d{1,2}|\d{1,2}/\d{1,2}|\d{1,2}月\d{1,2}日)"
    r"(?:\s*[(（][^)）]{1,4}[)）])?\s*(?:開催)?\s*"
)
_TRAILING_PARENS = re.compile(r"\s*[(（][^()（）]{1,20}[)）]\s*$")
_QUOTED = re.compile(r"[「『]([^」』\n]{3,60})[」』]")
# 「さて、全国研修会を下記のとおり開催します」: the name is what is held.
_NAMED_AS_HELD = re.compile(
    r"(?:^|[、。\s])(?:さて|この(?:たび|度)|標記の件について)?[、\s]*"
    r"([^\s、。「」]{0,30}?(?:会議|研修会|研修|セミナー|勉強会|講座|フォーラム|シンポジウム|交流会|意見交換会))"
    r"を[^。]{0,20}?(?:開催|実施)"
)
_GREETING = re.compile(
    r"お世話に|各位|皆様|様$|みなさま|拝啓|事務局|です。|ます。|dear|hello|^hi\b|regards", re.IGNORECASE
)


def is_reply(subject: str) -> bool:
    """「Re: …」: a reply in a thread, never the announcement itself."""
    return bool(_REPLY.match(subject))


def without_network_name(text: str) -> str:
    """The text with the network's own name (…ネットワーク会議) blanked, same length."""
    return _NETWORK.sub(lambda m: " " * len(m.group(0)), text)


def change_of(subject: str, head: str) -> Change | None:
    """Whether the post moves, postpones or cancels a meeting: the subject says so, or the body's opening does."""
    if _SUBJECT_POSTPONE.search(subject) or (not _SUBJECT_CANCEL.search(subject) and _BODY_POSTPONE.search(head)):
        return "postpone"
    if _SUBJECT_CANCEL.search(subject):
        return "cancel"
    if _SUBJECT_MOVE.search(subject) or (_SUBJECT_WEAK_CHANGE.search(subject) and kind_of(subject, "")):
        return "move"
    if _BODY_CANCEL.search(head):
        return "cancel"
    if _BODY_MOVE.search(head):
        return "move"
    return None


def is_not_announcement(subject: str) -> bool:
    """A subject naming a report, a fee, a newsletter, minutes, documents or an office notice."""
    return bool(_NOT_ANNOUNCEMENT_SUBJECT.search(subject))


def is_report(text: str) -> bool:
    """Words that tell of a meeting held: 「開催しました」「ご参加ありがとうございました」."""
    return bool(_REPORT_BODY.search(text))


def is_announcing(text: str) -> bool:
    """Words that invite: 「開催します」「ご案内いたします」「お申込みください」."""
    return bool(_ANNOUNCING.search(text))


def said_national(text: str) -> bool:
    """The text calls the event national (全国)."""
    return bool(_NATIONAL.search(text))


def kind_of(subject: str, body: str) -> EventKind | None:
    """Block meeting or training: the subject decides if it names either, else the body's first word for one."""
    for text in (without_network_name(subject), without_network_name(body)):
        training = _TRAINING.search(text)
        block = _BLOCK_MEETING.search(text)
        if block and (not training or block.start() <= training.start()):
            return "block_meeting"
        if training:
            return "training"
        if _MEETING.search(text):
            return "block_meeting"
    return None


def is_generic(title: str) -> bool:
    """A title that names no meeting in particular (「研修会」「ブロック会議」, or nothing)."""
    rest = _BLOCK_MEETING.sub("", _TRAINING.sub("", _MEETING.sub("", title)))
    return not kind_of(title, "") or len(re.sub(r"[\s\W_]|ご?案内|お知らせ|開催", "", rest)) < 2


def _clean(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip(" 　:-–—")
    if len(title) > 2 and title[0] in "「『" and title[-1] in "」』":
        title = title[1:-1].strip()
    return title


def title_from_subject(subject: str) -> str:
    """The meeting's name from the subject: tags like 【ご案内】 and endings like 「開催のお知らせ」 off."""
    title = subject
    for _ in range(4):
        before = title
        title = _TAG.sub("", title)
        title = _EN_PREFIX.sub("", title)
        title = _LEADING_DATE.sub("", title)
        title = _TAG_END.sub("", title)
        title = _DATE_IN_PARENS.sub("", title)
        # 「…のご案内（東海）」: the ending goes, the parenthesis naming the meeting stays.
        tail = _TRAILING_PARENS.search(title)
        kept = tail.group(0) if tail and not _TAG_END.fullmatch(tail.group(0)) else ""
        title = _JA_SUFFIX.sub("", title[: len(title) - len(kept)]) + kept
        title = _EN_SUFFIX.sub("", title)
        if title == before:
            break
    return _clean(title)


def title_from_body(lines: list[str]) -> str | None:
    """The meeting's name as the body's opening gives it: 「…」 around a name with a meeting word, or a short
    line of its own naming one (a heading)."""
    for line in lines[:30]:
        for quoted in _QUOTED.finditer(line):
            name = quoted.group(1)
            if kind_of(name, "") and not _NETWORK.search(name):
                return _clean(name)
    for line in lines[:20]:
        named = _NAMED_AS_HELD.search(line)
        if named and not is_generic(named.group(1)):
            return _clean(named.group(1))
    for line in lines[:20]:
        text = line.strip()
        if not text or len(text) > 60 or _GREETING.search(text) or ":" in text or "：" in text:
            continue
        if kind_of(text, "") and not re.search(r"\d+\s*月\s*\d+\s*日", text):
            return title_from_subject(text) or None
    return None
