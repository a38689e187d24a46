"""Bulk actions and saved views of the queue page: each ticked ticket goes through its own action (policy, audit
trail, notifications), one result per ticket; a wrong shared input refuses the batch before any ticket changes."""

import html
import re

from sqlalchemy import select

from helpdesk.incidents.models import IncidentStatus
from helpdesk.notifications.models import Notification
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import saved_views
from helpdesk.tickets.models import SavedQueueView, Ticket, TicketEvent
from tests.factories import KeywordFactory, MajorIncidentFactory, TicketFactory, UserFactory


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def pick(*tickets, stale=()):
    return [f"{t.id}:{t.version + (1 if t in stale else 0)}" for t in tickets]


def _events(session, ticket, kind):
    return session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)).all()


def test_bulk_take_does_each_ticket_and_says_why_the_others_were_refused(chain, session, login_as, client):
    fresh = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject="Neuf")
    held = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject="Déjà pris", status="taken")
    stale = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject="Changé entre-temps")
    elsewhere = TicketFactory(requester=UserFactory(), keyword=chain["keyword"], subject="Autre bassin")
    session.commit()
    login_as(chain["edulab"])
    page = text(client.post("/tickets/file/lot?statut=open", data={"action": "take",
                                                                   "tickets": pick(fresh, held, stale, elsewhere, stale=[stale])}))  # fmt: skip
    results = page.split('id="bulk-results"')[1].split("</div>")[0]
    assert "1 fait(s) sur 4" in results
    done = results.split('class="bulk-done">')[1].split("</li>")[0]
    assert fresh.reference in done and "Ticket pris en charge." in done
    assert results.count("Refusé") == 3 and "Modifié par quelqu'un d'autre" in results and "introuvable" in results
    session.expire_all()
    assert session.get(Ticket, fresh.id).status == "taken" and session.get(Ticket, fresh.id).assignee_id == chain["edulab"].id
    assert session.get(Ticket, stale.id).status == "new" and session.get(Ticket, held.id).assignee_id is None
    taken = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == fresh.id)).all()
    assert [(e.from_value, e.to_value, e.actor_id) for e in taken if e.to_value == "taken"] == [
        ("new", "taken", chain["edulab"].id)
    ]


def test_bulk_resolve_writes_the_solution_to_each_requester_and_tells_them(chain, session, login_as, client):
    tickets = [TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], status="taken", assignee=chain["edulab"])
               for _ in range(3)]  # fmt: skip
    session.commit()
    before = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) or 0
    login_as(chain["edulab"])
    page = text(client.post("/tickets/file/lot?statut=open", data={"action": "resolve", "tickets": pick(*tickets),
                                                                   "solution": "Videz le cache du navigateur."}))  # fmt: skip
    assert "3 fait(s) sur 3" in page
    session.expire_all()
    for ticket in tickets:
        ticket = session.get(Ticket, ticket.id)
        assert ticket.status == "resolved" and not ticket.is_open
        assert any(m.body == "Videz le cache du navigateur." and m.kind == "solution" for m in ticket.messages)
    told = session.scalars(
        select(Notification).where(Notification.id > before, Notification.user_id == chain["teacher"].id)
    ).all()
    assert {n.ticket_id for n in told} >= {t.id for t in tickets}


def test_a_missing_solution_refuses_the_batch_before_any_ticket_changes(chain, session, login_as, client):
    ticket = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], status="taken", assignee=chain["edulab"])
    session.commit()
    login_as(chain["edulab"])
    response = client.post("/tickets/file/lot", data={"action": "resolve", "tickets": pick(ticket), "solution": ""})
    assert response.status_code == 400 and 'id="bulk-error"' in text(response)
    response = client.post("/tickets/file/lot", data={"action": "resolve", "solution": "Gardé"})
    assert response.status_code == 400 and "Cochez au moins un ticket." in text(response) and "Gardé</textarea>" in text(response)
    assert client.post("/tickets/file/lot", data={"action": "take", "tickets": ["1:x"]}).status_code == 400
    session.expire_all()
    assert session.get(Ticket, ticket.id).status == "taken"


def test_bulk_change_keyword_and_assign_go_through_their_own_rules(chain, session, login_as, client):
    other = KeywordFactory(service="pronote", tier="edulab", slug="pronote-synchro", label="synchronisation Pronote")
    colleague = UserFactory(school=None, roles=["edulab"], basins=[chain["basin"]], full_name="Sam EduLAB")
    a, b = (TicketFactory(requester=chain["teacher"], keyword=chain["keyword"]) for _ in range(2))
    session.commit()
    login_as(chain["edulab"])
    page = text(client.post("/tickets/file/lot?statut=open", data={"action": "change_keyword", "tickets": pick(a, b),
                                                                   "keyword": other.slug, "reason": "Synchro"}))  # fmt: skip
    assert "2 fait(s) sur 2" in page
    session.expire_all()
    assert {session.get(Ticket, t.id).service for t in (a, b)} == {"pronote"}
    assert len(_events(session, a, "keyword_changed")) == 1
    a, b = session.get(Ticket, a.id), session.get(Ticket, b.id)
    page = text(client.post("/tickets/file/lot?statut=open", data={"action": "assign", "tickets": pick(a, b),
                                                                   "assignee_id": colleague.id}))  # fmt: skip
    assert "2 fait(s) sur 2" in page
    session.expire_all()
    assert {session.get(Ticket, t.id).assignee_id for t in (a, b)} == {colleague.id}
    # The vendor is offered neither re-routing nor resolving.
    login_as(chain["editeur"])
    assert client.post("/tickets/file/lot", data={"action": "change_keyword", "tickets": pick(a), "keyword": "x",
                                                  "reason": "y"}).status_code == 403  # fmt: skip


def test_bulk_link_to_an_incident_attaches_each_ticket_once(chain, session, login_as, client):
    now = utcnow()
    incident = MajorIncidentFactory(status=IncidentStatus.CONFIRMED, confirmed_at=now, title="Rubriques indisponibles")
    other = MajorIncidentFactory(status=IncidentStatus.CONFIRMED, confirmed_at=now, title="Autre panne")
    a = TicketFactory(requester=chain["teacher"], keyword=chain["n1_keyword"])
    b = TicketFactory(requester=chain["teacher"], keyword=chain["n1_keyword"], incident_id=other.id)
    session.commit()
    login_as(chain["n1"])
    page = text(client.get("/tickets/file?statut=open"))
    assert "Rattacher à un incident de masse" in page and "Rubriques indisponibles" in page
    page = text(client.post("/tickets/file/lot?statut=open", data={"action": "link_incident", "tickets": pick(a, b),
                                                                   "incident_id": incident.id}))  # fmt: skip
    assert "1 fait(s) sur 2" in page and "déjà partie d'un autre incident" in page
    session.expire_all()
    assert session.get(Ticket, a.id).incident_id == incident.id and session.get(Ticket, b.id).incident_id == other.id
    assert len(_events(session, a, "incident_linked")) == 1
    assert client.post("/tickets/file/lot", data={"action": "link_incident", "tickets": pick(a)}).status_code == 400
    login_as(chain["edulab"])  # EduLAB does not manage mass incidents
    assert client.post("/tickets/file/lot", data={"action": "link_incident", "tickets": pick(a),
                                                  "incident_id": incident.id}).status_code == 403  # fmt: skip


def test_saved_views_are_kept_replayed_replaced_and_deleted_by_their_owner(chain, session, login_as, client):
    login_as(chain["edulab"])
    response = client.post(
        "/tickets/file/vues", data={"name": " Mes  retards ", "query": "statut=open&retard=1&apres=abc&x=1&tri=age"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/tickets/file?statut=open&retard=1&tri=age")
    page = text(client.get("/tickets/file?statut=open&retard=1&tri=age"))
    assert "Mes retards" in page and 'aria-current="true" data-domain-content>Mes retards' in page
    client.post("/tickets/file/vues", data={"name": "Mes retards", "query": "porteur=moi"})
    views = session.scalars(select(SavedQueueView)).all()
    assert [(v.name, v.query) for v in views] == [("Mes retards", "porteur=moi")]
    assert client.post("/tickets/file/vues", data={"name": "", "query": "q=x"}).status_code == 400
    login_as(chain["other_edulab"])
    assert "Mes retards" not in text(client.get("/tickets/file"))
    assert client.post(f"/tickets/file/vues/{views[0].id}/supprimer").status_code == 404
    login_as(chain["edulab"])
    assert client.post(f"/tickets/file/vues/{views[0].id}/supprimer").status_code == 302
    assert session.scalars(select(SavedQueueView)).all() == []


def test_clean_query_keeps_only_queue_parameters_in_a_stable_order():
    assert (
        saved_views.clean_query("tri=age&q=mot+de+passe&apres=zz&statut=open&bidule=1&bassin=")
        == "statut=open&q=mot+de+passe&tri=age"
    )


def test_queue_page_sorts_by_a_column_and_pages_back(chain, session, login_as, client):
    for i in range(30):
        TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject=f"Sujet {i:02d}",
                      priority=["low", "normal", "high", "urgent"][i % 4])  # fmt: skip
    session.commit()
    login_as(chain["edulab"])
    first = text(client.get("/tickets/file?tri=priorite&ordre=desc"))
    assert 'aria-sort="descending"' in first and "Page précédente</a>" in first and "30 tickets" in first
    next_url = first.split('fr-pagination__link--next fr-pagination__link--lg-label" href="')[1].split('"')[0]
    second = text(client.get(next_url))
    previous_url = second.split('fr-pagination__link--prev fr-pagination__link--lg-label" href="')[1].split('"')[0]
    back = text(client.get(previous_url))
    rows = lambda p: re.findall(r"<bdi[^>]*>(Sujet \d\d)</bdi>", p)  # noqa: E731
    assert rows(back) == rows(first) and len(rows(first)) == 25 and len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))
    assert client.get("/tickets/file?tri=inconnu").status_code == 400
    assert client.get("/tickets/file?apres=abc").status_code == 400


def test_the_bulk_api_does_what_the_page_does(chain, session, app, client):
    from helpdesk.users.services import issue_api_token

    raw = issue_api_token(session, chain["edulab"], "tests")
    fresh = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"])
    held = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], status="taken", assignee=chain["pilote"])
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = {"action": "take", "tickets": [{"reference": fresh.reference, "version": fresh.version},
                                          {"reference": held.reference, "version": held.version},
                                          {"reference": "ENT-1999-000001", "version": 1}]}  # fmt: skip
    with app.app_context():
        response = client.post("/api/v1/tickets/bulk", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert (data["done"], data["refused"]) == (1, 2)
    assert [r["done"] for r in data["results"]] == [True, False, False]
    assert data["results"][2]["message"] == "Ticket introuvable ou hors de votre portée."
    with app.app_context():  # the same call again: the version sent is stale now, nothing is done twice
        again = client.post("/api/v1/tickets/bulk", json=body, headers=headers).get_json()
    assert again["done"] == 0 and "Modifié par quelqu'un d'autre" in again["results"][0]["message"]
    with app.app_context():
        refused = client.post("/api/v1/tickets/bulk", json={"action": "resolve", "tickets": body["tickets"]}, headers=headers)
    assert refused.status_code == 400 and refused.get_json()["error"]
    with app.app_context():
        assert client.post("/api/v1/tickets/bulk", json={"action": "x", "tickets": []}, headers=headers).status_code == 400
        assert client.post("/api/v1/tickets/bulk", json={"action": "take", "tickets": []}, headers=headers).status_code == 400
        assert client.post("/api/v1/tickets/bulk", json={"action": "take", "tickets": "a"}, headers=headers).status_code == 400
