"""Who may read each entry of a ticket's timeline. Every message, event and attachment gets exactly one audience
when it is written; `policy.readable_audiences` says which audiences a person reads on a given ticket."""

from enum import StrEnum

from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import Tier


class Audience(StrEnum):
    PUBLIC = "public"  # the requester's side (requester, head of school) and the académie's agents
    INTERNAL = "internal"  # the académie's agents only: level 1, EduLAB, pilot team, administrators
    VENDOR = "vendor"  # the pilot ↔ vendor exchange: the académie's agents and the vendor, never the requester


class MessageKind(StrEnum):
    REPLY = "reply"
    QUESTION = "question"  # asked with « attendre le demandeur »: the wait lasts until it is answered
    SOLUTION = "solution"  # given with « résoudre »: shown at the top of a resolved ticket
    INTERIM = "interim"  # news of a mass incident, sent to every linked ticket
    NOTE = "note"
    VENDOR = "vendor"  # the transmission note, the vendor's answers and the pilot's replies to them


MESSAGE_AUDIENCE = {
    MessageKind.REPLY: Audience.PUBLIC,
    MessageKind.QUESTION: Audience.PUBLIC,
    MessageKind.SOLUTION: Audience.PUBLIC,
    MessageKind.INTERIM: Audience.PUBLIC,
    MessageKind.NOTE: Audience.INTERNAL,
    MessageKind.VENDOR: Audience.VENDOR,
}

MESSAGE_KIND_LABELS = {
    MessageKind.REPLY: N_("Message"),
    MessageKind.QUESTION: N_("Question au demandeur"),
    MessageKind.SOLUTION: N_("Solution"),
    MessageKind.INTERIM: N_("Point d'étape sur l'incident"),
    MessageKind.NOTE: N_("Note interne"),
    MessageKind.VENDOR: N_("Échange avec l'éditeur"),
}

# Events the requester's side reads (in its own words); every other event is for the académie's agents,
# except the hops into and out of the vendor tier, which the vendor's dossier shows too.
PUBLIC_EVENTS = frozenset(
    {
        "created",
        "resolved",
        "closed",
        "reopened",
        "promise_moved",
        "incident_linked",
        "incident_unlinked",
        "evolution_status",
        "merged",
        "unmerged",
    }  # fmt: skip
)


def event_audience(kind: str, *, from_tier: str = "", to_tier: str = "") -> Audience:
    if kind in PUBLIC_EVENTS:
        return Audience.PUBLIC
    if kind == "vendor_reference" or (kind in {"escalated", "sent_down"} and Tier.EDITEUR in (from_tier, to_tier)):
        return Audience.VENDOR
    return Audience.INTERNAL
