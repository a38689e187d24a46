"""Mass incidents: burst detection tells level 1, confirmation or declaration by hand, the banner, tickets
attached and detached (in their histories), news to every requester, and a resolution confirmed first."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from escalation import jobs
from helpdesk.incidents.models import MajorIncident
from helpdesk.notifications.models import Notification
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.users.models import Role
from helpdesk.users.services import issue_api_token
from tests.factories import KeywordFactory, SchoolFactory, UserFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def _burst(session, keyword, schools=3, per_school=2):
    made = []
    for s in range(schools):
        school = SchoolFactory()
        for n in range(per_school):
            user = UserFactory(school=school)
            made.append(
                tickets.open_ticket(
                    session,
                    actor=user,
                    keyword=keyword,
                    subject="Messagerie en panne",
                    description="Erreur 500.",
                    now=NOW + timedelta(minutes=s * 5 + n),
                )  # fmt: skip
            )
    session.commit()
    return made


def _kinds(session, kind):
    return session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def test_burst_detected_told_to_level1_confirmed_bannered_and_resolved_once_confirmed(session, login_as):
    keyword = KeywordFactory(service="messagerie")
    quiet = KeywordFactory(service="pix")
    agent = UserFactory(roles=[Role.AGENT_N1])
    burst = _burst(session, keyword)
    _burst(session, quiet, schools=1, per_school=5)  # many tickets, one school: not an incident
    assert jobs.detect_incidents(now=(NOW + timedelta(minutes=30)).isoformat()) == 1
    assert jobs.detect_incidents(now=(NOW + timedelta(minutes=31)).isoformat()) == 0  # not twice
    incident = session.scalars(select(MajorIncident)).one()
    assert (incident.ticket_count, incident.school_count, incident.status) == (6, 3, "candidate")
    candidate = _kinds(session, "incident_candidate")
    assert [n.user_id for n in candidate] == [agent.id] and candidate[0].link == "/incidents"

    client = login_as(agent)
    assert 'href="/incidents"' in client.get("/").get_data(as_text=True)  # the agent menu links to it
    page = client.get("/incidents").get_data(as_text=True)
    assert burst[0].reference in page
    refused = client.post(f"/incidents/{incident.id}/confirmer", data={"title": " ", "message": "x"})
    assert refused.status_code == 400 and "Donnez un titre" in refused.get_data(as_text=True)
    client.post(
        f"/incidents/{incident.id}/confirmer", data={"title": "Messagerie indisponible", "message": "Rétablissement en cours."}
    )
    home = client.get("/").get_data(as_text=True)
    assert "Messagerie indisponible" in home  # banner on every page, the portal home included
    assert "Incident en cours sur ce service" in client.get(f"/tickets/nouveau?keyword={keyword.slug}").get_data(as_text=True)
    assert "Incident en cours sur ce service" not in client.get(f"/tickets/nouveau?keyword={quiet.slug}").get_data(as_text=True)
    session.expire_all()
    family = session.scalars(select(Ticket).where(Ticket.keyword_id == keyword.id)).all()
    assert {t.incident_id for t in family} == {incident.id}
    assert all(any(e.kind == "incident_linked" and e.audience == "public" for e in t.events) for t in family)

    # The requester's page says it, and the agent's links to the incident.
    requester_page = login_as(burst[0].requester).get(f"/tickets/{burst[0].reference}").get_data(as_text=True)
    assert "fait partie d'un incident" in requester_page
    client = login_as(agent)
    assert f"/incidents#incident-{incident.id}" in client.get(f"/tickets/{burst[0].reference}").get_data(as_text=True)

    late = tickets.open_ticket(session, actor=UserFactory(), keyword=keyword, subject="Pareil", description="Idem",
                               now=NOW + timedelta(hours=1))  # fmt: skip
    session.commit()
    assert late.reference in client.get("/incidents").get_data(as_text=True)  # proposed
    client.post(f"/incidents/{incident.id}/rattacher", data={"reference": late.reference})
    client.post(f"/incidents/{incident.id}/detacher/{burst[5].id}")
    session.expire_all()
    assert session.get(Ticket, burst[5].id).incident_id is None and session.get(Ticket, late.id).incident_id == incident.id

    client.post(f"/incidents/{incident.id}/point-d-etape", data={"message": "Le prestataire intervient, retour prévu à 14 h."})
    news = _kinds(session, "ticket_replied")
    assert len(news) == 6 and all("> Le prestataire intervient" in n.body for n in news)

    unconfirmed = client.post(f"/incidents/{incident.id}/resoudre", data={"message": "Le service est rétabli."})
    assert unconfirmed.status_code == 400 and "Cochez la confirmation" in unconfirmed.get_data(as_text=True)
    session.expire_all()
    assert {t.status for t in family} == {"new"}
    resolved = client.post(f"/incidents/{incident.id}/resoudre", data={"message": "Le service est rétabli.", "confirmed": "1"})
    assert resolved.status_code == 302
    session.expire_all()
    family = session.scalars(select(Ticket).where(Ticket.incident_id == incident.id)).all()
    assert len(family) == 6 and {t.status for t in family} == {"resolved"}
    assert session.get(Ticket, burst[5].id).status == "new"  # detached: untouched
    told = _kinds(session, "ticket_resolved")
    assert len(told) == 6 and all("> Le service est rétabli." in n.body for n in told)
    assert "Messagerie indisponible" not in client.get("/").get_data(as_text=True)


def test_level1_declares_an_incident_from_a_ticket_or_from_nothing(session, login_as):
    agent = UserFactory(roles=[Role.AGENT_N1])
    keyword = KeywordFactory(service="pronote")
    ticket = tickets.open_ticket(session, actor=UserFactory(), keyword=keyword, subject="Pronote", description="x", now=NOW)
    session.commit()
    client = login_as(agent)
    assert "Déclarer un incident de masse à partir de ce ticket" in client.get(f"/tickets/{ticket.reference}").get_data(
        as_text=True
    )
    form = client.get(f"/incidents/declarer?depuis={ticket.reference}").get_data(as_text=True)
    assert ticket.reference in form
    kept = client.post(
        "/incidents/declarer", data={"depuis": ticket.reference, "service": "pronote", "title": "", "message": "Panne"}
    )
    assert kept.status_code == 400 and "Panne" in kept.get_data(as_text=True)
    client.post("/incidents/declarer", data={"depuis": ticket.reference, "service": "pronote", "title": "Pronote inaccessible",
                                             "message": "Connexion impossible depuis l'ENT."})  # fmt: skip
    session.expire_all()
    incident = session.scalars(select(MajorIncident)).one()
    assert (incident.status, incident.declared_by_id, session.get(Ticket, ticket.id).incident_id) == (
        "confirmed",
        agent.id,
        incident.id,
    )
    client.post("/incidents/declarer", data={"service": "educonnect", "title": "EduConnect en panne", "message": "Attendez."})
    assert session.scalars(select(MajorIncident).where(MajorIncident.service == "educonnect")).one().status == "confirmed"


@pytest.fixture
def api_client(app, client):
    class Fresh:
        def __getattr__(self, method):
            def call(*args, **kwargs):
                with app.app_context():
                    return getattr(client, method)(*args, **kwargs)

            return call

    return Fresh()


def test_the_incident_api_does_what_the_page_does(session, api_client):
    agent = UserFactory(roles=[Role.AGENT_N1])
    teacher = UserFactory()
    ticket = tickets.open_ticket(session, actor=teacher, keyword=KeywordFactory(), subject="x", description="y", now=NOW)
    headers = {"Authorization": f"Bearer {issue_api_token(session, agent, 't')}"}
    refused = {"Authorization": f"Bearer {issue_api_token(session, teacher, 't')}"}
    session.commit()
    body = {"service": "messagerie", "title": "Messagerie lente", "message": "On s'en occupe.", "from_ticket": ticket.reference}
    assert api_client.post("/api/v1/incidents", json=body, headers=refused).status_code == 403
    created = api_client.post("/api/v1/incidents", json=body, headers={**headers, "Idempotency-Key": "declare-1"})
    again = api_client.post("/api/v1/incidents", json=body, headers={**headers, "Idempotency-Key": "declare-1"})
    assert created.status_code == 201 and again.json == created.json and created.json["tickets"] == [ticket.reference]
    assert session.query(MajorIncident).count() == 1
    incident_id = created.json["id"]
    news = api_client.post(f"/api/v1/incidents/{incident_id}/news", json={"message": "Point à 10 h."}, headers=headers)
    assert news.status_code == 201 and news.json["sent"] == 1
    assert (
        api_client.post(f"/api/v1/incidents/{incident_id}/resolve", json={"message": "Réglé."}, headers=headers).status_code
        == 400
    )
    done = api_client.post(
        f"/api/v1/incidents/{incident_id}/resolve", json={"message": "Réglé.", "confirmed": True}, headers=headers
    )
    assert done.status_code == 200 and done.json["resolved"] == 1 and done.json["incident"]["status"] == "resolved"


def test_requesters_cannot_manage_incidents(session, login_as):
    user = UserFactory()
    session.commit()
    client = login_as(user)
    assert client.get("/incidents").status_code == 403
    assert client.get("/incidents/declarer").status_code == 403
