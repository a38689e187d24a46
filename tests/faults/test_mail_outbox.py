"""The notification table is the mail outbox: a mail whose job never reached Redis, or that Redis lost, is sent
once by `resend_unsent`, and never twice (jobs queued or running are not queued again)."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from helpdesk.notifications import jobs as mail_jobs
from helpdesk.notifications.models import Notification
from helpdesk.platform import queue as jobqueue
from tests.escalation.test_queue import _closed_port
from tests.escalation.workers import open_urgent_ticket, run_queued_jobs


def _outbox(app) -> list[Path]:
    return sorted((Path(app.config["HELPDESK_DATA_DIR"]) / "outbox").glob("*.eml"))


def _unsent(session) -> list[Notification]:
    session.expire_all()
    return session.scalars(select(Notification).where(Notification.emailed_at.is_(None))).all()


def _later(session, minutes: int) -> str:
    created = session.scalar(select(Notification.created_at).order_by(Notification.id))
    return (created + timedelta(minutes=minutes)).isoformat()


def test_a_mail_created_while_redis_was_down_is_sent_once_by_the_sweep(app, session):
    before = len(_outbox(app))
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    try:
        open_urgent_ticket(session)  # committed; its mail job could not be sent
    finally:
        app.config["REDIS_URL"] = saved
    assert len(_unsent(session)) == 1 and jobqueue.get_queue().count == 0
    assert mail_jobs.resend_unsent(now=_later(session, 1)) == 0  # too recent: its own job may still be on its way
    assert mail_jobs.resend_unsent(now=_later(session, 3)) == 1
    run_queued_jobs(app)
    assert _unsent(session) == [] and len(_outbox(app)) == before + 1
    assert mail_jobs.resend_unsent(now=_later(session, 10)) == 0
    run_queued_jobs(app)
    assert len(_outbox(app)) == before + 1


def test_a_mail_job_redis_lost_is_sent_once_by_the_sweep(app, session):
    before = len(_outbox(app))
    open_urgent_ticket(session)
    connection = jobqueue.redis_connection()
    assert jobqueue.get_queue().count >= 1
    connection.flushdb()  # a restart without persistence
    assert mail_jobs.resend_unsent(now=_later(session, 3)) == 1
    run_queued_jobs(app)
    assert _unsent(session) == [] and len(_outbox(app)) == before + 1


def test_the_sweep_does_not_queue_a_mail_whose_job_is_waiting(app, session):
    before = len(_outbox(app))
    open_urgent_ticket(session)
    assert mail_jobs.resend_unsent(now=_later(session, 3)) == 0  # its own job is still queued
    run_queued_jobs(app)
    assert len(_outbox(app)) == before + 1 and _unsent(session) == []


def test_people_on_the_daily_digest_are_left_to_the_digest(app, session):
    from helpdesk.notifications.models import NotificationPreference

    ticket = open_urgent_ticket(session)
    session.add(NotificationPreference(user_id=ticket.requester_id, mode="digest"))
    session.commit()
    jobqueue.redis_connection().flushdb()
    assert mail_jobs.resend_unsent(now=_later(session, 3)) == 0
