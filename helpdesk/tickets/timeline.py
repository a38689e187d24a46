"""One timeline per ticket, read by one person: messages and events interleaved, each kept only when the
reader may read its audience (`policy.readable_audiences`), labelled in words, never raw codes.

The ticket page, the API and the tests all read tickets through `reader_view`, so that what a person sees is
decided in one place: the requester's side gets a conversation and a plain status; the académie's agents the
whole history; the vendor its dossier (subject, description, school, shared files, the exchange), never the
requester's contact data nor internal notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from helpdesk import policy
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import as_utc
from helpdesk.routing.codes import TICKET_TYPE_LABELS, TIER_LABELS, Tier
from helpdesk.tickets.audiences import Audience, MessageKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import REQUESTER_LABELS, STATUS_LABELS, Status, requester_phase

# Agents' labels of the history's event kinds.
EVENT_LABELS = {
    "created": N_("Ticket ouvert"),
    "taken": N_("Pris en charge"),
    "waiting": N_("Mis en attente"),
    "wait_ended": N_("Fin de l'attente"),
    "resolved": N_("Résolu"),
    "closed": N_("Clos"),
    "reopened": N_("Rouvert"),
    "escalated": N_("Escaladé"),
    "sent_down": N_("Renvoyé au niveau inférieur"),
    "assigned": N_("Affectation"),
    "keyword_changed": N_("Mot-clé changé"),
    "attachment_added": N_("Pièce jointe ajoutée"),
    "attachment_shared": N_("Pièce jointe transmise à l'éditeur"),
    "attachment_unshared": N_("Pièce jointe retirée du dossier de l'éditeur"),
    "type_changed": N_("Type changé"),
    "duplicate_marked": N_("Regroupement de doublon"),
    "evolution_status": N_("Suivi éditeur"),
    "vendor_reference": N_("Référence éditeur"),
    "promise_moved": N_("Date de résolution visée reportée"),
    "sla_warning": N_("Délai bientôt atteint"),
    "sla_first_response": N_("Délai de première réponse dépassé"),
    "sla_resolution": N_("Délai de résolution dépassé"),
    "incident_linked": N_("Rattaché à un incident de masse"),
    "incident_unlinked": N_("Détaché de l'incident de masse"),
    "merged": N_("Fusionné dans un autre ticket"),
    "unmerged": N_("Fusion annulée"),
    "merged_in": N_("Doublon fusionné dans ce ticket"),
    "merge_undone": N_("Fusion d'un doublon annulée"),
    "linked": N_("Ticket relié"),
    "unlinked": N_("Lien entre tickets retiré"),
}
# The requester's side reads its public events in its own words.
REQUESTER_EVENT_LABELS = {
    "created": N_("Demande enregistrée"),
    "resolved": N_("Demande résolue"),
    "closed": N_("Demande close"),
    "reopened": N_("Demande rouverte"),
    "promise_moved": N_("Date de résolution visée reportée"),
    "incident_linked": N_("Demande rattachée à un incident touchant plusieurs établissements"),
    "incident_unlinked": N_("Demande détachée de l'incident"),
    "evolution_status": N_("Suivi de la demande d'évolution"),
    "merged": N_("Demande regroupée avec une demande identique"),
    "unmerged": N_("Demande de nouveau suivie à part"),
}
AUDIENCE_LABELS = {
    Audience.PUBLIC: N_("Visible par le demandeur"),
    Audience.INTERNAL: N_("Note interne"),
    Audience.VENDOR: N_("Échange avec l'éditeur"),
}
TIER_EVENTS = frozenset({"created", "escalated", "sent_down"})
VENDOR_DONE_LABEL = N_("Renvoyé à l'équipe pilote")


@dataclass
class Entry:
    """One line of the timeline as its reader sees it. `values` are codes to label (tiers, statuses), `text`
    free text (a message body, a reason), `when` aware UTC."""

    kind: str  # "message" or "event"
    id: int
    when: datetime
    audience: Audience
    author: str | None
    label: str
    text: str = ""
    values: tuple[str, str] = ("", "")
    message_kind: str = ""
    data: dict = field(default_factory=dict)


@dataclass
class ReaderView:
    ticket: Ticket
    audiences: frozenset
    is_requester_side: bool
    is_vendor: bool
    entries: list[Entry]
    attachments: list
    status_label: str
    solution: Entry | None
    question: Entry | None

    @property
    def is_agent(self) -> bool:
        return Audience.INTERNAL in self.audiences


def _name(user) -> str | None:
    return user.full_name if user is not None else None


def status_label_for(ticket: Ticket, reader) -> str:
    """The ticket's status as `reader` reads it: the agents' label, or the requester's side's own words."""
    audiences = policy.readable_audiences(reader, ticket)
    status = Status(ticket.status)
    if Audience.INTERNAL in audiences:
        return STATUS_LABELS[status]
    if Audience.VENDOR in audiences:  # the vendor's own view: its tier's statuses, then the hand-back
        return STATUS_LABELS[status] if ticket.tier == Tier.EDITEUR else VENDOR_DONE_LABEL
    phase = requester_phase(status, ticket.tier, reader_is_requester=getattr(reader, "id", None) == ticket.requester_id)
    return REQUESTER_LABELS[phase]


def reader_view(ticket: Ticket, reader) -> ReaderView:
    audiences = policy.readable_audiences(reader, ticket)
    agent = Audience.INTERNAL in audiences
    vendor = audiences == frozenset({Audience.VENDOR})
    requester_side = not agent and not vendor
    entries: list[Entry] = []
    for message in ticket.messages:
        if Audience(message.audience) not in audiences:
            continue
        entries.append(Entry(kind="message", id=message.id, when=as_utc(message.created_at), audience=Audience(message.audience),
                             author=_name(message.author), label="", text=message.body,
                             message_kind=message.kind))  # fmt: skip
    for event in ticket.events:
        audience = Audience(event.audience)
        if audience not in audiences:
            continue
        labels = REQUESTER_EVENT_LABELS if requester_side else EVENT_LABELS
        entries.append(Entry(kind="event", id=event.id, when=as_utc(event.created_at), audience=audience,
                             author=None if requester_side else _name(event.actor),
                             label=labels.get(event.kind, EVENT_LABELS.get(event.kind, event.kind)),
                             text="" if requester_side and event.kind not in {"promise_moved"} else event.reason,
                             values=(event.from_value, event.to_value), data={"kind": event.kind, **(event.data or {})}))  # fmt: skip
    entries.sort(key=lambda e: (e.when, 0 if e.kind == "event" else 1, e.id))
    status = Status(ticket.status)
    status_label = status_label_for(ticket, reader)
    solution = next((e for e in reversed(entries) if e.message_kind == MessageKind.SOLUTION), None) if status in {
        Status.RESOLVED, Status.CLOSED} else None  # fmt: skip
    question = next((e for e in reversed(entries) if e.message_kind == MessageKind.QUESTION), None) if (
        status == Status.WAITING_REQUESTER) else None  # fmt: skip
    attachments = [a for a in ticket.attachments if policy.can_read_attachment(reader, a)]
    return ReaderView(ticket=ticket, audiences=audiences, is_requester_side=requester_side, is_vendor=vendor,
                      entries=entries, attachments=attachments, status_label=status_label, solution=solution,
                      question=question)  # fmt: skip


def value_label(entry: Entry, value: str) -> str:
    """The label of a code carried by an event (a tier, a status, a ticket type), or the value itself."""
    kind = entry.data.get("kind", "")
    if kind in TIER_EVENTS:
        return TIER_LABELS.get(value, value)
    if kind in {"taken", "waiting", "wait_ended", "resolved", "closed", "reopened", "merged", "unmerged"}:
        return STATUS_LABELS.get(value, value)
    if kind == "type_changed":
        return TICKET_TYPE_LABELS.get(value, value)
    if kind in {"sla_warning", "sla_first_response", "sla_resolution"}:
        return TIER_LABELS.get(value, value)
    return value
