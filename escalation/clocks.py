"""Ticket SLA clocks: pauses, tier stints, deadlines, and applying warnings and breaches exactly once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from escalation.models import SlaBreach, SlaClock, SlaPause, TierStint
from escalation.services import find_policy, load_calendar
from escalation.sla import add_working_time, warning_instant, working_minutes_between
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import as_utc
from helpdesk.routing.codes import TicketType
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import CLOCK_PAUSED, FINAL, REQUESTER_CAUSED, Status

log = logging.getLogger(__name__)
_PLANNED = "sla_planned_clocks"
WAIT_END_REASONS = {
    Status.WAITING_REQUESTER: N_("Sans réponse du demandeur à la date prévue"),
    Status.WAITING_VENDOR: N_("Fin de l'attente de l'éditeur prévue"),
    Status.WAITING_PROPAGATION: N_("Fin du délai de propagation des données annoncé"),
}


def _load_pauses(session, ticket_id: int) -> list[tuple[datetime, datetime | None]]:
    """Every pause of the ticket as (start, end) pairs: one query, filtered in memory by `_since`."""
    return [(p.started_at, p.ended_at) for p in session.scalars(select(SlaPause).where(SlaPause.ticket_id == ticket_id))]


def _since(pauses, since: datetime):
    return [(start, end) for start, end in pauses if end is None or end > since]


def _done(session, ticket_id: int, tier: str) -> set[tuple[str, datetime]]:
    rows = session.execute(
        select(SlaBreach.kind, SlaBreach.due_at).where(SlaBreach.ticket_id == ticket_id, SlaBreach.tier == tier)
    ).all()
    return {(kind, due) for kind, due in rows}


def plan_new_ticket(session, ticket: Ticket, *, now: datetime) -> SlaClock:
    """Before a new ticket's INSERT: its clock, first stint and deadlines, so the ticket row is written once.

    A ticket that does not exist yet has no pause and no applied breach: nothing is read but the policy
    and the calendar (cached). Its checks need no timer: the sweep finds them through `next_check_at`."""
    entered = ticket.created_at or now
    clock = SlaClock(ticket=ticket, tier=ticket.tier, tier_entered_at=entered, due_locked=False, on_breach="escalate")
    session.add(clock)
    session.add(TierStint(ticket=ticket, tier=ticket.tier, entered_at=entered))
    _compute(session, ticket, clock, pauses=[], done=set())
    # The one date promised to the requester: the entry tier's resolution target for this keyword (none for an
    # evolution request, which the vendor plans).
    ticket.promised_at = None if ticket.type == TicketType.EVOLUTION else ticket.resolution_due_at
    # Held until on_created: once flushed, the session keeps only a weak reference to a clean object.
    session.info.setdefault(_PLANNED, {})[id(ticket)] = clock
    return clock


def start_clock(session, ticket: Ticket, *, now: datetime) -> SlaClock:
    """A clock for an existing ticket that has none (tickets opened before the SLA module, bulk imports)."""
    clock = SlaClock(ticket_id=ticket.id, tier=ticket.tier, tier_entered_at=ticket.created_at or now)
    session.add(clock)
    session.add(TierStint(ticket_id=ticket.id, tier=ticket.tier, entered_at=clock.tier_entered_at))
    session.flush()
    recompute(session, ticket, now=now)
    return clock


def on_created(session, ticket: Ticket, *, now: datetime) -> None:
    """After the INSERT: start a clock if `plan_new_ticket` planned none (the planned one needs nothing more)."""
    clock = session.info.get(_PLANNED, {}).pop(id(ticket), None)
    if clock is None or clock.ticket is not ticket:
        clock = session.get(SlaClock, ticket.id)
    if clock is None:
        start_clock(session, ticket, now=now)


def get_clock(session, ticket: Ticket, *, now: datetime) -> SlaClock:
    return session.get(SlaClock, ticket.id) or start_clock(session, ticket, now=now)


def on_moved(session, ticket: Ticket, *, old_status: str, new_status: str, changed_tier: bool, now: datetime) -> None:
    """A move of the life cycle: pauses open and close with the waiting statuses, a new tier starts its own
    clock (and stint), a reopened ticket a fresh stint; the promise to the requester moves by the working
    time of a wait they caused; then the deadlines are recomputed.

    Runs before the move is flushed (`signals.ticket_moving`): its reads (pauses, breaches, open stints) must
    not flush the ticket half-moved, or the ticket row would be written twice (its status or tier, then its
    deadlines). None of them needs the move itself: pauses and stints of earlier moves are flushed by now."""
    with session.no_autoflush:
        _on_moved(session, ticket, old_status=old_status, new_status=new_status, changed_tier=changed_tier, now=now)


def _on_moved(session, ticket: Ticket, *, old_status: str, new_status: str, changed_tier: bool, now: datetime) -> None:
    clock = get_clock(session, ticket, now=now)
    rows = list(session.scalars(select(SlaPause).where(SlaPause.ticket_id == ticket.id)))
    old_status, new_status = Status(old_status), Status(new_status)
    if old_status in CLOCK_PAUSED and old_status != new_status:
        for pause in rows:
            if pause.ended_at is None:
                pause.ended_at = now
                if old_status in REQUESTER_CAUSED:
                    _move_promise(session, ticket, pause, now=now)
    if new_status in CLOCK_PAUSED and old_status != new_status:
        rows.append(SlaPause(ticket_id=ticket.id, reason=str(new_status), started_at=now))
        session.add(rows[-1])
    pauses = [(p.started_at, p.ended_at) for p in rows]
    # A new tier's clock starts now: none of its checks can have been applied yet, nothing to read.
    done = _done(session, ticket.id, ticket.tier) if ticket.is_open and not changed_tier else set()
    if changed_tier or not ticket.is_open:
        _close_stint(session, ticket, now=now, pauses=pauses)
    if ticket.is_open and (changed_tier or old_status in FINAL):
        session.add(TierStint(ticket_id=ticket.id, tier=ticket.tier, entered_at=now))
        clock.tier = ticket.tier
        clock.tier_entered_at = now
    recompute(session, ticket, now=now, pauses=pauses, done=done)


def _move_promise(session, ticket: Ticket, pause: SlaPause, *, now: datetime) -> None:
    """The requester's promise moves by the working time they kept the ticket waiting, and says so."""
    if ticket.promised_at is None:
        return
    calendar = load_calendar(session, ticket.entry_tier)
    waited = working_minutes_between(pause.started_at, now, calendar)
    if waited < 1:
        return
    moved = add_working_time(ticket.promised_at, waited, calendar)
    if moved is None or moved <= ticket.promised_at:
        return
    from helpdesk.tickets.services import record_event

    reason = (
        N_("attente de votre réponse")
        if pause.reason == Status.WAITING_REQUESTER
        else N_("attente de la mise à jour des données")
    )
    record_event(session, ticket, "promise_moved", actor=None, now=now, from_value=ticket.promised_at.isoformat(),
                 to_value=moved.isoformat(), reason=reason, data={"waited_minutes": round(waited)})  # fmt: skip
    ticket.promised_at = moved


def _close_stint(session, ticket: Ticket, *, now: datetime, pauses=None) -> None:
    stints = session.scalars(select(TierStint).where(TierStint.ticket_id == ticket.id, TierStint.left_at.is_(None))).all()
    if stints and pauses is None:
        pauses = _load_pauses(session, ticket.id)
    for stint in stints:
        calendar = load_calendar(session, stint.tier)
        stint.working_minutes = working_minutes_between(stint.entered_at, now, calendar, _since(pauses, stint.entered_at))
        stint.left_at = now


def set_manual_deadline(session, ticket: Ticket, due_at: datetime, *, now: datetime) -> None:
    """A person fixed the resolution deadline: recomputation will never move it again."""
    clock = get_clock(session, ticket, now=now)
    ticket.resolution_due_at = due_at
    clock.due_locked = True
    recompute(session, ticket, now=now)


def recompute(session, ticket: Ticket, *, now: datetime, pauses=None, done=None) -> None:
    """Deadlines from the tier's policy and calendar, minus pauses, and the clock's next check (the sweep's).

    A caller that already holds them may pass `pauses` (every pause of the ticket) and `done` (the breaches
    applied at the ticket's current tier)."""
    clock = get_clock(session, ticket, now=now)
    if not ticket.is_open:
        clock.next_check_at = None
        return
    if pauses is None:
        pauses = _load_pauses(session, ticket.id)
    if done is None:
        done = _done(session, ticket.id, ticket.tier)  # read before the changes below: they flush together
    _compute(session, ticket, clock, pauses=pauses, done=done)


def _compute(session, ticket: Ticket, clock: SlaClock, *, pauses, done) -> None:
    """Set the ticket's deadlines and the clock's next check (none when no policy applies).
    Reads nothing but the cached reference."""
    # Before a new ticket's INSERT only the relationship is set, not the foreign key: keyword overrides need the id.
    keyword_id = ticket.keyword_id if ticket.keyword_id is not None else getattr(ticket.keyword, "id", None)
    policy = find_policy(session, tier=ticket.tier, priority=ticket.priority, keyword_id=keyword_id)
    if policy is None:
        clock.next_check_at = None
        return
    calendar = load_calendar(session, ticket.tier)
    # A wait lasts until its end date at the latest: deadlines are counted as if it ended then, so an open
    # ticket always has them (recomputed when the wait ends earlier).
    ends = as_utc(ticket.waiting_until)
    pauses = [(start, end if end is not None else ends) for start, end in pauses]
    since_tier = _since(pauses, clock.tier_entered_at)
    clock.on_breach = policy.on_breach
    if ticket.first_response_at is None and ticket.tier == ticket.entry_tier:
        ticket.first_response_due_at = add_working_time(
            ticket.created_at, policy.first_response_minutes, calendar, _since(pauses, ticket.created_at)
        )
    if not clock.due_locked:
        ticket.resolution_due_at = add_working_time(clock.tier_entered_at, policy.resolution_minutes, calendar, since_tier)
    clock.warning_at = warning_instant(
        clock.tier_entered_at, policy.resolution_minutes, policy.warning_ratio, calendar, since_tier
    )
    if clock.due_locked and ticket.resolution_due_at and clock.warning_at and clock.warning_at > ticket.resolution_due_at:
        clock.warning_at = ticket.resolution_due_at
    pending = [at for kind, at in _checks(ticket, clock) if at is not None and (kind, at) not in done]
    clock.next_check_at = min(pending) if pending else None


def _checks(ticket: Ticket, clock: SlaClock):
    yield "warning", clock.warning_at
    # The first-response promise is the entry tier's; a later tier is judged on resolution only.
    if ticket.first_response_at is None and ticket.tier == ticket.entry_tier:
        yield "first_response", ticket.first_response_due_at
    yield "resolution", ticket.resolution_due_at


def _claim(session, ticket_id: int, tier: str, due: list[tuple[str, datetime, str]], now: datetime) -> set[str]:
    """Insert the breach rows (kind, due date, action) of the ticket's due checks unless they exist: one
    statement for all of them, no savepoint. Returns the kinds inserted here; a kind missing was already applied
    by another worker or an earlier run. Concurrent inserts of the same key wait for each other."""
    dialect = session.get_bind(mapper=SlaBreach.__mapper__).dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(SlaBreach).on_conflict_do_nothing(index_elements=["ticket_id", "kind", "tier", "due_at"]).returning(SlaBreach.kind)
    )
    rows = [dict(ticket_id=ticket_id, kind=kind, tier=tier, due_at=at, applied_at=now, action=action) for kind, at, action in due]
    # Parameters as a list (one statement through "insertmanyvalues", cached like the notifications' INSERT).
    return set(session.scalars(statement, rows))


def _hold(session, clock: SlaClock) -> bool:
    """Lock the clock row as it was read: an UPDATE conditional on the `next_check_at` read (a no-op write).
    True when the row still holds that value; then no other delivery can change it before this transaction
    ends. False when another delivery moved it meanwhile (PostgreSQL re-checks the condition once the other
    transaction commits; SQLite's writer lock serialises): the caller must change nothing."""
    table = SlaClock.__table__
    read = clock.next_check_at
    same = table.c.next_check_at.is_(None) if read is None else table.c.next_check_at == read
    held = session.execute(
        update(table).where(table.c.ticket_id == clock.ticket_id, same).values(next_check_at=table.c.next_check_at)
    )
    return held.rowcount == 1


def apply_due(session, ticket_id: int, *, now: datetime) -> list[str]:
    """Apply every warning or breach of the ticket that is due at `now`, each exactly once; returns their kinds.

    The SlaBreach row is inserted first (INSERT ... ON CONFLICT DO NOTHING): a concurrent worker that already
    inserted it makes this one do nothing. The effect (escalation) lives in the same transaction as the row.
    A delivery that read the clock before another one changed it changes nothing (`_hold`)."""
    from helpdesk.notifications.recipients import tier_group_ids
    from helpdesk.notifications.services import notify_many
    from helpdesk.tickets import lifecycle
    from helpdesk.tickets.services import record_event

    found = session.execute(
        select(Ticket, SlaClock).outerjoin(SlaClock, SlaClock.ticket_id == Ticket.id).where(Ticket.id == ticket_id)
    ).first()  # one round trip for both rows
    if found is None or not found[0].is_open:
        return []
    ticket, clock = found
    if clock is not None and not _hold(session, clock):
        return []  # another delivery of this check changed the clock since it was read: this one is stale
    clock = clock or get_clock(session, ticket, now=now)
    # Every due check at the ticket's tier, in the order of `_checks`: resolution, the only one that escalates,
    # comes last, so the tier and holder read here are those of each check.
    tier, holder = ticket.tier, ticket.assignee_id  # read before an escalation clears the holder
    escalates = clock.on_breach == "escalate" and lifecycle.may_escalate_on_breach(ticket)
    due = [
        (kind, at, "escalated" if kind == "resolution" and escalates else "notified")
        for kind, at in _checks(ticket, clock)
        if at is not None and at <= now
    ]
    claimed = _claim(session, ticket.id, tier, due, now) if due else set()
    applied = []
    recipients = None
    for kind, at, action in due:
        if kind not in claimed:
            continue  # already applied by another worker or an earlier run
        if action == "escalated":
            lifecycle.escalate_on_breach(session, ticket, now=now)
        record_event(
            session, ticket, f"sla_{kind}", actor=None, now=now, to_value=tier, data={"due_at": at.isoformat(), "action": action}
        )
        if recipients is None:
            recipients = sorted(r for r in {holder, *tier_group_ids(session, ticket, tier)} if r is not None)
        notify_many(
            session,
            recipients,
            "sla_warning" if kind == "warning" else "sla_breach",
            ticket=ticket,
            due_at=at,
            action=action,
            tier=tier,
            dedup_key=f"sla:{ticket.id}:{kind}:{tier}:{at.isoformat()}",
            now=now,
        )
        applied.append(kind)
        if action == "escalated":
            return applied  # the new tier's clock started now (recomputed by the escalation); its checks come later
    recompute(session, ticket, now=now)
    return applied


def due_checks(session, *, now: datetime, batch: int = 5000) -> list[tuple[int, datetime]]:
    """(ticket id, next check) of the clocks due at `now`, oldest first, read through ix_sla_clock_next_check_at."""
    return [
        tuple(row)
        for row in session.execute(
            select(SlaClock.ticket_id, SlaClock.next_check_at)
            .where(SlaClock.next_check_at <= now)
            .order_by(SlaClock.next_check_at)
            .limit(batch)
        )
    ]


def due_ticket_ids(session, *, now: datetime, batch: int = 5000) -> list[int]:
    return [ticket_id for ticket_id, _at in due_checks(session, now=now, batch=batch)]


AUTO_CLOSE_REASON = N_("Clôture automatique : résolu sans nouvelle réponse")


def auto_close_resolved(session, *, now: datetime, days: int, batch: int = 500) -> list[int]:
    """Close tickets resolved more than `days` days ago and quiet for as long: a message on a resolved ticket
    (« merci », or a doubt its holder is told of) delays the closure, never prevents it. The requester is told
    by the notification rules of the move."""
    from datetime import timedelta

    from helpdesk.tickets import lifecycle
    from helpdesk.tickets.models import Message

    limit = now - timedelta(days=days)
    later_reply = (
        select(Message.id)
        .where(Message.ticket_id == Ticket.id, Message.created_at > limit, Message.audience == "public")
        .exists()
    )
    candidates = session.scalars(
        select(Ticket).where(Ticket.status == Status.RESOLVED, Ticket.resolved_at <= limit, ~later_reply)
        .order_by(Ticket.resolved_at).limit(batch)
    ).all()  # fmt: skip
    for ticket in candidates:
        lifecycle.auto_close(session, ticket, now=now, reason=AUTO_CLOSE_REASON)
    session.flush()
    return [ticket.id for ticket in candidates]


def end_waits(session, *, now: datetime, batch: int = 500) -> list[int]:
    """Waits whose date passed: each ticket goes back to its tier (to its holder if any), through the ticket's
    own move, which closes the pause and restarts the clock; the notification rules tell whoever must act."""
    from helpdesk.tickets import lifecycle

    due = session.scalars(
        select(Ticket).where(Ticket.waiting_until <= now, Ticket.status.in_([str(s) for s in CLOCK_PAUSED]))
        .order_by(Ticket.waiting_until).limit(batch)
    ).all()  # fmt: skip
    for ticket in due:
        lifecycle.end_wait(session, ticket, now=now, reason=WAIT_END_REASONS[Status(ticket.status)])
    session.flush()
    return [ticket.id for ticket in due]
