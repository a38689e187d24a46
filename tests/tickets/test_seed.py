"""Demo tickets come through the real use cases and spread over tiers and statuses."""

from sqlalchemy import func, select

from helpdesk.seed import run_seed
from helpdesk.tickets.models import Message, Ticket, TicketEvent


def test_demo_seed_builds_varied_tickets_with_a_real_trail(session):
    run_seed(session, demo=True)
    tickets = session.scalars(select(Ticket)).all()
    assert len(tickets) == 40
    assert {t.tier for t in tickets} == {"n1", "edulab", "pilote", "editeur"}
    assert {t.type for t in tickets} >= {"bug", "evolution"}
    assert {t.status for t in tickets} >= {"new", "taken", "resolved", "closed", "waiting_requester"}
    kinds = set(session.scalars(select(TicketEvent.kind)))
    assert {"created", "taken", "waiting", "resolved", "closed", "escalated", "keyword_changed"} <= kinds
    messages = set(session.scalars(select(Message.kind)))
    assert {"reply", "question", "solution", "note", "vendor"} <= messages
    run_seed(session, demo=True)  # idempotent
    assert session.scalar(select(func.count(Ticket.id))) == 40
