"""Holiday data must not run out silently: coverage, warnings ahead of time, automatic import of next years."""

from datetime import date

from escalation import jobs, seed
from escalation.models import PublicHoliday, SchoolHolidayPeriod
from escalation.services import HOLIDAY_WARNING_DAYS, holiday_coverage


def test_coverage_is_the_earlier_of_public_and_school_holidays(session):
    seed.seed_reference(session)
    coverage = holiday_coverage(session, today=date(2026, 12, 2))
    assert coverage.public_until == date(2027, 12, 25) and coverage.school_until == date(2027, 8, 31)
    assert coverage.until == date(2027, 8, 31) and not coverage.runs_out_soon


def test_pilots_are_warned_half_a_year_ahead(session):
    seed.seed_reference(session)
    coverage = holiday_coverage(session, today=date(2027, 3, 5))
    assert HOLIDAY_WARNING_DAYS == 180 and coverage.runs_out_soon
    assert "31/08/2027" in coverage.message


def test_the_daily_job_imports_the_years_the_libraries_know(session):
    seed.seed_reference(session)
    session.commit()
    added = jobs.import_holidays(now="2027-03-05T06:00:00+00:00")
    assert added > 0
    session.expire_all()
    assert session.get(PublicHoliday, date(2029, 12, 25)) is not None  # the holidays package computes any year
    coverage = holiday_coverage(session, today=date(2027, 3, 5))
    assert coverage.school_until > date(2027, 8, 31)  # the next school year, from vacances-scolaires-france
    assert jobs.import_holidays(now="2027-03-05T06:00:00+00:00") == 0  # idempotent
    assert session.query(SchoolHolidayPeriod).count() == session.query(SchoolHolidayPeriod.first_day).distinct().count()


def test_the_sla_page_warns_the_pilots(session, login_as):
    from helpdesk.users.models import Role
    from tests.factories import UserFactory

    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    page = login_as(pilot).get("/pilotage/delais/").get_data(as_text=True)
    assert "ne sont connus que jusqu" in page or "Aucun jour férié" in page
