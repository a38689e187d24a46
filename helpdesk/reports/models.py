"""Rollups of ticket activity: one row per bucket (day, week, month of creation) and combination of dimensions.

A ticket is counted in the bucket of the Paris day it was opened, with what it has become since (still open,
resolved on time, keyword corrected...): the refresh job recomputes the days whose tickets changed."""

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.extensions import db
from helpdesk.platform.types import UTCDateTime
from helpdesk.tickets.models import BigId, Ticket, TicketEvent

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
# Rollups are kept at several levels of detail ("cuboids"): each carries some dimensions and sums over the others
# (stored as "" or 0). A figure reads the smallest one that has every dimension it filters or groups on. The keyword
# decides service and entry tier, so carrying them beside the keyword costs almost no rows. "school_full", with
# every dimension and the school, is counted from the tickets; the others are summed from it (SOURCES).
CUBOIDS = {  # smallest first: the first one that has the dimensions wins
    "all": (),
    "channel": ("channel",),
    "basin": ("basin_id",),
    # One basin by channel (or a channel by basin): read from "basin_channel" it was a twentieth of that level's
    # rows, some 1,800 a week; here at most a hundred.
    "channel_basin": ("basin_id", "channel"),
    # The backlog (every week since the first, by current tier) under a channel or a basin filter: read from
    # "service_channel" or "service_basin", it kept a twentieth of some 17,000 to 39,000 rows.
    "tier_channel": ("tier", "channel"),
    "tier_basin": ("tier", "basin_id"),
    "service": ("service", "entry_tier"),
    "tier": ("service", "entry_tier", "tier"),
    "keyword": ("service", "keyword_id", "entry_tier"),
    "opened_keyword": ("service", "opened_keyword_id", "entry_tier"),
    "service_channel": ("service", "entry_tier", "tier", "channel"),
    "service_basin": ("service", "entry_tier", "tier", "basin_id"),
    "basin_channel": ("service", "entry_tier", "tier", "basin_id", "channel"),
    "full": DIMENSIONS,
    # Schools are too many to cross with the rest in the levels above: their own levels carry them. "school" and
    # "school_service" serve the per-school breakdown (about 500 rows a bucket, a few thousand with the service),
    # "school_full" one school's pages and a school breakdown under any other filter ("school_channel" a channel's).
    "school": ("school_id", "basin_id"),
    "school_service": ("service", "school_id", "basin_id"),
    # The per-school breakdown of one channel, and one school by channel: from "school_full" it summed every day
    # row of the period (230,000 over 90 days at a million tickets) to keep the tenth on that channel.
    "school_channel": ("channel", "school_id", "basin_id"),
    "school_full": (*DIMENSIONS, "school_id"),
}
# Every column of a rollup row's key, in key order.
ROLLUP_DIMENSIONS = (*DIMENSIONS, "school_id")
# Where each level is summed from ("school_full" is counted from the tickets), in the order they are filled.
SOURCES = {
    "full": "school_full",
    "school_service": "school_full",
    "school": "school_service",
    "school_channel": "school_full",
} | {name: "full" for name in CUBOIDS if not name.startswith("school") and name != "full"}
# Levels kept by day only: a week or month of them is summed from its days when read. "school_full" has about one
# row per ticket a day; week and month rows would be rewritten on every refresh for little gain (one school's year
# is some 2,000 day rows).
DAY_ONLY = frozenset({"school_full"})
ALL_OF = {
    "service": "",
    "keyword_id": 0,
    "opened_keyword_id": 0,
    "entry_tier": "",
    "tier": "",
    "basin_id": 0,
    "channel": "",
    "school_id": 0,
}

# The rollup job reads tickets by creation day and finds what changed by event time: both need a range index.
Index("ix_ticket_created_at", Ticket.__table__.c.created_at)
Index("ix_ticket_event_created_at", TicketEvent.__table__.c.created_at)


class TicketRollup(db.Model):
    __tablename__ = "report_ticket_rollup"
    __table_args__ = (
        Index("ix_report_ticket_rollup_bucket", "cuboid", "grain", "bucket"),
        # A service filter, the most used: on the per-school breakdown the (cuboid, grain, bucket) range held 85,000
        # rows over 90 days for the 5,000 of one service (20 ms of PostgreSQL a sum, three sums a page).
        Index("ix_report_ticket_rollup_service", "cuboid", "grain", "service", "bucket"),
        # One school's rows (its head's pages, a school filter): only the school levels have a school.
        Index(
            "ix_report_ticket_rollup_school",
            "school_id",
            "cuboid",
            "grain",
            "bucket",
            postgresql_where=text("school_id <> 0"),
            sqlite_where=text("school_id <> 0"),
        ),
    )

    # Big: each refresh deletes and rewrites the rows of the week and month of the days it recomputes.
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
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
    school_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    opened: Mapped[int] = mapped_column(Integer, default=0)
    still_open: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[int] = mapped_column(Integer, default=0)
    fr_measured: Mapped[int] = mapped_column(Integer, default=0)
    fr_met: Mapped[int] = mapped_column(Integer, default=0)
    res_measured: Mapped[int] = mapped_column(Integer, default=0)
    res_met: Mapped[int] = mapped_column(Integer, default=0)
    keyword_changed: Mapped[int] = mapped_column(Integer, default=0)
    tier_changed: Mapped[int] = mapped_column(Integer, default=0)


class RollupState(db.Model):
    """Where the refresh job stands: events up to `events_until` are folded into the rollups."""

    __tablename__ = "report_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    events_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
