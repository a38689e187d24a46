"""Mail delivery jobs: one notification now (retried with backoff by the queue), or the daily digest."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.platform import jobcontext
from helpdesk.platform.timeutil import utcnow


def send_email(notification_id: int) -> bool:
    """Send one notification by mail; does nothing when already sent. SMTP errors raise so RQ retries."""
    from flask import current_app

    from helpdesk.notifications.models import Notification
    from helpdesk.platform.extensions import db
    from helpdesk.platform.mail import send_mail
    from helpdesk.users.models import User

    with jobcontext.app_context():
        row = db.session.get(Notification, notification_id)
        if row is None or row.emailed_at is not None:
            return False
        user = db.session.get(User, row.user_id)
        if user is None or not user.email:
            return False
        send_mail(current_app.config, user.email, f"[Assistance ENT] {row.title}", row.body)
        row.emailed_at = utcnow()
        db.session.commit()
        return True


def send_digests(now: str | None = None) -> int:
    """For people who chose the daily digest: one mail of everything not yet mailed, at most once a day."""
    from datetime import datetime

    from flask import current_app, render_template
    from sqlalchemy import select

    from helpdesk.notifications.models import Notification, NotificationPreference
    from helpdesk.platform.extensions import db
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
            body = render_template("notifications/mail/digest.txt", notifications=rows)
            send_mail(current_app.config, user.email, f"[Assistance ENT] Résumé : {len(rows)} notification(s)", body)
            for row in rows:
                row.emailed_at = moment
            pref.last_digest_at = moment
            db.session.commit()
            sent += 1
        return sent
