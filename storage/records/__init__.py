"""Domain records: what the store holds, as frozen slotted dataclasses, and their document codecs.

One module per family (calendar, knowledge, mail); import them from here.
"""

from __future__ import annotations

from storage.records.calendar import (
    ASSUMED_DURATION,
    EVENT_KINDS,
    EVENT_SOURCES,
    EVENT_STATUSES,
    Event,
    EventChange,
    EventKind,
    EventSource,
    EventStatus,
    Proposal,
    ProposalAction,
    ProposalStatus,
    Venue,
)
from storage.records.knowledge import Block, Channel, FaqEntry, Member, NetworkInfo, Officer, UnansweredQuestion
from storage.records.mail import BIG_BODY, Announcement, Attachment, Delivery, MessageRef, QuarantinedMail

__all__ = [
    "ASSUMED_DURATION",
    "BIG_BODY",
    "EVENT_KINDS",
    "EVENT_SOURCES",
    "EVENT_STATUSES",
    "Announcement",
    "Attachment",
    "Block",
    "Channel",
    "Delivery",
    "Event",
    "EventChange",
    "EventKind",
    "EventSource",
    "EventStatus",
    "FaqEntry",
    "Member",
    "MessageRef",
    "NetworkInfo",
    "Officer",
    "Proposal",
    "ProposalAction",
    "ProposalStatus",
    "QuarantinedMail",
    "UnansweredQuestion",
    "Venue",
]
