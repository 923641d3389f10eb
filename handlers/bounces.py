"""Mail to a digest's return path: tied to the subscriber it names, and counted when delivery failed.

A digest goes out with the return path rmo-bot+bounce+<address>+<signature>@…, so whatever comes back
there is about a digest we sent to that address: a report of a failed delivery (counted; at the threshold
the address is suspended), of a delay (not counted), or an out-of-office reply (not counted). A return path
without our signature is ignored: anyone can send mail to it, and it must count against nobody.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email import message_from_bytes
from typing import TYPE_CHECKING, Literal

from handlers.digests import verp_check

if TYPE_CHECKING:
    from email.message import Message

    from handlers.digests import DigestService
    from storage.subscribers import Subscriber

__all__ = ["BounceHandler", "BounceKind", "BounceVerdict", "return_path_token"]

_log = logging.getLogger(__name__)

BounceKind = Literal["unsigned", "permanent", "temporary", "auto-reply"]
_RETURN_PATH = re.compile(r"\+bounce\+([^@\s>]+)@", re.IGNORECASE)


def return_path_token(delivered_to: str) -> str | None:
    """The token of the digest return path a message was delivered to; None when it came to another address."""
    found = _RETURN_PATH.search(delivered_to)
    return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class BounceVerdict:
    """What came back to a digest's return path, and the subscriber it names as it now stands."""

    kind: BounceKind
    email: str | None = None  # None when the return path is not signed by us
    subscriber: Subscriber | None = None  # None when nobody subscribes at `email` (any more)

    @property
    def reason(self) -> str:
        """Why the intake kept it instead of relaying it, as the quarantine list shows it."""
        if self.kind == "unsigned":
            return "bounce to an unsigned return path: not mail we sent (ignored)"
        if self.subscriber is None:
            return f"bounce or reply to the return path of {self.email}, who is not subscribed (ignored)"
        if self.kind == "auto-reply":
            return f"auto-reply to a digest for {self.email} (not counted)"
        if self.kind == "temporary":
            return f"bounce for digest subscriber {self.email}: delivery delayed (not counted)"
        suspended = "; suspended" if self.subscriber.suspended else ""
        return f"bounce for digest subscriber {self.email} (counted: {self.subscriber.bounces} so far{suspended})"


class BounceHandler:
    """Decides what a message to a digest's return path is, and counts a failed delivery against the
    subscriber the return path names (suspended at `threshold`)."""

    def __init__(self, digests: DigestService, secret: bytes, threshold: int) -> None:
        self._digests = digests
        self._secret = secret
        self._threshold = threshold

    def handle(self, token: str, raw: bytes) -> BounceVerdict:
        """Judge and count one message that came to the return path `token` names."""
        # A read-only store has no key (its secret is empty), and a signature under an empty key is one anyone
        # can make: then no return path counts as ours.
        email = verp_check(self._secret, token) if self._secret else None
        if email is None:
            _log.warning("a bounce to an unsigned return path (+bounce+%s) was ignored: not mail we sent", token[:80])
            return BounceVerdict("unsigned")
        kind = _kind(message_from_bytes(raw))
        updated = self._digests.record_bounce(email, permanent=kind == "permanent", threshold=self._threshold)
        if updated is not None:
            _log.info("%s for %s: %d bounces so far%s", kind, email, updated.bounces,
                      ", suspended" if updated.suspended else "")  # fmt: skip
        return BounceVerdict(kind, email, updated)


def _kind(message: Message) -> BounceKind:
    # flufl.bounce loads some forty detectors (~50 ms): paid only when something comes back to a return path.
    from flufl.bounce import all_failures  # noqa: PLC0415

    temporary, permanent = all_failures(message)
    # Only a report of a failed delivery counts: not a delay, and not an out-of-office reply (which also goes
    # to the return path, with an empty sender).
    if permanent or (not temporary and _reports_failure(message)):
        return "permanent"
    return "temporary" if temporary else "auto-reply"


def _reports_failure(message: Message) -> bool:
    """A delivery status notification (RFC 3464) saying that delivery failed."""
    if message.get_content_type() != "multipart/report":
        return False
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            text = part.as_string().lower()
            return "action: failed" in text
    return False
