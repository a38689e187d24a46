"""The ticket page: who sees what, the actions each role gets, conflicts on stale forms, the audit trail."""

import html
from datetime import timedelta

from sqlalchemy import update

from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket
from tests.factories import AttachmentFactory


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _open(session, chain, **kw):
    ticket = services.open_ticket(
        session,
        actor=chain["teacher"],
        keyword=kw.pop("keyword", chain["keyword"]),
        subject=kw.pop("subject", "Agenda vide"),
        description=kw.pop("description", "Plus aucune date"),
        now=utcnow(),
        **kw,
    )
    session.commit()
    return ticket


def test_referent_of_another_basin_cannot_see_the_ticket_nor_its_file(chain, login_as, session, client):
    ticket = _open(session, chain)
    attachment = AttachmentFactory(ticket=ticket)
    session.commit()
    login_as(chain["other_edulab"])
    assert client.get(f"/tickets/{ticket.reference}").status_code == 404
    assert client.get(f"/tickets/{ticket.reference}/pieces-jointes/{attachment.id}").status_code == 404
    assert client.post(f"/tickets/{ticket.reference}/actions/take", data={"version": ticket.version}).status_code == 404
    assert ticket.reference not in text(client.get("/tickets/file?niveau=edulab"))


def test_internal_notes_are_hidden_from_the_requester(chain, login_as, session, client):
    ticket = _open(session, chain)
    services.add_message(
        session, ticket, actor=chain["edulab"], body="Voir avec l'éditeur, ancien bug", now=utcnow(), internal=True
    )
    services.add_message(session, ticket, actor=chain["edulab"], body="Pouvez-vous vider le cache ?", now=utcnow())
    session.commit()
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "Pouvez-vous vider le cache ?" in page and "ancien bug" not in page and "Note interne" not in page
    login_as(chain["edulab"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "ancien bug" in page and "hd-message--internal" in page


def test_stale_form_gets_a_conflict_with_the_newer_state(chain, login_as, session, client):
    ticket = _open(session, chain)
    stale = ticket.version
    services.change_status(session, ticket, "taken", actor=chain["edulab"], now=utcnow())
    session.commit()
    login_as(chain["edulab"])
    response = client.post(f"/tickets/{ticket.reference}/actions/resolve", data={"version": stale, "reason": "Cache vidé"})
    page = text(response)
    assert response.status_code == 409 and "modifié par quelqu'un d'autre" in page
    assert "Pris en charge" in page and "Cache vidé" in page  # newer state shown, typed reason kept
    session.expire_all()
    assert session.get(Ticket, ticket.id).status == "taken"


def test_concurrent_write_detected_by_the_database_is_a_conflict(chain, login_as, session, client, monkeypatch):
    """Two requests passed the version check at once: the second UPDATE hits StaleDataError, never overwrites."""
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    original = services.change_status

    def racing(session_, ticket_, *args, **kwargs):
        with session_.get_bind().connect() as other:  # another request commits in between
            other.execute(update(Ticket).where(Ticket.id == ticket_.id).values(version=Ticket.version + 1))
            other.commit()
        return original(session_, ticket_, *args, **kwargs)

    monkeypatch.setattr(services, "change_status", racing)
    response = client.post(f"/tickets/{ticket.reference}/actions/take", data={"version": ticket.version})
    assert response.status_code == 409 and "modifié par quelqu'un d'autre" in text(response)


def test_escalation_without_reason_keeps_the_page_and_explains(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    response = client.post(f"/tickets/{ticket.reference}/actions/escalate", data={"version": ticket.version, "reason": " "})
    assert response.status_code == 400 and "Le motif de l'escalade est obligatoire." in text(response)


def test_full_chain_through_the_pages_with_audit_trail(chain, login_as, session, client):
    ticket = _open(session, chain)
    ref = ticket.reference

    def act(user, action, **data):
        login_as(user)
        version = session.get(Ticket, ticket.id).version
        response = client.post(f"/tickets/{ref}/actions/{action}", data={"version": version, **data})
        assert response.status_code == 302, text(response)[-3000:]
        client.get(response.headers["Location"])  # shows (and consumes) the confirmation message
        session.expire_all()

    act(chain["edulab"], "take")
    act(chain["edulab"], "note", body="Reproduit sur deux postes")
    act(chain["edulab"], "escalate", reason="Export STSweb correct, toujours vide")
    act(chain["pilote"], "escalate", reason="Bug reproduit en recette", as_bug="1", vendor_reference="KOS-4242")
    act(chain["editeur"], "reply", body="Correctif prévu en 4.12")
    act(chain["editeur"], "send_down", reason="Corrigé en 4.12")
    act(chain["pilote"], "resolve", reason="Correctif éditeur déployé")
    act(chain["teacher"], "confirm")
    ticket = session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.tier, ticket.type, ticket.vendor_reference) == ("closed", "pilote", "bug", "KOS-4242")
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ref}"))
    for expected in (
        "Export STSweb correct, toujours vide",
        "Bug reproduit en recette",
        "Corrigé en 4.12",
        "Correctif éditeur déployé",
        "Escalade",
        "Renvoi au niveau inférieur",
        "EduLAB → Équipe pilote",
        "Équipe pilote → Éditeur",
        "Résolu → Clos",
    ):
        assert expected in page, expected
    assert "Reproduit sur deux postes" not in page and "Note interne" not in page


def test_wait_for_propagation_records_the_date(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    until = (utcnow() + timedelta(days=2)).date().isoformat()
    response = client.post(
        f"/tickets/{ticket.reference}/actions/wait_propagation", data={"version": ticket.version, "until": until}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Ticket, ticket.id).extra_fields["propagation_until"] == until
    assert until in text(client.get(f"/tickets/{ticket.reference}"))


def test_change_keyword_records_misrouting_on_the_dashboard(chain, login_as, session, client):
    from helpdesk.reports import rollups

    ticket = _open(session, chain)
    login_as(chain["edulab"])
    response = client.post(
        f"/tickets/{ticket.reference}/actions/change_keyword",
        data={"version": ticket.version, "keyword": "mot-de-passe-oublie", "reason": "C'est un mot de passe"},
    )
    assert response.status_code == 302
    _open(session, chain)
    rollups.refresh(session, now=utcnow())
    session.commit()
    login_as(chain["pilote"])
    page = text(client.get("/pilotage/chiffres/orientation"))
    assert '<th scope="row">agenda de rubrique vide</th><td>2</td><td>1</td><td>50,0</td>' in page


def test_requester_lists_and_school_list(chain, login_as, session, client):
    own = _open(session, chain, subject="Mon agenda")
    other = services.open_ticket(
        session, actor=chain["colleague"], keyword=chain["keyword"], subject="Agenda du collègue", description="x", now=utcnow()
    )
    session.commit()
    login_as(chain["teacher"])
    mine = text(client.get("/tickets/mes-tickets"))
    assert own.reference in mine and other.reference not in mine
    assert 'href="/tickets/mon-etablissement"' not in mine
    assert client.get("/tickets/mon-etablissement").status_code == 403
    _logout(client)
    login_as(chain["head"])
    home = text(client.get("/"))
    assert "Tickets de l'établissement" in home and 'href="/tickets/mon-etablissement"' in home  # button and menu
    school = text(client.get("/tickets/mon-etablissement"))
    assert own.reference in school and other.reference in school


def test_evolution_inventory_groups_duplicates_and_counts_schools(chain, login_as, session, client):
    from tests.factories import KeywordFactory, SchoolFactory, UserFactory

    keyword = KeywordFactory(label="évolution agenda", tier="pilote", ticket_type="evolution", service="rubriques")
    other_teacher = UserFactory(school=SchoolFactory(basin=chain["basin"]))
    first = _open(session, chain, keyword=keyword, subject="Agenda partagé")
    second = services.open_ticket(
        session, actor=other_teacher, keyword=keyword, subject="Partager l'agenda", description="x", now=utcnow()
    )
    session.commit()
    login_as(chain["pilote"])
    assert (
        client.post(
            f"/tickets/{second.reference}/actions/duplicate", data={"version": second.version, "duplicate_of": first.reference}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/tickets/{first.reference}/actions/evolution_status",
            data={"version": session.get(Ticket, first.id).version, "evolution_status": "planned"},
        ).status_code
        == 302
    )
    page = text(client.get("/tickets/evolutions"))
    assert first.reference in page and "Planifiée" in page and "<td>2</td>" in page
    login_as(chain["editeur"])  # the vendor only sees what reached it
    assert first.reference not in text(client.get("/tickets/evolutions"))
    assert client.get(f"/tickets/{first.reference}").status_code == 404


def test_reopen_needs_a_reason_and_keeps_the_page(chain, login_as, session, client):
    ticket = _open(session, chain)
    services.change_status(session, ticket, "resolved", actor=chain["edulab"], now=utcnow(), reason="Cache vidé")
    session.commit()
    login_as(chain["teacher"])
    refused = client.post(f"/tickets/{ticket.reference}/actions/reopen", data={"version": ticket.version, "reason": ""})
    assert refused.status_code == 400 and "Expliquez pourquoi le problème n'est pas résolu." in text(refused)
    accepted = client.post(
        f"/tickets/{ticket.reference}/actions/reopen", data={"version": ticket.version, "reason": "Toujours vide"}
    )
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Ticket, ticket.id).status == "taken"


def test_internal_attachment_is_not_served_to_the_requester(chain, login_as, session, client):
    ticket = _open(session, chain)
    internal = AttachmentFactory(ticket=ticket, is_internal=True, uploader_id=chain["edulab"].id)
    session.commit()
    login_as(chain["teacher"])
    assert client.get(f"/tickets/{ticket.reference}/pieces-jointes/{internal.id}").status_code == 404
    assert "capture.png" not in text(client.get(f"/tickets/{ticket.reference}"))


def test_requester_cannot_act_as_an_agent(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "Prendre en charge" not in page and "Note interne" not in page and "Escalader" not in page
    response = client.post(f"/tickets/{ticket.reference}/actions/resolve", data={"version": ticket.version, "reason": "moi"})
    assert response.status_code == 403
    response = client.post(f"/tickets/{ticket.reference}/actions/note", data={"version": ticket.version, "body": "secret"})
    assert response.status_code == 403


def _logout(client):
    from flask import g

    client.post("/deconnexion")
    g.pop("_login_user", None)


def test_waiting_status_reads_from_each_side_and_missed_deadlines_are_flagged(chain, login_as, session, client):
    ticket = _open(session, chain)
    services.change_status(session, ticket, "waiting_requester", actor=chain["edulab"], now=utcnow())
    late = _open(session, chain, subject="Agenda toujours vide")
    session.execute(update(Ticket).where(Ticket.id == late.id).values(resolution_due_at=utcnow() - timedelta(hours=2)))
    session.commit()

    login_as(chain["teacher"])
    assert "En attente de votre réponse" in text(client.get(f"/tickets/{ticket.reference}"))
    assert "En attente de votre réponse" in text(client.get("/tickets/mes-tickets"))
    _logout(client)

    login_as(chain["edulab"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "En attente du demandeur" in page and "En attente de votre réponse" not in page
    queue = text(client.get("/tickets/file?niveau=edulab"))
    assert queue.count("Dépassée") == 1
    assert "Dépassée" in text(client.get(f"/tickets/{late.reference}"))
    services.change_status(session, late, "resolved", actor=chain["edulab"], now=utcnow(), reason="Agenda republié")
    session.commit()
    assert "Dépassée" not in text(client.get(f"/tickets/{late.reference}"))  # a closed promise is no longer late


def test_a_ticket_held_by_another_tier_says_so_instead_of_an_empty_actions_box(chain, login_as, session, client):
    ticket = _open(session, chain)  # an EduLAB keyword
    login_as(chain["n1"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "Aucune action de votre part sur ce ticket : il est suivi par « EduLAB »." in page
    _logout(client)
    login_as(chain["edulab"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "Prendre en charge" in page and "Aucune action de votre part" not in page
