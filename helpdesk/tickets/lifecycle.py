"""The moves of a ticket's life cycle, applied as the state table (`tickets.states.RULES`) says — the only code
that writes a ticket's status, holder or tier.

Each public function checks `policy`, validates, applies one move through `_apply` (status, holder, tier,
wait date, event, signal) and flushes; the caller commits. Moves made by the system (end of a wait, automatic
closure, escalation on an SLA breach, grouped resolution of a mass incident) have their own public functions,
so that no other package needs a private helper or an attribute write."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk import policy
from helpdesk.platform.errors import InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import TicketType, Tier, next_tier, previous_tier
from helpdesk.tickets import signals
from helpdesk.tickets.audiences import Audience, MessageKind, event_audience
from helpdesk.tickets.conversation import write_message
from helpdesk.tickets.models import Attachment, Message, Ticket
from helpdesk.tickets.services import check_version, record_event, set_holder
from helpdesk.tickets.states import (
    CLOCK_PAUSED,
    FINAL,
    MAX_WAIT_DAYS,
    MOVE_LABELS,
    REOPEN_DAYS,
    RULES,
    STATUS_LABELS,
    WAIT_DAYS,
    WAIT_MOVES,
    Move,
    Status,
    allowed_moves,
    can_move,
    holder_after,
    target_status,
)

# The history's event kind for each move.
EVENT_KIND = {
    Move.TAKE: "taken",
    Move.WAIT_REQUESTER: "waiting",
    Move.WAIT_VENDOR: "waiting",
    Move.WAIT_PROPAGATION: "waiting",
    Move.END_WAIT: "wait_ended",
    Move.RESOLVE: "resolved",
    Move.CONFIRM: "closed",
    Move.AUTO_CLOSE: "closed",
    Move.REOPEN: "reopened",
    Move.ESCALATE: "escalated",
    Move.SEND_DOWN: "sent_down",
    Move.MERGE: "merged",
    Move.UNMERGE: "unmerged",
}
BREACH_REASON = N_("délai dépassé")
# An agent taking, questioning or resolving the ticket answers it (as a public reply does).
FIRST_RESPONSE_MOVES = frozenset({Move.TAKE, Move.WAIT_REQUESTER, Move.WAIT_PROPAGATION, Move.RESOLVE})


def refusal(ticket: Ticket, move: Move, actor) -> InvalidTransition:
    """Why `move` cannot be made now, with the moves this person can make instead."""
    current = Status(ticket.status)
    possible = [m for m in allowed_moves(current) if actor is not None and policy.can_move(actor, ticket, m)]
    if possible:
        return InvalidTransition(
            N_("Impossible de %(move)s un ticket « %(status)s ». Actions possibles : %(allowed)s."),
            params={"move": MOVE_LABELS[move], "status": STATUS_LABELS[current],
                    "allowed": ", ".join(MOVE_LABELS[m] for m in possible)},
            status=current, allowed=[str(m) for m in possible],
        )  # fmt: skip
    return InvalidTransition(
        N_("Impossible de %(move)s un ticket « %(status)s »."),
        params={"move": MOVE_LABELS[move], "status": STATUS_LABELS[current]},
        status=current,
        allowed=[],
    )


def _apply(session, ticket: Ticket, move: Move, *, actor, now: datetime, reason: str = "", until: datetime | None = None,
           tier: Tier | None = None, message: Message | None = None, data: dict | None = None) -> None:  # fmt: skip
    current = Status(ticket.status)
    if not can_move(current, move):
        raise refusal(ticket, move, actor)
    rule = RULES[move]
    old_tier = Tier(ticket.tier)
    holder = holder_after(move, current=ticket.assignee_id, actor=getattr(actor, "id", None))
    if rule.changes_tier:
        ticket.tier = tier
        if tier == Tier.EDITEUR:
            ticket.has_reached_vendor = True
    target = target_status(move, has_holder=holder is not None)
    set_holder(session, ticket, holder)
    ticket.status = target
    ticket.is_open = target not in FINAL
    ticket.waiting_until = until if target in CLOCK_PAUSED else None
    ticket.updated_at = now
    if target == Status.RESOLVED:
        ticket.resolved_at = now
    elif target == Status.CLOSED:
        ticket.closed_at = now
    elif current in FINAL:
        ticket.resolved_at = ticket.closed_at = None
    if ticket.first_response_at is None and actor is not None and move in FIRST_RESPONSE_MOVES and policy.is_agent(actor):
        ticket.first_response_at = now
    kind = EVENT_KIND[move]
    from_value, to_value = (old_tier, ticket.tier) if rule.changes_tier else (current, target)
    # Words written with the move (a question, a solution, the vendor exchange) are its message, not its reason.
    record_event(session, ticket, kind, actor=actor, now=now, from_value=from_value, to_value=to_value,
                 reason="" if message is not None else reason,
                 data={"until": until.isoformat()} if until and target in CLOCK_PAUSED else data,
                 audience=event_audience(kind, from_tier=old_tier, to_tier=ticket.tier))  # fmt: skip
    moved = signals.TicketMoved(ticket=ticket, move=move, old_status=current, new_status=target, old_tier=old_tier,
                                new_tier=Tier(ticket.tier), actor=actor, now=now, reason=reason, message=message)  # fmt: skip
    signals.send(signals.ticket_moving, session, moved)  # the deadlines join the move's UPDATE of the ticket
    session.flush()
    signals.send(signals.ticket_moved, session, moved)


def _require(actor, ticket: Ticket, move: Move) -> None:
    if not policy.can_move(actor, ticket, move):
        raise NotAllowed(N_("Vous ne pouvez pas %(move)s ce ticket."), params={"move": MOVE_LABELS[move]})


def _text(value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message)
    return value


# --- the tier's agents -----------------------------------------------------------------------------------


def take(session, ticket: Ticket, *, actor, now: datetime, expected_version=None) -> None:
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.TAKE)
    _apply(session, ticket, Move.TAKE, actor=actor, now=now)


def wait_until(move: Move, *, now: datetime, until: datetime | None) -> datetime:
    """End of a wait: the date chosen (a day in the future, at most MAX_WAIT_DAYS away) or the default."""
    status = WAIT_MOVES[Move(move)]
    if until is None:
        return now + timedelta(days=WAIT_DAYS[status])
    if until <= now:
        raise ValidationFailed(N_("La date de fin d'attente doit être dans le futur."))
    if until > now + timedelta(days=MAX_WAIT_DAYS):
        raise ValidationFailed(N_("Une attente dure au plus %(days)s jours : choisissez une date plus proche."),
                               params={"days": MAX_WAIT_DAYS})  # fmt: skip
    return until


def wait(session, ticket: Ticket, move: Move, *, actor, now: datetime, message: str = "", until: datetime | None = None,
         expected_version=None) -> Message | None:  # fmt: skip
    """Put the ticket on hold until a date. Waiting for the requester asks them a question (a public message,
    required); a propagation wait may explain itself to the requester (public, optional); waiting for the
    vendor may carry an internal note."""
    move = Move(move)
    if move not in WAIT_MOVES:
        raise InvalidTransition(N_("Attente inconnue."))
    check_version(ticket, expected_version)
    _require(actor, ticket, move)
    if not can_move(Status(ticket.status), move):
        raise refusal(ticket, move, actor)
    end = wait_until(move, now=now, until=until)
    body = (message or "").strip()
    written = None
    if move == Move.WAIT_REQUESTER:
        body = _text(body, N_("Écrivez la question posée au demandeur : c'est elle qu'il reçoit."))
        written = write_message(session, ticket, MessageKind.QUESTION, actor=actor, body=body, now=now)
    elif body:
        kind = MessageKind.REPLY if move == Move.WAIT_PROPAGATION else MessageKind.NOTE
        written = write_message(session, ticket, kind, actor=actor, body=body, now=now)
    _apply(session, ticket, move, actor=actor, now=now, until=end, message=written)
    return written


def resume(session, ticket: Ticket, *, actor, now: datetime, expected_version=None) -> None:
    """An agent ends a wait by hand (the requester phoned back, the data arrived early)."""
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.END_WAIT)
    _apply(session, ticket, Move.END_WAIT, actor=actor, now=now)


def resolve(session, ticket: Ticket, *, actor, solution: str, now: datetime, expected_version=None) -> Message:
    """Resolve with the solution written to the requester (a public message, shown at the top of the ticket)."""
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.RESOLVE)
    if not can_move(Status(ticket.status), Move.RESOLVE):
        raise refusal(ticket, Move.RESOLVE, actor)
    body = _text(solution, N_("Indiquez la solution apportée avant de résoudre le ticket : le demandeur la reçoit."))
    written = write_message(session, ticket, MessageKind.SOLUTION, actor=actor, body=body, now=now)
    _apply(session, ticket, Move.RESOLVE, actor=actor, now=now, message=written)
    return written


# --- the requester's side ----------------------------------------------------------------------------------


def confirm(session, ticket: Ticket, *, actor, now: datetime, expected_version=None) -> None:
    """The requester (or their head of school) confirms the fix: the ticket is closed."""
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.CONFIRM)
    _apply(session, ticket, Move.CONFIRM, actor=actor, now=now)


def reopen(session, ticket: Ticket, *, actor, reason: str, now: datetime, expected_version=None) -> Message:
    """The problem is back: reopened at its tier, the reason written as a public message. A ticket closed
    more than REOPEN_DAYS ago is not reopened: a new ticket, linked to it, is the way."""
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.REOPEN)
    if not can_move(Status(ticket.status), Move.REOPEN):
        raise refusal(ticket, Move.REOPEN, actor)
    if ticket.status == Status.CLOSED and ticket.closed_at and now - ticket.closed_at > timedelta(days=REOPEN_DAYS):
        raise InvalidTransition(
            N_("Ce ticket est clos depuis plus de %(days)s jours : ouvrez un nouveau ticket, il sera relié à celui-ci."),
            params={"days": REOPEN_DAYS}, reopen_window_days=REOPEN_DAYS,
        )  # fmt: skip
    if ticket.merged_into_id is not None:
        raise InvalidTransition(
            N_("Cette demande a été regroupée avec %(ref)s, qui traite le même problème : c'est là qu'elle se poursuit."),
            params={"ref": ticket.merged_into.reference},
        )
    body = _text(reason, N_("Expliquez pourquoi le problème n'est pas résolu."))
    written = write_message(session, ticket, MessageKind.REPLY, actor=actor, body=body, now=now)
    _apply(session, ticket, Move.REOPEN, actor=actor, now=now, reason=body, message=written)
    return written


# --- along the chain ---------------------------------------------------------------------------------------


def escalation_target(ticket: Ticket, *, as_bug: bool = False) -> Tier:
    """The tier one escalation sends the ticket to. Raises InvalidTransition or ValidationFailed when the ticket
    cannot go up; `escalate` checks it before changing anything."""
    if not ticket.is_open:
        raise InvalidTransition(N_("Un ticket résolu ou clos ne s'escalade pas : rouvrez-le d'abord."))
    target = next_tier(Tier(ticket.tier))
    if target is None:
        raise InvalidTransition(N_("Ce ticket est déjà chez l'éditeur, dernier niveau de la chaîne."))
    if target == Tier.EDITEUR and ticket.type not in {TicketType.BUG, TicketType.EVOLUTION} and not as_bug:
        raise ValidationFailed(N_("Seuls les bugs confirmés et les demandes d'évolution sont transmis à l'éditeur."))
    return target


def escalate(session, ticket: Ticket, *, actor, reason: str, now: datetime, expected_version=None, as_bug: bool = False,
             vendor_reference: str = "", shared_attachment_ids=()) -> None:  # fmt: skip
    """Send the ticket one tier up with a reason. To the vendor it is a transmission: the reason becomes the
    first message of the pilot ↔ vendor exchange and the attachments chosen join the vendor's dossier."""
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.ESCALATE)
    reason = _text(reason, N_("Le motif de l'escalade est obligatoire."))
    target = escalation_target(ticket, as_bug=as_bug)
    note = None
    if target == Tier.EDITEUR:
        if as_bug and ticket.type != TicketType.EVOLUTION:
            record_event(session, ticket, "type_changed", actor=actor, now=now, from_value=ticket.type,
                         to_value=TicketType.BUG, reason=N_("Bug confirmé par l'équipe pilote"))  # fmt: skip
            ticket.type = TicketType.BUG
        if vendor_reference.strip():
            ticket.vendor_reference = vendor_reference.strip()[:60]
        _share(session, ticket, shared_attachment_ids)
        note = write_message(session, ticket, MessageKind.VENDOR, actor=actor, body=reason, now=now)
    _apply(session, ticket, Move.ESCALATE, actor=actor, now=now, reason=reason, tier=target, message=note)


def _share(session, ticket: Ticket, attachment_ids) -> None:
    wanted = {int(i) for i in attachment_ids or ()}
    for attachment in ticket.attachments:
        if attachment.id in wanted and attachment.audience != Audience.VENDOR:
            attachment.is_shared_with_vendor = True


def share_with_vendor(session, attachment: Attachment, shared: bool, *, actor, now: datetime) -> None:
    if not policy.can(actor, policy.Action.SHARE_WITH_VENDOR, attachment.ticket):
        raise NotAllowed(N_("Seule l'équipe pilote choisit ce qui est transmis à l'éditeur."))
    attachment.is_shared_with_vendor = bool(shared)
    record_event(session, attachment.ticket, "attachment_shared" if shared else "attachment_unshared", actor=actor, now=now,
                 to_value=attachment.original_name[:200])  # fmt: skip
    session.flush()


def send_down(session, ticket: Ticket, *, actor, reason: str, now: datetime, expected_version=None) -> None:
    """Send the ticket back one tier down with a reason (the vendor's answer, the wrong tier...). From the vendor,
    the reason is the vendor's answer in the exchange; the vendor then keeps a read-only view of it."""
    check_version(ticket, expected_version)
    _require(actor, ticket, Move.SEND_DOWN)
    reason = _text(reason, N_("Le motif du renvoi est obligatoire."))
    target = previous_tier(Tier(ticket.tier))
    if target is None:
        raise InvalidTransition(N_("Le niveau 1 est le premier niveau de la chaîne."))
    note = None
    if ticket.tier == Tier.EDITEUR:
        note = write_message(session, ticket, MessageKind.VENDOR, actor=actor, body=reason, now=now)
    _apply(session, ticket, Move.SEND_DOWN, actor=actor, now=now, reason=reason, tier=target, message=note)


# --- merging a duplicate (tickets.merging moves its conversation; these are its moves) -------------------------


def close_merged(session, ticket: Ticket, *, actor, now: datetime, reason: str = "", data: dict | None = None) -> None:
    """The duplicate, merged into another ticket, is closed (its conversation has moved; `data` says where)."""
    _require(actor, ticket, Move.MERGE)
    _apply(session, ticket, Move.MERGE, actor=actor, now=now, reason=reason, data=data)


def reopen_unmerged(session, ticket: Ticket, *, actor, now: datetime, reason: str = "", data: dict | None = None) -> None:
    """The merge undone: the ticket is worked again at its tier (by its holder, if it had one)."""
    _require(actor, ticket, Move.UNMERGE)
    _apply(session, ticket, Move.UNMERGE, actor=actor, now=now, reason=reason, data=data)


# --- moves made by the system ------------------------------------------------------------------------------


def end_wait(session, ticket: Ticket, *, now: datetime, reason: str, actor=None) -> None:
    """The wait is over (its date passed, or the requester answered): back to the tier, to its holder if any."""
    _apply(session, ticket, Move.END_WAIT, actor=actor, now=now, reason=reason)


def auto_close(session, ticket: Ticket, *, now: datetime, reason: str) -> None:
    _apply(session, ticket, Move.AUTO_CLOSE, actor=None, now=now, reason=reason)


def may_escalate_on_breach(ticket: Ticket) -> bool:
    try:
        escalation_target(ticket)
    except (InvalidTransition, ValidationFailed):  # last tier, or the vendor only takes bugs: notify instead
        return False
    return True


def escalate_on_breach(session, ticket: Ticket, *, now: datetime) -> None:
    """The tier's resolution deadline passed: one tier up, no person acting (never to the vendor by itself)."""
    target = escalation_target(ticket)
    _apply(session, ticket, Move.ESCALATE, actor=None, now=now, reason=BREACH_REASON, tier=target)


def resolve_for_incident(session, ticket: Ticket, *, actor, solution: str, now: datetime) -> Message | None:
    """Resolve one ticket of a mass incident with the incident's message, whoever holds it (the incident's
    manager acts for the whole family). Returns the solution written, or None if it was no longer open."""
    if not policy.can(actor, policy.Action.MANAGE_MAJOR_INCIDENTS):
        raise NotAllowed(N_("Réservé au niveau 1 et à l'équipe de pilotage."))
    if not ticket.is_open:
        return None
    written = write_message(session, ticket, MessageKind.SOLUTION, actor=actor, body=_text(solution, N_("Le message est vide.")),
                            now=now)  # fmt: skip
    _apply(session, ticket, Move.RESOLVE, actor=actor, now=now, message=written)
    return written
