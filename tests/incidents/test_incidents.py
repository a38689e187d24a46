"""Mass incidents: burst detection, confirmation by level 1, banner, linking, one resolution for all."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from escalation import jobs
from helpdesk.incidents.models import MajorIncident
from helpdesk.notifications.models import Notification
from helpdesk.tickets import services as tickets
from helpdesk.tickets.models import Ticket
from helpdesk.users.models import Role
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
                )
            )
    session.commit()
    return made


def test_burst_detected_confirmed_bannered_and_resolved(session, login_as):
    keyword = KeywordFactory(service="messagerie")
    quiet = KeywordFactory(service="pix")
    burst = _burst(session, keyword)
    _burst(session, quiet, schools=1, per_school=5)  # many tickets, one school: not an incident
    assert jobs.detect_incidents(now=(NOW + timedelta(minutes=30)).isoformat()) == 1
    assert jobs.detect_incidents(now=(NOW + timedelta(minutes=31)).isoformat()) == 0  # not twice
    incident = session.scalars(select(MajorIncident)).one()
    assert (incident.ticket_count, incident.school_count, incident.status) == (6, 3, "candidate")

    agent = UserFactory(roles=[Role.AGENT_N1])
    session.commit()
    client = login_as(agent)
    page = client.get("/incidents").get_data(as_text=True)
    assert burst[0].reference in page
    refused = client.post(f"/incidents/{incident.id}/confirmer", data={"title": " ", "message": "x"})
    assert refused.status_code == 400 and "Donnez un titre" in refused.get_data(as_text=True)
    ok = client.post(
        f"/incidents/{incident.id}/confirmer",
        data={"title": "Messagerie indisponible", "message": "Les équipes de l'éditeur interviennent."},
    )
    assert ok.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Messagerie indisponible" in home  # banner on every page, the portal home included
    form = client.get(f"/tickets/nouveau?keyword={keyword.slug}").get_data(as_text=True)
    assert "Incident en cours sur ce service" in form  # and called out on that service's ticket form
    other_form = client.get(f"/tickets/nouveau?keyword={quiet.slug}").get_data(as_text=True)
    assert "Incident en cours sur ce service" not in other_form
    session.expire_all()
    parent = session.get(Ticket, burst[0].id)
    assert parent.is_major_incident and len(parent.children) == 5

    late = tickets.open_ticket(
        session, actor=UserFactory(), keyword=keyword, subject="Pareil", description="Idem", now=NOW + timedelta(hours=1)
    )
    session.commit()
    assert late.reference in client.get("/incidents").get_data(as_text=True)  # proposed
    client.post(f"/incidents/{incident.id}/rattacher/{late.id}")
    resolved = client.post(f"/incidents/{incident.id}/resoudre", data={"message": "Le service est rétabli."})
    assert resolved.status_code == 302
    session.expire_all()
    family = session.scalars(select(Ticket).where(Ticket.keyword_id == keyword.id)).all()
    assert {t.status for t in family} == {"resolved"}
    told = session.scalars(select(Notification).where(Notification.kind == "ticket_resolved")).all()
    assert len(told) == 7 and len({n.user_id for n in told}) == 7
    assert all("> Le service est rétabli." in n.body for n in told)  # each requester reads the solution itself
    assert "Messagerie indisponible" not in client.get("/").get_data(as_text=True)


def test_requesters_cannot_manage_incidents(session, login_as):
    user = UserFactory()
    session.commit()
    assert login_as(user).get("/incidents").status_code == 403
