"""A worker killed (SIGKILL) in the middle of a breach escalation: the retried job applies it exactly once."""

import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from escalation import jobs
from escalation.models import SlaBreach
from helpdesk.tickets.models import Ticket
from tests.escalation.workers import open_urgent_ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("when", ["before", "after"])
def test_worker_killed_during_escalation_then_retried(app, session, when):
    ticket = open_urgent_ticket(session)
    ticket_id = ticket.id
    late = (ticket.resolution_due_at + timedelta(minutes=1)).isoformat()
    session.remove()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    process = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).with_name("killed_worker.py")),
            str(uri),
            app.config["REDIS_URL"],
            app.config["HELPDESK_DATA_DIR"],
            str(ticket_id),
            late,
            when,
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert process.returncode == -signal.SIGKILL, process.stderr.decode()[-2000:]
    # RQ would retry the job whose worker died: do it here.
    jobs.check_tickets([ticket_id], now=late)
    session.expire_all()
    breaches = session.scalars(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id, SlaBreach.kind == "resolution")).all()
    assert len(breaches) == 1
    ticket = session.get(Ticket, ticket_id)
    assert ticket.tier == "edulab"
    assert len([e for e in ticket.events if e.kind == "escalated"]) == 1
