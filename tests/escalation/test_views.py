"""Pilot SLA page: who may see it, editing delays, hours and closures, errors keep the typed text."""

from escalation import seed
from escalation.models import Closure, SlaPolicy, TierCalendar
from helpdesk.users.models import Role
from tests.factories import UserFactory


def _pilot(session, login_as):
    seed.seed_reference(session)
    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    return login_as(pilot)


def test_only_pilots_see_the_page(session, login_as):
    agent = UserFactory(roles=[Role.AGENT_N1])
    session.commit()
    assert login_as(agent).get("/pilotage/delais/").status_code == 403


def test_pilot_edits_a_delay_and_errors_keep_input(session, login_as):
    client = _pilot(session, login_as)
    page = client.get("/pilotage/delais/")
    assert page.status_code == 200 and "Vacances de la Toussaint" in page.get_data(as_text=True)
    row = session.query(SlaPolicy).filter_by(tier="n1", priority="urgent").one()
    ok = client.post(f"/pilotage/delais/politique/{row.id}", data={
        "first_response_minutes": "30", "resolution_minutes": "300", "warning_ratio": "0,8", "on_breach": "notify"})
    assert ok.status_code == 302
    session.refresh(row)
    assert (row.first_response_minutes, row.resolution_minutes, row.warning_ratio) == (30, 300, 0.8)
    bad = client.post(f"/pilotage/delais/politique/{row.id}", data={
        "first_response_minutes": "30", "resolution_minutes": "abc", "warning_ratio": "2", "on_breach": "notify"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "seuil d&#39;alerte" in html.lower() and 'value="abc"' in html


def test_pilot_edits_hours_and_closures(session, login_as):
    client = _pilot(session, login_as)
    ok = client.post("/pilotage/delais/calendrier/edulab", data={"hours": "lundi 09:00-12:00 14:00-17:00\nmardi 09:00-17:00"})
    assert ok.status_code == 302
    row = session.get(TierCalendar, "edulab")
    session.refresh(row)
    assert row.hours == {"0": [["09:00", "12:00"], ["14:00", "17:00"]], "1": [["09:00", "17:00"]]}
    assert row.counts_during_school_holidays is False
    bad = client.post("/pilotage/delais/calendrier/edulab", data={"hours": "lundi 18:00-09:00"})
    assert bad.status_code == 400 and "lundi 18:00-09:00" in bad.get_data(as_text=True)
    added = client.post("/pilotage/delais/fermetures", data={"label": "Pont de mai", "first_day": "2027-05-07",
                                                             "last_day": "2027-05-07", "tier": "n1"})
    assert added.status_code == 302
    assert session.query(Closure).filter_by(label="Pont de mai").one().tier == "n1"
    refused = client.post("/pilotage/delais/fermetures", data={"label": "Inversée", "first_day": "2027-05-09",
                                                               "last_day": "2027-05-07"})
    assert refused.status_code == 400 and "Inversée" in refused.get_data(as_text=True)
