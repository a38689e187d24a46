"""The sweep reads the due clocks and fans out one check job per ticket; workers apply them, each breach once."""

import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from escalation import jobs, seed
from escalation.clocks import check_job_id
from escalation.models import SlaBreach, SlaClock
from helpdesk.platform.queue import get_queue, redis_connection
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from tests.escalation.workers import run_queued_jobs
from tests.factories import KeywordFactory, UserFactory

OPENED = datetime(2026, 11, 16, 8, tzinfo=UTC)  # Monday 09:00 Paris
LATE = datetime(2026, 11, 17, 8, tzinfo=UTC)  # Tuesday 09:00: 8 working hours later, urgent resolution missed


def _open_tickets(session, count=3):
    seed.seed_reference(session)
    requester, keyword = UserFactory(), KeywordFactory(priority="urgent", tier="n1")
    opened = [
        tickets.open_ticket(
            session, actor=requester, keyword=keyword, subject=f"ENT bloqué {n}", description="Page blanche.", now=OPENED
        )
        for n in range(count)
    ]
    session.commit()
    return [ticket.id for ticket in opened]


def _breaches(session, kind="resolution"):
    return session.scalars(select(SlaBreach).where(SlaBreach.kind == kind)).all()


def test_the_sweep_only_fans_out_then_workers_apply_and_repair_lost_timers(app, session):
    ids = _open_tickets(session)
    redis_connection().flushdb()  # Redis lost every timer
    due = {ticket_id: session.get(SlaClock, ticket_id).next_check_at for ticket_id in ids}
    assert jobs.sweep(now=LATE.isoformat()) == 3
    queue = get_queue()
    assert sorted(queue.job_ids) == sorted(check_job_id(ticket_id, at) for ticket_id, at in due.items())
    # (only check jobs: the creation mails were flushed away with the timers)
    session.expire_all()
    assert _breaches(session, "first_response") == [] and _breaches(session) == []  # the sweep applied nothing
    assert run_queued_jobs(app) >= 3
    session.expire_all()
    assert sorted(b.ticket_id for b in _breaches(session)) == sorted(ids)
    assert {session.get(Ticket, ticket_id).tier for ticket_id in ids} == {"edulab"}
    # Each ticket's next check (at its new tier) is a timer again: what Redis lost is rebuilt.
    scheduled = set(queue.scheduled_job_registry.get_job_ids())
    for ticket_id in ids:
        clock = session.get(SlaClock, ticket_id)
        assert clock.next_check_at > LATE and check_job_id(ticket_id, clock.next_check_at) in scheduled


def test_a_sweep_run_twice_queues_once_and_applies_once(app, session):
    ids = _open_tickets(session)
    queue = get_queue()
    timers = set(queue.scheduled_job_registry.get_job_ids())
    assert len(timers) == 3
    assert jobs.sweep(now=LATE.isoformat()) == 3
    assert jobs.sweep(now=LATE.isoformat()) == 3  # the same due tickets, before any worker ran
    checks = [job_id for job_id in queue.job_ids if job_id.startswith("sla-check-")]
    assert len(checks) == 3  # the second sweep added nothing
    assert not timers & set(queue.scheduled_job_registry.get_job_ids())  # the due timers moved to the queue
    run_queued_jobs(app)
    for _ in range(2):  # and again once everything was applied
        jobs.sweep(now=LATE.isoformat())
        run_queued_jobs(app)
    session.expire_all()
    assert sorted(b.ticket_id for b in _breaches(session)) == sorted(ids)  # once each
    for ticket_id in ids:
        ticket = session.get(Ticket, ticket_id)
        assert [e.kind for e in ticket.events].count("escalated") == 1


def test_a_failed_check_is_queued_again_by_the_next_sweep(app, session, monkeypatch):
    from escalation import clocks

    (ticket_id,) = _open_tickets(session, 1)
    original = clocks.apply_due
    monkeypatch.setattr(clocks, "apply_due", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("base indisponible")))
    jobs.sweep(now=LATE.isoformat())
    queue = get_queue()
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from helpdesk.platform import jobcontext

    jobcontext.set_app(app)
    SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)
    assert [j for j in queue.scheduled_job_registry.get_job_ids() if j.startswith("sla-check-")] == [
        check_job_id(ticket_id, session.get(SlaClock, ticket_id).next_check_at)
    ]  # RQ's own retry, later
    monkeypatch.setattr(clocks, "apply_due", original)
    assert jobs.sweep(now=LATE.isoformat()) == 1  # the sweep does not wait for the back-off
    run_queued_jobs(app)
    session.expire_all()
    assert [b.ticket_id for b in _breaches(session)] == [ticket_id]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_redis_the_sweep_applies_the_due_tickets_itself(app, session):
    ids = _open_tickets(session, 2)
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        assert jobs.sweep(now=LATE.isoformat()) == 2
    finally:
        app.config["REDIS_URL"] = saved
    session.expire_all()
    assert sorted(b.ticket_id for b in _breaches(session)) == sorted(ids)
    assert jobs.sweep(now=(LATE + timedelta(minutes=1)).isoformat()) == 0
