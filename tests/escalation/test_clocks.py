"""Clock-controlled scenarios: deadlines on creation, pauses, per-tier clocks, breach applied exactly once."""

import threading
from datetime import UTC, datetime

from sqlalchemy import select

from escalation import jobs, seed
from escalation.clocks import set_manual_deadline
from escalation.models import SlaBreach, SlaClock, SlaPause, TierStint
from helpdesk.tickets import conversation, lifecycle
from helpdesk.tickets import services as tickets
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import Move
from helpdesk.users.models import Role
from tests.escalation.workers import sweep_and_work
from tests.factories import KeywordFactory, UserFactory


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _open(session, now, priority="urgent"):
    seed.seed_reference(session)
    requester = UserFactory()
    keyword = KeywordFactory(priority=priority, tier="n1")
    ticket = tickets.open_ticket(
        session,
        actor=requester,
        keyword=keyword,
        subject="Messagerie bloquée",
        description="Plus d'accès depuis ce matin.",
        now=now,
    )
    session.commit()
    return ticket


def test_deadlines_on_creation_skip_the_weekend(session):
    # Friday 20 Nov 2026, 17:00 Paris; urgent at level 1: 60 min first response, 480 min resolution.
    ticket = _open(session, utc(2026, 11, 20, 16))
    assert ticket.first_response_due_at == utc(2026, 11, 20, 17)  # the last hour of Friday is enough
    assert ticket.resolution_due_at == utc(2026, 11, 23, 14)  # 1 h Friday + 7 h Monday → 15:00 Paris
    clock = session.get(SlaClock, ticket.id)
    assert clock.warning_at == utc(2026, 11, 23, 12)  # 6 h of 8
    assert clock.next_check_at == ticket.first_response_due_at  # the earliest pending check


def test_pause_moves_the_deadline_and_keeps_its_reason(session):
    ticket = _open(session, utc(2026, 11, 16, 8))  # Monday 09:00 Paris
    agent = UserFactory(roles=[Role.AGENT_N1])
    lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=agent, message="Une capture ?", now=utc(2026, 11, 16, 9))
    session.commit()
    # While it waits, the deadline is counted as if the wait lasted to its end date (a week): never empty.
    assert ticket.waiting_until == utc(2026, 11, 23, 9)
    assert ticket.resolution_due_at == utc(2026, 11, 23, 16)  # 1 h on the 16th + 7 h from Monday 23, 10:00 Paris
    conversation.post_message(session, ticket, MessageKind.REPLY, actor=ticket.requester, body="Voici la capture.",
                              now=utc(2026, 11, 16, 11))  # fmt: skip
    session.commit()
    pause = session.scalars(select(SlaPause).where(SlaPause.ticket_id == ticket.id)).one()
    assert (pause.reason, pause.ended_at) == ("waiting_requester", utc(2026, 11, 16, 11))
    # 8 h from Monday 09:00 plus the 2 h pause: one hour spills onto Tuesday 08:00–09:00 Paris.
    assert ticket.resolution_due_at == utc(2026, 11, 17, 8)
    # The requester kept it waiting 2 working hours: their promise moves by as much, and says why.
    moved = [e for e in ticket.events if e.kind == "promise_moved"]
    assert ticket.promised_at == utc(2026, 11, 17, 8) and [(e.audience, e.reason) for e in moved] == [
        ("public", "attente de votre réponse")
    ]


def test_breach_across_a_holiday_escalates_once_with_the_reason(app, session):
    # Tuesday 10 Nov 2026 16:00 Paris, the day before Armistice: 2 h Tuesday, Thursday 08:00–14:00.
    ticket = _open(session, utc(2026, 11, 10, 15))
    assert ticket.resolution_due_at == utc(2026, 11, 12, 13)
    assert sweep_and_work(app, utc(2026, 11, 12, 10).isoformat()) == 1  # first response missed (Tuesday 17:00)
    assert sweep_and_work(app, utc(2026, 11, 12, 11, 30).isoformat()) == 1  # warning: 6 h of 8 used at 12:00 Paris
    assert ticket.tier == "n1"
    assert sweep_and_work(app, utc(2026, 11, 12, 12, 59).isoformat()) == 0  # nothing due: index reads nothing
    assert sweep_and_work(app, utc(2026, 11, 12, 13, 5).isoformat()) == 1
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.tier == "edulab"
    kinds = sorted(b.kind for b in session.scalars(select(SlaBreach)))
    assert kinds == ["first_response", "resolution", "warning"]
    escalation = [e for e in ticket.events if e.kind == "escalated"]
    assert [e.reason for e in escalation] == ["délai dépassé"]
    # The EduLAB clock starts at the breach: a fresh stint and a fresh deadline.
    stints = session.scalars(select(TierStint).where(TierStint.ticket_id == ticket.id).order_by(TierStint.id)).all()
    assert [(s.tier, s.working_minutes) for s in stints] == [("n1", 485.0), ("edulab", None)]
    assert ticket.resolution_due_at > utc(2026, 11, 12, 13, 5)
    # Running the same sweep again changes nothing.
    sweep_and_work(app, utc(2026, 11, 12, 13, 5).isoformat())
    assert session.scalar(select(SlaBreach).where(SlaBreach.kind == "resolution", SlaBreach.tier == "edulab")) is None


def test_manual_deadline_is_never_moved(session):
    ticket = _open(session, utc(2026, 11, 16, 8))
    set_manual_deadline(session, ticket, utc(2026, 11, 27, 16), now=utc(2026, 11, 16, 9))
    session.commit()
    agent = UserFactory(roles=[Role.AGENT_N1])
    lifecycle.take(session, ticket, actor=agent, now=utc(2026, 11, 16, 10))
    session.commit()
    assert ticket.resolution_due_at == utc(2026, 11, 27, 16)


def test_concurrent_checks_apply_the_breach_once(app, session):
    ticket = _open(session, utc(2026, 11, 16, 8))
    ticket_id, due = ticket.id, ticket.resolution_due_at
    session.remove() if hasattr(session, "remove") else None
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                jobs.check_tickets([ticket_id], now=due.replace(minute=due.minute + 1).isoformat())
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    from helpdesk.platform.extensions import db

    db.session.remove()
    breaches = db.session.scalars(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id, SlaBreach.kind == "resolution")).all()
    assert len(breaches) == 1
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.tier == "edulab"
    assert len([e for e in ticket.events if e.kind == "escalated"]) == 1


def test_auto_close_after_seven_days_without_reply(session):
    from helpdesk.notifications.models import Notification

    quiet = _open(session, utc(2026, 11, 2, 8))
    answered = tickets.open_ticket(
        session,
        actor=quiet.requester,
        keyword=quiet.keyword,
        subject="Autre",
        description="Autre souci.",
        now=utc(2026, 11, 2, 8),
    )
    agent = UserFactory(roles=[Role.PILOTE])
    for ticket in (quiet, answered):
        lifecycle.resolve(session, ticket, actor=agent, solution="Cache vidé", now=utc(2026, 11, 3, 9))
    conversation.post_message(session, answered, MessageKind.REPLY, actor=answered.requester, body="Toujours bloqué !",
                              now=utc(2026, 11, 5, 9))  # fmt: skip
    session.commit()
    assert jobs.auto_close(now=utc(2026, 11, 9, 9).isoformat()) == 0  # six days: not yet
    assert jobs.auto_close(now=utc(2026, 11, 10, 10).isoformat()) == 1
    session.expire_all()
    assert session.get(Ticket, quiet.id).status == "closed"
    assert session.get(Ticket, answered.id).status == "resolved"
    assert jobs.auto_close(now=utc(2026, 11, 11, 10).isoformat()) == 0  # the reply of the 5th delays it...
    assert jobs.auto_close(now=utc(2026, 11, 12, 10).isoformat()) == 1  # ...seven days, never for ever
    notices = session.scalars(select(Notification).where(Notification.kind == "ticket_closed").order_by(Notification.id)).all()
    assert [n.ticket_id for n in notices] == [quiet.id, answered.id]
    said = session.scalars(select(Notification).where(Notification.kind == "requester_replied")).all()
    assert [n.user_id for n in said] == [agent.id]  # its holder was told of the doubt at once


def test_propagation_wait_ends_with_a_question_to_the_requester(session):
    from helpdesk.notifications.models import Notification

    ticket = _open(session, utc(2026, 11, 16, 8))
    agent = UserFactory(roles=[Role.AGENT_N1])
    lifecycle.take(session, ticket, actor=agent, now=utc(2026, 11, 16, 8, 30))
    lifecycle.wait(session, ticket, Move.WAIT_PROPAGATION, actor=agent, now=utc(2026, 11, 16, 9), until=utc(2026, 11, 18, 8),
                   message="Les corrections de Siècle arrivent dans l'ENT sous 48 heures.")  # fmt: skip
    session.commit()
    assert ticket.waiting_until == utc(2026, 11, 18, 8)
    jobs.sweep(now=utc(2026, 11, 17, 8).isoformat())
    assert session.get(Ticket, ticket.id).status == "waiting_propagation"
    jobs.sweep(now=utc(2026, 11, 18, 8, 1).isoformat())
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.assignee_id, ticket.waiting_until) == ("taken", agent.id, None)
    pause = session.scalars(select(SlaPause).where(SlaPause.ticket_id == ticket.id)).one()
    assert (pause.reason, pause.ended_at) == ("waiting_propagation", utc(2026, 11, 18, 8, 1))
    # 1 h before the pause, then the clock runs again from Wednesday 09:01 Paris: 7 h left → 16:01 Paris.
    assert ticket.resolution_due_at == utc(2026, 11, 18, 15, 1)
    asked = session.scalars(select(Notification).where(Notification.kind == "propagation_done")).all()
    assert [n.user_id for n in asked] == [ticket.requester_id]
    told = session.scalars(select(Notification).where(Notification.kind == "wait_ended")).all()
    assert [n.user_id for n in told] == [agent.id]


def test_warning_reaches_the_tier_group_once(app, session):
    from helpdesk.notifications.models import Notification

    level1 = [UserFactory(school=None, roles=[Role.AGENT_N1]) for _ in range(2)]
    UserFactory(school=None, roles=[Role.PILOTE])  # another tier: not told
    ticket = _open(session, utc(2026, 11, 10, 15))
    sweep_and_work(app, utc(2026, 11, 12, 11, 30).isoformat())
    sweep_and_work(app, utc(2026, 11, 12, 11, 31).isoformat())
    warned = session.scalars(
        select(Notification).where(Notification.kind == "sla_warning", Notification.ticket_id == ticket.id)
    ).all()
    assert sorted(n.user_id for n in warned) == sorted(u.id for u in level1)


def test_applying_a_breach_reads_and_writes_little(session):
    """Statement counts, not timings: no savepoint, no history load, reference data from the process cache."""
    from sqlalchemy import event

    from escalation.clocks import apply_due
    from helpdesk.platform.extensions import db

    agent = UserFactory(school=None, roles=[Role.AGENT_N1])
    ticket = _open(session, utc(2026, 11, 16, 8))
    lifecycle.take(session, ticket, actor=agent, now=utc(2026, 11, 16, 9))
    session.commit()
    ticket_id, late = ticket.id, ticket.resolution_due_at.replace(minute=5)
    session.remove()
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert apply_due(session, ticket_id, now=late) == ["warning", "resolution"]
        session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in seen if "SAVEPOINT" in s]
    assert not [s for s in seen if s.startswith("SELECT ticket_event.id")]  # the history is not loaded
    assert len(seen) <= 22, "\n".join(seen)
    session.expire_all()
    assert session.get(Ticket, ticket_id).tier == "edulab"
    actions = {b.kind: b.action for b in session.scalars(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id))}
    assert actions == {"warning": "notified", "resolution": "escalated"}


def test_a_breach_that_cannot_escalate_is_recorded_as_notified(session):
    seed.seed_reference(session)
    requester = UserFactory()
    keyword = KeywordFactory(priority="urgent", tier="pilote", ticket_type="incident")
    ticket = tickets.open_ticket(
        session,
        actor=requester,
        keyword=keyword,
        subject="Panne générale",
        description="Plus rien ne marche.",
        now=utc(2026, 11, 16, 8),
    )
    session.commit()
    late = ticket.resolution_due_at.replace(minute=5)
    assert jobs.check_tickets([ticket.id], now=late.isoformat()) == {str(ticket.id): ["warning", "first_response", "resolution"]}
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.tier == "pilote"  # the vendor only takes confirmed bugs and evolution requests
    breach = session.scalar(select(SlaBreach).where(SlaBreach.kind == "resolution"))
    assert (breach.action, breach.tier) == ("notified", "pilote")
    assert [e.data["action"] for e in ticket.events if e.kind == "sla_resolution"] == ["notified"]
    assert jobs.check_tickets([ticket.id], now=late.isoformat()) == {str(ticket.id): []}  # exactly once
