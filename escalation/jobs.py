"""RQ jobs (JSON arguments only). Each builds its app context, calls one service, commits; stale runs do nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from helpdesk.platform import jobcontext
from helpdesk.platform.timeutil import utcnow

log = logging.getLogger(__name__)
LAST_SWEEP_KEY = "helpdesk:sla:last_sweep"


def _when(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else utcnow()


def check_ticket(ticket_id: int, now: str | None = None) -> list[str]:
    """Timer fired for one ticket: apply what is due (nothing if the deadline moved since it was scheduled)."""
    from escalation.clocks import apply_due
    from helpdesk.platform.extensions import db

    with jobcontext.app_context():
        applied = apply_due(db.session, ticket_id, now=_when(now))
        db.session.commit()
        return applied


def sweep(now: str | None = None, batch: int = 5000) -> int:
    """Every minute: hand whatever is due to the workers. Returns how many due tickets it handed over.

    Ends the waits whose date passed, then reads the due clocks through the `next_check_at` index (only
    due rows are read) and fans out one `check_ticket` job per ticket in a single Redis pipeline. Job ids are
    those of the tickets' timers (`sla-check-<ticket>-<epoch>`): a job already queued or running is not
    queued twice, a timer still waiting for its time is queued now, a lost one is recreated. Any number of
    workers then apply them in parallel; the unique breach row keeps each breach applied once. If Redis cannot
    take the jobs, the sweep applies them itself, one transaction per ticket."""
    import redis

    from escalation.clocks import check_job_id, due_checks, end_waits
    from escalation.services import forget_calendars
    from helpdesk.platform.extensions import db
    from helpdesk.platform.queue import fan_out

    moment = _when(now)
    with jobcontext.app_context():
        forget_calendars(db.session)  # calendars may have been edited since the last sweep
        end_waits(db.session, now=moment)
        db.session.commit()
        due = due_checks(db.session, now=moment, batch=batch)
        db.session.commit()  # no transaction left open while Redis works
        calls = [(check_job_id(ticket_id, at), {"ticket_id": ticket_id, "now": now}) for ticket_id, at in due]
        try:
            queued = fan_out("escalation.jobs.check_ticket", calls)
            log.info("sweep: %d due, %d queued (the others were already queued or running)", len(calls), queued)
        except (redis.RedisError, OSError) as error:
            log.warning("sweep: Redis refused the jobs (%s); applying %d due tickets here", error, len(due))
            _apply_inline(db.session, [ticket_id for ticket_id, _at in due], moment)
        _record_sweep(moment)
        return len(due)


def _apply_inline(session, ticket_ids: list[int], moment: datetime) -> None:
    from escalation.clocks import apply_due

    for ticket_id in ticket_ids:
        try:
            apply_due(session, ticket_id, now=moment)
            session.commit()
        except Exception:  # one ticket's error must not stop the others; the next sweep retries it
            session.rollback()
            log.exception("sweep: ticket %s not applied", ticket_id)


def _record_sweep(moment: datetime) -> None:
    from helpdesk.platform.queue import redis_connection

    try:
        redis_connection().set(LAST_SWEEP_KEY, moment.isoformat())
    except Exception as error:  # noqa: BLE001 — the sweep's work is in the database; its timestamp is a courtesy
        log.warning("last sweep time not stored: %s", error)


def auto_close(now: str | None = None) -> int:
    """Hourly: close tickets resolved for AUTO_CLOSE_DAYS days (default 7) without any reply."""
    from flask import current_app

    from escalation.clocks import auto_close_resolved
    from helpdesk.platform.extensions import db

    with jobcontext.app_context():
        closed = auto_close_resolved(db.session, now=_when(now), days=int(current_app.config.get("AUTO_CLOSE_DAYS", 7)))
        db.session.commit()
        return len(closed)


def detect_incidents(now: str | None = None) -> int:
    """Every few minutes: raise candidate mass incidents for level 1 (thresholds from the config)."""
    from flask import current_app

    from helpdesk.incidents.services import detect_bursts
    from helpdesk.platform.extensions import db

    with jobcontext.app_context():
        config = current_app.config
        found = detect_bursts(
            db.session,
            now=_when(now),
            window_minutes=int(config.get("INCIDENT_WINDOW_MINUTES", 60)),
            min_tickets=int(config.get("INCIDENT_MIN_TICKETS", 5)),
            min_schools=int(config.get("INCIDENT_MIN_SCHOOLS", 3)),
        )
        db.session.commit()
        return len(found)
