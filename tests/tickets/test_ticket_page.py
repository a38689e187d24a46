"""The ticket page: who sees what, the actions each role gets, conflicts on stale forms, the audit trail."""

import html
from datetime import timedelta

from sqlalchemy import update

from helpdesk.platform.timeutil import PARIS, utcnow
from helpdesk.tickets import conversation, lifecycle, services
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import Move
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
    conversation.post_message(
        session, ticket, MessageKind.NOTE, actor=chain["edulab"], body="Voir avec l'éditeur, ancien bug", now=utcnow()
    )
    lifecycle.take(session, ticket, actor=chain["edulab"], now=utcnow())
    conversation.post_message(
        session, ticket, MessageKind.REPLY, actor=chain["edulab"], body="Pouvez-vous vider le cache ?", now=utcnow()
    )
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
    lifecycle.take(session, ticket, actor=chain["edulab"], now=utcnow())
    session.commit()
    login_as(chain["edulab"])
    response = client.post(f"/tickets/{ticket.reference}/actions/resolve", data={"version": stale, "solution": "Cache vidé"})
    page = text(response)
    assert response.status_code == 409 and "modifié par quelqu'un d'autre" in page
    assert "Pris en charge" in page and "Cache vidé" in page  # newer state shown, typed reason kept
    session.expire_all()
    assert session.get(Ticket, ticket.id).status == "taken"


def test_concurrent_write_detected_by_the_database_is_a_conflict(chain, login_as, session, client, monkeypatch):
    """Two requests passed the version check at once: the second UPDATE hits StaleDataError, never overwrites."""
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    original = lifecycle.take

    def racing(session_, ticket_, *args, **kwargs):
        with session_.get_bind().connect() as other:  # another request commits in between
            other.execute(update(Ticket).where(Ticket.id == ticket_.id).values(version=Ticket.version + 1))
            other.commit()
        return original(session_, ticket_, *args, **kwargs)

    monkeypatch.setattr(lifecycle, "take", racing)
    response = client.post(f"/tickets/{ticket.reference}/actions/take", data={"version": ticket.version})
    assert response.status_code == 409 and "modifié par quelqu'un d'autre" in text(response)


def test_escalation_without_reason_keeps_the_page_and_explains(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    response = client.post(f"/tickets/{ticket.reference}/actions/escalate", data={"version": ticket.version, "reason": " "})
    assert response.status_code == 400 and "Le champ « Motif de l'escalade » est obligatoire." in text(response)


def test_full_chain_through_the_pages_each_party_reads_its_part(chain, login_as, session, client):
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
    act(chain["edulab"], "wait_requester", question="Le problème touche-t-il toutes les classes ?")
    act(chain["teacher"], "reply", body="Oui, toutes les classes de 4e.")
    act(chain["edulab"], "note", body="Reproduit sur deux postes")
    act(chain["edulab"], "escalate", reason="Export STSweb correct, toujours vide")
    assert session.get(Ticket, ticket.id).status == "new"  # à prendre en charge at the pilot team
    act(chain["pilote"], "take")
    act(chain["pilote"], "transmit", reason="Bug reproduit en recette", as_bug="true", vendor_reference="KOS-4242")
    act(chain["editeur"], "take")
    act(chain["editeur"], "vendor_message", body="Correctif prévu en 4.12")
    act(chain["editeur"], "send_down", reason="Corrigé en 4.12")
    act(chain["pilote"], "take")
    act(chain["pilote"], "resolve", solution="Le correctif de l'éditeur est installé : l'agenda s'affiche de nouveau.")
    act(chain["teacher"], "confirm")
    ticket = session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.tier, ticket.type, ticket.vendor_reference) == ("closed", "pilote", "bug", "KOS-4242")

    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ref}"))
    shown = ("Le problème touche-t-il toutes les classes ?", "Oui, toutes les classes de 4e.", "l'agenda s'affiche de nouveau",
             "Solution apportée", "Demande close")  # fmt: skip
    for expected in shown:
        assert expected in page, expected
    hidden = ("Reproduit sur deux postes", "Export STSweb correct", "Bug reproduit en recette", "Correctif prévu",
              "Corrigé en 4.12", "Note interne", "KOS-4242", "Équipe pilote →", "Escaladé")  # fmt: skip
    for secret in hidden:
        assert secret not in page, secret
    _logout(client)

    login_as(chain["pilote"])
    page = text(client.get(f"/tickets/{ref}"))
    shown = ("Export STSweb correct, toujours vide", "Bug reproduit en recette", "Corrigé en 4.12", "Reproduit sur deux postes",
             "EduLAB → Équipe pilote", "Équipe pilote → Éditeur", "Note interne", "Échange avec l'éditeur", "Camille Enseignante")  # fmt: skip
    for expected in shown:
        assert expected in page, expected
    _logout(client)

    login_as(chain["editeur"])
    page = text(client.get(f"/tickets/{ref}"))
    assert "Bug reproduit en recette" in page and "Correctif prévu en 4.12" in page and 'id="read-only"' in page
    hidden = ("Reproduit sur deux postes", "Oui, toutes les classes", "Camille Enseignante", chain["teacher"].email,
              "Le problème touche-t-il", "l'agenda s'affiche de nouveau")  # fmt: skip
    for secret in hidden:
        assert secret not in page, secret
    refused = client.post(f"/tickets/{ref}/actions/vendor_message", data={"version": ticket.version, "body": "Encore moi"})
    assert refused.status_code == 403


def test_wait_for_propagation_records_the_date(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    day = (utcnow() + timedelta(days=2)).date()
    response = client.post(
        f"/tickets/{ticket.reference}/actions/wait_propagation",
        data={"version": ticket.version, "until": day.isoformat(), "message": "Vérifiez après-demain."},
    )
    assert response.status_code == 302
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.status == "waiting_propagation"
    assert ticket.waiting_until.astimezone(PARIS).date() == day  # the one home of the date: the ticket
    assert ticket.messages[-1].body == "Vérifiez après-demain." and ticket.messages[-1].audience == "public"
    assert "En attente jusqu'au" in text(client.get(f"/tickets/{ticket.reference}"))


def test_a_form_refused_keeps_what_was_typed(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    data = {"version": ticket.version, "until": "demain", "message": "Mon long message"}
    response = client.post(f"/tickets/{ticket.reference}/actions/wait_propagation", data=data)
    page = text(response)
    assert response.status_code == 400 and "AAAA-MM-JJ" in page and "Mon long message" in page
    response = client.post(f"/tickets/{ticket.reference}/actions/take", data={"version": "abc"})
    assert response.status_code == 400
    assert client.post(f"/tickets/{ticket.reference}/actions/inconnue", data={"version": 1}).status_code == 404


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
    lifecycle.resolve(session, ticket, actor=chain["edulab"], now=utcnow(), solution="Cache vidé")
    session.commit()
    login_as(chain["teacher"])
    refused = client.post(f"/tickets/{ticket.reference}/actions/reopen", data={"version": ticket.version, "reason": ""})
    assert refused.status_code == 400 and "« Ce qui ne fonctionne toujours pas » est obligatoire." in text(refused)
    accepted = client.post(
        f"/tickets/{ticket.reference}/actions/reopen", data={"version": ticket.version, "reason": "Toujours vide"}
    )
    assert accepted.status_code == 302
    session.expire_all()
    assert session.get(Ticket, ticket.id).status == "taken"


def test_internal_attachment_is_not_served_to_the_requester(chain, login_as, session, client):
    ticket = _open(session, chain)
    internal = AttachmentFactory(ticket=ticket, audience="internal", uploader_id=chain["edulab"].id)
    session.commit()
    login_as(chain["teacher"])
    assert client.get(f"/tickets/{ticket.reference}/pieces-jointes/{internal.id}").status_code == 404
    assert "capture.png" not in text(client.get(f"/tickets/{ticket.reference}"))


def test_requester_cannot_act_as_an_agent(chain, login_as, session, client):
    ticket = _open(session, chain)
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "Prendre en charge" not in page and "Note interne" not in page and "Escalader" not in page
    response = client.post(f"/tickets/{ticket.reference}/actions/resolve", data={"version": ticket.version, "solution": "moi"})
    assert response.status_code == 403
    response = client.post(f"/tickets/{ticket.reference}/actions/note", data={"version": ticket.version, "body": "secret"})
    assert response.status_code == 403


def _logout(client):
    from flask import g

    client.post("/deconnexion")
    g.pop("_login_user", None)


def test_waiting_status_reads_from_each_side_and_missed_deadlines_are_flagged(chain, login_as, session, client):
    ticket = _open(session, chain)
    lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=chain["edulab"], message="Une capture ?", now=utcnow())
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
    rows = [row for row in queue.split("<tr")[1:] if "Dépassée" in row]
    assert len(rows) == 1 and late.reference in rows[0]  # one overdue row (its badge shows twice: table, and phone)
    assert "Dépassée" in text(client.get(f"/tickets/{late.reference}"))
    lifecycle.resolve(session, late, actor=chain["edulab"], now=utcnow(), solution="Agenda republié")
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
