"""What the relay needs of each platform's transport (Slack, Discord, Facebook: `bot/platforms/*/poster.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from storage.records import MessageRef

__all__ = ["Poster"]


class Poster(Protocol):
    """One platform's transport: posts a rendered payload (in the thread of `thread`'s message when given)
    and says where it went; edits and deletes a posted message; renames (and archives) the thread started
    from a post's first message where a thread outlives it (Discord); and says which parts of a delivery a
    channel already shows, and where (asked after an uncertain post, before the part is sent again)."""

    platform: str

    async def post(
        self, channel: str, payload: dict[str, Any], *, thread: MessageRef | None = None, thread_name: str = ""
    ) -> MessageRef: ...
    async def edit(self, ref: MessageRef, payload: dict[str, Any]) -> None: ...
    async def delete(self, ref: MessageRef) -> None: ...
    async def rename_thread(self, root: MessageRef, name: str, *, archive: bool = False) -> None: ...
    async def posted_parts(self, channel: str, delivery_id: str, since: datetime) -> set[int]: ...
    async def posted_refs(
        self, channel: str, delivery_id: str, since: datetime, thread: MessageRef | None = None
    ) -> dict[int, MessageRef]: ...
    async def close(self) -> None: ...
