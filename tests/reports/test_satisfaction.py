"""Satisfaction survey: asked once at resolution, answered in the app or through the e-mail's signed link
(logged out, only once), results per tier, service and basin."""

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from helpdesk.notifications.models import Notification
from helpdesk.satisfaction import services as satisfaction
from helpdesk.satisfaction.models import Survey
from helpdesk.tickets import lifecycle
from tests.reports.conftest import MONDAY, open_ticket


def _resolve(session, academie, ticket, at=MONDAY + timedelta(hours=4)):
    lifecycle.resolve(session, ticket, actor=academie["edulab"], solution="Agenda recréé", now=at)
    session.commit()


def _link(session, ticket) -> str:
    body = session.scalar(
        select(Notification.body).where(Notification.ticket_id == ticket.id, Notification.kind == "ticket_resolved")
    )
    found = re.search(r"http://testserver(/satisfaction/\S+)", body)
    assert found, body
    return found.group(1)


def test_resolution_asks_once_and_the_mail_carries_a_signed_link(session, academie):
    ticket = open_ticket(session, academie)
    _resolve(session, academie, ticket)
    survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
    assert (survey.tier, survey.service, survey.basin_id) == ("edulab", "rubriques", academie["north"].id)
    assert _link(session, ticket).startswith("/satisfaction/")
    lifecycle.reopen(session, ticket, actor=academie["teacher"], reason="Toujours vide", now=MONDAY + timedelta(hours=5))
    _resolve(session, academie, ticket, at=MONDAY + timedelta(hours=6))
    assert len(session.scalars(select(Survey).where(Survey.ticket_id == ticket.id)).all()) == 1


def test_the_link_works_logged_out_and_only_once(session, academie, client):
    ticket = open_ticket(session, academie)
    _resolve(session, academie, ticket)
    link = _link(session, ticket)
    page = client.get(link)
    assert page.status_code == 200
    assert "Votre problème est-il résolu ?" in page.get_data(as_text=True)
    response = client.post(link, data={"resolved": "oui", "rating": "4", "comment": "Merci, rapide."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/satisfaction/merci")
    session.expire_all()
    survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
    assert (survey.resolved, survey.rating, survey.comment, survey.answered_by) == (True, 4, "Merci, rapide.", "link")
    again = client.post(link, data={"resolved": "non", "rating": "1"})
    assert "déjà répondu" in again.get_data(as_text=True)
    session.expire_all()
    assert session.get(Survey, survey.id).rating == 4


def test_a_forged_or_damaged_link_is_refused(session, academie, client):
    ticket = open_ticket(session, academie)
    _resolve(session, academie, ticket)
    link = _link(session, ticket)
    assert client.get(link[:-3] + "abc").status_code == 404
    forged = satisfaction.make_token("another-secret", ticket.id)
    assert client.get(f"/satisfaction/{forged}").status_code == 404


def test_a_missing_answer_is_explained_and_the_comment_kept(session, academie, client):
    ticket = open_ticket(session, academie)
    _resolve(session, academie, ticket)
    response = client.post(_link(session, ticket), data={"comment": "Mon texte"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Indiquez si votre problème est résolu." in html and "Choisissez une note de 1 à 5." in html
    assert "Mon texte" in html


def test_in_app_from_the_ticket_page_for_the_requester_only(session, academie, login_as, client):
    ticket = open_ticket(session, academie)
    _resolve(session, academie, ticket)
    login_as(academie["head"])
    assert 'id="satisfaction"' not in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert client.get(f"/satisfaction/ticket/{ticket.reference}").status_code == 403
    client.post("/deconnexion")
    login_as(academie["teacher"])
    assert 'id="satisfaction"' in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    response = client.post(f"/satisfaction/ticket/{ticket.reference}", data={"resolved": "non", "rating": "2"})
    assert response.status_code == 302
    assert 'id="satisfaction"' not in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Survey.answered_by).where(Survey.ticket_id == ticket.id)) == "app"


def test_results_per_tier_service_and_basin(session, academie, login_as, client):
    first, second = open_ticket(session, academie), open_ticket(session, academie, who="far_teacher")
    for ticket in (first, second):
        _resolve(session, academie, ticket)
    for ticket, (resolved, rating) in ((first, (True, 5)), (second, (False, 2))):
        survey = session.scalar(select(Survey).where(Survey.ticket_id == ticket.id))
        satisfaction.answer(
            session, survey, resolved=resolved, rating=rating, comment="", via="app", now=MONDAY + timedelta(days=1)
        )
    open_ticket(session, academie, at=MONDAY)  # never resolved: never asked
    session.commit()
    login_as(academie["pilote"])
    html = client.get("/pilotage/chiffres/satisfaction?du=2026-01-12&au=2026-01-18").get_data(as_text=True)
    assert '<th scope="row">Tous</th><td>2</td><td>2</td><td>100,0</td><td>50,0</td><td>3,5</td>' in html
    assert '<th scope="row">Toulouse Nord</th><td>1</td><td>1</td><td>100,0</td><td>100,0</td><td>5,0</td>' in html
    assert '<th scope="row">EduLAB</th><td>2</td>' in html


def test_the_mail_template_only_adds_the_link(session):
    text = Path("helpdesk/notifications/templates/notifications/mail/ticket_resolved.txt").read_text(encoding="utf-8")
    assert "satisfaction_link(ticket)" in text
