"""Working calendars: when a support tier's clock runs.

Pure: standard library and zoneinfo only. Holiday data arrive as plain dates from the caller (the database, or the
`holidays` / `vacances-scolaires-france` packages at import time), so this module never reads a file or a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from helpdesk.platform.i18n import N_

PARIS = "Europe/Paris"
DAY_MINUTES = 24 * 60

# Monday=0 … Sunday=6 → list of (opening minute, closing minute) since local midnight; 1440 means midnight next day.
Hours = dict[int, tuple[tuple[int, int], ...]]

OFFICE_HOURS: Hours = {day: ((8 * 60, 18 * 60),) for day in range(5)}


def parse_hours(raw: dict) -> Hours:
    """Read the JSON form stored on a tier calendar: {"0": [["08:00", "18:00"]], ...}.

    Raises ValueError with a French message on a malformed or reversed range."""
    hours: Hours = {}
    for key, ranges in raw.items():
        day = int(key)
        if not 0 <= day <= 6:
            raise ValueError(N_("Jour de semaine invalide : %(day)s", day=key))
        parsed = []
        for opening, closing in ranges:
            start, end = _minute_of_day(opening), _minute_of_day(closing)
            if start >= end:
                raise ValueError(N_("Plage horaire vide ou inversée : %(opening)s–%(closing)s", opening=opening, closing=closing))
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if start < end:
                raise ValueError(N_("Plages horaires qui se chevauchent"))
        hours[day] = tuple(parsed)
    return hours


def dump_hours(hours: Hours) -> dict:
    return {str(day): [[_hhmm(a), _hhmm(b)] for a, b in ranges] for day, ranges in sorted(hours.items())}


def _minute_of_day(text: str) -> int:
    hh, _, mm = str(text).partition(":")
    try:
        hour, minute = int(hh), int(mm or 0)
    except ValueError as exc:
        raise ValueError(f"Heure invalide : {text}") from exc
    value = hour * 60 + minute
    if not (0 <= minute < 60 and 0 <= value <= DAY_MINUTES):
        raise ValueError(f"Heure invalide : {text}")
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class WorkingCalendar:
    """Opening hours in local time, minus public holidays, closures and (optionally) school holidays.

    `school_holidays` are inclusive (first_day, last_day) ranges of days without classes; when
    `runs_during_school_holidays` is False those days are closed like a public holiday."""

    hours: Hours = field(default_factory=lambda: dict(OFFICE_HOURS))
    public_holidays: frozenset[date] = frozenset()
    school_holidays: tuple[tuple[date, date], ...] = ()
    runs_during_school_holidays: bool = True
    closures: frozenset[date] = frozenset()
    timezone: str = PARIS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open_day(self, day: date) -> bool:
        if not self.hours.get(day.weekday()):
            return False
        if day in self.public_holidays or day in self.closures:
            return False
        if not self.runs_during_school_holidays:
            for first, last in self.school_holidays:
                if first <= day <= last:
                    return False
        return True

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals, as aware UTC datetimes clipped to [start, end), in chronological order.

        Local opening times are turned into instants one day at a time, so a clock change at night shifts the
        instants but not the length of a working day (08:00–18:00 is ten real hours either side of a change)."""
        _require_aware(start, end)
        zone = self.zone
        first_day = start.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date() + timedelta(days=1)
        day = first_day
        while day <= last_day:
            if self.is_open_day(day):
                for opening, closing in self.hours[day.weekday()]:
                    lo = max(_local_instant(day, opening, zone), start)
                    hi = min(_local_instant(day, closing, zone), end)
                    if lo < hi:
                        yield lo, hi
            day += timedelta(days=1)


def _local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= DAY_MINUTES:
        day, minute = day + timedelta(days=minute // DAY_MINUTES), minute % DAY_MINUTES
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    # A wall time inside the spring-forward gap does not exist: zoneinfo reads it with the pre-change offset,
    # which lands after the gap once normalised through UTC — the first instant the office can really open.
    return local.astimezone(UTC)


def _require_aware(*values: datetime) -> None:
    for value in values:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime: SLA arithmetic needs aware datetimes")


def merge_intervals(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged
