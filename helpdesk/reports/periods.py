"""Reporting periods: Paris calendar days grouped by day, ISO week or month, and the limits of each step.

Pure module (standard library only): a period is whole buckets of its step, so that a chart never shows a
truncated first or last bar and every bucket can be read from the rollup row of that step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Step(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# Buckets at most per chart for each step: beyond, the period is read with the next coarser step.
MAX_BUCKETS = {Step.DAY: 92, Step.WEEK: 106, Step.MONTH: 60}
ADJUSTMENTS = ("unknown_step", "swapped", "coarser", "trimmed")
EARLIEST_DAYS = 3660  # how far back a period may start (about ten years)
COARSER = {Step.DAY: Step.WEEK, Step.WEEK: Step.MONTH}


def bucket_start(day: date, step: Step) -> date:
    """First day of the bucket holding `day`: itself, the Monday of its ISO week, the 1st of its month."""
    if step == Step.DAY:
        return day
    if step == Step.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket(start: date, step: Step) -> date:
    if step == Step.DAY:
        return start + timedelta(days=1)
    if step == Step.WEEK:
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def buckets(first: date, last: date, step: Step) -> list[date]:
    """Bucket starts covering first..last (inclusive), in order."""
    out, current = [], bucket_start(first, step)
    while current <= last:
        out.append(current)
        current = next_bucket(current, step)
    return out


def paris_day(value: datetime) -> date:
    """The Paris calendar day of an instant (naive values are UTC, as SQLite returns them)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(PARIS).date()


def day_bounds_utc(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the Paris days first..last: midnight to midnight, summer time included."""
    start = datetime.combine(first, time(0), tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=PARIS).astimezone(UTC)
    return start, end


@dataclass(frozen=True)
class Period:
    """Whole buckets of `step` from `first` to `last` (both inclusive); `adjustments` says how it differs from what
    was asked (codes of ADJUSTMENTS, worded by the page)."""

    first: date
    last: date
    step: Step
    adjustments: tuple[str, ...] = ()

    @property
    def buckets(self) -> list[date]:
        return buckets(self.first, self.last, self.step)


def make_period(first: date | None, last: date | None, step: str | None, *, today: date, default_days: int = 90) -> Period:
    """The period to show for what was asked: missing dates default to the last `default_days` days, dates are
    swapped when reversed, the future is cut at today, the ends are widened to whole buckets, and a step that
    would draw too many bars is replaced by the next coarser one."""
    notices = []
    try:
        chosen = Step(step) if step else Step.WEEK
    except ValueError:
        chosen = Step.WEEK
        notices.append("unknown_step")
    # Nothing is kept beyond ten years, and the calendar arithmetic must stay far from date.min and date.max.
    earliest = today - timedelta(days=EARLIEST_DAYS)
    last = min(max(last or today, earliest), today)
    first = first or (last - timedelta(days=default_days - 1))
    if first < earliest:
        first = earliest
        notices.append("trimmed")
    first = min(first, today)
    if first > last:
        first, last = last, first
        notices.append("swapped")
    while len(buckets(first, last, chosen)) > MAX_BUCKETS[chosen] and chosen in COARSER:
        chosen = COARSER[chosen]
        notices.append("coarser")
    starts = buckets(first, last, chosen)
    if len(starts) > MAX_BUCKETS[chosen]:
        starts = starts[-MAX_BUCKETS[chosen] :]
        notices.append("trimmed")
    first = starts[0]
    last = next_bucket(starts[-1], chosen) - timedelta(days=1)
    return Period(first=first, last=last, step=chosen, adjustments=tuple(dict.fromkeys(notices)))
