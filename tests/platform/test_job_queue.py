"""helpdesk.platform.queue on real Redis: one client per URL, a transaction's jobs in one round trip, deterministic ids,
the session listeners registered once, the circuit breaker."""

from datetime import timedelta

import pytest
import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from helpdesk.platform import queue as jobqueue
from helpdesk.platform.timeutil import utcnow


@pytest.fixture
def round_trips(monkeypatch):
    """Counts what is written to any Redis socket (a pipeline is one write)."""
    calls = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        calls.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return calls


def _fetch(job_id):
    return Job.fetch(job_id, connection=jobqueue.redis_connection(), serializer=JSONSerializer)


def test_one_client_per_url(app):
    assert jobqueue.redis_connection() is jobqueue.redis_connection(app.config["REDIS_URL"])


def test_the_jobs_of_a_transaction_leave_in_one_round_trip(app, session, round_trips):
    jobqueue.redis_connection().ping()  # connected, server version known: what follows is the commit's cost
    jobqueue.get_queue().get_redis_server_version()
    round_trips.clear()
    at = utcnow() + timedelta(hours=2)
    jobqueue.enqueue_after_commit(session, "escalation.jobs.check_ticket", ticket_id=1, job_id="sla-check-1-1", at=at)
    jobqueue.enqueue_after_commit(session, "helpdesk.notifications.jobs.send_email", notification_id=7, job_id="notif-mail-7")
    jobqueue.enqueue_after_commit(session, "kb.jobs.refresh_index", queue="kb", job_id="kb-refresh-index")
    session.commit()
    assert len(round_trips) == 1
    queue = jobqueue.get_queue()
    assert queue.scheduled_job_registry.get_job_ids() == ["sla-check-1-1"]
    assert queue.job_ids == ["notif-mail-7"] and jobqueue.get_queue("kb").job_ids == ["kb-refresh-index"]
    assert _fetch("sla-check-1-1").kwargs == {"ticket_id": 1}


def test_a_timer_registered_twice_in_a_transaction_is_sent_once_and_replaces_the_stored_one(app, session):
    first, second = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=3)
    jobqueue.enqueue_now("escalation.jobs.check_ticket", ticket_id=1, job_id="timer-1", at=first)
    jobqueue.enqueue_after_commit(session, "escalation.jobs.check_ticket", ticket_id=1, job_id="timer-1", at=second)
    jobqueue.enqueue_after_commit(session, "escalation.jobs.check_ticket", ticket_id=2, job_id="timer-1", at=second)
    assert len(session.info["pending_jobs"]) == 1
    session.commit()
    registry = jobqueue.get_queue().scheduled_job_registry
    assert registry.get_job_ids() == ["timer-1"]
    assert int(registry.get_expiration_time(_fetch("timer-1")).timestamp()) == int(second.timestamp())
    assert _fetch("timer-1").kwargs == {"ticket_id": 2}


def test_rollback_drops_the_jobs(app, session):
    from sqlalchemy import text

    session.execute(text("SELECT 1"))  # inside a transaction, as every service is
    jobqueue.enqueue_after_commit(session, "helpdesk.notifications.jobs.send_email", notification_id=7)
    session.rollback()
    session.commit()
    assert jobqueue.get_queue().count == 0


def test_fan_out_collapses_what_is_already_queued_and_promotes_a_due_timer(app, round_trips):
    queue = jobqueue.get_queue()
    jobqueue.enqueue_now("escalation.jobs.check_ticket", ticket_id=3, job_id="sla-check-3-100", at=utcnow() + timedelta(hours=1))
    round_trips.clear()
    calls = [(f"sla-check-{n}-100", {"ticket_id": n, "now": None}) for n in (1, 2, 3)]
    assert jobqueue.fan_out("escalation.jobs.check_ticket", calls) == 3
    assert len(round_trips) == 2  # read the jobs, then one pipeline of writes
    assert sorted(queue.job_ids) == ["sla-check-1-100", "sla-check-2-100", "sla-check-3-100"]
    assert queue.scheduled_job_registry.get_job_ids() == []  # the timer now waits in the queue instead
    assert _fetch("sla-check-3-100").kwargs == {"ticket_id": 3, "now": None}
    # The same fan-out again (a second sweep before any worker ran): nothing is added.
    assert jobqueue.fan_out("escalation.jobs.check_ticket", calls) == 0
    assert queue.count == 3


def test_fan_out_requeues_a_failed_run(app):
    queue = jobqueue.get_queue()
    jobqueue.fan_out("escalation.jobs.check_ticket", [("sla-check-9-1", {"ticket_id": 9})])
    job = _fetch("sla-check-9-1")
    queue.remove(job)
    job.set_status("failed")
    queue.failed_job_registry.add(job, ttl=3600)
    assert jobqueue.fan_out("escalation.jobs.check_ticket", [("sla-check-9-1", {"ticket_id": 9})]) == 1
    assert queue.job_ids == ["sla-check-9-1"] and queue.failed_job_registry.get_job_ids() == []
    assert _fetch("sla-check-9-1").get_status() == "queued"


def test_redis_down_drops_the_jobs_without_failing_the_commit(app, session, caplog):
    from tests.escalation.test_queue import _closed_port

    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        jobqueue.enqueue_after_commit(session, "helpdesk.notifications.jobs.send_email", notification_id=7)
        session.commit()
        assert jobqueue.enqueue_now("helpdesk.notifications.jobs.send_email", notification_id=8) is None
        with pytest.raises((redis.RedisError, OSError)):
            jobqueue.fan_out("escalation.jobs.check_ticket", [("sla-check-1-1", {"ticket_id": 1})])
    finally:
        app.config["REDIS_URL"] = saved
    assert "not enqueued" in caplog.text


@pytest.mark.parametrize("calls", [3])
def test_session_listeners_are_registered_once_whatever_the_number_of_apps(app, calls):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from helpdesk import create_app
    from helpdesk.platform import queue

    for _ in range(calls):
        create_app({"HELPDESK_DATA_DIR": app.config["HELPDESK_DATA_DIR"], "REDIS_URL": app.config["REDIS_URL"]})
    assert event.contains(Session, "after_commit", queue._after_commit)
    for name in ("after_commit", "after_rollback"):
        listeners = list(getattr(Session().dispatch, name))
        assert [fn for fn in listeners if fn.__module__ == queue.__name__] == [getattr(queue, f"_{name}")]
