"""Training dates: a Paris time in the spring DST gap is refused with that reason (never moved an hour), dates
beyond the planning horizon are refused, registering closes with the cancellation deadline, and an unknown
choice in the FIL form is a French 400 (never a 500)."""

from datetime import date, time, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.timeutil import PARIS, to_paris, utcnow
from helpdesk.trainings import rules, services
from helpdesk.trainings.models import FilRequest, TrainingSession
from helpdesk.users.models import Role
from tests.factories import TrainingModuleFactory, TrainingSessionFactory, UserFactory
from tests.trainings.test_fil import _form, head, topic  # noqa: F401 — fixtures of the FIL form


def _spring_gap_day() -> date:
    """The last Sunday of March of next year: Paris clocks jump from 02:00 to 03:00."""
    year = to_paris(utcnow()).year + 1
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def test_local_instant_refuses_the_gap_and_keeps_the_autumn_overlap_first():
    gap = _spring_gap_day()
    with pytest.raises(rules.LocalTimeRefused, match="n'existe pas"):
        rules.local_instant(gap, time(2, 30), PARIS)
    assert rules.local_instant(gap, time(3, 0), PARIS).hour == 1  # 03:00 CEST = 01:00 UTC
    autumn = date(gap.year, 10, 31) - timedelta(days=(date(gap.year, 10, 31).weekday() + 1) % 7)
    assert rules.local_instant(autumn, time(2, 30), PARIS).hour == 0  # first 02:30, still summer time
    with pytest.raises(rules.LocalTimeRefused):
        rules.local_instant(date(1, 1, 1), time(0, 0), PARIS)  # before year 1 in UTC


@pytest.fixture
def coordinator(session):
    return UserFactory(roles=[Role.FORMATION], school=None)


def _session_form(day: str, start: str, end: str) -> dict:
    return {"starts_on": day, "start_time": start, "end_time": end, "place": "DRANE", "trainer": "Alex",
            "capacity": "12", "cancel_deadline_hours": "48"}  # fmt: skip


def test_a_session_in_the_dst_gap_is_refused_with_that_reason(login_as, session, coordinator):
    module = TrainingModuleFactory()
    client = login_as(coordinator)
    response = client.post(
        f"/formations/modules/{module.id}/sessions/nouvelle", data=_session_form(_spring_gap_day().isoformat(), "02:00", "02:45")
    )
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "n'existe pas" in page and "heure d'été" in page
    assert "fin doit suivre" not in page and "Alex" in page
    assert session.scalar(select(TrainingSession.id)) is None


def test_an_end_in_year_9999_is_refused(login_as, session, coordinator):
    module = TrainingModuleFactory()
    client = login_as(coordinator)
    response = client.post(
        f"/formations/modules/{module.id}/sessions/nouvelle", data=_session_form("9999-12-31", "14:00", "17:00")
    )
    assert response.status_code == 400 and "trop lointaine" in unescape(response.get_data(as_text=True))
    assert session.scalar(select(TrainingSession.id)) is None


def test_fil_periods_past_the_horizon_and_unknown_moments_are_french_400s(client, login_as, session, head, topic):  # noqa: F811
    login_as(head)
    far = client.post("/formations/fil/nouvelle", data=_form(head, topic, period1_end="9999-06-30"))
    assert far.status_code == 400 and "trop lointaine" in unescape(far.get_data(as_text=True))
    odd = client.post("/formations/fil/nouvelle", data=_form(head, topic, period1_moment="minuit"))
    assert odd.status_code == 400 and "Équipe de 6e" in unescape(odd.get_data(as_text=True))
    assert session.scalar(select(FilRequest.id)) is None


def test_registering_after_the_cancellation_deadline_is_refused_coherently(session, login_as):
    ts = TrainingSessionFactory(starts_at=utcnow() + timedelta(hours=24), cancel_deadline_hours=48)
    teacher = UserFactory()
    with pytest.raises(ValidationFailed, match="closes depuis"):
        services.register(session, ts, teacher, actor=teacher, now=utcnow())
    page = unescape(login_as(teacher).get(f"/formations/sessions/{ts.id}").get_data(as_text=True))
    assert 'id="registration-closed"' in page and "M'inscrire" not in page
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)  # who can also cancel until the start
    assert services.register(session, ts, teacher, actor=coordinator, now=utcnow()).status == "registered"
