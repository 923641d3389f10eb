"""Is a message a genuine post from our list and our secretariat? The refusals, most telling first."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from handlers.intake_rules import IntakePolicy
    from handlers.mail.parse import ParsedMail

__all__ = ["dkim_refusal", "refusal"]

_log = logging.getLogger("handlers.intake")

_AUTO_SUBJECT = re.compile(
    r"^(out of (the )?office|auto(matic)?[- ]?(reply|response)|autoreply|vacation|不在|自動返信|自動応答|休暇)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounces?)@", re.IGNORECASE)


def refusal(policy: IntakePolicy, mail: ParsedMail, author: str, envelope_sender: str | None) -> str | None:
    """Why this is not a genuine post from our list (None when it is). The most telling reason
    first: a bounce also lacks a List-Id, but "bounce" is what the secretariat needs to read."""
    if envelope_sender is None and mail.header("return-path"):
        envelope_sender = mail.header("return-path").strip().strip("<>").strip()
    if author in policy.own_addresses or mail.header("x-rmo-bot"):
        return "loop: the bot's own mail is never relayed"
    if (
        mail.content_type == "multipart/report"
        or envelope_sender == ""
        or _BOUNCE_SENDERS.match(mail.from_address or "")
    ):
        return "bounce or delivery report"
    auto = mail.header("auto-submitted").strip().lower()
    if auto and auto != "no":
        return f"auto-reply (Auto-Submitted: {auto})"
    if mail.header("x-autoreply") or mail.header("x-autorespond") or mail.header("x-auto-response-suppress") == "All":
        return "auto-reply (X-Autoreply)"
    if mail.header("precedence").strip().lower() in {"auto_reply", "auto-reply", "junk"}:
        return f"auto-reply (Precedence: {mail.header('precedence').strip()})"
    if _AUTO_SUBJECT.match(mail.subject):
        return "auto-reply (vacation subject)"
    if not mail.list_id:
        return "no List-Id: not a mailing-list post"
    if mail.list_id not in policy.list_ids:
        allowed = ", ".join(sorted(policy.list_ids)) or "none configured"
        return f"List-Id <{mail.list_id}> is not one of ours ({allowed})"
    if author not in policy.allowed_senders:
        return f"sender {author or '(none)'} is not allowed to announce"
    return None


def dkim_refusal(
    policy: IntakePolicy, verify: Callable[[bytes], frozenset[str]] | None, raw: bytes, mail: ParsedMail, author: str
) -> str | None:
    """A valid signature counts only when it is aligned, as DMARC has it: its `d=` is the author's domain
    or the list's (or a parent domain of either); anyone can sign with a domain of their own."""
    if policy.dkim == "off" or verify is None:
        return None
    signed = verify(raw)
    own = {a.rpartition("@")[2].lower() for a in (author, mail.list_post, *policy.list_addresses) if a}
    if any(domain == d or domain.endswith("." + d) for domain in own for d in signed if d):
        return None
    if policy.dkim == "require":
        if signed:
            return f"DKIM: signed by {', '.join(sorted(signed))}, not by the author's or the list's domain"
        return "DKIM: no valid signature"
    _log.warning('a post without a valid DKIM signature was accepted ([mail.intake] dkim = "verify")')
    return None
