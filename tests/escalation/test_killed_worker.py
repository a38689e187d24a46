"""A worker killed (SIGKILL) in the middle of a breach escalation: the retried job applies it exactly once."""

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from escalation import jobs, seed
from escalation.models import SlaBreach
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from tests.factories import KeywordFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("when", ["before", "after"])
def test_worker_killed_during_escalation_then_retried(app, session, when):
    seed.seed_reference(session)
    ticket = tickets.open_ticket(session, actor=UserFactory(), keyword=KeywordFactory(priority="urgent"),
                                 subject="Import EDT bloqué", description="Erreur à l'import.",
                                 now=datetime(2026, 11, 16, 8, tzinfo=UTC))
    session.commit()
    ticket_id = ticket.id
    late = (ticket.resolution_due_at + timedelta(minutes=1)).isoformat()
    session.remove()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    process = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("killed_worker.py")), str(uri), app.config["REDIS_URL"],
         app.config["HELPDESK_DATA_DIR"], str(ticket_id), late, when],
        cwd=ROOT, capture_output=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]
    # RQ would retry the job whose worker died: do it here.
    jobs.check_ticket(ticket_id, now=late)
    session.expire_all()
    breaches = session.scalars(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id,
                                                      SlaBreach.kind == "resolution")).all()
    assert len(breaches) == 1
    ticket = session.get(Ticket, ticket_id)
    assert ticket.tier == "edulab"
    assert len([e for e in ticket.events if e.kind == "escalated"]) == 1
