"""A small académie with tickets opened on several days through the real use cases (keyword changes, escalations,
resolutions in and out of their deadline), for the figures tests."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.tickets import lifecycle, services
from helpdesk.users.models import Profile, Role
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, SlaBreachFactory, UserFactory

# A Monday, in winter (UTC+1): 09:00 in Paris.
MONDAY = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


@pytest.fixture
def academie(session):
    north, south = BasinFactory(name="Toulouse Nord"), BasinFactory(name="Ariège")
    school, other = SchoolFactory(basin=north, name="Collège Jean Jaurès"), SchoolFactory(basin=south, name="Lycée Fébus")
    people = {
        "north": north,
        "south": south,
        "school": school,
        "other_school": other,
        "teacher": UserFactory(school=school, full_name="Camille Enseignante"),
        "far_teacher": UserFactory(school=other, full_name="Alex Ariégeois"),
        "head": UserFactory(school=school, profile=Profile.CHEF_ETABLISSEMENT, full_name="Dominique Principal"),
        "other_head": UserFactory(school=other, profile=Profile.CHEF_ETABLISSEMENT, full_name="Sacha Proviseur"),
        "n1": UserFactory(school=None, roles=[Role.AGENT_N1], full_name="Morgan Niveau Un"),
        "edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[north, south], full_name="Jordan EduLAB"),
        "pilote": UserFactory(school=None, roles=[Role.PILOTE], full_name="Charlie Pilote"),
        "dafpen": UserFactory(school=None, roles=[Role.DAFPEN], full_name="Lou DAFPEN"),
        "agenda": KeywordFactory(
            label="agenda de rubrique vide", slug="agenda-rubrique-vide", service="rubriques", tier="edulab"
        ),
        "password": KeywordFactory(
            label="mot de passe oublié", slug="mot-de-passe-oublie", service="navigateur_acces", tier="n1"
        ),
    }
    session.commit()
    return people


def open_ticket(session, people, who="teacher", keyword="agenda", at=MONDAY, channel="web", **extra):
    ticket = services.open_ticket(
        session,
        actor=people[who],
        requester=people["teacher"] if who == "n1" else None,
        keyword=people[keyword],
        subject=extra.pop("subject", "L'agenda est vide"),
        description="Plus rien ne s'affiche depuis ce matin.",
        now=at,
        channel=channel,
    )
    session.commit()
    return ticket


@pytest.fixture
def activity(session, academie):
    """Nine tickets over three days and two schools, with what happened to each."""
    p = academie
    day = timedelta(days=1)
    tickets = {
        "plain": open_ticket(session, p),
        "phone": open_ticket(session, p, who="n1", channel="phone", keyword="password"),
        "misrouted": open_ticket(session, p, keyword="password", at=MONDAY + timedelta(hours=2)),
        "escalated": open_ticket(session, p, at=MONDAY + day),
        "resolved_on_time": open_ticket(session, p, at=MONDAY + day, keyword="password"),
        "resolved_late": open_ticket(session, p, who="far_teacher", at=MONDAY + day),
        "far": open_ticket(session, p, who="far_teacher", at=MONDAY + 2 * day),
        "breached": open_ticket(session, p, who="far_teacher", at=MONDAY + 2 * day, keyword="password"),
        "late_evening": open_ticket(session, p, at=datetime(2026, 1, 14, 23, 30, tzinfo=UTC)),  # Thursday 00:30 in Paris
    }
    t = tickets
    services.change_keyword(
        session, t["misrouted"], p["agenda"], actor=p["n1"], reason="C'est l'agenda", now=MONDAY + timedelta(hours=3)
    )
    lifecycle.escalate(session, t["escalated"], actor=p["edulab"], reason="Hors de portée", now=MONDAY + day + timedelta(hours=1))
    on_time = t["resolved_on_time"]
    on_time.first_response_due_at = on_time.resolution_due_at = MONDAY + 3 * day
    lifecycle.resolve(session, on_time, actor=p["n1"], solution="Mot de passe réinitialisé", now=MONDAY + day)
    late = t["resolved_late"]
    late.first_response_due_at = late.resolution_due_at = MONDAY + day + timedelta(hours=1)
    lifecycle.resolve(session, late, actor=p["edulab"], solution="Agenda recréé", now=MONDAY + 2 * day)
    breached = t["breached"]
    breached.first_response_due_at = breached.resolution_due_at = MONDAY + 5 * day
    lifecycle.resolve(session, breached, actor=p["n1"], solution="Fait", now=MONDAY + 2 * day + timedelta(hours=2))
    SlaBreachFactory(ticket_id=breached.id, kind="resolution", tier="n1", due_at=MONDAY + 2 * day, applied_at=MONDAY + 2 * day)
    session.commit()
    return tickets
