"""RQ jobs of the trainings area: small, JSON arguments, idempotent through the notifications' unique keys."""

from helpdesk.platform.extensions import db
from helpdesk.platform.jobcontext import app_context
from helpdesk.platform.timeutil import utcnow
from helpdesk.trainings import notices


def _deliver_all(deliveries) -> int:
    """Record every notification of the job in one transaction (a retry records only the missing ones)."""
    try:
        sent = sum(notices.deliver(db.session, delivery, utcnow()) for delivery in deliveries)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return sent


def notify_fil_event(event_id: int) -> int:
    with app_context():
        return _deliver_all(notices.fil_event_deliveries(db.session, event_id))


def send_session_reminders(session_id: int, expected_starts_at: str) -> int:
    with app_context():
        return _deliver_all(notices.reminder_deliveries(db.session, session_id, expected_starts_at, utcnow()))


def send_session_summary(session_id: int, expected_ends_at: str) -> int:
    with app_context():
        return _deliver_all(notices.summary_deliveries(db.session, session_id, expected_ends_at, utcnow()))


def notify_promotion(registration_id: int) -> int:
    with app_context():
        return _deliver_all(notices.promotion_deliveries(db.session, registration_id))


def sweep_session_mails() -> int:
    """Periodic safety net (Redis may forget a timer, the database does not): reminders for sessions starting within
    two days, summaries for sessions ended in the last week; the notifications' unique keys make repeats harmless."""
    with app_context():
        sent = 0
        for ts_id, starts_at in notices.sessions_due_for_reminder(db.session, utcnow()):
            sent += _deliver_all(notices.reminder_deliveries(db.session, ts_id, starts_at, utcnow()))
        for ts_id, ends_at in notices.sessions_due_for_summary(db.session, utcnow()):
            sent += _deliver_all(notices.summary_deliveries(db.session, ts_id, ends_at, utcnow()))
        return sent


def notify_session_change(session_id: int, expected_key: str) -> int:
    with app_context():
        return _deliver_all(notices.change_deliveries(db.session, session_id, expected_key))
