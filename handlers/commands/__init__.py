"""`/rmo` commands, decided once for every platform: the neutral command, the dispatcher, its replies."""

from __future__ import annotations

from handlers.commands.announce import AnnounceDesk
from handlers.commands.dispatcher import CommandDispatcher, command_language, parse_command
from handlers.commands.model import (
    BODY_LIMIT,
    TITLE_LIMIT,
    VERBS,
    AnnounceForm,
    AnnouncePreview,
    Asker,
    Command,
    CommandReply,
    CorrectionForm,
    DraftField,
    DraftForm,
    EventDraft,
    EventEdit,
    EventForm,
    Notice,
    ProposalCorrection,
    Published,
    Verb,
    locale_hint,
)
from handlers.commands.subscriptions import ChatSubscriptions, find_address

__all__ = [
    "BODY_LIMIT",
    "TITLE_LIMIT",
    "VERBS",
    "AnnounceDesk",
    "AnnounceForm",
    "AnnouncePreview",
    "Asker",
    "ChatSubscriptions",
    "Command",
    "CommandDispatcher",
    "CommandReply",
    "CorrectionForm",
    "DraftField",
    "DraftForm",
    "EventDraft",
    "EventEdit",
    "EventForm",
    "Notice",
    "ProposalCorrection",
    "Published",
    "Verb",
    "command_language",
    "find_address",
    "locale_hint",
    "parse_command",
]
