"""Working-time arithmetic: literal dates for the cases people argue about, properties for the rest."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation.sla import add_working_time, warning_instant, working_minutes_between
from escalation.working_calendar import WorkingCalendar, dump_hours, parse_hours


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# French public holidays of 2026 that matter below, and the zone C Toussaint break (classes stop Saturday
# 17 October, resume Monday 2 November 2026).
HOLIDAYS_2026 = frozenset({date(2026, 5, 25), date(2026, 11, 1), date(2026, 11, 11), date(2026, 12, 25)})
TOUSSAINT_C = ((date(2026, 10, 17), date(2026, 11, 1)),)
OFFICE = WorkingCalendar(public_holidays=HOLIDAYS_2026, school_holidays=TOUSSAINT_C)
OFFICE_NOT_DURING_SCHOOL_BREAK = WorkingCalendar(
    public_holidays=HOLIDAYS_2026, school_holidays=TOUSSAINT_C, runs_during_school_holidays=False
)
ROUND_THE_CLOCK = WorkingCalendar(hours={day: ((0, 1440),) for day in range(7)})


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "expected"),
    [
        # Friday 17:00 (CEST) before Whit Monday: one hour on Friday, the next on Tuesday 08:00–09:00.
        (OFFICE, utc(2026, 5, 22, 15, 0), 120, utc(2026, 5, 26, 7, 0)),
        # Friday evening after closing: the clock starts on Tuesday morning.
        (OFFICE, utc(2026, 5, 22, 19, 0), 30, utc(2026, 5, 26, 6, 30)),
        # Toussaint zone C for a tier that stops during school holidays: Friday 16 Oct 17:00 CEST → Monday
        # 2 November 09:00 CET; the October clock change happened in between.
        (OFFICE_NOT_DURING_SCHOOL_BREAK, utc(2026, 10, 16, 15, 0), 120, utc(2026, 11, 2, 8, 0)),
        # The same ticket for a tier that works during school holidays: Monday 19 Oct 09:00 CEST.
        (OFFICE, utc(2026, 10, 16, 15, 0), 120, utc(2026, 10, 19, 7, 0)),
        # March change (Sunday 29 March 2026): Friday 17:00 CET + 2 h → Monday 09:00 CEST.
        (OFFICE, utc(2026, 3, 27, 16, 0), 120, utc(2026, 3, 30, 7, 0)),
        # October change (Sunday 25 October 2026): Friday 17:00 CEST + 2 h → Monday 09:00 CET.
        (OFFICE, utc(2026, 10, 23, 15, 0), 120, utc(2026, 10, 26, 8, 0)),
        # Armistice on a Wednesday: Tuesday 17:00 + 2 h → Thursday 09:00.
        (OFFICE, utc(2026, 11, 10, 16, 0), 120, utc(2026, 11, 12, 8, 0)),
        # Round the clock, across the March night: 24 working hours are 24 real hours.
        (ROUND_THE_CLOCK, utc(2026, 3, 28, 12, 0), 24 * 60, utc(2026, 3, 29, 12, 0)),
    ],
)
def test_add_working_time_literal_dates(calendar, start, minutes, expected):
    assert add_working_time(start, minutes, calendar) == expected
    assert working_minutes_between(start, expected, calendar) == minutes


def test_clock_change_days_are_23_and_25_real_hours_round_the_clock():
    # Local noon to local noon across each change.
    assert working_minutes_between(utc(2026, 3, 28, 11), utc(2026, 3, 29, 10), ROUND_THE_CLOCK) == 23 * 60
    assert working_minutes_between(utc(2026, 10, 24, 10), utc(2026, 10, 25, 11), ROUND_THE_CLOCK) == 25 * 60


def test_office_day_keeps_ten_hours_on_both_sides_of_a_change():
    for monday in (date(2026, 3, 30), date(2026, 10, 26)):
        day_start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC) - timedelta(hours=3)
        assert working_minutes_between(day_start, day_start + timedelta(days=1), OFFICE) == 600


def test_pause_removes_exactly_its_working_part():
    start, end = utc(2026, 11, 16, 7), utc(2026, 11, 16, 17)  # Monday 08:00–18:00 CET
    pause = (utc(2026, 11, 16, 9), utc(2026, 11, 16, 12))
    assert working_minutes_between(start, end, OFFICE, [pause]) == 600 - 180
    # An open pause stops the clock: no deadline can be known yet.
    assert add_working_time(start, 600, OFFICE, [(utc(2026, 11, 16, 9), None)]) is None
    # The deadline moves by the length of the pause.
    assert add_working_time(start, 150, OFFICE, [pause]) == utc(2026, 11, 16, 12, 30)


def test_warning_at_three_quarters():
    assert warning_instant(utc(2026, 11, 16, 7), 480, 0.75, OFFICE) == utc(2026, 11, 16, 13)
    with pytest.raises(ValueError):
        warning_instant(utc(2026, 11, 16, 7), 480, 0, OFFICE)


def test_rejects_naive_and_negative():
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 11, 16, 7), 10, OFFICE)
    with pytest.raises(ValueError):
        add_working_time(utc(2026, 11, 16, 7), -1, OFFICE)
    with pytest.raises(ValueError):
        add_working_time(utc(2026, 11, 16, 7), 10, WorkingCalendar(hours={}))


def test_hours_json_round_trip_and_errors():
    raw = {"0": [["08:00", "12:00"], ["13:30", "18:00"]], "5": [["09:00", "24:00"]]}
    hours = parse_hours(raw)
    assert hours[0] == ((480, 720), (810, 1080))
    assert dump_hours(hours) == raw
    for bad in (
        {"7": [["08:00", "09:00"]]},
        {"0": [["10:00", "09:00"]]},
        {"0": [["8h", "9:00"]]},
        {"0": [["08:00", "12:00"], ["11:00", "13:00"]]},
    ):
        with pytest.raises(ValueError):
            parse_hours(bad)


# --- properties -------------------------------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)
calendars = st.sampled_from([OFFICE, OFFICE_NOT_DURING_SCHOOL_BREAK, ROUND_THE_CLOCK])


@settings(deadline=None, max_examples=200)
@given(start=instants, minutes=st.integers(min_value=0, max_value=20_000), calendar=calendars)
def test_adding_then_measuring_gives_back_the_duration(start, minutes, calendar):
    due = add_working_time(start, minutes, calendar)
    assert due >= start
    assert working_minutes_between(start, due, calendar) == pytest.approx(minutes, abs=1e-6)


@settings(deadline=None, max_examples=200)
@given(
    start=instants,
    span=st.integers(1, 60 * 24 * 20),
    p_off=st.integers(0, 60 * 24 * 20),
    p_len=st.integers(1, 60 * 24 * 5),
    calendar=calendars,
)
def test_a_pause_never_counts(start, span, p_off, p_len, calendar):
    end = start + timedelta(minutes=span)
    pause = (start + timedelta(minutes=p_off), start + timedelta(minutes=p_off + p_len))
    full = working_minutes_between(start, end, calendar)
    inside = working_minutes_between(max(start, pause[0]), min(end, pause[1]), calendar)
    assert working_minutes_between(start, end, calendar, [pause]) == pytest.approx(full - inside, abs=1e-6)


@settings(deadline=None, max_examples=100)
@given(start=instants, minutes=st.integers(1, 5000), p_off=st.integers(0, 5000), p_len=st.integers(1, 5000))
def test_a_pause_only_delays_the_deadline(start, minutes, p_off, p_len):
    pause = (start + timedelta(minutes=p_off), start + timedelta(minutes=p_off + p_len))
    plain = add_working_time(start, minutes, OFFICE)
    paused = add_working_time(start, minutes, OFFICE, [pause])
    assert paused >= plain
    assert working_minutes_between(start, paused, OFFICE, [pause]) == pytest.approx(minutes, abs=1e-6)


@settings(deadline=None, max_examples=200)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)))
def test_no_open_day_loses_or_gains_an_hour(day):
    # From 03:00 UTC to 21:00 UTC covers 08:00–18:00 Paris in both offsets.
    start = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    minutes = working_minutes_between(start, start + timedelta(hours=18), OFFICE)
    assert minutes == (600 if OFFICE.is_open_day(day) else 0)
    whole_day = working_minutes_between(start - timedelta(hours=3), start + timedelta(hours=21), ROUND_THE_CLOCK)
    assert whole_day == 24 * 60
