"""Mass incidents: detect bursts, confirm, link matching tickets, banner, resolve parent and children at once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.incidents.models import MajorIncident
from helpdesk.platform.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.tickets.models import Ticket

OPEN = ("candidate", "confirmed")


def detect_bursts(session, *, now: datetime, window_minutes: int, min_tickets: int, min_schools: int) -> list[MajorIncident]:
    """Keywords with at least `min_tickets` new tickets from `min_schools` schools in the window → candidates."""
    since = now - timedelta(minutes=window_minutes)
    rows = session.execute(
        select(Ticket.keyword_id, Ticket.service, func.count(Ticket.id), func.count(func.distinct(Ticket.school_id)))
        .where(
            Ticket.created_at > since, Ticket.created_at <= now, Ticket.parent_id.is_(None), Ticket.is_major_incident.is_(False)
        )
        .group_by(Ticket.keyword_id, Ticket.service)
    ).all()
    created = []
    for keyword_id, service, tickets, schools in rows:
        if tickets < min_tickets or schools < min_schools:
            continue
        if session.scalar(select(MajorIncident.id).where(MajorIncident.keyword_id == keyword_id, MajorIncident.status.in_(OPEN))):
            continue  # already known: one candidate per keyword at a time
        incident = MajorIncident(
            service=service,
            keyword_id=keyword_id,
            ticket_count=tickets,
            school_count=schools,
            title=f"Incident possible : {SERVICE_LABELS.get(service, service)}",
            detected_at=now,
        )
        session.add(incident)
        created.append(incident)
    session.flush()
    return created


def _get(session, incident_id: int, actor) -> MajorIncident:
    if not policy.can(actor, policy.Action.MANAGE_MAJOR_INCIDENTS):
        raise NotAllowed("Réservé au niveau 1 et à l'équipe de pilotage.")
    incident = session.get(MajorIncident, incident_id)
    if incident is None:
        raise NotFound("Incident introuvable.")
    return incident


def list_incidents(session, *, actor) -> list[MajorIncident]:
    if not policy.can(actor, policy.Action.MANAGE_MAJOR_INCIDENTS):
        raise NotAllowed("Réservé au niveau 1 et à l'équipe de pilotage.")
    return list(session.scalars(select(MajorIncident).order_by(MajorIncident.detected_at.desc()).limit(100)))


def matching_tickets(session, incident: MajorIncident) -> list[Ticket]:
    """Open tickets of the incident's keyword not yet linked: proposed for linking."""
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.keyword_id == incident.keyword_id,
                Ticket.is_open.is_(True),
                Ticket.parent_id.is_(None),
                Ticket.is_major_incident.is_(False),
            )
            .order_by(Ticket.created_at)
        )
    )


def confirm_incident(session, incident_id: int, *, actor, title: str, message: str, now: datetime) -> MajorIncident:
    """Confirm: the oldest matching ticket becomes the parent, the others its children; the banner shows."""
    incident = _get(session, incident_id, actor)
    if incident.status != "candidate":
        raise InvalidTransition("Seul un incident candidat peut être confirmé.")
    title, message = (title or "").strip(), (message or "").strip()
    if not title:
        raise ValidationFailed("Donnez un titre à l'incident : il s'affiche sur le portail.")
    tickets = matching_tickets(session, incident)
    if not tickets:
        raise ValidationFailed("Aucun ticket ouvert ne correspond encore à cet incident.")
    parent, children = tickets[0], tickets[1:]
    parent.is_major_incident = True
    for child in children:
        child.parent_id = parent.id
    incident.parent_ticket_id = parent.id
    incident.status, incident.title, incident.message, incident.confirmed_at = "confirmed", title[:200], message[:1000], now
    session.flush()
    return incident


def link_ticket(session, incident_id: int, ticket_id: int, *, actor) -> Ticket:
    incident = _get(session, incident_id, actor)
    if incident.status != "confirmed":
        raise InvalidTransition("Confirmez d'abord l'incident.")
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.id == incident.parent_ticket_id:
        raise NotFound("Ticket introuvable.")
    ticket.parent_id = incident.parent_ticket_id
    session.flush()
    return ticket


def dismiss_incident(session, incident_id: int, *, actor, now: datetime) -> MajorIncident:
    incident = _get(session, incident_id, actor)
    if incident.status != "candidate":
        raise InvalidTransition("Seul un incident candidat peut être écarté.")
    incident.status, incident.resolved_at = "dismissed", now
    session.flush()
    return incident


def resolve_incident(session, incident_id: int, *, actor, message: str, now: datetime) -> int:
    """Resolve the parent and every open child with one message; each requester is told once. Returns the count."""
    from helpdesk.tickets import lifecycle

    incident = _get(session, incident_id, actor)
    if incident.status != "confirmed":
        raise InvalidTransition("Seul un incident confirmé peut être résolu.")
    message = (message or "").strip()
    if not message:
        raise ValidationFailed("Rédigez le message envoyé à chaque demandeur.")
    parent = session.get(Ticket, incident.parent_ticket_id)
    family = [parent, *session.scalars(select(Ticket).where(Ticket.parent_id == parent.id))]
    resolved = 0
    for ticket in family:
        # Each requester receives the message as the solution of their own ticket (notification rules).
        if lifecycle.resolve_for_incident(session, ticket, actor=actor, solution=message, now=now) is not None:
            resolved += 1
    incident.status, incident.resolved_at, incident.message = "resolved", now, message[:1000]
    session.flush()
    return resolved


def banners(session, service: str | None = None) -> list[str]:
    """Texts of the confirmed incidents (all, or one service's) for the portal banner."""
    query = select(MajorIncident).where(MajorIncident.status == "confirmed")
    if service:
        query = query.where(MajorIncident.service == service)
    return [f"{i.title}{' — ' + i.message if i.message else ''}" for i in session.scalars(query)]
