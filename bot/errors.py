"""Errors of the application layer, on the project's one error tree."""

from __future__ import annotations

from storage.errors import RmoBotError

__all__ = ["ConfigError", "RmoBotError"]


class ConfigError(RmoBotError, ValueError):
    """The configuration is invalid; the message names the file, the key and what is wrong."""
