"""A mass incident: one outage seen by many schools; its tickets point at it (Ticket.incident_id)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.types import UTCDateTime


class IncidentStatus(StrEnum):
    CANDIDATE = "candidate"  # detected by the burst detector, waiting for level 1
    CONFIRMED = "confirmed"  # declared or confirmed: the banner shows, tickets are attached
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


INCIDENT_STATUS_LABELS = {
    IncidentStatus.CANDIDATE: N_("candidat"),
    IncidentStatus.CONFIRMED: N_("en cours"),
    IncidentStatus.RESOLVED: N_("résolu"),
    IncidentStatus.DISMISSED: N_("écarté"),
}
OPEN = (IncidentStatus.CANDIDATE, IncidentStatus.CONFIRMED)


class MajorIncident(db.Model):
    """Detected as a burst of tickets on one keyword from several schools, or declared by hand by level 1."""

    __tablename__ = "major_incident"
    __table_args__ = (Index("ix_major_incident_open", "status", "keyword_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default=IncidentStatus.CANDIDATE)
    service: Mapped[str] = mapped_column(String(40))
    keyword_id: Mapped[int | None] = mapped_column(ForeignKey("keyword.id", ondelete="SET NULL"))
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(String(1000), default="")  # the banner's text
    ticket_count: Mapped[int] = mapped_column(Integer, default=0)  # at detection
    school_count: Mapped[int] = mapped_column(Integer, default=0)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
