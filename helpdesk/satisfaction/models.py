"""One survey per ticket: asked at its first resolution, answered at most once."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.types import UTCDateTime
from helpdesk.tickets.models import Ticket

ANSWER_CHANNELS = ("app", "link")


class Survey(db.Model):
    """The ticket's place in the chain when it was resolved is kept, so results per tier, service and basin do not
    move when the ticket is reopened or re-routed later."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), unique=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(40))
    keyword_id: Mapped[int] = mapped_column(Integer)
    basin_id: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int] = mapped_column(Integer)
    entry_tier: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str] = mapped_column(String(5), default="")  # app | link
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship()
