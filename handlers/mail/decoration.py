"""Taking off what a mailing list adds: the [List] subject tag, the footer, the DMARC From rewrite."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    from handlers.mail.parse import ParsedMail

__all__ = ["author_of", "strip_footer", "strip_subject_tag"]

_REPLY_PREFIX = re.compile(r"^((?:re|fw|fwd|転送|返信)\s*[:：]\s*)+", re.IGNORECASE)
_TAG = re.compile(r"^\s*\[([^\[\]]{1,80})\]\s*")
# A numbered tag is a list manager's whatever its name: Mailman's "[name %d]"/"[name:%05d]", fml's
# "[name:01234]" and "(name 01234)", a bare zero-padded "[00123]". A secretariat numbers things too
# ("[研修 3]"): with a name that is not a list's (not ASCII), only a colon or a zero-padded number counts.
_NUMBERED = re.compile(
    r"^\s*[\[(]\s*(?:[A-Za-z0-9._-]{1,40}\s*[:\s]\s*\d{1,8}|[^\[\]()\s:]{1,40}\s*(?::\s*\d{1,8}|\s0\d{1,7})|0\d{1,7})"
    r"\s*[\])]\s*"
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_FOOTER_WORDS = re.compile(
    r"-leave@|-unsubscribe@|unsubscribe|mailing list|listinfo|メーリングリスト|配信停止|配信解除|登録解除|退会",
    re.IGNORECASE,
)
_VIA = re.compile(r"\s+via\s+.+$", re.IGNORECASE)
_FOOTER_NAME = re.compile(r"^\s*(.+?)\s*(?:mailing list|メーリングリスト|ML)\b", re.IGNORECASE | re.MULTILINE)


def _footer_names(body: str) -> set[str]:
    """The list's display name as its footer gives it: "RMO Announce mailing list -- announce@…"."""
    lines = body.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if _RULE.match(lines[index]):
            tail = "\n".join(lines[index + 1 :])
            return {m.group(1).strip().lower() for m in _FOOTER_NAME.finditer(tail)}
    return set()


def _tag_names(mail: ParsedMail, body: str | None = None) -> set[str]:
    names = {mail.list_name.strip().lower()} if mail.list_name else set()
    names |= _footer_names(mail.body if body is None else body)
    via = _VIA.search(mail.from_name)
    if via:
        names.add(via.group(0).strip()[4:].strip().lower())
    if mail.list_id:
        local = mail.list_id.split(".", 1)[0]
        names |= {local, mail.list_id}
    if mail.list_post:
        names.add(mail.list_post.split("@", 1)[0])
    return {n for n in names if n}


def strip_subject_tag(subject: str, mail: ParsedMail, tags: Collection[str] = ()) -> str:
    """「[RMO お知らせ] 【近畿ブロック】会議のご案内」 → 「【近畿ブロック】会議のご案内」 (Re: kept). A tag goes when it
    names this list (or is one of `tags`, lower case, without brackets); a numbered tag goes whatever it names."""
    names = _tag_names(mail) | set(tags)
    prefix_match = _REPLY_PREFIX.match(subject)
    prefix = prefix_match.group(0) if prefix_match else ""
    rest = subject[len(prefix) :]
    while True:
        numbered = _NUMBERED.match(rest)
        tag = numbered or _TAG.match(rest)
        if not tag:
            break
        # "[RMO お知らせ]", or Mailman 2's numbered "[announce:00123]" — only with this list's name.
        label = re.sub(r"[:\s]\d+$", "", tag.group(1)).strip().lower() if not numbered else ""
        if not numbered and label not in names:
            break
        rest = rest[tag.end() :]
        again = _REPLY_PREFIX.match(rest)  # "[List] Re: [List] …"
        if again:
            prefix = prefix or again.group(0)
            rest = rest[again.end() :]
    return (prefix + rest).strip()


def strip_footer(body: str, mail: ParsedMail) -> str:
    """Drop a list footer: a rule of underscores followed only by lines about *this* list (its address,
    its -leave@ address or its name), so a secretariat's own 「■退会手続きについて」 section stays."""
    lines = body.split("\n")
    marks = {n for n in _tag_names(mail, body) if len(n) >= 3} | {"-leave@", "-unsubscribe@", "-request@"}
    if mail.list_post:
        marks.add(mail.list_post)
    for index in range(len(lines) - 1, -1, -1):
        if _RULE.match(lines[index]):
            tail = "\n".join(lines[index + 1 :])
            lowered = tail.lower()
            if _FOOTER_WORDS.search(tail) and len(tail) < 600 and any(m in lowered for m in marks):
                return "\n".join(lines[:index]).rstrip()
            break
    return body


def author_of(mail: ParsedMail, list_addresses: Collection[str] = ()) -> tuple[str, str]:
    """The real author (address, name): under DMARC mitigation the list sends From itself and puts
    the author in Reply-To ("Author via List <list@…>").

    Only the list's own From address (its List-Post address, or one configured) marks such a rewrite:
    a display name saying " via …" is the sender's to write, and Reply-To and Cc are too, so trusting
    them would let any member post as the secretariat."""
    list_addresses = {a.lower() for a in (mail.list_post, *list_addresses) if a}
    if mail.from_address.lower() in list_addresses:
        for candidate in (*mail.reply_to, *mail.cc):
            if candidate not in list_addresses:
                return candidate, _VIA.sub("", mail.from_name).strip()
    return mail.from_address, mail.from_name
