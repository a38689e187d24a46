"""The sweep reads the due clocks and fans out one check job per batch of tickets; workers apply them, each breach
once."""

import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from escalation import jobs, seed
from escalation.clocks import due_checks
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


def test_the_sweep_only_fans_out_then_workers_apply_and_the_next_checks_wait_in_the_clocks(app, session):
    ids = _open_tickets(session)
    redis_connection().flushdb()  # the creation mails: only the sweep's batch is left to run
    due = {ticket_id: session.get(SlaClock, ticket_id).next_check_at for ticket_id in ids}
    assert jobs.sweep(now=LATE.isoformat()) == 3
    queue = get_queue()
    (batch,) = queue.jobs
    assert batch.id.startswith("sla-checks-") and batch.kwargs["ticket_ids"] == sorted(ids, key=due.get)
    session.expire_all()
    assert _breaches(session, "first_response") == [] and _breaches(session) == []  # the sweep applied nothing
    assert run_queued_jobs(app) == 1
    session.expire_all()
    assert sorted(b.ticket_id for b in _breaches(session)) == sorted(ids)
    assert {session.get(Ticket, ticket_id).tier for ticket_id in ids} == {"edulab"}
    # Each ticket's next check (at its new tier) is in its clock only, where the sweep of that minute finds it.
    assert queue.scheduled_job_registry.get_job_ids() == []
    following = {ticket_id: session.get(SlaClock, ticket_id).next_check_at for ticket_id in ids}
    assert min(following.values()) > LATE
    assert due_checks(session, now=LATE + timedelta(minutes=1)) == []
    assert {t for t, _at in due_checks(session, now=max(following.values()))} == set(ids)


def test_a_sweep_run_twice_queues_once_and_applies_once(app, session):
    ids = _open_tickets(session)
    queue = get_queue()
    assert jobs.sweep(now=LATE.isoformat()) == 3
    assert jobs.sweep(now=LATE.isoformat()) == 3  # the same due tickets, before any worker ran
    checks = [job_id for job_id in queue.job_ids if job_id.startswith("sla-check")]
    assert len(checks) == 1  # one batch for the three tickets; the second sweep added nothing
    run_queued_jobs(app)
    for _ in range(2):  # and again once everything was applied
        jobs.sweep(now=LATE.isoformat())
        run_queued_jobs(app)
    session.expire_all()
    assert sorted(b.ticket_id for b in _breaches(session)) == sorted(ids)  # once each
    for ticket_id in ids:
        ticket = session.get(Ticket, ticket_id)
        assert [e.kind for e in ticket.events].count("escalated") == 1


def test_a_failed_check_leaves_the_rest_of_its_batch_applied_and_the_next_sweep_retries_it(app, session, monkeypatch):
    from escalation import clocks

    failing, other = _open_tickets(session, 2)
    original = clocks.apply_due

    def apply_due(session, ticket_id, **kwargs):
        if ticket_id == failing:
            original(session, ticket_id, **kwargs)  # its changes are written, then undone with its savepoint
            raise RuntimeError("base indisponible")
        return original(session, ticket_id, **kwargs)

    monkeypatch.setattr(clocks, "apply_due", apply_due)
    assert jobs.sweep(now=LATE.isoformat()) == 2
    run_queued_jobs(app)  # the batch itself succeeded: nothing for RQ to retry
    session.expire_all()
    assert [b.ticket_id for b in _breaches(session)] == [other]
    assert session.get(SlaClock, failing).next_check_at <= LATE  # still due
    monkeypatch.setattr(clocks, "apply_due", original)
    assert jobs.sweep(now=LATE.isoformat()) == 1
    run_queued_jobs(app)
    session.expire_all()
    assert sorted(b.ticket_id for b in _breaches(session)) == sorted([failing, other])
    assert [e.kind for e in session.get(Ticket, other).events].count("escalated") == 1


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
