"""Bulk actions of the queue: one operation on the tickets an agent ticked, each ticket done exactly as from its
own page (the same `actions` handler or incident service, so the same policy, audit trail, notifications and SLA
clocks), and a result per ticket: done, or refused and why.

Each ticket is its own transaction, committed or rolled back here as N clicks on N ticket pages would be: one
refusal never undoes the others, and what a commit sets off (mails, timers) follows each ticket that was done.
A row carries the version the agent saw: a ticket changed since the queue was displayed is refused, not
overwritten."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from helpdesk import policy
from helpdesk.platform.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.schemas import from_form, parse
from helpdesk.tickets import actions
from helpdesk.tickets.models import Ticket

MAX_SELECTED = 100
LINK_INCIDENT = "link_incident"
# The operations in the order the selection box lists them (policy.bulk_offer says which one a person gets).
OPERATIONS = {
    "take": N_("Prendre en charge"),
    "assign": N_("Affecter à…"),
    "change_keyword": N_("Changer le mot-clé"),
    LINK_INCIDENT: N_("Rattacher à un incident de masse"),
    "resolve": N_("Résoudre avec la même réponse"),
}
STALE = N_("Modifié par quelqu'un d'autre depuis l'affichage de la file : rien n'a été fait, vérifiez-le.")
UNKNOWN = N_("Ticket introuvable ou hors de votre portée.")


@dataclass(frozen=True)
class Selected:
    ticket_id: int
    version: int


@dataclass
class Outcome:
    ticket_id: int
    reference: str
    subject: str
    is_done: bool
    template: str  # N_ text, translated where it is shown
    params: dict = field(default_factory=dict)


def operations_for(user) -> dict[str, str]:
    offer = policy.bulk_offer(user)
    return {name: label for name, label in OPERATIONS.items() if name in offer}


def parse_selection(values: list[str]) -> list[Selected]:
    """The ticked rows (« id:version » each), in order, without repeats; none, too many or a forged one is refused."""
    selected: dict[int, Selected] = {}
    for value in values:
        try:
            ticket_id, version = (int(part) for part in value.split(":"))
        except ValueError as error:
            raise ValidationFailed(N_("La sélection est invalide : rechargez la file."), field="tickets") from error
        if not (0 < ticket_id < 2**63 and 0 < version < 2**31):
            raise ValidationFailed(N_("La sélection est invalide : rechargez la file."), field="tickets")
        selected.setdefault(ticket_id, Selected(ticket_id, version))
    if not selected:
        raise ValidationFailed(N_("Cochez au moins un ticket."), field="tickets")
    if len(selected) > MAX_SELECTED:
        raise ValidationFailed(N_("%(max)s tickets au plus à la fois."), params={"max": MAX_SELECTED}, field="tickets")
    return list(selected.values())


def check(name: str, fields, *, actor) -> None:
    """Refuse the whole batch before touching any ticket when the operation is not offered or its shared input is
    wrong (a missing solution is one error to fix, not a hundred refusals)."""
    if name not in policy.bulk_offer(actor):
        raise NotAllowed(N_("Cette action groupée ne vous est pas proposée."), field="action")
    if name == LINK_INCIDENT:
        _incident_id(fields)
    else:
        model = actions.ACTIONS[name].model
        parse(model, {**from_form(model, fields), "version": 1})


def _incident_id(fields: dict) -> int:
    try:
        value = int(fields.get("incident_id") or 0)
    except (TypeError, ValueError):
        value = 0
    if not 0 < value < 2**31:
        raise ValidationFailed(N_("Choisissez l'incident de masse auquel rattacher les tickets."), field="incident_id")
    return value


def run(session, selection: list[Selected], name: str, fields, *, actor, now) -> list[Outcome]:
    """Apply operation `name` with its shared `fields` (a form: each operation reads its own fields, empty ones
    are « not given ») to each selected ticket; one Outcome per ticket."""
    check(name, fields, actor=actor)
    return [_one(session, item, name, fields, actor=actor, now=now) for item in selection]


def _one(session, item: Selected, name: str, fields, *, actor, now) -> Outcome:
    ticket = session.get(Ticket, item.ticket_id)
    if ticket is None or not policy.can_view_ticket(actor, ticket):
        return Outcome(item.ticket_id, f"n° {item.ticket_id}", "", False, UNKNOWN)
    reference, subject = ticket.reference, ticket.subject
    try:
        if ticket.version != item.version:
            raise Conflict(STALE)
        if name == LINK_INCIDENT:
            from helpdesk.incidents import services as incidents  # incidents build on tickets: imported when used

            incidents.attach(session, _incident_id(fields), reference, actor=actor, now=now)
            done = N_("Rattaché à l'incident.")
        else:
            model = actions.ACTIONS[name].model
            data = parse(model, {**from_form(model, fields), "version": item.version})
            done = actions.perform(session, ticket, name, data, actor=actor, now=now)
        session.commit()
    except StaleDataError:
        session.rollback()
        return Outcome(item.ticket_id, reference, subject, False, STALE)
    except DomainError as failure:
        session.rollback()
        if isinstance(failure, Conflict):
            return Outcome(item.ticket_id, reference, subject, False, STALE)
        return Outcome(item.ticket_id, reference, subject, False, failure.template, failure.params)
    return Outcome(item.ticket_id, reference, subject, True, done)
