"""`python -m worker --burst`, the production entry point, applies what the sweep fanned out."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from escalation import jobs
from escalation.models import SlaBreach
from helpdesk.platform.queue import get_queue
from helpdesk.tickets.models import Ticket
from tests.escalation.workers import open_urgent_ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("options", [[], ["--fork"]])
def test_the_worker_entry_point_applies_the_fanned_out_checks(app, session, options):
    ticket = open_urgent_ticket(session)
    ticket_id = ticket.id
    assert jobs.sweep(now=(ticket.resolution_due_at + timedelta(minutes=1)).isoformat()) == 1
    session.remove()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "HELPDESK_DATA_DIR": app.config["HELPDESK_DATA_DIR"],
        "SECRET_KEY": "tests-only-secret",
    }
    process = subprocess.run(
        [sys.executable, "-m", "worker", "--burst", "--no-cron", *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=240,
    )
    assert process.returncode == 0, process.stderr.decode()[-3000:]
    assert get_queue().failed_job_registry.count == 0
    assert session.scalar(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id, SlaBreach.kind == "resolution")) is not None
    assert session.get(Ticket, ticket_id).tier == "edulab"


def test_the_cron_process_enqueues_every_periodic_job_once_per_interval(app):
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from helpdesk.platform.queue import redis_connection
    from worker import CRON_JOBS, build_cron

    connection = redis_connection()
    assert len(build_cron(connection).enqueue_jobs()) == len(CRON_JOBS)
    build_cron(connection).enqueue_jobs()  # a second cron process (another machine) in the same interval
    queue = get_queue()
    assert queue.count == len(CRON_JOBS)
    assert sorted(Job.fetch(i, connection=connection, serializer=JSONSerializer).func_name for i in queue.job_ids) == sorted(
        path for path, _queue, _interval in CRON_JOBS
    )


def test_the_supervisor_and_the_scheduler_do_not_load_the_app():
    """They never run a job: what `python -m worker` imports before choosing its role leaves Flask, SQLAlchemy and
    pydantic out (the supervisor and the scheduler hold about 34 MB instead of 112; docs/performance.md « Memory »)."""
    code = (
        "import sys, worker; print(' '.join(m for m in ('flask', 'sqlalchemy', 'pydantic', 'helpdesk.app') if m in sys.modules))"
    )
    process = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr[-2000:]
    assert process.stdout.strip() == ""
