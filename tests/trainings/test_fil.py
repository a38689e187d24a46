"""FIL requests: the form refuses bad input in French and keeps what was typed; the workflow follows the table."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.platform.errors import InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import to_paris, utcnow
from helpdesk.trainings import fil as fil_services
from helpdesk.trainings.models import FilEvent, FilRequest
from helpdesk.users.models import Role
from tests.factories import FilRequestFactory, SchoolFactory, TrainingModuleFactory, UserFactory


def _day(days: int) -> str:
    return (to_paris(utcnow()).date() + timedelta(days=days)).isoformat()


def _form(head, topic, **overrides):
    data = {
        "school_uai": head.school.uai,
        "audience": "equipes",
        "expected_trainees": "22",
        "format": "two_half_days",
        "period1_start": _day(20),
        "period1_end": "",
        "period1_moment": "am",
        "period2_start": _day(27),
        "period2_end": "",
        "period2_moment": "pm",
        "period3_start": "",
        "period3_end": "",
        "period3_moment": "day",
        "topics": [str(topic.id)],
        "needs": "Équipe de 6e : cahier de textes et espaces de classe.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def head(session):
    return UserFactory(profile="chef_etablissement")


@pytest.fixture
def topic(session):
    return TrainingModuleFactory(title="Découvrir l'ENT pour la classe")


def test_a_head_of_school_requests_a_fil(client, login_as, session, head, topic):
    login_as(head)
    response = client.post("/formations/fil/nouvelle", data=_form(head, topic))
    assert response.status_code == 302
    fil = session.scalar(select(FilRequest))
    assert fil.state == "submitted" and fil.school_id == head.school_id and [t.id for t in fil.topics] == [topic.id]
    assert [p["moment"] for p in fil.preferred_periods] == ["am", "pm"]
    assert [(e.from_state, e.to_state, e.actor_id) for e in fil.events] == [("", "submitted", head.id)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert fil.reference in page and "Demandée" in page


@pytest.mark.parametrize(
    ("overrides", "message", "kept"),
    [
        ({"period1_start": "2020-01-06"}, "Cette date est passée", "Équipe de 6e"),
        ({"period2_start": "PERIOD1", "period2_moment": "am"}, "chevauche une autre demi-journée", "Équipe de 6e"),
        ({"expected_trainees": "45"}, "entre 1 et 30", "45"),
        ({"school_uai": "OTHER"}, "que pour votre établissement", "Équipe de 6e"),
        ({"topics": []}, "au moins un thème", "Équipe de 6e"),
        ({"expected_trainees": "vingt"}, "entier valide", "vingt"),
    ],
)
def test_bad_input_is_refused_in_french_and_the_form_keeps_the_text(
    client, login_as, session, head, topic, overrides, message, kept
):
    if overrides.get("period2_start") == "PERIOD1":
        overrides["period2_start"] = _day(20)
    if overrides.get("school_uai") == "OTHER":
        overrides["school_uai"] = SchoolFactory().uai
    login_as(head)
    response = client.post("/formations/fil/nouvelle", data=_form(head, topic, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert kept in page
    assert overrides.get("period2_start", _day(27)) in page  # the second period is still there
    assert session.scalar(select(FilRequest.id)) is None


def test_only_heads_of_school_may_request(client, login_as, session, topic):
    for profile in ("enseignant", "administrateur_ent"):
        user = UserFactory(profile=profile)
        login_as(user)
        assert client.get("/formations/fil/nouvelle").status_code == 403
        client.post("/deconnexion")


def _actors(session):
    dafpen = UserFactory(roles=[Role.DAFPEN], school=None, profile="personnel_academique")
    pilote = UserFactory(roles=[Role.PILOTE], school=None, profile="personnel_academique")
    return dafpen, pilote


def test_the_full_workflow_is_recorded_in_the_audit_trail(session):
    fil = FilRequestFactory(topics=[TrainingModuleFactory()])
    dafpen, pilote = _actors(session)
    now = utcnow()
    fil_services.move_fil(session, fil, "validated", actor=dafpen, now=now)
    slot = (now + timedelta(days=20)).replace(microsecond=0)
    fil_services.schedule_fil(
        session,
        fil,
        actor=pilote,
        now=now,
        trainers="Formatrice DRANE",
        slots=[(slot, slot + timedelta(hours=3)), (slot + timedelta(days=7), slot + timedelta(days=7, hours=3))],
    )
    fil_services.move_fil(session, fil, "confirmed", actor=fil.requester, now=now)
    fil_services.move_fil(session, fil, "held", actor=pilote, now=now)
    fil_services.move_fil(session, fil, "closed", actor=pilote, now=now)
    trail = [(e.from_state, e.to_state) for e in session.scalars(select(FilEvent).order_by(FilEvent.id))]
    assert trail == [
        ("submitted", "validated"),
        ("validated", "scheduled"),
        ("scheduled", "confirmed"),
        ("confirmed", "held"),
        ("held", "closed"),
    ]
    assert len(fil.slots) == 2 and fil.trainers == "Formatrice DRANE"
    jobs = [j for j in session.info["pending_jobs"] if j[0] == "helpdesk.trainings.jobs.notify_fil_event"]
    assert len(jobs) == 5


def test_invalid_transitions_and_wrong_people_are_refused(session):
    fil = FilRequestFactory()
    dafpen, pilote = _actors(session)
    with pytest.raises(InvalidTransition, match="ne peut pas passer"):
        fil_services.move_fil(session, fil, "held", actor=pilote, now=utcnow())
    with pytest.raises(NotAllowed):
        fil_services.move_fil(session, fil, "validated", actor=pilote, now=utcnow())
    with pytest.raises(NotAllowed):
        fil_services.move_fil(session, fil, "validated", actor=fil.requester, now=utcnow())
    with pytest.raises(ValidationFailed, match="motif"):
        fil_services.move_fil(session, fil, "refused", actor=dafpen, now=utcnow(), reason="  ")
    fil_services.move_fil(session, fil, "refused", actor=dafpen, now=utcnow(), reason="Budget épuisé pour cette année.")
    assert fil.state == "refused" and fil.refusal_reason == "Budget épuisé pour cette année."


def test_a_head_of_another_school_cannot_see_nor_confirm(client, login_as, session):
    fil = FilRequestFactory()
    other_head = UserFactory(profile="chef_etablissement")
    login_as(other_head)
    assert client.get(f"/formations/fil/{fil.id}").status_code == 404
    assert fil_services.visible_fils(session, actor=other_head) == []


def test_scheduling_refuses_past_dates_and_keeps_the_trainer(client, login_as, session):
    fil = FilRequestFactory(state="validated")
    _dafpen, pilote = _actors(session)
    login_as(pilote)
    response = client.post(
        f"/formations/fil/{fil.id}/planifier",
        data={"trainers": "Camille Formatrice", "slot1_date": "2020-03-02", "slot1_start": "09:00", "slot1_end": "12:00"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Cette date est passée." in page and "Camille Formatrice" in page
    assert fil.state == "validated"


def test_dafpen_and_drane_list_requests_by_state(client, login_as, session):
    FilRequestFactory()
    FilRequestFactory(state="validated")
    dafpen, _pilote = _actors(session)
    login_as(dafpen)
    page = client.get("/formations/fil").get_data(as_text=True)
    assert "Demandée (1)" in page and "Validée par la DAFPEN (1)" in page
    page = client.get("/formations/fil?etat=validated").get_data(as_text=True)
    assert page.count("FIL-") == 1


def test_a_stale_second_click_explains_why_on_the_request_page(client, login_as, session):
    fil = FilRequestFactory()
    dafpen, _pilote = _actors(session)
    login_as(dafpen)
    assert client.post(f"/formations/fil/{fil.id}/etat", data={"target": "validated"}).status_code == 302
    response = client.post(f"/formations/fil/{fil.id}/etat", data={"target": "validated"}, follow_redirects=True)
    assert "ne peut pas passer à l&#39;état « Validée par la DAFPEN »" in response.get_data(as_text=True)
    assert [e.to_state for e in fil.events] == ["validated"]


def test_refusing_without_a_reason_keeps_the_request_open(client, login_as, session):
    fil = FilRequestFactory()
    dafpen, _pilote = _actors(session)
    login_as(dafpen)
    response = client.post(f"/formations/fil/{fil.id}/etat", data={"target": "refused", "reason": ""})
    assert response.status_code == 400 and "Indiquez le motif du refus" in response.get_data(as_text=True)
    assert fil.state == "submitted"
