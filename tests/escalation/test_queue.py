"""Against real Redis: a lost Redis never loses a ticket, and a real RQ worker runs the scheduled SLA timer."""

import socket
from datetime import UTC, datetime, timedelta

from flask import g
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select

from escalation import jobs, seed
from escalation.models import SlaBreach, SlaClock
from helpdesk.platform import jobcontext
from helpdesk.platform.queue import get_queue, redis_connection
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from tests.escalation.workers import sweep_and_work
from tests.factories import KeywordFactory, UserFactory


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released on exit: nothing listens there


def test_ticket_saved_while_redis_is_down_and_the_sweep_catches_up(app, session):
    seed.seed_reference(session)
    requester = UserFactory()
    keyword = KeywordFactory(priority="urgent")
    real_url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    g.pop("_redis", None)
    try:
        created = datetime(2026, 11, 16, 8, tzinfo=UTC)
        ticket = tickets.open_ticket(
            session, actor=requester, keyword=keyword, subject="ENT inaccessible", description="Page blanche.", now=created
        )
        session.commit()  # the timer cannot be enqueued: logged, not raised
    finally:
        app.config["REDIS_URL"] = real_url
        g.pop("_redis", None)
    ticket_id = ticket.id
    assert session.get(SlaClock, ticket_id).next_check_at is not None  # the database remembers
    assert sweep_and_work(app, (ticket.resolution_due_at + timedelta(minutes=1)).isoformat()) == 1
    session.expire_all()
    assert session.get(Ticket, ticket_id).tier == "edulab"
    assert redis_connection(real_url).get(jobs.LAST_SWEEP_KEY) is not None


def test_real_rq_worker_runs_the_scheduled_check(app, session):
    seed.seed_reference(session)
    ticket = tickets.open_ticket(
        session,
        actor=UserFactory(),
        keyword=KeywordFactory(priority="urgent"),
        subject="Cahier de textes vide",
        description="Plus rien depuis hier.",
        now=datetime(2026, 11, 16, 8, tzinfo=UTC),
    )
    session.commit()
    connection = redis_connection(app.config["REDIS_URL"])
    queue = get_queue("default", connection=connection)
    scheduled = queue.scheduled_job_registry.get_job_ids()
    due_epoch = int(session.get(SlaClock, ticket.id).next_check_at.timestamp())
    assert f"sla-check-{ticket.id}-{due_epoch}" in scheduled
    # Run it now, as the scheduler would at its time, with the deadline already passed.
    late = (ticket.resolution_due_at + timedelta(minutes=1)).isoformat()
    queue.enqueue("escalation.jobs.check_ticket", kwargs={"ticket_id": ticket.id, "now": late}, job_id="sla-test-now")
    jobcontext.set_app(app)
    worker = SimpleWorker([queue], connection=connection, serializer=JSONSerializer)
    assert worker.work(burst=True)
    job = queue.fetch_job("sla-test-now")
    assert job.is_finished, job.latest_result()
    assert "resolution" in job.return_value()
    session.expire_all()
    assert session.scalar(select(SlaBreach).where(SlaBreach.kind == "resolution")) is not None
