"""Notifications and each person's delivery preference."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime
from helpdesk.users.models import User

# One template per kind in templates/notifications/mail/<kind>.txt; who gets which is decided in subscribers.py.
REQUESTER_KINDS = (
    "ticket_created",
    "ticket_replied",
    "waiting_for_you",
    "ticket_resolved",
    "ticket_closed",
    "propagation_done",
    "ticket_merged",
    "ticket_unmerged",
)
AGENT_KINDS = (
    "ticket_arrived",
    "requester_replied",
    "note_added",
    "vendor_message",
    "wait_ended",
    "ticket_reopened",
    "ticket_assigned",
    "sla_warning",
    "sla_breach",
    "incident_candidate",
)
# Trainings write their own text per person (notifications.services.notify_written).
TRAINING_KINDS = ("fil_event", "training_reminder", "training_summary", "training_promotion", "training_change")
KINDS = REQUESTER_KINDS + AGENT_KINDS + TRAINING_KINDS
MODES = ("immediate", "digest")


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_unread", "user_id", "read_at", "created_at"),
        # The mail outbox: only rows not mailed yet (helpdesk.notifications.jobs.resend_unsent).
        Index(
            "ix_notification_unsent",
            "created_at",
            postgresql_where=text("emailed_at IS NULL"),
            sqlite_where=text("emailed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")  # path in the app: the bell links to it, mails print it
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="immediate")
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
