"""Ticket use cases besides the life cycle (`lifecycle`) and the conversation (`conversation`): open from a
keyword, find, assign, re-route, the vendor's reference, the pilot team's inventory of evolution requests.

Every service checks `policy` first, validates, mutates, records a TicketEvent with its audience, sends a
signal (SLA, notifications and statistics subscribe) and flushes; the caller commits."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from helpdesk import policy
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.routing.codes import TIER_LABELS, TicketType, Tier
from helpdesk.routing.entry import ticket_entry_tier
from helpdesk.routing.models import Keyword
from helpdesk.tickets import signals
from helpdesk.tickets.audiences import Audience, event_audience
from helpdesk.tickets.channels import CHANNELS
from helpdesk.tickets.models import Message, Ticket, TicketEvent
from helpdesk.tickets.states import Status
from helpdesk.users.models import User

SUBJECT_MAX = 200
DESCRIPTION_MAX = 20_000  # as the page form's field
EVOLUTION_STATUSES = {
    "submitted": N_("Soumise à l'éditeur"),
    "planned": N_("Planifiée"),
    "delivered": N_("Livrée"),
    "refused": N_("Refusée"),
}


def get_visible(session, reference: str, *, actor, options=()) -> Ticket:
    """The ticket if the actor may see it; NotFound otherwise (never reveal that it exists). `options`: what the
    caller reads of it, loaded with it (TICKET_PAGE_LOADS)."""
    ticket = session.scalar(select(Ticket).where(Ticket.reference == reference).options(*options))
    if ticket is None or not policy.can_view_ticket(actor, ticket):
        raise NotFound(N_("Ce ticket n'existe pas ou vous n'y avez pas accès."))
    return ticket


# What the ticket page reads: its keyword and school joined to it, then its timeline, authors and actors included,
# a query per collection. Lazily, each author not yet loaded cost three statements (the person, their roles and
# basins), and the keyword and school one each.
TICKET_PAGE_LOADS = (
    joinedload(Ticket.keyword),
    joinedload(Ticket.school),
    selectinload(Ticket.messages).joinedload(Message.author),
    selectinload(Ticket.events).joinedload(TicketEvent.actor),
    selectinload(Ticket.attachments),
)


def check_version(ticket: Ticket, expected_version: int | None) -> None:
    """A stale form or API call gets a Conflict instead of overwriting (None: the caller has no version)."""
    if expected_version is None:
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError) as error:
        raise ValidationFailed(N_("« version » doit être un entier.")) from error
    if expected != ticket.version:
        raise Conflict(
            N_(
                "Ce ticket a été modifié par quelqu'un d'autre pendant que vous le consultiez. "
                "Voici son état à jour : vérifiez-le puis refaites votre action."
            ),
            version=ticket.version,
            status=ticket.status,
            tier=ticket.tier,
        )


def record_event(session, ticket: Ticket, kind: str, *, actor, now: datetime, from_value="", to_value="", reason="",
                 data=None, audience: Audience | None = None) -> TicketEvent:  # fmt: skip
    """One line of the ticket's history; its audience is its kind's (audiences.event_audience) unless given."""
    event = TicketEvent(
        ticket=ticket,
        actor_id=getattr(actor, "id", None),
        kind=kind,
        audience=audience or event_audience(kind),
        from_value=str(from_value or ""),
        to_value=str(to_value or ""),
        reason=reason or "",
        data=data or {},
        created_at=now,
    )
    session.add(event)
    return event


def set_holder(session, ticket: Ticket, user_id: int | None) -> None:
    """Who holds the ticket, written through the foreign key only (the relationship reloads when read), so that
    the life cycle and assignments never disagree."""
    ticket.assignee_id = user_id
    session.expire(ticket, ["assignee"])


def open_ticket(
    session,
    *,
    actor: User,
    keyword: Keyword,
    subject: str,
    description: str,
    now: datetime,
    requester: User | None = None,
    school=None,
    channel: str = "web",
    extra_fields: dict | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    ticket_type: str | None = None,
    prefill: dict | None = None,
    suggested_keyword: bool = False,
) -> Ticket:
    """Open a ticket: the keyword decides service, entry tier, priority and type (no misrouting by hand).

    `suggested_keyword`: the keyword is the routing suggester's guess (a mail), not a person's choice: the ticket
    enters at level 1, which checks it (routing.entry.ticket_entry_tier)."""
    requester = requester or actor
    if requester.id != actor.id and not policy.can(actor, Action.CREATE_TICKET_ON_BEHALF):
        raise NotAllowed(N_("Seuls les agents peuvent enregistrer un ticket pour le compte d'une autre personne."))
    if requester.id == actor.id and not policy.can(actor, Action.CREATE_TICKET):
        raise NotAllowed(N_("Votre compte ne permet pas d'ouvrir de ticket."))
    if channel not in CHANNELS:
        raise ValidationFailed(N_("Canal inconnu : %(channel)s."), params={"channel": channel})
    if not keyword.is_active:
        raise ValidationFailed(N_("Ce mot-clé n'est plus proposé : choisissez-en un autre."))
    school = school or requester.school
    if school is None:
        raise ValidationFailed(N_("Indiquez l'établissement concerné par le ticket."))
    if requester.school_id is not None and school.id != requester.school_id and not policy.is_agent(actor):
        raise NotAllowed(N_("Vous ne pouvez ouvrir un ticket que pour votre propre établissement."))
    subject, description = (subject or "").strip(), (description or "").strip()
    if not subject or not description:
        raise ValidationFailed(N_("L'objet et la description sont obligatoires."))
    if len(subject) > SUBJECT_MAX:
        raise ValidationFailed(N_("L'objet dépasse %(max)s caractères."), params={"max": SUBJECT_MAX}, field="subject")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            N_("La description dépasse %(max)s caractères."),
            params={"max": f"{DESCRIPTION_MAX:,}".replace(",", "\u202f")},
            field="description",
        )
    for name, value, limit in (
        ("contact_name", contact_name, 200),
        ("contact_email", contact_email, 254),
        ("contact_phone", contact_phone, 40),
    ):  # fmt: skip — the columns' sizes
        if len(value or "") > limit:  # refused with the limit, never stored cut (nor a 500 on PostgreSQL)
            raise ValidationFailed(
                N_("« %(field)s » dépasse %(max)s caractères."), params={"field": name, "max": limit}, field=name
            )
    ticket_type = ticket_type or keyword.ticket_type
    tier = ticket_entry_tier(keyword.tier, ticket_type, keyword.is_mass_incident, keyword_is_guess=suggested_keyword)
    ticket = Ticket(
        type=ticket_type,
        status=Status.NEW,
        is_open=True,
        tier=tier,
        entry_tier=tier,
        service=keyword.service,
        keyword=keyword,
        priority=keyword.priority,
        subject=subject,
        description=description,
        extra_fields=extra_fields or {},
        channel=channel,
        school=school,
        basin_id=school.basin_id,
        requester=requester,
        created_by=actor,
        contact_name=contact_name or requester.full_name,
        contact_email=contact_email or requester.email,
        contact_phone=contact_phone or requester.phone,
        created_at=now,
        updated_at=now,
    )
    # The reference derives from the id: take the id first where the database can give it (PostgreSQL's
    # sequence) so that the row is inserted complete, instead of an INSERT followed by an UPDATE.
    ticket.id = _reserve_ticket_id(session)
    if ticket.id is not None:
        ticket.reference = ticket_reference(ticket.id, now)
    session.add(ticket)
    record_event(session, ticket, "created", actor=actor, now=now, to_value=tier,
                 data={"keyword": keyword.label, "service": keyword.service, "channel": channel})  # fmt: skip
    signals.send(signals.ticket_opening, session, signals.TicketOpening(ticket=ticket, now=now))
    session.flush()
    if ticket.reference is None:
        ticket.reference = ticket_reference(ticket.id, now)
    signals.send(signals.ticket_opened, session, signals.TicketOpened(ticket=ticket, actor=actor, now=now, prefill=prefill))
    session.flush()
    return ticket


def ticket_reference(ticket_id: int, now: datetime) -> str:
    return f"ENT-{now.year}-{ticket_id:06d}"


def _reserve_ticket_id(session) -> int | None:
    """The next id of the ticket sequence on PostgreSQL (gaps are normal, as with the INSERT's own default);
    None elsewhere: SQLite assigns it at the INSERT."""
    connection = session.connection(bind_arguments={"mapper": Ticket.__mapper__})
    if connection.dialect.name != "postgresql":
        return None
    return connection.execute(_NEXT_TICKET_ID).scalar()


_NEXT_TICKET_ID = select(func.nextval(func.pg_get_serial_sequence("ticket", "id")))


def assign(session, ticket: Ticket, assignee: User | None, *, actor, now: datetime, expected_version=None) -> None:
    """Assign to a person of the tier holding the ticket, or back to the tier's group (None). Assigning
    someone is not taking it: the status stays what it is until that person takes it."""
    check_version(ticket, expected_version)
    if not policy.can(actor, Action.WORK_TICKET, ticket):
        raise NotAllowed(N_("Ce ticket n'est pas dans votre file."))
    if assignee is not None and not policy.can(assignee, Action.WORK_TICKET, ticket):
        raise ValidationFailed(
            N_("%(name)s ne fait pas partie du niveau « %(tier)s » de ce ticket."),
            params={"name": assignee.full_name, "tier": TIER_LABELS[Tier(ticket.tier)]},
        )
    old_holder = ticket.assignee_id
    before = ticket.assignee.full_name if ticket.assignee else ""
    set_holder(session, ticket, getattr(assignee, "id", None))
    ticket.updated_at = now
    record_event(session, ticket, "assigned", actor=actor, now=now, from_value=before,
                 to_value=assignee.full_name if assignee else "")  # fmt: skip
    session.flush()
    signals.send(signals.ticket_assigned, session, signals.TicketAssigned(
        ticket=ticket, old_holder_id=old_holder, new_holder_id=getattr(assignee, "id", None), actor=actor, now=now))  # fmt: skip


def change_keyword(
    session, ticket: Ticket, keyword: Keyword, *, actor, reason: str, now: datetime, expected_version=None
) -> None:
    """Re-route: the new keyword's service applies; the change is recorded as a misrouting with its reason."""
    check_version(ticket, expected_version)
    if not policy.can(actor, Action.CHANGE_KEYWORD, ticket):
        raise NotAllowed(N_("Vous ne pouvez pas changer le mot-clé de ce ticket."))
    if not (reason or "").strip():
        raise ValidationFailed(N_("Indiquez pourquoi le mot-clé était inadapté."))
    if keyword.id == ticket.keyword_id:
        raise ValidationFailed(N_("C'est déjà le mot-clé de ce ticket."))
    old_keyword, old_service = ticket.keyword.label, ticket.service
    ticket.keyword = keyword
    ticket.service = keyword.service
    ticket.updated_at = now
    record_event(session, ticket, "keyword_changed", actor=actor, now=now, from_value=old_keyword, to_value=keyword.label,
                 reason=reason.strip(), data={"misrouted": True, "old_service": old_service, "new_service": keyword.service})  # fmt: skip
    session.flush()
    signals.send(signals.keyword_changed, session, signals.KeywordChanged(
        ticket=ticket, old_keyword=old_keyword, new_keyword=keyword.label, actor=actor, now=now))  # fmt: skip


def set_vendor_reference(session, ticket: Ticket, reference: str, *, actor, now: datetime, expected_version=None) -> None:
    """The vendor's own reference for the ticket (set by the vendor while it holds it, or by the pilot team)."""
    check_version(ticket, expected_version)
    if not policy.can(actor, Action.SET_VENDOR_REFERENCE, ticket):
        raise NotAllowed(N_("Seuls l'éditeur, tant qu'il traite le ticket, et l'équipe pilote indiquent la référence éditeur."))
    reference = (reference or "").strip()
    if len(reference) > 60:
        raise ValidationFailed(N_("La référence éditeur compte au plus 60 caractères."))
    before = ticket.vendor_reference
    ticket.vendor_reference = reference
    ticket.updated_at = now
    record_event(session, ticket, "vendor_reference", actor=actor, now=now, from_value=before, to_value=reference)
    session.flush()


def mark_duplicate(session, ticket: Ticket, original: Ticket | None, *, actor, now: datetime, expected_version=None) -> None:
    """Pilot inventory: this evolution request repeats `original` (None clears the mark)."""
    check_version(ticket, expected_version)
    if not policy.can(actor, Action.MARK_DUPLICATE):
        raise NotAllowed(N_("Seule l'équipe pilote regroupe les doublons."))
    if original is not None and (original.id == ticket.id or original.duplicate_of_id == ticket.id):
        raise ValidationFailed(N_("Un ticket ne peut pas être le doublon de lui-même."))
    before = ticket.duplicate_of.reference if ticket.duplicate_of else ""
    ticket.duplicate_of = original.duplicate_group_head if original is not None else None
    ticket.updated_at = now
    record_event(session, ticket, "duplicate_marked", actor=actor, now=now, from_value=before,
                 to_value=ticket.duplicate_of.reference if ticket.duplicate_of else "")  # fmt: skip
    session.flush()


def set_evolution_status(session, ticket: Ticket, status: str, *, actor, now: datetime, expected_version=None) -> None:
    check_version(ticket, expected_version)
    if ticket.type not in {TicketType.EVOLUTION, TicketType.BUG}:
        raise ValidationFailed(N_("Seules les demandes d'évolution et les bugs ont un état de suivi éditeur."))
    if not policy.can_track_evolution(actor, ticket):
        raise NotAllowed(N_("Seules l'équipe pilote et l'éditeur, tant qu'il traite le ticket, suivent l'état des évolutions."))
    if status not in EVOLUTION_STATUSES:
        raise ValidationFailed(N_("État d'évolution inconnu."))
    before = ticket.evolution_status
    ticket.evolution_status = status
    ticket.updated_at = now
    record_event(session, ticket, "evolution_status", actor=actor, now=now, from_value=before, to_value=status)
    session.flush()


def attach_to_incident(session, ticket: Ticket, incident_id: int, title: str, *, actor, now: datetime) -> bool:
    """Make the ticket part of a mass incident (its requester reads it in their timeline). False if it already was."""
    if not policy.can(actor, Action.MANAGE_MAJOR_INCIDENTS) or not policy.can_view_ticket(actor, ticket):
        raise NotAllowed(N_("Réservé au niveau 1 et à l'équipe de pilotage."))
    if ticket.incident_id == incident_id:
        return False
    if not ticket.is_open:
        raise ValidationFailed(N_("Seul un ticket ouvert se rattache à un incident."))
    ticket.incident_id = incident_id
    ticket.updated_at = now
    record_event(
        session, ticket, "incident_linked", actor=actor, now=now, to_value=title[:200], data={"incident_id": incident_id}
    )
    session.flush()
    return True


def detach_from_incident(session, ticket: Ticket, *, actor, now: datetime, title: str = "") -> None:
    if not policy.can(actor, Action.MANAGE_MAJOR_INCIDENTS):
        raise NotAllowed(N_("Réservé au niveau 1 et à l'équipe de pilotage."))
    if ticket.incident_id is None:
        return
    record_event(session, ticket, "incident_unlinked", actor=actor, now=now, from_value=title[:200],
                 data={"incident_id": ticket.incident_id})  # fmt: skip
    ticket.incident_id = None
    ticket.updated_at = now
    session.flush()
