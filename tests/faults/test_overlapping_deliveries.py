"""Two deliveries of the same SLA check overlap (two batches of the sweep, a stale timer of an earlier version, or
a job retried while the first run still works): the one that read the clock before the other changed it changes
nothing — the escalated ticket keeps the next tier's check (it was erased: `next_check_at` NULL, 5 times in 5)."""

import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text

from escalation.clocks import apply_due
from escalation.models import SlaBreach, SlaClock
from helpdesk.tickets.models import Ticket
from tests.escalation.workers import open_urgent_ticket
from tests.faults.support import ROOT, env_for, python

pytestmark = pytest.mark.slow


@contextmanager
def clock_row_locked(uri: str, ticket_id: int):
    """Hold what a writer of the clock needs (PostgreSQL: the row; SQLite: the database's writer lock) until
    the block ends, so that both deliveries read the ticket first and then write one after the other."""
    engine = create_engine(uri)
    connection = engine.connect()
    try:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.begin()
            connection.execute(text("SELECT 1 FROM sla_clock WHERE ticket_id = :id FOR UPDATE"), {"id": ticket_id})
        yield
    finally:
        connection.rollback()
        connection.close()
        engine.dispose()


@pytest.mark.parametrize("run", range(3))
def test_a_stale_delivery_does_not_erase_the_next_tier_timer(app, session, tmp_path, run):
    ticket = open_urgent_ticket(session)
    ticket_id = ticket.id
    late = (ticket.resolution_due_at + timedelta(minutes=1)).isoformat()
    session.remove()
    env = env_for(app, tmp_path)
    argv = python(str(ROOT / "tests" / "faults" / "deliver_check.py"), str(ticket_id), late)
    with clock_row_locked(app.config["SQLALCHEMY_DATABASE_URI"], ticket_id):
        deliveries = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        for delivery in deliveries:
            assert delivery.stdout.readline().strip() == b"ready", delivery.stderr.read().decode()[-2000:]
        time.sleep(1.0)  # both now read the ticket and wait for the lock (SQLite waits up to its 5 s busy timeout)
    outputs = [delivery.communicate(timeout=120) for delivery in deliveries]
    assert [d.returncode for d in deliveries] == [0, 0], [err.decode()[-2000:] for _out, err in outputs]
    session.expire_all()
    ticket = session.get(Ticket, ticket_id)
    clock = session.get(SlaClock, ticket_id)
    assert ticket.tier == "edulab"
    assert (
        len(session.scalars(select(SlaBreach).where(SlaBreach.ticket_id == ticket_id, SlaBreach.kind == "resolution")).all()) == 1
    )
    assert clock.tier == "edulab" and clock.next_check_at is not None
    # The timer is the new tier's: recomputing from the stored state finds the same next check.
    expected = clock.next_check_at
    assert apply_due(session, ticket_id, now=ticket.created_at) == []
    assert session.get(SlaClock, ticket_id).next_check_at == expected
    assert len([e for e in ticket.events if e.kind == "escalated"]) == 1
