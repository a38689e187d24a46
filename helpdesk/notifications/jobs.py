"""Mail delivery jobs: one notification now (retried with backoff by the queue), or the daily digest."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.platform import jobcontext
from helpdesk.platform.timeutil import utcnow


def send_email(notification_id: int) -> bool:
    """Send one notification by mail (the outbox's resend path); does nothing when already sent."""
    return send_emails([notification_id]) == 1


def send_emails(notification_ids: list[int]) -> int:
    """Mail the notifications of one commit in one job, over one SMTP connection (three statements for the
    lot, where a job per mail took six each). Rows already mailed are skipped, and so are rows another job is
    mailing at this moment (locked, SKIP LOCKED): a retried or duplicated job never mails twice. Returns how
    many went out. An SMTP error is raised once the mails sent before it are marked, so that RQ retries the
    rest only."""
    from flask import current_app
    from sqlalchemy import select

    from helpdesk.notifications.models import Notification
    from helpdesk.platform.extensions import db
    from helpdesk.platform.mail import build_messages, send_messages
    from helpdesk.tickets.models import Ticket
    from helpdesk.users.models import User

    with jobcontext.app_context():
        session, config = db.session, current_app.config
        found = session.execute(
            select(Notification, User.email)
            .join(User, User.id == Notification.user_id)
            .where(Notification.id.in_(list(notification_ids)), Notification.emailed_at.is_(None))
            .order_by(Notification.id)
            .with_for_update(of=Notification, skip_locked=True)
        ).all()
        rows = [(row, email) for row, email in found if email]
        if not rows:
            session.commit()
            return 0
        ticket_ids = {row.ticket_id for row, _email in rows if row.ticket_id is not None}
        references = {}
        if ticket_ids:
            references = dict(session.execute(select(Ticket.id, Ticket.reference).where(Ticket.id.in_(ticket_ids))).all())
        mails = []
        for row, email in rows:
            subject, headers = ticket_mail_headers(config, row, references.get(row.ticket_id))
            mails.append((email, subject, row.body, headers))
        # One event's mails (same subject, body and thread) are composed once, then copied per recipient.
        messages = build_messages(config, mails)
        try:
            sent = send_messages(config, messages)
        except Exception as error:
            _mark_sent(session, [row.id for row, _email in rows[: getattr(error, "sent", 0)]])
            raise
        _mark_sent(session, [row.id for row, _email in rows])
        return sent


def _mark_sent(session, ids: list[int]) -> None:
    from sqlalchemy import update

    from helpdesk.notifications.models import Notification

    if ids:
        # The commit right after expires the rows in memory: nothing to synchronise (the ORM's default would
        # evaluate the criteria against every loaded row first).
        statement = update(Notification).where(Notification.id.in_(ids)).values(emailed_at=utcnow())
        session.execute(statement.execution_options(synchronize_session=False))
    session.commit()


def ticket_mail_headers(config, row, reference: str | None) -> tuple[str, dict | None]:
    """Subject and headers that thread a ticket's mail (helpdesk.mailchannel.threading): the reference in the
    subject, a Message-ID of the ticket's thread, and for the requester's side a Reply-To carrying the ticket's
    signed token, so that an answer by mail becomes a message of the ticket."""
    from helpdesk.mailchannel import threading as mailthread
    from helpdesk.notifications.models import REQUESTER_KINDS

    if not reference:
        return f"[Assistance ENT] {row.title}", None
    domain = config.get("MAIL_MESSAGE_ID_DOMAIN") or mailthread.DEFAULT_DOMAIN
    reply_to = config["MAIL_FROM"]
    if row.kind in REQUESTER_KINDS:
        reply_to = mailthread.reply_address(config.get("MAIL_REPLY_ADDRESS", ""), config["MAIL_FROM"], reference,
                                            config["SECRET_KEY"])  # fmt: skip
    headers = mailthread.outgoing_headers(reference, f"n{row.id}", reply_to=reply_to, domain=domain)
    return mailthread.ticket_subject(row.title, reference), headers


def send_digests(now: str | None = None) -> int:
    """For people who chose the daily digest: one mail of everything not yet mailed, at most once a day."""
    from datetime import datetime

    from flask import current_app, render_template
    from flask_babel import gettext
    from sqlalchemy import select

    from helpdesk.notifications.models import Notification, NotificationPreference
    from helpdesk.platform.extensions import db
    from helpdesk.platform.locale import in_locale, locale_of
    from helpdesk.platform.mail import send_mail
    from helpdesk.users.models import User

    moment = datetime.fromisoformat(now) if now else utcnow()
    sent = 0
    with jobcontext.app_context():
        for pref in db.session.scalars(select(NotificationPreference).where(NotificationPreference.mode == "digest")):
            if pref.last_digest_at and moment - pref.last_digest_at < timedelta(hours=23):
                continue
            rows = db.session.scalars(
                select(Notification)
                .where(Notification.user_id == pref.user_id, Notification.emailed_at.is_(None))
                .order_by(Notification.id)
            ).all()
            user = db.session.get(User, pref.user_id)
            if not rows or user is None:
                continue
            with in_locale(locale_of(user)):
                body = render_template("notifications/mail/digest.txt", notifications=rows)
                subject = gettext("[Assistance ENT] Résumé : %(n)s notification(s)", n=len(rows))
            send_mail(current_app.config, user.email, subject, body)
            for row in rows:
                row.emailed_at = moment
            pref.last_digest_at = moment
            db.session.commit()
            sent += 1
        return sent


RESEND_AFTER_MINUTES = 2
RESEND_WITHIN_DAYS = 7


def resend_unsent(now: str | None = None, batch: int = 1000) -> int:
    """Every five minutes: the notification table is the mail outbox. Re-enqueue the mail of every notification
    still unsent after RESEND_AFTER_MINUTES (its job never reached Redis, Redis lost it, or it failed for good)
    for people who want immediate mail; returns how many jobs were queued. Idempotent: the job id is the one
    the notification's commit used, so a mail already queued or being sent is not queued twice, and
    `send_email` does nothing once `emailed_at` is set."""
    from datetime import datetime

    import redis

    from helpdesk.notifications.services import mail_job_id
    from helpdesk.platform.extensions import db
    from helpdesk.platform.queue import fan_out

    moment = datetime.fromisoformat(now) if now else utcnow()
    with jobcontext.app_context():
        ids = unsent_mail_ids(
            db.session,
            created_before=moment - timedelta(minutes=RESEND_AFTER_MINUTES),
            created_after=moment - timedelta(days=RESEND_WITHIN_DAYS),
            limit=batch,
        )
        db.session.commit()
        if not ids:
            return 0
        try:
            return fan_out(
                "helpdesk.notifications.jobs.send_email",
                [(mail_job_id(notification_id), {"notification_id": notification_id}) for notification_id in ids],
            )
        except (redis.RedisError, OSError):  # Redis still away: the next run tries again, nothing is lost
            return 0


def unsent_mail_ids(session, *, created_before, created_after, limit: int) -> list[int]:
    """Notifications not mailed yet, of active people with an address who want immediate mail (read through
    the partial index ix_notification_unsent: only unsent rows)."""
    from sqlalchemy import select

    from helpdesk.notifications.models import Notification, NotificationPreference
    from helpdesk.users.models import User

    digest = select(NotificationPreference.user_id).where(NotificationPreference.mode == "digest")
    return list(
        session.scalars(
            select(Notification.id)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.emailed_at.is_(None),
                Notification.created_at <= created_before,
                Notification.created_at >= created_after,
                User.is_active_account.is_(True),
                User.email != "",
                Notification.user_id.not_in(digest),
            )
            .order_by(Notification.id)
            .limit(limit)
        )
    )
