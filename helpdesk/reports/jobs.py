"""RQ job: fold the ticket changes of the last minute into the rollups."""

from helpdesk.platform import jobcontext
from helpdesk.platform.timeutil import utcnow


def refresh_rollups() -> int:
    """Every minute (worker.CRON_JOBS): recompute the days whose tickets changed. Returns the days recomputed."""
    from helpdesk.platform.extensions import db
    from helpdesk.reports import rollups

    with jobcontext.app_context():
        days = rollups.refresh(db.session, now=utcnow())
        db.session.commit()
        return days
