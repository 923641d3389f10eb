"""Questions about one city's place in the network: the point of the question beats the city's name.

「伊賀市長はこのネットワークで何の役職でしたっけ」 asks the mayor's role (参与), not the Tokai block's secretary;
「雲南市は会員ですか」 asks whether the city is a member, not when its block meets. Membership is answered from
the members the store knows, saying honestly that the list may be incomplete.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from handlers.messages import Reply
from handlers.texts import say

if TYPE_CHECKING:
    from handlers.answering import Understanding
    from handlers.ports import KnowledgeRepository

__all__ = ["city_reply"]

# A question about someone's role, not about meetings: 役職, 役員, 何の役, "what role", "position".
_ROLE_QUESTION = re.compile(r"役職|役員|何の役|なんの役|どんな役|役割|肩書|\brole\b|\bposition\b|\bofficer\b|\btitle\b")
_MAYOR = re.compile(r"市長|町長|村長|首長|\bmayor\b")
_MEMBERSHIP = re.compile(r"会員|加盟|加入して|入ってい|入ってる|メンバー|\bmember\b|\bmembers\b|\bbelong\b|\bjoined\b")
_MEETING_WORDS = re.compile(r"会議|研修|いつ|日程|会場|\bmeeting|\btraining|\bwhen\b")


def city_reply(u: Understanding, knowledge: KnowledgeRepository, contact_email: str) -> Reply | None:
    """The answer when a question is about a city's officer role or membership; None for any other."""
    place = u.place
    if place is None or place.kind != "city":
        return None
    city = place.name
    lang = u.lang
    network = knowledge.network()
    network_name = (network.name if lang == "ja" else network.name_en or network.name) if network else ""
    short = city.removesuffix("市").removesuffix("町").removesuffix("村")
    if _ROLE_QUESTION.search(u.folded) or (_MAYOR.search(u.folded) and u.intent in {"officers", "about", "unknown"}):
        held = [o for o in knowledge.officers() if short and short in o.holder]
        if held:
            blocks = {b.key: (b.name if lang == "ja" else b.name_en) for b in knowledge.blocks()}
            lines = []
            for o in held:
                role = o.role if lang == "ja" else o.role_en or o.role
                if o.block in blocks:  # a block secretary: of which block
                    role = say("officers.role_of_block", lang, block=blocks[o.block], role=role)
                holder = o.holder if lang == "ja" else o.holder_en or o.holder
                lines.append(say("officers.of_city", lang, holder=holder, role=role, network=network_name))
            return Reply("\n".join(lines), lang, "officers", held[0].block)
    if _MEMBERSHIP.search(u.folded) and not _MEETING_WORDS.search(u.folded):
        members = knowledge.members()
        member = next((m for m in members if short and short in m.name), None)
        listed = member is not None
        name = city if lang == "ja" or member is None else member.name_en or city
        key = "members.listed" if listed else "members.not_listed"
        text = say(key, lang, city=name, network=network_name, email=contact_email or say("not_registered", lang))
        return Reply(text, lang, "join", None)
    return None
