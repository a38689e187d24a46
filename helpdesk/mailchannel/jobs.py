"""The periodic read of the assistance mailbox (worker.CRON_JOBS): one poll, each message committed on its own."""

from __future__ import annotations

from helpdesk.platform import jobcontext


def poll_mailbox() -> dict:
    """Read the mailbox once; does nothing while MAIL_IMAP_HOST is not set. Returns the outcomes counted. A
    mailbox that cannot be reached raises (the job fails, the next minute's poll tries again)."""
    from flask import current_app

    from helpdesk.mailchannel import intake
    from helpdesk.platform.extensions import db

    with jobcontext.app_context():
        return intake.poll_once(db.session, current_app.config) or {}
