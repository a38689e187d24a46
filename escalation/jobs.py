"""RQ jobs (JSON arguments only). Each builds its app context, calls one service, commits; stale runs do nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from helpdesk import jobcontext
from helpdesk.timeutil import utcnow

log = logging.getLogger(__name__)
LAST_SWEEP_KEY = "helpdesk:sla:last_sweep"


def _when(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else utcnow()


def check_ticket(ticket_id: int, now: str | None = None) -> list[str]:
    """Timer fired for one ticket: apply what is due (nothing if the deadline moved since it was scheduled)."""
    from escalation.clocks import apply_due
    from helpdesk.extensions import db

    with jobcontext.app_context():
        applied = apply_due(db.session, ticket_id, now=_when(now))
        db.session.commit()
        return applied


def sweep(now: str | None = None, batch: int = 500) -> int:
    """Every minute: apply whatever timers Redis lost or never had. Reads only due rows through an index."""
    from escalation.clocks import apply_due, due_ticket_ids, end_propagation_waits
    from escalation.services import forget_calendars
    from helpdesk.extensions import db

    moment = _when(now)
    with jobcontext.app_context():
        forget_calendars(db.session)  # calendars may have been edited since the last sweep
        end_propagation_waits(db.session, now=moment)
        db.session.commit()
        count = 0
        for ticket_id in due_ticket_ids(db.session, now=moment, batch=batch):
            apply_due(db.session, ticket_id, now=moment)
            db.session.commit()
            count += 1
        _record_sweep(moment)
        return count


def _record_sweep(moment: datetime) -> None:
    from helpdesk.queue import redis_connection

    try:
        redis_connection().set(LAST_SWEEP_KEY, moment.isoformat())
    except Exception as error:  # noqa: BLE001 — the sweep's work is in the database; its timestamp is a courtesy
        log.warning("last sweep time not stored: %s", error)


def auto_close(now: str | None = None) -> int:
    """Hourly: close tickets resolved for AUTO_CLOSE_DAYS days (default 7) without any reply."""
    from flask import current_app

    from escalation.clocks import auto_close_resolved
    from helpdesk.extensions import db

    with jobcontext.app_context():
        closed = auto_close_resolved(db.session, now=_when(now), days=int(current_app.config.get("AUTO_CLOSE_DAYS", 7)))
        db.session.commit()
        return len(closed)


def detect_incidents(now: str | None = None) -> int:
    """Every few minutes: raise candidate mass incidents for level 1 (thresholds from the config)."""
    from flask import current_app

    from escalation.incidents import detect_bursts
    from helpdesk.extensions import db

    with jobcontext.app_context():
        config = current_app.config
        found = detect_bursts(db.session, now=_when(now), window_minutes=int(config.get("INCIDENT_WINDOW_MINUTES", 60)),
                              min_tickets=int(config.get("INCIDENT_MIN_TICKETS", 5)),
                              min_schools=int(config.get("INCIDENT_MIN_SCHOOLS", 3)))
        db.session.commit()
        return len(found)
