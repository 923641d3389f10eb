"""DKIM verification with dkimpy; the DNS lookup is a parameter, so tests use a key they made."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["dkim_verifier"]

_log = logging.getLogger(__name__)


def dkim_verifier(dnsfunc: Callable[..., bytes | None] | None = None) -> Callable[[bytes], bool]:
    """A function telling whether a raw message carries a valid DKIM signature."""
    import dkim  # noqa: PLC0415 - dkimpy is loaded only when [mail.intake] dkim is on

    def verify(raw: bytes) -> bool:
        try:
            if dnsfunc is None:
                return bool(dkim.verify(raw))
            return bool(dkim.verify(raw, dnsfunc=dnsfunc))
        except Exception as exc:  # noqa: BLE001 - dkimpy raises many kinds for bad signatures and DNS
            _log.info("DKIM verification failed: %s", exc)
            return False

    return verify
