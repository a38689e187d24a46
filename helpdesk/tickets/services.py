"""Ticket use cases: open from a keyword, move along the life cycle and the tiered chain, converse.

Every service checks `policy` first, validates through `states`, mutates, records a TicketEvent,
publishes an event (SLA, notifications and statistics subscribe) and flushes; the caller commits."""

from datetime import datetime

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.platform import events
from helpdesk.platform.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from helpdesk.policy import Action
from helpdesk.routing.codes import ENTRY_TIERS, TIER_LABELS, TicketType, Tier, next_tier, previous_tier
from helpdesk.routing.models import Keyword
from helpdesk.tickets.models import Message, Ticket, TicketEvent
from helpdesk.tickets.states import FINAL, OPEN_STATUSES, STATUS_LABELS, Status, can_move
from helpdesk.users.models import User

CHANNELS = ("web", "phone", "mail", "api", "diagnostic")


def get_visible(session, reference: str, *, actor) -> Ticket:
    """The ticket if the actor may see it; NotFound otherwise (never reveal that it exists)."""
    ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
    if ticket is None or not policy.can_view_ticket(actor, ticket):
        raise NotFound("Ce ticket n'existe pas ou vous n'y avez pas accès.")
    return ticket


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != ticket.version:
        raise Conflict(
            "Ce ticket a été modifié par quelqu'un d'autre pendant que vous le consultiez. "
            "Voici son état à jour : vérifiez-le puis refaites votre action.",
            version=ticket.version,
            status=ticket.status,
            tier=ticket.tier,
        )


check_version = _check_version  # public name for edges (forms and API) that check before a multi-step action


def record_event(session, ticket: Ticket, kind: str, *, actor, now: datetime, from_value="", to_value="", reason="", data=None):
    event = TicketEvent(
        ticket=ticket,
        actor_id=getattr(actor, "id", None),
        kind=kind,
        from_value=str(from_value or ""),
        to_value=str(to_value or ""),
        reason=reason or "",
        data=data or {},
        created_at=now,
    )
    session.add(event)
    return event


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
) -> Ticket:
    """Open a ticket: the keyword decides service, entry tier, priority and type (no misrouting by hand)."""
    requester = requester or actor
    if requester.id != actor.id and not policy.can(actor, Action.CREATE_TICKET_ON_BEHALF):
        raise NotAllowed("Seuls les agents peuvent enregistrer un ticket pour le compte d'une autre personne.")
    if requester.id == actor.id and not policy.can(actor, Action.CREATE_TICKET):
        raise NotAllowed("Votre compte ne permet pas d'ouvrir de ticket.")
    if channel not in CHANNELS:
        raise ValidationFailed(f"Canal inconnu : {channel}.")
    if not keyword.is_active:
        raise ValidationFailed("Ce mot-clé n'est plus proposé : choisissez-en un autre.")
    school = school or requester.school
    if school is None:
        raise ValidationFailed("Indiquez l'établissement concerné par le ticket.")
    if requester.school_id is not None and school.id != requester.school_id and not policy.is_agent(actor):
        raise NotAllowed("Vous ne pouvez ouvrir un ticket que pour votre propre établissement.")
    subject, description = (subject or "").strip(), (description or "").strip()
    if not subject or not description:
        raise ValidationFailed("L'objet et la description sont obligatoires.")
    tier = Tier(keyword.tier)
    if tier not in ENTRY_TIERS:  # the vendor only receives what the pilot team transmits
        tier = Tier.PILOTE
    ticket = Ticket(
        type=ticket_type or keyword.ticket_type,
        status=Status.NEW,
        is_open=True,
        tier=tier,
        entry_tier=tier,
        service=keyword.service,
        keyword=keyword,
        priority=keyword.priority,
        subject=subject[:200],
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
    record_event(
        session,
        ticket,
        "created",
        actor=actor,
        now=now,
        to_value=tier,
        data={"keyword": keyword.label, "service": keyword.service, "channel": channel},
    )
    events.publish(session, events.TICKET_OPENING, ticket=ticket, now=now)
    session.flush()
    if ticket.reference is None:
        ticket.reference = ticket_reference(ticket.id, now)
    events.publish(session, events.TICKET_CREATED, ticket=ticket, now=now)
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


def _set_status(session, ticket: Ticket, target: Status, *, actor, now: datetime, reason: str = "", kind: str = "status_changed"):
    current = Status(ticket.status)
    if not can_move(current, target):
        raise InvalidTransition(
            f"Impossible de passer un ticket « {STATUS_LABELS[current]} » à « {STATUS_LABELS[target]} ».",
            status=ticket.status,
        )
    ticket.status = target
    ticket.is_open = target in OPEN_STATUSES
    ticket.updated_at = now
    if target == Status.RESOLVED:
        ticket.resolved_at = now
    if target == Status.CLOSED:
        ticket.closed_at = now
    if current in FINAL and target not in FINAL:
        ticket.resolved_at = ticket.closed_at = None
    record_event(session, ticket, kind, actor=actor, now=now, from_value=current, to_value=target, reason=reason)
    session.flush()
    events.publish(session, events.TICKET_CHANGED, ticket=ticket, change="status", old=current, new=target, now=now)


def change_status(session, ticket: Ticket, target: str, *, actor, now: datetime, reason: str = "", expected_version=None):
    """Agent-side transitions: take, wait for the requester/vendor/propagation, resolve."""
    _check_version(ticket, expected_version)
    if not policy.can(actor, Action.WORK_TICKET, ticket):
        raise NotAllowed("Ce ticket n'est pas dans votre file.")
    target = Status(target)
    if target == Status.CLOSED:
        raise InvalidTransition("Un ticket est clos par le demandeur ou automatiquement après sa résolution.")
    if target == Status.RESOLVED and not reason.strip():
        raise ValidationFailed("Indiquez la solution apportée avant de résoudre le ticket.")
    if target == Status.TAKEN and ticket.assignee_id is None:
        ticket.assignee_id = actor.id
    if ticket.first_response_at is None and target != Status.NEW:
        ticket.first_response_at = now
    _set_status(session, ticket, target, actor=actor, now=now, reason=reason)


def confirm_resolution(session, ticket: Ticket, *, actor, now: datetime, reason: str = ""):
    """The requester confirms the fix: the ticket is closed."""
    if not policy.can(actor, Action.CONFIRM_RESOLUTION, ticket):
        raise NotAllowed("Seul le demandeur ou la direction de l'établissement peut confirmer la résolution.")
    if ticket.status != Status.RESOLVED:
        raise InvalidTransition("Seul un ticket résolu peut être confirmé.")
    _set_status(session, ticket, Status.CLOSED, actor=actor, now=now, reason=reason or "Résolution confirmée")


def reopen(session, ticket: Ticket, *, actor, now: datetime, reason: str):
    if not (policy.can(actor, Action.CONFIRM_RESOLUTION, ticket) or policy.can(actor, Action.WORK_TICKET, ticket)):
        raise NotAllowed("Vous ne pouvez pas rouvrir ce ticket.")
    if not (reason or "").strip():
        raise ValidationFailed("Expliquez pourquoi le problème n'est pas résolu.")
    if ticket.status not in FINAL:
        raise InvalidTransition("Ce ticket est encore ouvert.")
    _set_status(session, ticket, Status.TAKEN, actor=actor, now=now, reason=reason, kind="reopened")


def _move_tier(session, ticket: Ticket, target: Tier, *, actor, now: datetime, reason: str, kind: str):
    source = Tier(ticket.tier)
    ticket.tier = target
    ticket.assignee_id = None
    ticket.updated_at = now
    if target == Tier.EDITEUR:
        ticket.has_reached_vendor = True
    if ticket.status in {Status.WAITING_VENDOR} and target != Tier.EDITEUR:
        ticket.status = Status.TAKEN
    record_event(session, ticket, kind, actor=actor, now=now, from_value=source, to_value=target, reason=reason)
    session.flush()
    events.publish(
        session,
        events.TICKET_ESCALATED if kind == "escalated" else events.TICKET_CHANGED,
        ticket=ticket,
        change="tier",
        old=source,
        new=target,
        reason=reason,
        now=now,
        actor=actor,
    )


def escalate(
    session,
    ticket: Ticket,
    *,
    actor,
    reason: str,
    now: datetime,
    expected_version=None,
    vendor_reference: str = "",
    as_bug: bool = False,
    system: bool = False,
):
    """Send the ticket one tier up with a reason. `system=True` is the SLA breach path (no human actor)."""
    _check_version(ticket, expected_version)
    if not system and not policy.can(actor, Action.ESCALATE_TICKET, ticket):
        raise NotAllowed("Vous ne pouvez pas escalader ce ticket depuis votre niveau.")
    if not (reason or "").strip():
        raise ValidationFailed("Le motif de l'escalade est obligatoire.")
    target = escalation_target(ticket, as_bug=as_bug)
    if target == Tier.EDITEUR:
        if as_bug and ticket.type != TicketType.EVOLUTION:
            record_event(
                session,
                ticket,
                "type_changed",
                actor=actor,
                now=now,
                from_value=ticket.type,
                to_value=TicketType.BUG,
                reason="Bug confirmé par l'équipe pilote",
            )
            ticket.type = TicketType.BUG
        if vendor_reference:
            ticket.vendor_reference = vendor_reference[:60]
    _move_tier(session, ticket, target, actor=None if system else actor, now=now, reason=reason.strip(), kind="escalated")


def escalation_target(ticket: Ticket, *, as_bug: bool = False) -> Tier:
    """The tier one escalation sends the ticket to. Raises InvalidTransition or ValidationFailed (French message)
    when the ticket cannot go up; `escalate` checks it before changing anything."""
    if not ticket.is_open:
        raise InvalidTransition("Un ticket résolu ou clos ne s'escalade pas : rouvrez-le d'abord.")
    target = next_tier(Tier(ticket.tier))
    if target is None:
        raise InvalidTransition("Ce ticket est déjà chez l'éditeur, dernier niveau de la chaîne.")
    if target == Tier.EDITEUR and ticket.type not in {TicketType.BUG, TicketType.EVOLUTION} and not as_bug:
        raise ValidationFailed("Seuls les bugs confirmés et les demandes d'évolution sont transmis à l'éditeur.")
    return target


def send_down(session, ticket: Ticket, *, actor, reason: str, now: datetime, expected_version=None):
    """Send the ticket back one tier down (answer from the vendor, wrong tier...) with a reason."""
    _check_version(ticket, expected_version)
    if not policy.can(actor, Action.SEND_DOWN_TICKET, ticket):
        raise NotAllowed("Vous ne pouvez pas redescendre ce ticket.")
    if not (reason or "").strip():
        raise ValidationFailed("Le motif du renvoi est obligatoire.")
    target = previous_tier(Tier(ticket.tier))
    if target is None:
        raise InvalidTransition("Le niveau 1 est le premier niveau de la chaîne.")
    _move_tier(session, ticket, target, actor=actor, now=now, reason=reason.strip(), kind="sent_down")


def assign(session, ticket: Ticket, assignee: User | None, *, actor, now: datetime, expected_version=None):
    """Assign to a person of the tier holding the ticket, or back to the tier's group (None)."""
    _check_version(ticket, expected_version)
    if not policy.can(actor, Action.WORK_TICKET, ticket):
        raise NotAllowed("Ce ticket n'est pas dans votre file.")
    if assignee is not None and not policy.can(assignee, Action.WORK_TICKET, ticket):
        raise ValidationFailed(
            f"{assignee.full_name} ne fait pas partie du niveau « {TIER_LABELS[Tier(ticket.tier)]} » de ce ticket."
        )
    before = ticket.assignee.full_name if ticket.assignee else "groupe"
    ticket.assignee = assignee
    ticket.updated_at = now
    record_event(
        session,
        ticket,
        "assigned",
        actor=actor,
        now=now,
        from_value=before,
        to_value=assignee.full_name if assignee else f"groupe {TIER_LABELS[Tier(ticket.tier)]}",
    )
    session.flush()
    events.publish(
        session, events.TICKET_CHANGED, ticket=ticket, change="assignee", old=before, new=getattr(assignee, "id", None), now=now
    )


def change_keyword(session, ticket: Ticket, keyword: Keyword, *, actor, reason: str, now: datetime, expected_version=None):
    """Re-route: the new keyword's service applies; the change is recorded as a misrouting with its reason."""
    _check_version(ticket, expected_version)
    if not policy.can(actor, Action.CHANGE_KEYWORD, ticket):
        raise NotAllowed("Vous ne pouvez pas changer le mot-clé de ce ticket.")
    if not (reason or "").strip():
        raise ValidationFailed("Indiquez pourquoi le mot-clé était inadapté.")
    if keyword.id == ticket.keyword_id:
        raise ValidationFailed("C'est déjà le mot-clé de ce ticket.")
    old_keyword, old_service = ticket.keyword.label, ticket.service
    ticket.keyword = keyword
    ticket.service = keyword.service
    ticket.updated_at = now
    record_event(
        session,
        ticket,
        "keyword_changed",
        actor=actor,
        now=now,
        from_value=old_keyword,
        to_value=keyword.label,
        reason=reason.strip(),
        data={"misrouted": True, "old_service": old_service, "new_service": keyword.service},
    )
    session.flush()
    events.publish(session, events.TICKET_CHANGED, ticket=ticket, change="keyword", old=old_keyword, new=keyword.label, now=now)


def add_message(session, ticket: Ticket, *, actor, body: str, now: datetime, internal: bool = False) -> Message:
    """A public reply (requester or agent) or an internal note (agents only, never shown to the requester)."""
    action = Action.ADD_INTERNAL_NOTE if internal else Action.REPLY_TICKET
    if not policy.can(actor, action, ticket):
        raise NotAllowed("Vous ne pouvez pas écrire sur ce ticket.")
    body = (body or "").strip()
    if not body:
        raise ValidationFailed("Le message est vide.")
    if len(body) > 20000:
        raise ValidationFailed("Le message dépasse 20 000 caractères.")
    message = Message(ticket=ticket, author_id=actor.id, body=body, is_internal=internal, created_at=now)
    session.add(message)
    ticket.updated_at = now
    agent_reply = not internal and policy.is_agent(actor) and actor.id != ticket.requester_id
    if agent_reply and ticket.first_response_at is None:
        ticket.first_response_at = now
    record_event(session, ticket, "note" if internal else "replied", actor=actor, now=now)
    session.flush()
    # A requester's answer to a ticket waiting for them puts it back in the agents' hands.
    if not internal and not agent_reply and ticket.status == Status.WAITING_REQUESTER:
        _set_status(session, ticket, Status.TAKEN, actor=actor, now=now, reason="Réponse du demandeur")
    events.publish(session, events.TICKET_REPLIED, ticket=ticket, message=message, now=now)
    return message


WAIT_TARGETS = {
    "wait_requester": Status.WAITING_REQUESTER,
    "wait_vendor": Status.WAITING_VENDOR,
    "wait_propagation": Status.WAITING_PROPAGATION,
}
EVOLUTION_STATUSES = {"submitted": "Soumise à l'éditeur", "planned": "Planifiée", "delivered": "Livrée", "refused": "Refusée"}


def wait_for(session, ticket: Ticket, target: str, *, actor, now: datetime, reason: str = "", until=None, expected_version=None):
    """Put the ticket on hold (requester, vendor, data propagation); propagation may say until when."""
    status = Status(target)
    if status not in CLOCK_PAUSED_TARGETS:
        raise InvalidTransition("Attente inconnue.")
    change_status(session, ticket, status, actor=actor, now=now, reason=reason, expected_version=expected_version)
    if status == Status.WAITING_PROPAGATION and until is not None:
        ticket.extra_fields = {**(ticket.extra_fields or {}), "propagation_until": until.isoformat()}
        ticket.events[-1].data = {"until": until.isoformat()}
        session.flush()


CLOCK_PAUSED_TARGETS = frozenset(WAIT_TARGETS.values())


def mark_duplicate(session, ticket: Ticket, original: Ticket | None, *, actor, now: datetime, expected_version=None):
    """Pilot inventory: this evolution request repeats `original` (None clears the mark)."""
    _check_version(ticket, expected_version)
    if not policy.can(actor, Action.MARK_DUPLICATE):
        raise NotAllowed("Seule l'équipe pilote regroupe les doublons.")
    if original is not None and (original.id == ticket.id or original.duplicate_of_id == ticket.id):
        raise ValidationFailed("Un ticket ne peut pas être le doublon de lui-même.")
    before = ticket.duplicate_of.reference if ticket.duplicate_of else ""
    # Point at the head of the group so duplicates never form chains.
    ticket.duplicate_of = original.duplicate_of if original is not None and original.duplicate_of else original
    ticket.updated_at = now
    record_event(
        session,
        ticket,
        "duplicate_marked",
        actor=actor,
        now=now,
        from_value=before,
        to_value=ticket.duplicate_of.reference if ticket.duplicate_of else "",
    )
    session.flush()


def set_evolution_status(session, ticket: Ticket, status: str, *, actor, now: datetime, expected_version=None):
    _check_version(ticket, expected_version)
    if not (policy.can(actor, Action.SET_EVOLUTION_STATUS) and policy.can_view_ticket(actor, ticket)):
        raise NotAllowed("Seules l'équipe pilote et l'éditeur suivent l'état des évolutions.")
    if ticket.type not in {TicketType.EVOLUTION, TicketType.BUG}:
        raise ValidationFailed("Seules les demandes d'évolution et les bugs ont un état de suivi éditeur.")
    if status not in EVOLUTION_STATUSES:
        raise ValidationFailed("État d'évolution inconnu.")
    before = ticket.evolution_status
    ticket.evolution_status = status
    ticket.updated_at = now
    record_event(session, ticket, "evolution_status", actor=actor, now=now, from_value=before, to_value=status)
    session.flush()
    events.publish(session, events.TICKET_CHANGED, ticket=ticket, change="evolution_status", old=before, new=status, now=now)
