"""Run what the sweep fanned out the way production does: a real RQ worker (burst, in this process)."""

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from helpdesk import jobcontext
from helpdesk.queue import get_queue, redis_connection


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
