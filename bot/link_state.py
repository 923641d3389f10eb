"""How a chat platform's connection stands, as /healthz tells it: the adapter says, the supervisor does not guess.

A platform is `connecting` until it first reaches its service, `connected` while it is, `retrying: …` while it
tries again (a dropped gateway, an unreachable API), and `failed: …` when the service refused it (a wrong
token) — a state that trying again will not change until someone fixes the configuration.
"""

from __future__ import annotations

__all__ = ["LinkState"]


class LinkState:
    """One platform's connection state; the adapter updates it, /healthz reads it."""

    def __init__(self) -> None:
        self.state = "connecting"

    def connected(self) -> None:
        self.state = "connected"

    def retrying(self, why: str) -> None:
        self.state = f"retrying: {why}"

    def failed(self, why: str) -> None:
        self.state = f"failed: {why}"

    @property
    def is_failed(self) -> bool:
        return self.state.startswith("failed")
