"""Rollups of ticket activity: one row per bucket (day, week, month of creation) and combination of dimensions.

A ticket is counted in the bucket of the Paris day it was opened, with what it has become since (still open,
resolved on time, keyword corrected...): the refresh job recomputes the days whose tickets changed."""

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.extensions import db
from helpdesk.platform.types import UTCDateTime
from helpdesk.tickets.models import Ticket, TicketEvent

# The dimensions of a rollup row, in key order (the per-ticket facts carry the same names).
DIMENSIONS = ("service", "keyword_id", "opened_keyword_id", "entry_tier", "tier", "basin_id", "channel")
# The counts of a rollup row.
MEASURES = (
    "opened",  # tickets opened in the bucket
    "still_open",  # of which still open
    "finished",  # resolved or closed
    "fr_measured",  # first response given, with a first-response deadline
    "fr_met",  # ... within it and without a first-response breach
    "res_measured",  # resolved, with a resolution deadline
    "res_met",  # ... within it and without a resolution breach
    "keyword_changed",  # at least one keyword change (misrouting)
    "tier_changed",  # at least one escalation or sending down (reassignment to another group)
)
SCHOOL_MEASURES = ("opened", "still_open", "finished")
SCHOOL_DIMENSIONS = ("service", "school_id", "basin_id")
# Rollups are kept at several levels of detail ("cuboids"): each carries some dimensions and sums over the others
# (stored as "" or 0). A figure reads the smallest one that has every dimension it filters or groups on; "full",
# with them all, is the source of the others. The keyword decides service and entry tier, so carrying them
# beside the keyword costs almost no rows.
CUBOIDS = {  # smallest first: the first one that has the dimensions wins
    "all": (),
    "channel": ("channel",),
    "basin": ("basin_id",),
    "service": ("service", "entry_tier"),
    "tier": ("service", "entry_tier", "tier"),
    "keyword": ("service", "keyword_id", "entry_tier"),
    "opened_keyword": ("service", "opened_keyword_id", "entry_tier"),
    "service_channel": ("service", "entry_tier", "tier", "channel"),
    "service_basin": ("service", "entry_tier", "tier", "basin_id"),
    "basin_channel": ("service", "entry_tier", "tier", "basin_id", "channel"),
    "full": DIMENSIONS,
}
ALL_OF = {"service": "", "keyword_id": 0, "opened_keyword_id": 0, "entry_tier": "", "tier": "", "basin_id": 0, "channel": ""}

# The rollup job reads tickets by creation day and finds what changed by event time: both need a range index.
Index("ix_ticket_created_at", Ticket.__table__.c.created_at)
Index("ix_ticket_event_created_at", TicketEvent.__table__.c.created_at)


class TicketRollup(db.Model):
    __tablename__ = "report_ticket_rollup"
    __table_args__ = (Index("ix_report_ticket_rollup_bucket", "cuboid", "grain", "bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cuboid: Mapped[str] = mapped_column(String(20))  # a key of CUBOIDS
    grain: Mapped[str] = mapped_column(String(5))  # day | week | month
    bucket: Mapped[date] = mapped_column(Date)  # first day of the bucket
    service: Mapped[str] = mapped_column(String(40))
    keyword_id: Mapped[int] = mapped_column(Integer)
    opened_keyword_id: Mapped[int] = mapped_column(Integer)
    entry_tier: Mapped[str] = mapped_column(String(10))
    tier: Mapped[str] = mapped_column(String(10))
    basin_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    opened: Mapped[int] = mapped_column(Integer, default=0)
    still_open: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[int] = mapped_column(Integer, default=0)
    fr_measured: Mapped[int] = mapped_column(Integer, default=0)
    fr_met: Mapped[int] = mapped_column(Integer, default=0)
    res_measured: Mapped[int] = mapped_column(Integer, default=0)
    res_met: Mapped[int] = mapped_column(Integer, default=0)
    keyword_changed: Mapped[int] = mapped_column(Integer, default=0)
    tier_changed: Mapped[int] = mapped_column(Integer, default=0)


class SchoolRollup(db.Model):
    """Volumes per school (the main rollup leaves schools out: there are too many of them to cross with the rest),
    for every service (service "") and per service, the filter most often set beside a school breakdown."""

    __tablename__ = "report_school_rollup"
    __table_args__ = (Index("ix_report_school_rollup_bucket", "grain", "service", "bucket"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(5))
    bucket: Mapped[date] = mapped_column(Date)
    service: Mapped[str] = mapped_column(String(40))
    school_id: Mapped[int] = mapped_column(Integer)
    basin_id: Mapped[int] = mapped_column(Integer)
    opened: Mapped[int] = mapped_column(Integer, default=0)
    still_open: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[int] = mapped_column(Integer, default=0)


class RollupState(db.Model):
    """Where the refresh job stands: events up to `events_until` are folded into the rollups."""

    __tablename__ = "report_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    events_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
