"""The shape of an announcement: its labelled lines (「日時：…」「■会場」「【申込締切】…」「Venue: …」), what
each label is about, and the links it gives.

A value runs on to the lines below its label while they are indented, or, for a label alone on its line, until a
blank line or the next label. Bullets (■ ● ◆ １． (1) ①) in front of a label go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Field", "FieldKind", "cut_quoted", "fields_of", "is_online_url", "strip_bullet", "urls_in"]

FieldKind = Literal[
    "title", "date", "time", "venue", "address", "online", "register", "deadline", "before", "after", "other"
]

# Japanese labels may be spaced out (「日　時」「会　場」); each is matched with any spaces between its characters.
_JA_LABELS: dict[FieldKind, tuple[str, ...]] = {
    "title": ("会議名", "研修名", "研修会名", "名称", "行事名", "件名", "事業名", "催事名"),
    "date": (
        "開催日時", "開催日程", "開催期日", "開催日", "日時", "日程", "期日", "開催期間", "期間", "とき",
        "新日程", "新しい日程", "変更後の日程", "変更後日程", "変更後の日時", "新日時", "延期後の日程", "延期後",
    ),
    "time": ("時間", "開催時間"),
    "venue": ("開催場所", "開催会場", "会場", "場所", "ところ", "開催地", "会場名", "新会場", "変更後の会場"),
    "address": ("所在地", "住所", "会場住所"),
    "online": ("オンライン", "参加URL", "ZoomURL", "Zoom URL", "Zoom", "ミーティングURL", "Web会議URL", "配信URL"),
    "register": (
        "申込方法", "申込み方法", "申し込み方法", "お申込み方法", "お申し込み方法", "参加申込", "参加申し込み",
        "申込先", "申込フォーム", "申込みフォーム", "お申込み", "お申し込み", "申込み", "申し込み", "申込", "参加登録",
        "登録フォーム",
    ),
    "deadline": (
        "申込締切", "申込み締切", "申し込み締切", "申込締め切り", "申込〆切", "申込期限", "申込み期限", "申し込み期限",
        "締切日", "締切", "締め切り", "〆切", "〆切日", "〆切り", "回答期限", "提出期限", "期限",
    ),
    "before": ("変更前", "旧日程", "当初の日程", "当初日程", "元の日程", "旧"),
    "after": ("変更後", "新"),
    "other": (
        "内容", "対象", "対象者", "定員", "参加費", "費用", "会費", "問合せ", "問い合わせ", "お問い合わせ", "お問合せ",
        "問合せ先", "連絡先", "主催", "共催", "後援", "プログラム", "次第", "議題", "テーマ", "講師", "持ち物", "備考",
        "その他", "趣旨", "目的", "参加者", "出席者", "資料", "アクセス", "交通", "駐車場", "概要",
    ),
}  # fmt: skip
_EN_LABELS: dict[FieldKind, tuple[str, ...]] = {
    "title": ("event", "title", "meeting"),
    "date": ("date and time", "date & time", "date/time", "dates", "date", "when"),
    "time": ("time",),
    "venue": ("venue", "place", "location", "where", "new venue"),
    "address": ("address",),
    "online": ("online", "zoom link", "zoom", "join online", "meeting link"),
    "register": ("registration form", "registration", "register", "how to register", "how to apply", "apply"),
    "deadline": ("registration deadline", "deadline", "apply by", "register by"),
    "before": ("previous date", "old date", "originally", "was"),
    "after": ("new date", "new date and time", "now"),
    "other": ("contact", "fee", "program", "programme", "agenda", "speaker", "organiser", "organizer", "inquiries"),
}


def _spaced(label: str) -> str:
    return r"\s*".join(re.escape(c) for c in label if c != " ")


_KIND_OF: dict[str, FieldKind] = {}
for _kind, _labels in _JA_LABELS.items():
    for _label in _labels:
        _KIND_OF[_label.replace(" ", "").lower()] = _kind
for _kind, _labels in _EN_LABELS.items():
    for _label in _labels:
        _KIND_OF[_label.replace(" ", "").lower()] = _kind
_JA_ALT = "|".join(_spaced(x) for x in sorted({x for v in _JA_LABELS.values() for x in v}, key=len, reverse=True))
_EN_ALT = "|".join(
    re.escape(x).replace(r"\ ", r"\s+")
    for x in sorted({x for v in _EN_LABELS.values() for x in v}, key=len, reverse=True)
)
_OPEN = r"[【\[〔<《(（「『]"
_CLOSE = r"[】\]〕>》)）」』]"
# 「日時：」「日時　」「【日時】」「日時」alone; an English label wants its colon ("Date of issue" is no label).
_LABEL = re.compile(
    rf"^(?:{_OPEN}\s*(?P<b>{_JA_ALT}|{_EN_ALT})\s*{_CLOSE}\s*[:]?|(?P<j>{_JA_ALT})(?:\s*[(（][^)）]{{1,12}}[)）])?\s*(?:[:]|\s+|$)"
    rf"|(?P<e>{_EN_ALT})\s*:)\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"^\s*(?:[■□●○◆◇◎・※▼▽▲△★☆►▶➤◉◯*♦◇〇]+|[①-⑳]|\(\s*\d{1,2}\s*\)|[(（]\s*[一二三四五六七八九十]{1,2}\s*[)）]"
    r"|\d{1,2}\s*[.、)](?!\d)|\d{1,2}\s+(?=[^\d\s])|[一二三四五六七八九十]{1,2}\s*[、.]|[a-z]\s*\)|-(?!-))\s*",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
_ONLINE_HOSTS = re.compile(
    r"https?://(?:[a-z0-9-]+\.)*(?:zoom\.us|zoom\.com|teams\.microsoft\.com|teams\.live\.com|meet\.google\.com"
    r"|webex\.com|whereby\.com|meet\.jit\.si|youtube\.com/live|youtu\.be|vimeo\.com/event)",
    re.IGNORECASE,
)
_QUOTE_START = re.compile(
    r"^\s*(?:-{3,}\s*(?:original message|元のメッセージ|転送されたメッセージ|forwarded message)|On .{5,200} wrote:\s*$"
    r"|\d{4}[年/].{2,80}(?:wrote|書きました|のメッセージ)[:：]?\s*$)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Field:
    """One labelled value: what it is about, the label as written, its text (lines joined by newlines), and
    the line it starts on."""

    kind: FieldKind
    label: str
    value: str
    line: int


def strip_bullet(line: str) -> str:
    """The line without its leading bullet and spaces."""
    return _BULLET.sub("", line, count=1) if line.strip() else ""


def cut_quoted(lines: list[str]) -> list[str]:
    """The lines the author wrote: quoted lines (「> …」) and everything after a quoted original are left out."""
    kept = []
    for line in lines:
        if _QUOTE_START.match(line):
            break
        if line.lstrip().startswith((">", "|")):
            continue
        kept.append(line)
    return kept


def _label_kind(label: str) -> FieldKind:
    key = re.sub(r"\s+", "", label).lower()
    return _KIND_OF.get(key, "other")


def fields_of(lines: list[str]) -> list[Field]:
    """Every labelled value in the lines (tidied), in order."""
    found: list[Field] = []
    current: tuple[FieldKind, str, list[str], int, bool] | None = None
    for index, raw in enumerate(lines):
        line = strip_bullet(raw)
        match = _LABEL.match(line) if line else None
        if match:
            if current:
                found.append(Field(current[0], current[1], "\n".join(current[2]).strip(), current[3]))
            label = match["b"] or match["j"] or match["e"]
            value = line[match.end() :].strip()
            current = (_label_kind(label), label, [value] if value else [], index, not value)
            continue
        if current is None:
            continue
        indented = raw[:1].isspace() and bool(raw.strip())
        bare = current[4]
        if not raw.strip():
            if bare and not current[2]:
                continue  # a blank line between 「■会場」 and its value
            found.append(Field(current[0], current[1], "\n".join(current[2]).strip(), current[3]))
            current = None
        elif indented or (bare and not _BULLET.match(raw)):
            current[2].append(raw.strip())
        else:
            found.append(Field(current[0], current[1], "\n".join(current[2]).strip(), current[3]))
            current = None
    if current:
        found.append(Field(current[0], current[1], "\n".join(current[2]).strip(), current[3]))
    return found


def urls_in(text: str) -> list[str]:
    """Every http(s) link, without trailing punctuation."""
    if "http" not in text:
        return []
    return [u.rstrip(".,;:)]」）>'") for u in _URL.findall(text)]


def is_online_url(url: str) -> bool:
    """A video-meeting link (Zoom, Teams, Meet, Webex, a live stream), not a form."""
    return bool(_ONLINE_HOSTS.match(url))
