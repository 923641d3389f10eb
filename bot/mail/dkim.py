"""DKIM verification with dkimpy; the DNS lookup is a parameter, so tests use a key they made."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["dkim_verifier"]

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
