"""SLA reference data: seed, policy lookup with keyword override, calendars built from the tables, editing, CLI."""

from datetime import UTC, date, datetime

import pytest

from escalation import seed, services
from escalation.models import Closure, PublicHoliday, SchoolHolidayPeriod, SlaPolicy
from escalation.services import school_periods
from escalation.sla import add_working_time
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.users.models import Role
from tests.factories import KeywordFactory, SlaPolicyFactory, UserFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def test_seed_is_idempotent_and_complete(session):
    seed.seed_reference(session)
    seed.seed_reference(session)
    assert session.query(SlaPolicy).count() == 16
    assert session.query(SchoolHolidayPeriod).count() == len(seed.ZONE_C_2026_2027)
    assert session.get(PublicHoliday, date(2026, 11, 11)).label == "Armistice 1918"
    assert session.query(Closure).count() == 1


def test_keyword_policy_overrides_the_generic_one(session):
    keyword = KeywordFactory()
    generic = SlaPolicyFactory(tier="n1", priority="high")
    specific = SlaPolicyFactory(
        tier="n1", priority="high", keyword_id=keyword.id, resolution_minutes=60, first_response_minutes=30
    )
    assert services.find_policy(session, tier="n1", priority="high", keyword_id=keyword.id).id == specific.id
    assert services.find_policy(session, tier="n1", priority="high", keyword_id=None).id == generic.id
    assert services.find_policy(session, tier="n1", priority="high", keyword_id=KeywordFactory().id).id == generic.id
    assert services.find_policy(session, tier="edulab", priority="high") is None


def test_calendar_from_tables_closes_school_holidays_for_level_one_only(session):
    seed.seed_reference(session)
    friday_evening = datetime(2026, 10, 16, 15, tzinfo=UTC)  # 17:00 Paris, last day before Toussaint
    n1 = services.load_calendar(session, "n1")
    pilote = services.load_calendar(session, "pilote")
    assert add_working_time(friday_evening, 120, n1) == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert add_working_time(friday_evening, 120, pilote) == datetime(2026, 10, 19, 7, tzinfo=UTC)
    # Christmas closure and New Year for the pilot team: Thursday 24 Dec 17:00 → Monday 4 January 09:00.
    assert add_working_time(datetime(2026, 12, 24, 16, tzinfo=UTC), 120, pilote) == datetime(2027, 1, 4, 8, tzinfo=UTC)


def test_pilot_edits_a_policy_and_bad_values_are_refused(session):
    pilot = UserFactory(roles=[Role.PILOTE])
    agent = UserFactory(roles=[Role.AGENT_N1])
    row = SlaPolicyFactory()
    services.update_policy(
        session,
        row.id,
        actor=pilot,
        first_response_minutes=60,
        resolution_minutes=600,
        warning_ratio=0.8,
        on_breach="notify",
        now=NOW,
    )
    assert (row.first_response_minutes, row.resolution_minutes, row.on_breach) == (60, 600, "notify")
    with pytest.raises(NotAllowed):
        services.update_policy(
            session,
            row.id,
            actor=agent,
            first_response_minutes=60,
            resolution_minutes=600,
            warning_ratio=0.8,
            on_breach="notify",
            now=NOW,
        )
    with pytest.raises(ValidationFailed) as error:
        services.update_policy(
            session,
            row.id,
            actor=pilot,
            first_response_minutes=600,
            resolution_minutes=60,
            warning_ratio=1.5,
            on_breach="ignore",
            now=NOW,
        )
    assert set(error.value.details["errors"]) == {"resolution_minutes", "warning_ratio", "on_breach"}
    assert row.resolution_minutes == 600


def test_tier_calendar_edit_validates_hours(session):
    pilot = UserFactory(roles=[Role.PILOTE])
    row = services.update_tier_calendar(
        session, "edulab", actor=pilot, hours={"0": [["09:00", "17:00"]]}, counts_during_school_holidays=False
    )
    assert row.hours == {"0": [["09:00", "17:00"]]}
    with pytest.raises(ValidationFailed):
        services.update_tier_calendar(
            session, "edulab", actor=pilot, hours={"0": [["17:00", "09:00"]]}, counts_during_school_holidays=False
        )


def test_school_periods_groups_consecutive_days():
    days = {date(2026, 12, 19 + i) for i in range(13)} | {date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}
    assert school_periods({"Vacances de Noël": days}) == [("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3))]


def test_import_holidays_command(app, session):
    result = app.test_cli_runner().invoke(args=["sla", "import-holidays", "--year", "2026", "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert session.get(PublicHoliday, date(2027, 5, 17)) is not None  # Whit Monday 2027
    toussaint = session.query(SchoolHolidayPeriod).filter_by(first_day=date(2026, 10, 17)).one()
    assert toussaint.last_day == date(2026, 11, 1)
    again = app.test_cli_runner().invoke(args=["sla", "import-holidays", "--year", "2026"])
    assert again.output.startswith("0 jour(s)")


def test_a_keyword_delay_added_by_a_pilot_sets_the_deadline_of_its_new_tickets(session):
    from helpdesk.tickets import services as tickets

    seed.seed_reference(session)
    pilot = UserFactory(roles=[Role.PILOTE])
    password_reset = KeywordFactory(label="mdp parent", tier="n1", priority="normal")
    other = KeywordFactory(tier="n1", priority="normal")
    services.add_keyword_policy(
        session,
        actor=pilot,
        keyword_id=password_reset.id,
        tier="n1",
        priority="normal",
        first_response_minutes=15,
        resolution_minutes=60,
        warning_ratio=0.5,
        on_breach="notify",
        now=NOW,
    )
    requester = UserFactory()
    monday_10h = datetime(2026, 11, 16, 9, tzinfo=UTC)  # 10:00 in Paris
    fast = tickets.open_ticket(
        session,
        actor=requester,
        keyword=password_reset,
        subject="Mot de passe parent",
        description="Un parent ne peut plus se connecter.",
        now=monday_10h,
    )
    usual = tickets.open_ticket(
        session, actor=requester, keyword=other, subject="Autre", description="Autre demande.", now=monday_10h
    )
    session.commit()
    assert fast.resolution_due_at == datetime(2026, 11, 16, 10, tzinfo=UTC)
    generic = services.find_policy(session, tier="n1", priority="normal")
    assert usual.resolution_due_at == add_working_time(
        monday_10h, generic.resolution_minutes, services.load_calendar(session, "n1")
    )


def test_keyword_delays_and_school_holidays_are_pilot_only_and_validated(session):
    seed.seed_reference(session)
    agent = UserFactory(roles=[Role.AGENT_N1])
    pilot = UserFactory(roles=[Role.PILOTE])
    keyword = KeywordFactory()
    delays = {"first_response_minutes": 30, "resolution_minutes": 120, "warning_ratio": 0.75, "on_breach": "escalate"}
    with pytest.raises(NotAllowed):
        services.add_keyword_policy(session, actor=agent, keyword_id=keyword.id, tier="n1", priority="normal", now=NOW, **delays)
    with pytest.raises(ValidationFailed, match="Priorité inconnue"):
        services.add_keyword_policy(session, actor=pilot, keyword_id=keyword.id, tier="n1", priority="vite", now=NOW, **delays)
    with pytest.raises(ValidationFailed, match="Choisissez un mot-clé"):
        services.add_keyword_policy(session, actor=pilot, keyword_id=999_999, tier="n1", priority="normal", now=NOW, **delays)
    with pytest.raises(NotAllowed):
        services.add_school_holiday(session, actor=agent, label="Pont", first_day=date(2027, 3, 19), last_day=date(2027, 3, 19))
    with pytest.raises(ValidationFailed, match="libellé"):
        services.add_school_holiday(session, actor=pilot, label=" ", first_day=date(2027, 3, 19), last_day=date(2027, 3, 19))
    # A holiday added by hand changes the calendar used from then on (the cached one is forgotten).
    services.load_calendar(session, "n1")
    services.add_school_holiday(
        session, actor=pilot, label="Journée banalisée", first_day=date(2027, 3, 19), last_day=date(2027, 3, 19)
    )
    assert (date(2027, 3, 19), date(2027, 3, 19)) in services.load_calendar(session, "n1").school_holidays
