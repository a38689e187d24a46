"""Audiences, cancellation deadline and preferred-period checks (pure)."""

from datetime import UTC, date, datetime

from helpdesk.trainings.rules import Moment, Period, audiences_of_profile, can_still_cancel, may_attend, period_problems

TODAY = date(2026, 11, 28)


def test_profiles_map_to_their_audience():
    assert may_attend("chef_etablissement", "direction") and may_attend("adjoint", "direction")
    assert may_attend("administrateur_ent", "administrateurs")
    assert may_attend("enseignant", "equipes") and may_attend("cpe", "equipes") and may_attend("documentaliste", "equipes")
    assert not may_attend("enseignant", "direction")
    assert not may_attend("chef_etablissement", "equipes")
    assert audiences_of_profile("personnel_academique") == frozenset()


def test_cancellation_deadline_is_inclusive():
    starts = datetime(2026, 12, 10, 13, 0, tzinfo=UTC)
    assert can_still_cancel(starts, 48, datetime(2026, 12, 8, 13, 0, tzinfo=UTC))
    assert not can_still_cancel(starts, 48, datetime(2026, 12, 8, 13, 1, tzinfo=UTC))


def test_past_and_today_dates_are_refused():
    problems = period_problems([Period(date(2026, 11, 20), date(2026, 11, 20)), Period(TODAY, TODAY)], TODAY)
    assert [index for index, _m in problems] == [0, 1]
    assert "passée" in problems[0][1]


def test_same_half_day_twice_overlaps_but_morning_and_afternoon_do_not():
    day = date(2026, 12, 15)
    assert period_problems([Period(day, day, Moment.MORNING), Period(day, day, Moment.AFTERNOON)], TODAY) == []
    problems = period_problems([Period(day, day, Moment.MORNING), Period(day, day, Moment.MORNING)], TODAY)
    assert problems == [(1, "Cette période chevauche une autre demi-journée déjà proposée.")]
    assert period_problems([Period(day, day, Moment.DAY), Period(day, day, Moment.AFTERNOON)], TODAY)


def test_ranges_overlap_when_they_share_a_half_day():
    first = Period(date(2026, 12, 14), date(2026, 12, 18), Moment.DAY)
    assert period_problems([first, Period(date(2026, 12, 18), date(2026, 12, 20), Moment.MORNING)], TODAY)
    assert not period_problems([first, Period(date(2027, 1, 11), date(2027, 1, 15), Moment.DAY)], TODAY)


def test_a_reversed_range_is_refused():
    problems = period_problems([Period(date(2026, 12, 20), date(2026, 12, 18))], TODAY)
    assert problems == [(0, "La fin de la période précède son début.")]
