"""RQ jobs (JSON arguments only). Each builds its app context, calls one service, commits; stale runs do nothing."""

from __future__ import annotations

import logging
from datetime import datetime

from helpdesk.platform import jobcontext
from helpdesk.platform.timeutil import utcnow

log = logging.getLogger(__name__)
LAST_SWEEP_KEY = "helpdesk:sla:last_sweep"
# Due tickets per check job of the sweep: an RQ job, a commit and a mail job are paid once per batch instead of
# once per ticket (docs/performance.md), and 1,000 due tickets still make 20 jobs for the workers to share.
CHECK_BATCH = 50


def _when(now: str | None) -> datetime:
    return datetime.fromisoformat(now) if now else utcnow()


def check_ticket(ticket_id: int, now: str | None = None) -> list[str]:
    """Kept for the per-ticket timers that earlier versions scheduled in Redis (`sla-check-<ticket>-<epoch>`):
    after an upgrade they still fire, until the last deadline they were set for, and must not fail. Nothing
    schedules this job any more (the sweep carries every check); it does a batch's work for one ticket, which
    changes nothing when the sweep already applied it (clock lock, unique breach row)."""
    return check_tickets([ticket_id], now=now).get(str(ticket_id), [])


def check_tickets(ticket_ids: list[int], now: str | None = None) -> dict[str, list[str]]:
    """The sweep's batch: apply what is due on each ticket, all in one transaction (one commit and one mail job
    for the lot; each tier's group and the SLA reference read once).

    Should one ticket fail, that transaction is rolled back whole (nothing of it was applied) and the batch is
    done again one ticket per transaction: the failing ticket is logged and stays due (the next sweep retries it),
    the others are applied once. A savepoint per ticket would cost two statements for every ticket; this costs
    nothing until a ticket fails."""
    from escalation.clocks import apply_due
    from helpdesk.notifications.recipients import GROUPS_MEMO
    from helpdesk.platform.extensions import db

    moment = _when(now)
    with jobcontext.app_context():
        session = db.session
        session.info[GROUPS_MEMO] = {}
        try:
            applied = {str(ticket_id): apply_due(session, ticket_id, now=moment) for ticket_id in ticket_ids}
            session.commit()
            return applied
        except Exception:
            session.rollback()
            log.warning("SLA batch of %d tickets failed; applying them one by one", len(ticket_ids), exc_info=True)
        finally:
            session.info.pop(GROUPS_MEMO, None)
        applied = {}
        for ticket_id in ticket_ids:
            try:
                applied[str(ticket_id)] = apply_due(session, ticket_id, now=moment)
                session.commit()
            except Exception:  # one ticket's error must not stop the others; the next sweep retries it
                session.rollback()
                log.exception("SLA check of ticket %s not applied", ticket_id)
        return applied


def check_batch_id(due: list[tuple[int, datetime]]) -> str:
    """Deterministic for one selection: a second sweep before any worker ran queues nothing again."""
    (first, at), (last, _at) = due[0], due[-1]
    return f"sla-checks-{first}-{int(at.timestamp())}-{last}-{len(due)}"


def sweep(now: str | None = None, batch: int = 5000) -> int:
    """Every minute: hand whatever is due to the workers. Returns how many due tickets it handed over.

    Ends the waits whose date passed, then reads the due clocks through the `next_check_at` index (only
    due rows are read) and fans out one `check_tickets` job per CHECK_BATCH tickets in a single Redis pipeline;
    a batch's id comes from its tickets, so a batch queued or running is not queued twice. It is the only path
    of the checks: no ticket has a timer of its own (docs/performance.md « The SLA timers »), so a check runs at
    most a minute plus the queue's wait after its deadline. Any number of workers apply the batches in parallel.
    If Redis cannot take the jobs, the sweep applies them itself, one transaction per ticket."""
    import redis

    from escalation.clocks import due_checks, end_waits
    from helpdesk.platform.extensions import db
    from helpdesk.platform.queue import fan_out

    moment = _when(now)
    with jobcontext.app_context():
        end_waits(db.session, now=moment)
        db.session.commit()
        due = due_checks(db.session, now=moment, batch=batch)
        db.session.commit()  # no transaction left open while Redis works
        chunks = [due[start : start + CHECK_BATCH] for start in range(0, len(due), CHECK_BATCH)]
        calls = [(check_batch_id(chunk), {"ticket_ids": [t for t, _at in chunk], "now": now}) for chunk in chunks]
        try:
            queued = fan_out("escalation.jobs.check_tickets", calls)
            log.info("sweep: %d due in %d batches, %d queued (the others were already queued or running)",
                     len(due), len(calls), queued)  # fmt: skip
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


def import_holidays(now: str | None = None) -> int:
    """Daily: import this year's and the next two years' holidays as soon as the libraries know them
    (idempotent); warns in the log while the calendars run out within HOLIDAY_WARNING_DAYS."""
    from escalation.services import holiday_coverage, import_holidays_from_libraries
    from helpdesk.platform.extensions import db

    moment = _when(now)
    with jobcontext.app_context():
        added_public, added_school, _unknown = import_holidays_from_libraries(db.session, range(moment.year, moment.year + 3))
        db.session.commit()
        coverage = holiday_coverage(db.session, today=moment.date())
        if coverage.runs_out_soon:
            log.warning("SLA calendars: %s", coverage.message)
        return added_public + added_school
