"""Run what the sweep fanned out the way production does: a real RQ worker (burst, in this process)."""

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from helpdesk.platform import jobcontext
from helpdesk.platform.queue import get_queue, redis_connection


def run_queued_jobs(app) -> int:
    """Process every job waiting on the default queue; fail the test if one of them failed."""
    connection = redis_connection(app.config["REDIS_URL"])
    queue = get_queue("default", connection=connection)
    waiting = queue.count
    jobcontext.set_app(app)
    SimpleWorker([queue], connection=connection, serializer=JSONSerializer).work(burst=True)
    failed = queue.failed_job_registry.get_job_ids()
    assert not failed, [queue.fetch_job(job_id).latest_result().exc_string for job_id in failed]
    return waiting


def sweep_and_work(app, now: str) -> int:
    """One sweep, then the workers: returns how many due tickets the sweep handed over."""
    from escalation import jobs

    handed = jobs.sweep(now=now)
    run_queued_jobs(app)
    return handed


def open_urgent_ticket(session):
    """An urgent ticket opened Monday 16 Nov 2026 at 09:00 Paris on seeded SLA data: what the worker tests escalate."""
    from datetime import UTC, datetime

    from escalation import seed
    from helpdesk.tickets import services as tickets
    from tests.factories import KeywordFactory, UserFactory

    seed.seed_reference(session)
    ticket = tickets.open_ticket(
        session,
        actor=UserFactory(),
        keyword=KeywordFactory(priority="urgent"),
        subject="Import EDT bloqué",
        description="Erreur à l'import.",
        now=datetime(2026, 11, 16, 8, tzinfo=UTC),
    )
    session.commit()
    return ticket
