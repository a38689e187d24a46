"""A mass incident: one outage seen by many schools, with its parent ticket and its banner."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.extensions import db
from helpdesk.platform.types import UTCDateTime


class MajorIncident(db.Model):
    """A burst of tickets on one keyword from several schools: detected as a candidate, confirmed by level 1."""

    __tablename__ = "major_incident"
    __table_args__ = (Index("ix_major_incident_open", "status", "keyword_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="candidate")  # candidate | confirmed | resolved | dismissed
    service: Mapped[str] = mapped_column(String(40))
    keyword_id: Mapped[int | None] = mapped_column(ForeignKey("keyword.id", ondelete="SET NULL"))
    parent_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(String(1000), default="")
    ticket_count: Mapped[int] = mapped_column(Integer, default=0)
    school_count: Mapped[int] = mapped_column(Integer, default=0)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
