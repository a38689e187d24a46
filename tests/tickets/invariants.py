"""The contract between a ticket's status and its SLA clock, checked after every move in the tests."""

from sqlalchemy import select

from escalation.models import SlaClock, SlaPause
from helpdesk.tickets.states import CLOCK_PAUSED


def assert_clock_follows_status(session, ticket) -> None:
    """An open ticket always has its deadlines (a waiting one counts its wait until its end date), one open pause
    exactly when it waits, a date when that wait ends, and a promise to its requester unless it is an evolution
    request; a closed one has nothing left to check."""
    session.flush()
    clock = session.get(SlaClock, ticket.id)
    open_pauses = session.scalars(select(SlaPause).where(SlaPause.ticket_id == ticket.id, SlaPause.ended_at.is_(None))).all()
    assert clock is not None, "every ticket has a clock"
    if not ticket.is_open:
        assert clock.next_check_at is None and not open_pauses and ticket.waiting_until is None
        return
    assert ticket.resolution_due_at is not None, f"{ticket.reference} {ticket.status}: open without a resolution deadline"
    assert clock.tier == ticket.tier
    if ticket.type != "evolution":
        assert ticket.promised_at is not None
    if ticket.status in CLOCK_PAUSED:
        assert [p.reason for p in open_pauses] == [ticket.status]
        assert ticket.waiting_until is not None, "every wait ends by itself"
    else:
        assert not open_pauses and ticket.waiting_until is None
