"""Mail pushed by the académie's mail server over LMTP (optional, beside the IMAP poller): each message goes through
`intake.import_one`, the same path as the poller and `flask mail import` — same idempotency by Message-ID, same
threading, same quarantine. A mail the MTA delivers twice (after a timeout, say) is recognised as a duplicate."""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP

from helpdesk.mailchannel import intake, services
from helpdesk.platform import audit
from helpdesk.platform.extensions import db

log = logging.getLogger(__name__)


class _Delivery:
    """aiosmtpd handler: the message is imported in a worker thread (the database calls block) under its own app
    context, so each delivery has its own session."""

    def __init__(self, app):
        self.app = app

    def _import(self, raw: bytes) -> str:
        with self.app.app_context():
            try:
                audit.acting_as(db.session, None, "lmtp")
                settings = services.MailSettings.from_config(self.app.config)
                return intake.import_one(db.session, raw, settings=settings, source="lmtp")
            finally:
                db.session.remove()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(None, self._import, raw)
        except Exception:  # noqa: BLE001 — even the quarantine failed (database down): the MTA keeps it and retries
            log.exception("LMTP delivery failed")
            reply = "451 4.3.0 Temporary failure, try again later"
        else:
            reply = f"250 2.0.0 Delivered ({outcome})"
        # LMTP answers once per recipient after DATA; every recipient here is the one assistance mailbox.
        return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))


class _LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, data_size_limit=self.data_size_limit, enable_SMTPUTF8=True)


def start(app, *, host: str, port: int) -> Controller:
    """Listen for LMTP on host:port in a background thread; the caller stops the returned controller. Messages larger
    than MAIL_INBOUND_MAX_BYTES are refused by the protocol (552), so the MTA bounces them to their sender."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    limit = services.MailSettings.from_config(app.config).max_bytes
    controller = _LMTPController(_Delivery(app), hostname=host, port=port)
    controller.data_size_limit = limit
    controller.start()
    return controller
