"""Against real Redis: a lost Redis never loses a ticket; a real RQ worker runs the sweep's checks, and a timer
left in Redis by a version that still scheduled one per ticket runs harmlessly."""

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


def test_a_real_rq_worker_applies_the_sweep_batch_and_a_stale_timer_of_an_earlier_version_changes_nothing(app, session):
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
    ticket_id = ticket.id
    connection = redis_connection(app.config["REDIS_URL"])
    queue = get_queue("default", connection=connection)
    assert not [job_id for job_id in queue.scheduled_job_registry.get_job_ids() if job_id.startswith("sla-")]
    late = (ticket.resolution_due_at + timedelta(minutes=1)).isoformat()
    # What an earlier version scheduled at creation: the per-ticket timer, due now, with its kwargs of then.
    queue.enqueue("escalation.jobs.check_ticket", kwargs={"ticket_id": ticket_id}, job_id=f"sla-check-{ticket_id}-1")
    assert jobs.sweep(now=late) == 1  # the batch is queued after the stale timer: the timer applies first
    jobcontext.set_app(app)
    worker = SimpleWorker([queue], connection=connection, serializer=JSONSerializer)
    assert worker.work(burst=True)
    assert queue.failed_job_registry.get_job_ids() == []
    (batch_id,) = [job_id for job_id in queue.finished_job_registry.get_job_ids() if job_id.startswith("sla-checks-")]
    # The stale timer ran first, at the worker's clock (long past November 2026): it applied the breach and the
    # escalation; the sweep's batch then found nothing left to apply (clock lock, unique breach row).
    assert queue.fetch_job(f"sla-check-{ticket_id}-1").return_value() == ["warning", "first_response", "resolution"]
    assert queue.fetch_job(batch_id).return_value() == {str(ticket_id): []}
    session.expire_all()
    assert len(session.scalars(select(SlaBreach).where(SlaBreach.kind == "resolution")).all()) == 1
    assert session.get(Ticket, ticket_id).tier == "edulab"
