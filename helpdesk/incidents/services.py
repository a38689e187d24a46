"""Mass incidents, level 1's job: detect bursts (and tell level 1), declare one by hand from a ticket or from
nothing, attach and detach tickets, send news to every requester at once, resolve them all once confirmed.

The incident owns its tickets' membership through the ticket's own services (`attach_to_incident`), so each
ticket's history says when it joined; messages and resolutions go through the ticket's conversation and life
cycle, so each requester reads them, and is told, as on any other ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.incidents.models import OPEN, IncidentStatus, MajorIncident
from helpdesk.notifications.recipients import tier_group_ids
from helpdesk.notifications.services import notify_many
from helpdesk.platform.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import SERVICE_LABELS, Service, Tier
from helpdesk.tickets import conversation, lifecycle
from helpdesk.tickets import services as tickets
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.models import Ticket

TITLE_MAX, MESSAGE_MAX = 200, 1000


def _require(actor) -> None:
    if not policy.can(actor, policy.Action.MANAGE_MAJOR_INCIDENTS):
        raise NotAllowed(N_("Réservé au niveau 1 et à l'équipe de pilotage."))


def _text(value: str, limit: int, missing: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(missing, field=field)
    if len(value) > limit:
        raise ValidationFailed(N_("%(max)s caractères au plus."), params={"max": limit}, field=field)
    return value


def get(session, incident_id: int, *, actor) -> MajorIncident:
    _require(actor)
    incident = session.get(MajorIncident, incident_id)
    if incident is None:
        raise NotFound(N_("Incident introuvable."))
    return incident


def detect_bursts(session, *, now: datetime, window_minutes: int, min_tickets: int, min_schools: int) -> list[MajorIncident]:
    """Keywords with at least `min_tickets` new tickets from `min_schools` schools in the window → candidates,
    of which level 1 is told (bell and mail) with a link to the incidents page."""
    since = now - timedelta(minutes=window_minutes)
    rows = session.execute(
        select(Ticket.keyword_id, Ticket.service, func.count(Ticket.id), func.count(func.distinct(Ticket.school_id)))
        .where(Ticket.created_at > since, Ticket.created_at <= now, Ticket.incident_id.is_(None))
        .group_by(Ticket.keyword_id, Ticket.service)
    ).all()
    created = []
    for keyword_id, service, count, schools in rows:
        if count < min_tickets or schools < min_schools:
            continue
        if session.scalar(select(MajorIncident.id).where(MajorIncident.keyword_id == keyword_id, MajorIncident.status.in_(OPEN))):
            continue  # already known: one open incident per keyword at a time
        incident = MajorIncident(service=service, keyword_id=keyword_id, ticket_count=count, school_count=schools,
                                 title=f"Incident possible : {SERVICE_LABELS.get(service, service)}", detected_at=now)  # fmt: skip
        session.add(incident)
        created.append(incident)
    session.flush()
    for incident in created:
        notify_many(session, tier_group_ids(session, None, Tier.N1), "incident_candidate", incident=incident,
                    link="/incidents", dedup_key=f"incident-candidate:{incident.id}", now=now)  # fmt: skip
    return created


def list_incidents(session, *, actor) -> list[MajorIncident]:
    _require(actor)
    return list(session.scalars(select(MajorIncident).order_by(MajorIncident.detected_at.desc()).limit(100)))


def members(session, incident: MajorIncident) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(Ticket.incident_id == incident.id).order_by(Ticket.created_at)))


def matching_tickets(session, incident: MajorIncident) -> list[Ticket]:
    """Open tickets of the incident's keyword (or service, for one declared by hand) not yet attached: proposed."""
    same = Ticket.keyword_id == incident.keyword_id if incident.keyword_id else Ticket.service == incident.service
    return list(session.scalars(select(Ticket).where(same, Ticket.is_open.is_(True), Ticket.incident_id.is_(None))
                                .order_by(Ticket.created_at).limit(200)))  # fmt: skip


def declare(
    session, *, actor, service: str, title: str, message: str, now: datetime, from_ticket: Ticket | None = None
) -> MajorIncident:
    """Level 1 declares an incident by hand (from a ticket, or from nothing): the banner shows at once."""
    _require(actor)
    if service not in set(Service):
        raise ValidationFailed(N_("Choisissez le service touché."), field="service")
    incident = MajorIncident(
        service=service,
        keyword_id=from_ticket.keyword_id if from_ticket is not None else None,
        declared_by_id=actor.id,
        title=_text(title, TITLE_MAX, N_("Donnez un titre à l'incident : il s'affiche sur le portail."), "title"),
        message=_text(message, MESSAGE_MAX, N_("Écrivez le message du bandeau."), "message"),
        status=IncidentStatus.CONFIRMED,
        detected_at=now,
        confirmed_at=now,
    )
    session.add(incident)
    session.flush()
    if from_ticket is not None:
        tickets.attach_to_incident(session, from_ticket, incident.id, incident.title, actor=actor, now=now)
    return incident


def confirm(session, incident_id: int, *, actor, title: str, message: str, now: datetime) -> MajorIncident:
    """Confirm a detected candidate: the banner shows and every matching open ticket is attached."""
    incident = get(session, incident_id, actor=actor)
    if incident.status != IncidentStatus.CANDIDATE:
        raise InvalidTransition(N_("Seul un incident candidat peut être confirmé."))
    incident.title = _text(title, TITLE_MAX, N_("Donnez un titre à l'incident : il s'affiche sur le portail."), "title")
    incident.message = _text(message, MESSAGE_MAX, N_("Écrivez le message du bandeau."), "message")
    incident.status, incident.confirmed_at, incident.declared_by_id = IncidentStatus.CONFIRMED, now, actor.id
    for ticket in matching_tickets(session, incident):
        tickets.attach_to_incident(session, ticket, incident.id, incident.title, actor=actor, now=now)
    session.flush()
    return incident


def dismiss(session, incident_id: int, *, actor, now: datetime) -> MajorIncident:
    incident = get(session, incident_id, actor=actor)
    if incident.status != IncidentStatus.CANDIDATE:
        raise InvalidTransition(N_("Seul un incident candidat peut être écarté."))
    incident.status, incident.resolved_at = IncidentStatus.DISMISSED, now
    session.flush()
    return incident


def _confirmed(session, incident_id: int, actor) -> MajorIncident:
    incident = get(session, incident_id, actor=actor)
    if incident.status != IncidentStatus.CONFIRMED:
        raise InvalidTransition(N_("Cet incident n'est pas en cours."))
    return incident


def attach(session, incident_id: int, reference: str, *, actor, now: datetime) -> Ticket:
    incident = _confirmed(session, incident_id, actor)
    ticket = tickets.get_visible(session, (reference or "").strip().upper(), actor=actor)
    if ticket.incident_id not in (None, incident.id):
        raise ValidationFailed(N_("Ce ticket fait déjà partie d'un autre incident : détachez-le d'abord."))
    tickets.attach_to_incident(session, ticket, incident.id, incident.title, actor=actor, now=now)
    return ticket


def detach(session, incident_id: int, ticket_id: int, *, actor, now: datetime) -> Ticket:
    incident = get(session, incident_id, actor=actor)
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.incident_id != incident.id:
        raise NotFound(N_("Ce ticket ne fait pas partie de cet incident."))
    tickets.detach_from_incident(session, ticket, actor=actor, now=now, title=incident.title)
    return ticket


def post_news(session, incident_id: int, *, actor, message: str, now: datetime) -> int:
    """The same news to every open ticket of the incident, as a public message each requester is told of."""
    incident = _confirmed(session, incident_id, actor)
    body = _text(message, conversation.MAX_LENGTH, N_("Écrivez le point d'étape envoyé aux demandeurs."), "message")
    sent = 0
    for ticket in members(session, incident):
        if ticket.is_open:
            conversation.write_message(session, ticket, MessageKind.INTERIM, actor=actor, body=body, now=now, with_move=False)
            sent += 1
    return sent


def resolve(session, incident_id: int, *, actor, message: str, confirmed: bool, now: datetime) -> int:
    """Resolve every open ticket of the incident with one solution, once the person confirmed they mean it.
    Returns how many tickets were resolved."""
    incident = _confirmed(session, incident_id, actor)
    body = _text(message, conversation.MAX_LENGTH, N_("Rédigez la solution envoyée à chaque demandeur."), "message")
    if not confirmed:
        raise ValidationFailed(N_("Cochez la confirmation : tous les tickets de l'incident seront résolus."), field="confirmed")
    resolved = 0
    for ticket in members(session, incident):
        if lifecycle.resolve_for_incident(session, ticket, actor=actor, solution=body, now=now) is not None:
            resolved += 1
    incident.status, incident.resolved_at = IncidentStatus.RESOLVED, now
    session.flush()
    return resolved


def banners(session, service: str | None = None) -> list[str]:
    """Texts of the incidents in progress (all, or one service's) for the portal banner."""
    query = select(MajorIncident).where(MajorIncident.status == IncidentStatus.CONFIRMED)
    if service:
        query = query.where(MajorIncident.service == service)
    return [f"{i.title}{' — ' + i.message if i.message else ''}" for i in session.scalars(query)]


def open_incidents(session) -> list[MajorIncident]:
    return list(session.scalars(select(MajorIncident).where(MajorIncident.status == IncidentStatus.CONFIRMED)
                                .order_by(MajorIncident.confirmed_at.desc())))  # fmt: skip


def allowed(actor) -> bool:
    return policy.can(actor, policy.Action.MANAGE_MAJOR_INCIDENTS)
