"""Ports the handlers need from the application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from handlers.messages import Lang
    from storage.records import Delivery

__all__ = ["Clock", "LinkMailer", "OutboxWatcher"]


class Clock(Protocol):
    """Where every "now" comes from, so tests and `--now` can freeze time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class OutboxWatcher(Protocol):
    """Told of every delivery put in the outbox, so whoever posts the outbox starts on it at once."""

    def queued(self, deliveries: Sequence[Delivery]) -> None:
        """`deliveries` are durably in the outbox."""
        ...


class LinkMailer(Protocol):
    """Mails a subscriber the one link they need: to confirm a subscription, or to stop the digest."""

    async def send_confirmation(self, email: str, token: str, lang: Lang) -> None:
        """A mail to `email` whose link confirms the subscription that `token` stands for."""
        ...

    async def send_unsubscribe_link(self, email: str, token: str, lang: Lang) -> None:
        """A mail to `email` whose link stops its digest."""
        ...
