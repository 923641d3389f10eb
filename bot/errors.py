"""Errors of the application layer, on the project's one error tree."""

from __future__ import annotations

from storage.errors import RmoBotError

__all__ = [
    "ConfigError",
    "DeliveryError",
    "DeliveryRejected",
    "DeliveryRetryable",
    "DeliveryTimeout",
    "DeliveryUncertain",
    "ListenError",
    "PlatformLoginError",
    "RmoBotError",
]


class ConfigError(RmoBotError, ValueError):
    """The configuration is invalid; the message names the file, the key and what is wrong."""


class DeliveryError(RmoBotError):
    """A post to a chat platform failed."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeliveryRetryable(DeliveryError):
    """The platform said "not now" (429, 5xx): try again later; nothing was posted."""


class DeliveryUncertain(DeliveryRetryable):
    """No answer (timeout, dropped connection): the post may or may not have landed."""


class DeliveryTimeout(DeliveryUncertain, TimeoutError):
    """The platform did not answer in time."""


class DeliveryRejected(DeliveryError):
    """The platform refused the post for good (bad channel, no permission); `code` is the platform's
    error code when it gave one (Slack's "message_not_found", Discord's 10008)."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ListenError(RmoBotError, OSError):
    """A listener cannot take its address (in use, not ours to bind); the message says which setting to change."""


class PlatformLoginError(RmoBotError):
    """A chat platform refused the bot's credentials; the message names the variable to fix."""
