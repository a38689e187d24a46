"""Pilot SLA page: who may see it, editing delays, hours and closures, errors keep the typed text."""

from datetime import date

from flask_babel import refresh

from escalation import seed
from escalation.models import Closure, SchoolHolidayPeriod, SlaPolicy, TierCalendar
from helpdesk.users.models import Role
from tests.factories import KeywordFactory, UserFactory


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
    ok = client.post(
        f"/pilotage/delais/politique/{row.id}",
        data={"first_response_minutes": "30", "resolution_minutes": "300", "warning_ratio": "0,8", "on_breach": "notify"},
    )
    assert ok.status_code == 302
    session.refresh(row)
    assert (row.first_response_minutes, row.resolution_minutes, row.warning_ratio) == (30, 300, 0.8)
    bad = client.post(
        f"/pilotage/delais/politique/{row.id}",
        data={"first_response_minutes": "30", "resolution_minutes": "abc", "warning_ratio": "2", "on_breach": "notify"},
    )
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
    added = client.post(
        "/pilotage/delais/fermetures",
        data={"label": "Pont de mai", "first_day": "2027-05-07", "last_day": "2027-05-07", "tier": "n1"},
    )
    assert added.status_code == 302
    assert session.query(Closure).filter_by(label="Pont de mai").one().tier == "n1"
    refused = client.post(
        "/pilotage/delais/fermetures", data={"label": "Inversée", "first_day": "2027-05-09", "last_day": "2027-05-07"}
    )
    assert refused.status_code == 400 and "Inversée" in refused.get_data(as_text=True)


def test_an_english_pilot_reads_and_writes_hours_with_english_day_names(session, login_as):
    client = _pilot(session, login_as)
    client.post("/compte/langue", data={"locale": "en"})
    refresh()  # the tests' shared app context keeps the locale Flask-Babel chose: forget it, as a new request would
    assert "monday 08:00-" in client.get("/pilotage/delais/").get_data(as_text=True)
    ok = client.post("/pilotage/delais/calendrier/edulab", data={"hours": "Monday 09:00-12:00\nmardi 09:00-17:00"})
    assert ok.status_code == 302  # a line pasted from a French colleague is understood too
    row = session.get(TierCalendar, "edulab")
    session.refresh(row)
    assert row.hours == {"0": [["09:00", "12:00"]], "1": [["09:00", "17:00"]]}
    refresh()
    bad = client.post("/pilotage/delais/calendrier/edulab", data={"hours": "mon 09:00-12:00"})
    assert bad.status_code == 400 and "Line not understood" in bad.get_data(as_text=True)


def test_pilot_gives_a_keyword_its_own_delay_then_removes_it(session, login_as):
    client = _pilot(session, login_as)
    keyword = KeywordFactory(label="mdp parent", tier="n1", priority="normal")
    session.commit()
    page = client.get("/pilotage/delais/").get_data(as_text=True)
    assert "Délais propres à un mot-clé" in page and "mdp parent" in page
    added = client.post(
        "/pilotage/delais/mots-cles",
        data={
            "keyword_id": str(keyword.id),
            "tier": "n1",
            "priority": "normal",
            "first_response_minutes": "15",
            "resolution_minutes": "120",
            "warning_ratio": "0,5",
            "on_breach": "notify",
        },
    )
    assert added.status_code == 302
    row = session.query(SlaPolicy).filter_by(keyword_id=keyword.id).one()
    assert (row.tier, row.priority, row.first_response_minutes, row.resolution_minutes, row.warning_ratio, row.on_breach) == (
        "n1",
        "normal",
        15,
        120,
        0.5,
        "notify",
    )
    assert "<q data-domain-content>mdp parent</q> — " in client.get("/pilotage/delais/").get_data(as_text=True)

    twice = client.post(
        "/pilotage/delais/mots-cles",
        data={
            "keyword_id": str(keyword.id),
            "tier": "n1",
            "priority": "normal",
            "first_response_minutes": "20",
            "resolution_minutes": "90",
            "warning_ratio": "0,75",
            "on_breach": "escalate",
        },
    )
    html = twice.get_data(as_text=True)
    assert twice.status_code == 400 and "déjà un délai propre" in html and 'value="90"' in html

    removed = client.post(f"/pilotage/delais/politique/{row.id}/supprimer")
    assert removed.status_code == 302
    assert session.query(SlaPolicy).filter_by(keyword_id=keyword.id).count() == 0


def test_keyword_delay_form_errors_keep_what_was_typed(session, login_as):
    client = _pilot(session, login_as)
    keyword = KeywordFactory()
    session.commit()
    no_keyword = client.post(
        "/pilotage/delais/mots-cles",
        data={
            "keyword_id": "",
            "tier": "n1",
            "priority": "normal",
            "first_response_minutes": "15",
            "resolution_minutes": "120",
            "warning_ratio": "0,75",
            "on_breach": "escalate",
        },
    )
    assert no_keyword.status_code == 400 and "Choisissez un mot-clé" in no_keyword.get_data(as_text=True)
    bad = client.post(
        "/pilotage/delais/mots-cles",
        data={
            "keyword_id": str(keyword.id),
            "tier": "pilote",
            "priority": "high",
            "first_response_minutes": "60",
            "resolution_minutes": "30",
            "warning_ratio": "0,75",
            "on_breach": "escalate",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "plus court que la première réponse" in html
    assert f'<option value="{keyword.id}" selected>' in html and 'value="pilote" selected' in html
    unknown_tier = client.post(
        "/pilotage/delais/mots-cles",
        data={
            "keyword_id": str(keyword.id),
            "tier": "ministre",
            "priority": "high",
            "first_response_minutes": "6",
            "resolution_minutes": "30",
            "warning_ratio": "0,75",
            "on_breach": "escalate",
        },
    )
    assert unknown_tier.status_code == 400 and "Niveau inconnu" in unknown_tier.get_data(as_text=True)
    generic = session.query(SlaPolicy).filter_by(keyword_id=None).first()
    refused = client.post(
        f"/pilotage/delais/politique/{generic.id}/supprimer", data={"first_response_minutes": str(generic.first_response_minutes)}
    )
    assert refused.status_code == 400 and "ne se suppriment pas" in refused.get_data(as_text=True)
    assert session.get(SlaPolicy, generic.id) is not None


def test_agents_cannot_add_keyword_delays_or_holidays(session, login_as):
    seed.seed_reference(session)
    agent = UserFactory(roles=[Role.AGENT_N1])
    keyword = KeywordFactory()
    session.commit()
    client = login_as(agent)
    assert (
        client.post(
            "/pilotage/delais/mots-cles",
            data={
                "keyword_id": str(keyword.id),
                "tier": "n1",
                "priority": "normal",
                "first_response_minutes": "15",
                "resolution_minutes": "120",
                "warning_ratio": "0,75",
                "on_breach": "escalate",
            },
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/pilotage/delais/vacances", data={"label": "Pont", "first_day": "2027-05-07", "last_day": "2027-05-07"}
        ).status_code
        == 403
    )
    assert session.query(SlaPolicy).filter_by(keyword_id=keyword.id).count() == 0


def test_pilot_edits_school_holidays(session, login_as):
    client = _pilot(session, login_as)
    added = client.post(
        "/pilotage/delais/vacances", data={"label": "Journée banalisée", "first_day": "2027-03-19", "last_day": "2027-03-19"}
    )
    assert added.status_code == 302
    period = session.query(SchoolHolidayPeriod).filter_by(label="Journée banalisée").one()
    assert (period.zone, period.first_day, period.last_day) == ("C", date(2027, 3, 19), date(2027, 3, 19))
    inverted = client.post(
        "/pilotage/delais/vacances", data={"label": "À l'envers", "first_day": "2027-06-09", "last_day": "2027-06-07"}
    )
    html = inverted.get_data(as_text=True)
    assert inverted.status_code == 400 and "précède" in html and "l&#39;envers" in html
    twice = client.post(
        "/pilotage/delais/vacances", data={"label": "Doublon", "first_day": "2027-03-19", "last_day": "2027-03-20"}
    )
    assert twice.status_code == 400 and "19/03/2027" in twice.get_data(as_text=True)
    assert client.post(f"/pilotage/delais/vacances/{period.id}/supprimer").status_code == 302
    assert session.get(SchoolHolidayPeriod, period.id) is None
