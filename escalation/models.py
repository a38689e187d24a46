"""SLA reference data: policies per tier × priority (optionally per keyword) and the calendars their clocks follow."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime

if TYPE_CHECKING:
    from helpdesk.tickets.models import Ticket

ON_BREACH = ("escalate", "notify")


class SlaPolicy(db.Model):
    """Allowed working time for one tier and priority; a keyword-specific row overrides the generic one."""

    __tablename__ = "sla_policy"
    __table_args__ = (
        UniqueConstraint("tier", "priority", "keyword_id", name="uq_sla_policy_scope"),
        CheckConstraint("warning_ratio > 0 AND warning_ratio <= 1", name="warning_ratio_range"),
        CheckConstraint("first_response_minutes > 0 AND resolution_minutes > 0", name="positive_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str] = mapped_column(String(10))
    priority: Mapped[str] = mapped_column(String(10))
    keyword_id: Mapped[int | None] = mapped_column(ForeignKey("keyword.id", ondelete="CASCADE"), index=True)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    warning_ratio: Mapped[float] = mapped_column(Float, default=0.75)
    on_breach: Mapped[str] = mapped_column(String(10), default="escalate")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TierCalendar(db.Model):
    """Weekly opening hours of one tier, as stored JSON {"0": [["08:00", "18:00"]], ...} (Monday = 0)."""

    __tablename__ = "sla_tier_calendar"

    tier: Mapped[str] = mapped_column(String(10), primary_key=True)
    hours: Mapped[dict] = mapped_column(JSON, default=dict)
    counts_during_school_holidays: Mapped[bool] = mapped_column(Boolean, default=True)


class PublicHoliday(db.Model):
    __tablename__ = "sla_public_holiday"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    label: Mapped[str] = mapped_column(String(120), default="")


class SchoolHolidayPeriod(db.Model):
    """Days without classes (inclusive range) for a school zone; the académie de Toulouse is in zone C."""

    __tablename__ = "sla_school_holiday"
    __table_args__ = (
        UniqueConstraint("zone", "first_day", name="uq_sla_school_holiday_start"),
        CheckConstraint("first_day <= last_day", name="ordered_days"),
        Index("ix_sla_school_holiday_days", "zone", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone: Mapped[str] = mapped_column(String(2), default="C")
    label: Mapped[str] = mapped_column(String(120))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class Closure(db.Model):
    """Extra closed days (e.g. between Christmas and New Year), for every tier or one."""

    __tablename__ = "sla_closure"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="ordered_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str | None] = mapped_column(String(10))  # None: every tier
    label: Mapped[str] = mapped_column(String(120))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class SlaClock(db.Model):
    """The running SLA state of one ticket, kept beside it so the sweep reads one small indexed table.

    `next_check_at` is the earliest pending warning or deadline; NULL while paused or closed, so the sweep's
    `WHERE next_check_at <= now ORDER BY next_check_at` touches only tickets with something due."""

    __tablename__ = "sla_clock"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(10))
    tier_entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    warning_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    due_locked: Mapped[bool] = mapped_column(Boolean, default=False)  # a person set the deadline: never recompute
    on_breach: Mapped[str] = mapped_column(String(10), default="escalate")

    # Lets a clock be planned before its ticket's INSERT (the unit of work inserts the ticket first).
    ticket: Mapped["Ticket"] = relationship()


class SlaPause(db.Model):
    """One interval during which the ticket's clock stood still; opened and closed by its status changes.
    Until when a wait lasts is the ticket's own fact (`Ticket.waiting_until`)."""

    __tablename__ = "sla_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(24))  # waiting_requester | waiting_vendor | waiting_propagation
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TierStint(db.Model):
    """Time a ticket spent at one tier, in working minutes of that tier's calendar (for reporting)."""

    __tablename__ = "sla_tier_stint"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(10))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    working_minutes: Mapped[float | None] = mapped_column(Float)

    ticket: Mapped["Ticket"] = relationship()


class SlaBreach(db.Model):
    """One row per applied warning or breach. The unique key makes applying it idempotent across workers."""

    __tablename__ = "sla_breach"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "tier", "due_at", name="uq_sla_breach_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # warning | first_response | resolution
    tier: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(20), default="")  # escalated | notified
