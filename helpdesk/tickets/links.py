"""Links between tickets, each fact in one place: « voir aussi » in `TicketLink`, « doublon de » in
`Ticket.duplicate_of_id` (the pilot team's inventory of evolution requests uses the same column), a mass incident in
`Ticket.incident_id` (owned by helpdesk.incidents), a merge in `Ticket.merged_into_id` (`tickets.merging`).

`related` lists them for one reader, keeping only the tickets that reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.routing.codes import TicketType
from helpdesk.tickets.models import Ticket, TicketLink
from helpdesk.tickets.services import check_version, record_event

SEE_ALSO, DUPLICATE_OF = "see_also", "duplicate_of"
KIND_LABELS = {
    SEE_ALSO: N_("Voir aussi"),
    DUPLICATE_OF: N_("Doublon de"),
    "duplicated_by": N_("A pour doublon"),
    "merged_into": N_("Fusionné dans"),
    "merged_from": N_("Doublon fusionné ici"),
}


@dataclass(frozen=True)
class Related:
    kind: str  # a key of KIND_LABELS
    ticket: Ticket


def _require(actor, ticket: Ticket, other: Ticket) -> None:
    if not (policy.can(actor, Action.LINK_TICKETS, ticket) and policy.can_view_ticket(actor, other)):
        raise NotAllowed(N_("Seuls les agents de l'académie relient des tickets qu'ils voient."))
    if other.id == ticket.id:
        raise ValidationFailed(N_("Un ticket ne se relie pas à lui-même."), fields=["other"])


def _pair(ticket: Ticket, other: Ticket) -> tuple[int, int]:
    return (ticket.id, other.id) if ticket.id < other.id else (other.id, ticket.id)


def link(session, ticket: Ticket, other: Ticket, kind: str, *, actor, now: datetime, expected_version=None) -> None:
    """Relate `ticket` to `other`: « voir aussi » (both ways) or « doublon de » (this one repeats `other`)."""
    check_version(ticket, expected_version)
    _require(actor, ticket, other)
    if kind == SEE_ALSO:
        low, high = _pair(ticket, other)
        found = session.scalar(select(TicketLink).where(TicketLink.ticket_id == low, TicketLink.other_id == high))
        if found is not None:
            raise ValidationFailed(N_("Ces deux tickets sont déjà reliés."), fields=["other"])
        session.add(TicketLink(ticket_id=low, other_id=high, kind=SEE_ALSO, created_by_id=actor.id, created_at=now))
    elif kind == DUPLICATE_OF:
        if ticket.type == TicketType.EVOLUTION and not policy.can(actor, Action.MARK_DUPLICATE):
            raise NotAllowed(N_("Seule l'équipe pilote regroupe les doublons des demandes d'évolution."))
        if other.duplicate_of_id == ticket.id:
            raise ValidationFailed(N_("Ce ticket est déjà noté comme doublon de celui-ci."), fields=["other"])
        ticket.duplicate_of = other.duplicate_group_head
    else:
        raise ValidationFailed(N_("Lien inconnu."), fields=["kind"])
    ticket.updated_at = now
    for one, two in ((ticket, other), (other, ticket)):
        record_event(session, one, "linked", actor=actor, now=now, to_value=two.reference,
                     data={"link": kind, "with": two.reference, "direction": "from" if one is ticket else "to"})  # fmt: skip
    session.flush()


def unlink(session, ticket: Ticket, other: Ticket, kind: str, *, actor, now: datetime, expected_version=None) -> None:
    check_version(ticket, expected_version)
    _require(actor, ticket, other)
    if kind == SEE_ALSO:
        low, high = _pair(ticket, other)
        found = session.scalar(select(TicketLink).where(TicketLink.ticket_id == low, TicketLink.other_id == high))
        if found is None:
            raise ValidationFailed(N_("Ces deux tickets ne sont pas reliés."), fields=["other"])
        session.delete(found)
    elif kind == DUPLICATE_OF:
        if ticket.duplicate_of_id != other.id:
            raise ValidationFailed(N_("Ce ticket n'est pas noté comme doublon de celui-là."), fields=["other"])
        ticket.duplicate_of = None
    else:
        raise ValidationFailed(N_("Lien inconnu."), fields=["kind"])
    ticket.updated_at = now
    for one, two in ((ticket, other), (other, ticket)):
        record_event(
            session, one, "unlinked", actor=actor, now=now, from_value=two.reference, data={"link": kind, "with": two.reference}
        )
    session.flush()


def related(session, ticket: Ticket, reader) -> list[Related]:
    """Every ticket related to `ticket` that `reader` may see, with how it is related."""
    found: list[Related] = []
    pairs = session.scalars(select(TicketLink).where(or_(TicketLink.ticket_id == ticket.id, TicketLink.other_id == ticket.id)))
    for row in pairs:
        found.append(Related(SEE_ALSO, row.other if row.ticket_id == ticket.id else row.ticket))
    if ticket.duplicate_of is not None:
        found.append(Related(DUPLICATE_OF, ticket.duplicate_of))
    if ticket.merged_into is not None:
        found.append(Related("merged_into", ticket.merged_into))
    pointing = session.scalars(
        select(Ticket).where(or_(Ticket.duplicate_of_id == ticket.id, Ticket.merged_into_id == ticket.id)).order_by(Ticket.id)
    )
    for other in pointing:
        found.append(Related("merged_from" if other.merged_into_id == ticket.id else "duplicated_by", other))
    return [r for r in found if policy.can_view_ticket(reader, r.ticket)]
