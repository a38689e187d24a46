"""`python -m escalation.worker --burst`, the production entry point, applies what the sweep fanned out."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from escalation import jobs, seed
from escalation.models import SlaBreach
from helpdesk.queue import get_queue
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from tests.factories import KeywordFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("options", [[], ["--fork"]])
def test_the_worker_entry_point_applies_the_fanned_out_checks(app, session, options):
    seed.seed_reference(session)
    ticket = tickets.open_ticket(session, actor=UserFactory(), keyword=KeywordFactory(priority="urgent"),
                                 subject="Import EDT bloqué", description="Erreur à l'import.",
                                 now=datetime(2026, 11, 16, 8, tzinfo=UTC))
    session.commit()
    ticket_id = ticket.id
    assert jobs.sweep(now=(ticket.resolution_due_at + timedelta(minutes=1)).isoformat()) == 1
    session.remove()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT),
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": app.config["REDIS_URL"],
           "HELPDESK_DATA_DIR": app.config["HELPDESK_DATA_DIR"], "SECRET_KEY": "tests-only-secret"}
    process = subprocess.run([sys.executable, "-m", "escalation.worker", "--burst", "--no-cron", *options],
                             cwd=ROOT, env=env, capture_output=True, timeout=240)
    assert process.returncode == 0, process.stderr.decode()[-3000:]
    assert get_queue().failed_job_registry.count == 0
    assert session.scalar(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id,
                                                  SlaBreach.kind == "resolution")) is not None
    assert session.get(Ticket, ticket_id).tier == "edulab"
