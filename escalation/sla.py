"""Working-time arithmetic for SLA deadlines.

Pure: no database, no clock, no Flask. Everything is an aware datetime; the result is UTC. Durations are real elapsed
time inside working intervals, so a clock change never adds or removes an hour of working time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from escalation.working_calendar import WorkingCalendar, _require_aware, merge_intervals

# A pause is (started_at, ended_at); ended_at None means "still paused".
Pause = tuple[datetime, datetime | None]

# How far ahead a deadline may be searched: a calendar open less than this is a configuration error.
HORIZON = timedelta(days=3 * 366)
_WINDOW = timedelta(days=14)
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _pause_intervals(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime]]:
    normalised = []
    for started, ended in pauses:
        _require_aware(started)
        if ended is not None:
            _require_aware(ended)
        hi = _END_OF_TIME if ended is None else ended.astimezone(UTC)
        lo = started.astimezone(UTC)
        if lo < hi:
            normalised.append((lo, hi))
    return merge_intervals(normalised)


def _subtract(intervals: Iterable[tuple[datetime, datetime]], holes: list[tuple[datetime, datetime]]):
    for lo, hi in intervals:
        cursor = lo
        for hole_lo, hole_hi in holes:
            if hole_hi <= cursor or hole_lo >= hi:
                continue
            if hole_lo > cursor:
                yield cursor, hole_lo
            cursor = max(cursor, hole_hi)
            if cursor >= hi:
                break
        if cursor < hi:
            yield cursor, hi


def counting_intervals(
    start: datetime, end: datetime, calendar: WorkingCalendar, pauses: Iterable[Pause] = ()
) -> Iterator[tuple[datetime, datetime]]:
    """The intervals of [start, end) during which the clock runs: working hours outside every pause."""
    _require_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    holes = _pause_intervals(pauses)
    yield from _subtract(calendar.open_intervals(start, end), holes)


def working_minutes_between(start: datetime, end: datetime, calendar: WorkingCalendar, pauses: Iterable[Pause] = ()) -> float:
    """Working minutes elapsed between two instants (0 when end is not after start)."""
    if end <= start:
        _require_aware(start, end)
        return 0.0
    total = sum(((hi - lo) for lo, hi in counting_intervals(start, end, calendar, pauses)), timedelta())
    return total / timedelta(minutes=1)


def add_working_time(start: datetime, minutes: float, calendar: WorkingCalendar, pauses: Iterable[Pause] = ()) -> datetime | None:
    """The instant at which `minutes` of working time have elapsed since `start`.

    Returns None when an open-ended pause stops the clock before that (the deadline is unknown until it ends).
    Raises ValueError on a negative duration or when the calendar is not open enough within HORIZON."""
    _require_aware(start)
    if minutes < 0:
        raise ValueError("negative duration")
    start = start.astimezone(UTC)
    pauses = list(pauses)
    holes = _pause_intervals(pauses)
    remaining = timedelta(minutes=minutes)
    if not remaining:
        return _first_counting_instant(start, calendar, holes)
    window_start = start
    while window_start - start < HORIZON:
        window_end = window_start + _WINDOW
        for lo, hi in _subtract(calendar.open_intervals(window_start, window_end), holes):
            if hi - lo >= remaining:
                return lo + remaining
            remaining -= hi - lo
        if holes and holes[-1][1] == _END_OF_TIME and holes[-1][0] <= window_end:
            return None
        window_start = window_end
    raise ValueError("calendar never open: no deadline within the horizon")


def _first_counting_instant(start, calendar, holes):
    # Zero minutes is "now" only if the clock runs now; otherwise the next opening. Keeps add(…, 0) consistent.
    window_start = start
    while window_start - start < HORIZON:
        window_end = window_start + _WINDOW
        for lo, _hi in _subtract(calendar.open_intervals(window_start, window_end), holes):
            return lo
        if holes and holes[-1][1] == _END_OF_TIME and holes[-1][0] <= window_end:
            return None
        window_start = window_end
    raise ValueError("calendar never open: no deadline within the horizon")


def warning_instant(
    start: datetime, minutes: float, ratio: float, calendar: WorkingCalendar, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """When `ratio` of the allowed working time is used (e.g. 0.75 → warn at three quarters)."""
    if not 0 < ratio <= 1:
        raise ValueError("warning ratio must be in (0, 1]")
    return add_working_time(start, minutes * ratio, calendar, pauses)
