"""Signed links and return paths: what a confirm, unsubscribe or manage link carries, and what a digest's
return path carries, each signed so that nobody can change who or what it is for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["TokenAction", "check_token", "is_address", "make_token", "verp_check", "verp_sign"]

TokenAction = Literal["confirm", "unsubscribe", "manage"]
# ASCII only: an internationalised address needs SMTPUTF8 all the way, which few servers offer.
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_SIGNATURE = 16


def is_address(email: str) -> bool:
    return bool(EMAIL.match(email.strip()))


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
