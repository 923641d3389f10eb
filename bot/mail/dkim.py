"""DKIM with dkimpy: verifying posts (the DNS lookup is a parameter, so tests use a key they made) and
signing the bot's own mail when `[mail.outbound] dkim_key_file` is set."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.config import Config

__all__ = ["SIGNED_HEADERS", "dkim_signer", "dkim_verifier"]

# What Gmail and Yahoo look at in bulk mail, the one-click unsubscribe headers (RFC 8058 section 4) included.
SIGNED_HEADERS = (
    b"from", b"to", b"subject", b"date", b"message-id", b"list-id", b"list-unsubscribe",
    b"list-unsubscribe-post", b"mime-version", b"content-type", b"content-transfer-encoding",
)  # fmt: skip

_log = logging.getLogger(__name__)
_MOST_SIGNATURES = 8  # a post carries one or two; more is noise that would cost a DNS lookup each


def dkim_verifier(dnsfunc: Callable[..., bytes | None] | None = None) -> Callable[[bytes], frozenset[str]]:
    """A function giving the domains (`d=`) of the valid DKIM signatures a raw message carries."""
    import dkim  # noqa: PLC0415 - dkimpy is loaded only when [mail.intake] dkim is on

    def verify(raw: bytes) -> frozenset[str]:
        domains: set[str] = set()
        try:
            checker = dkim.DKIM(raw)
            count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
        except Exception as exc:  # noqa: BLE001 - dkimpy raises many kinds for malformed messages
            _log.info("DKIM: the message could not be read: %s", exc)
            return frozenset()
        for index in range(min(count, _MOST_SIGNATURES)):
            try:
                valid = checker.verify(index) if dnsfunc is None else checker.verify(index, dnsfunc=dnsfunc)
            except Exception as exc:  # noqa: BLE001 - dkimpy raises many kinds for bad signatures and DNS
                _log.info("DKIM signature %d failed: %s", index + 1, exc)
                continue
            if valid and checker.domain:
                domains.add(checker.domain.decode("ascii", "replace").lower().rstrip("."))
        return frozenset(domains)

    return verify


def dkim_signer(config: Config) -> Callable[[bytes], bytes] | None:
    """A function that puts a DKIM-Signature on a message as the senders take it (CRLF line ends), or None
    when no key is configured (then the MTA must sign). Raises ConfigError for an unreadable key."""
    outbound = config.mail.outbound
    if not outbound.dkim_key_file:
        return None
    import dkim  # noqa: PLC0415 - loaded only when signing is configured

    from bot.mail.sending import from_address  # noqa: PLC0415 - sending imports this module's users

    try:
        key = Path(outbound.dkim_key_file).expanduser().read_bytes()
    except OSError as exc:
        msg = f"[mail.outbound] dkim_key_file {outbound.dkim_key_file!r} cannot be read: {exc}"
        raise ConfigError(msg) from exc
    if not outbound.dkim_selector:
        msg = "[mail.outbound] dkim_key_file is set but dkim_selector is empty"
        raise ConfigError(msg)
    domain = outbound.dkim_domain or from_address(config)[1].partition("@")[2]
    selector, signing_domain = outbound.dkim_selector.encode(), domain.encode()

    def sign(message: bytes) -> bytes:
        names = {line.split(b":", 1)[0].strip().lower() for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n")}
        include = [h for h in SIGNED_HEADERS if h in names]
        signature: bytes = dkim.sign(message, selector, signing_domain, key, include_headers=include)
        return signature + message

    return sign
