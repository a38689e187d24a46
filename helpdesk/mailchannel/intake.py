"""One transaction per message, shared by the periodic job and the commands: import and commit a message, or on
an unexpected failure keep it in the quarantine with the error; read the mailbox once and record how it went."""

from __future__ import annotations

import logging

from helpdesk.mailchannel import imap, services
from helpdesk.platform.timeutil import utcnow

log = logging.getLogger(__name__)


def import_one(session, raw: bytes, *, settings: services.MailSettings, source: str) -> str:
    """Import and commit one message; returns its outcome. An unexpected failure puts it in the quarantine with
    the error (committed too), so one bad message neither blocks the mailbox nor is retried for ever."""
    try:
        result = services.import_message(session, raw, settings=settings, now=utcnow(), source=source)
        session.commit()
    except Exception as error:  # noqa: BLE001 — anything a message triggers: the mail is kept, not lost
        session.rollback()
        log.exception("mail import failed")
        result = services.quarantine_failure(session, raw, error, now=utcnow(), source=source)
        session.commit()
    return result.outcome


def poll_once(session, config) -> dict | None:
    """Read the mailbox once (None while MAIL_IMAP_HOST is unset); the poll's time and error are recorded."""
    imap_settings = imap.ImapSettings.from_config(config)
    if imap_settings is None:
        return None
    settings = services.MailSettings.from_config(config)
    try:
        report = imap.poll(imap_settings, lambda raw: import_one(session, raw, settings=settings, source="imap"))
    except (OSError, imap.MailboxError, imap.imaplib.IMAP4.error) as error:
        session.rollback()
        services.record_poll(session, now=utcnow(), fetched=0, error=f"{type(error).__name__}: {error}")
        session.commit()
        log.warning("mailbox poll failed: %s", error)
        raise
    services.record_poll(session, now=utcnow(), fetched=report.fetched)
    session.commit()
    return report.outcomes
