"""Pages: catalogue and sessions for everyone, registration by form, coordinator editing, month calendar, demo seed."""

from datetime import timedelta
from html import unescape

from sqlalchemy import func, select

from helpdesk.platform.timeutil import to_paris, utcnow
from helpdesk.seed import run_seed
from helpdesk.trainings.models import FilRequest, Registration, TrainingModule, TrainingSession
from helpdesk.users.models import Role
from tests.factories import FilSlotFactory, RegistrationFactory, TrainingModuleFactory, TrainingSessionFactory, UserFactory


def test_index_shows_catalogue_sessions_seats_and_self_training_link(client, session):
    module = TrainingModuleFactory(title="Découvrir l'ENT pour la classe")
    ts = TrainingSessionFactory(module=module, capacity=3)
    RegistrationFactory(training_session=ts)
    session.commit()
    page = unescape(client.get("/formations").text)
    assert "Découvrir l'ENT pour la classe" in page and "Équipes pédagogiques" in page
    assert "2 / 3" in page
    assert "https://ac-toulouse.mon-ent-occitanie.fr/formations-ent/" in page


def test_my_registrations_show_the_waiting_position(client, login_as, session):
    me = UserFactory()
    ts = TrainingSessionFactory(capacity=1)
    RegistrationFactory(training_session=ts)
    login_as(me)
    response = client.post(f"/formations/sessions/{ts.id}/inscription", follow_redirects=True)
    assert "position 1 sur la liste d'attente" in unescape(response.text)
    assert "liste d'attente, position 1" in unescape(client.get("/formations").text)


def test_registering_outside_ones_audience_shows_a_french_message(client, login_as, session):
    ts = TrainingSessionFactory(module=TrainingModuleFactory(audience="direction"))
    login_as(UserFactory(profile="enseignant"))
    page = unescape(client.post(f"/formations/sessions/{ts.id}/inscription", follow_redirects=True).text)
    assert "réservé au public « Personnels de direction »" in page
    assert session.scalar(select(func.count(Registration.id))) == 0


def test_a_coordinator_edits_a_module_and_plans_a_session(client, login_as, session):
    module = TrainingModuleFactory(duration_hours=3)
    login_as(UserFactory(roles=[Role.FORMATION], school=None, profile="personnel_academique"))
    response = client.post(
        f"/formations/modules/{module.id}/modifier",
        data={
            "title": module.title,
            "audience": "equipes",
            "level": "confirme",
            "duration_hours": "6",
            "description": "Nouvelle description.",
            "prerequisites": "",
            "is_active": "y",
        },
    )
    assert response.status_code == 302 and module.duration_hours == 6 and module.level == "confirme"
    day = (to_paris(utcnow()).date() + timedelta(days=14)).isoformat()
    bad = client.post(
        f"/formations/modules/{module.id}/sessions/nouvelle",
        data={
            "starts_on": day,
            "start_time": "14:00",
            "end_time": "13:00",
            "place": "DRANE",
            "trainer": "Alex",
            "capacity": "12",
            "cancel_deadline_hours": "48",
        },
    )
    assert bad.status_code == 400 and "L'heure de fin doit suivre" in unescape(bad.text)
    assert "Alex" in unescape(bad.text)
    good = client.post(
        f"/formations/modules/{module.id}/sessions/nouvelle",
        data={
            "starts_on": day,
            "start_time": "14:00",
            "end_time": "17:00",
            "place": "DRANE",
            "trainer": "Alex",
            "capacity": "12",
            "cancel_deadline_hours": "48",
        },
    )
    assert good.status_code == 302
    ts = session.scalar(select(TrainingSession))
    assert to_paris(ts.starts_at).strftime("%H:%M") == "14:00" and ts.starts_at.tzinfo is not None


def test_teachers_cannot_edit_the_catalogue(client, login_as, session):
    module = TrainingModuleFactory()
    login_as(UserFactory())
    assert client.get(f"/formations/modules/{module.id}/modifier").status_code == 403


def test_month_calendar_shows_sessions_and_scheduled_fils_with_navigation(client, login_as, session):
    ts = TrainingSessionFactory()
    slot = FilSlotFactory(fil_request__state="scheduled", starts_at=ts.starts_at + timedelta(days=1))
    FilSlotFactory(fil_request__state="submitted", starts_at=ts.starts_at)  # not scheduled: not shown
    month = to_paris(ts.starts_at).strftime("%Y-%m")
    session.commit()
    anonymous = unescape(client.get(f"/formations/calendrier?mois={month}").text)
    assert ts.module.title in anonymous and "hd-calendar__entry--fil" not in anonymous
    login_as(slot.fil_request.requester)
    page = unescape(client.get(f"/formations/calendrier?mois={month}").text)
    assert f"FIL {slot.fil_request.school.name}" in page and page.count('hd-calendar__entry--fil"') == 1
    assert "Mois précédent" in page and "<caption>" in page and 'scope="col"' in page
    assert "Mois invalide" in unescape(client.get("/formations/calendrier?mois=2026-13", follow_redirects=True).text)


def test_demo_seed_creates_modules_sessions_and_a_fil_idempotently(session):
    run_seed(session, demo=True)
    run_seed(session, demo=True)
    assert session.scalar(select(func.count(TrainingModule.id))) == 7
    assert session.scalar(select(func.count(TrainingSession.id))) == 4
    fil = session.scalar(select(FilRequest))
    assert fil.requester.email == "principal@demo.ent" and fil.school.name == "Collège Michelet" and fil.state == "submitted"
    nearly_full = session.scalar(select(TrainingSession).where(TrainingSession.capacity == 3))
    assert sum(r.status == "registered" for r in nearly_full.registrations) == 2
