"""Canned replies: written by the pilot team and EduLAB with their history, refused when a placeholder would stay
unfilled, offered on the tickets of their keyword or service and inserted in the reply box (htmx and without
JavaScript)."""

import html

import pytest

from helpdesk.answers import services
from helpdesk.answers.models import CannedReply
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import services as tickets
from tests.factories import ArticleFactory, KeywordFactory


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _save(session, actor, reply=None, **kw):
    fields = {"title": "Vider le cache", "body": "Bonjour {demandeur}, voir {faq:vider-cache}.", "service": "", "keyword": ""}
    fields.update(kw)
    saved = services.save(session, reply, actor=actor, now=utcnow(), **fields)
    session.commit()
    return saved


@pytest.fixture
def article(session):
    found = ArticleFactory(slug="vider-cache", title="Vider le cache du navigateur")
    session.commit()
    return found


def _open(session, chain):
    ticket = tickets.open_ticket(session, actor=chain["teacher"], keyword=chain["keyword"], subject="Agenda vide",
                                 description="Plus de dates", now=utcnow(), extra_fields={"rubrique": "Sport"})  # fmt: skip
    session.commit()
    return ticket


def test_unknown_placeholders_and_unpublished_articles_are_refused_at_save_time(chain, session, article):
    with pytest.raises(ValidationFailed) as refused:
        _save(session, chain["pilote"], body="Bonjour {nom} {prenom}, merci.")
    assert "{nom}, {prenom}" in refused.value.message and "{demandeur}" in refused.value.message
    session.rollback()
    with pytest.raises(ValidationFailed) as refused:
        _save(session, chain["pilote"], body="Voir {faq:introuvable}")
    assert "introuvable" in refused.value.message
    session.rollback()
    assert session.query(CannedReply).count() == 0


def test_only_the_pilot_team_and_edulab_manage_them(chain, session, article):
    for name in ("teacher", "n1", "editeur"):
        with pytest.raises(NotAllowed):
            _save(session, chain[name])
        session.rollback()
    assert _save(session, chain["edulab"]).id


def test_offered_by_keyword_then_service_then_for_all(chain, session, article):
    other = KeywordFactory(service="messagerie", slug="boite-pleine", label="boîte pleine")
    session.commit()
    general = _save(session, chain["pilote"], title="Générale")
    by_service = _save(session, chain["pilote"], title="Service rubriques", service="rubriques")
    by_keyword = _save(session, chain["pilote"], title="Ce mot-clé", keyword=chain["keyword"].slug)
    _save(session, chain["pilote"], title="Autre service", keyword=other.slug)
    _save(session, chain["pilote"], title="Retirée", is_active=False)
    ticket = _open(session, chain)
    assert services.for_ticket(session, ticket, actor=chain["edulab"]) == [by_keyword, by_service, general]
    assert services.for_ticket(session, ticket, actor=chain["teacher"]) == []
    text_ = services.expand_for(session, by_keyword.id, ticket, actor=chain["edulab"], faq_base="https://assistance.example/faq")
    assert (
        text_ == "Bonjour Camille Enseignante, voir [Vider le cache du navigateur](https://assistance.example/faq/vider-cache)."
    )


def test_manage_page_keeps_the_text_on_error_and_shows_the_history(chain, session, client, login_as, article):
    login_as(chain["pilote"])
    assert client.get("/reponses-types/").status_code == 200
    refused = client.post("/reponses-types/nouvelle", data={"title": "Cache", "body": "Bonjour {client} !", "is_active": "on"})
    assert refused.status_code == 400
    page = text(refused)
    assert "Bonjour {client} !" in page and "Champ(s) à remplacer inconnu(s) : {client}" in page
    created = client.post("/reponses-types/nouvelle", data={"title": "Cache", "body": "Bonjour {demandeur} !", "is_active": "on"})
    assert created.status_code == 302
    reply = session.query(CannedReply).one()
    client.post(f"/reponses-types/{reply.id}", data={"title": "Cache vidé", "body": "Bonjour {demandeur} !", "is_active": "on"})
    page = text(client.get(f"/reponses-types/{reply.id}"))
    assert "Historique" in page and "Charlie Pilote" in page and "Cache vidé" in page and page.count("hd-audit-entry") == 2
    login_as(chain["teacher"])
    assert client.get("/reponses-types/").status_code == 403
    assert client.get(f"/reponses-types/{reply.id}").status_code == 403


def test_insertion_without_javascript_and_with_htmx(chain, session, client, login_as, article):
    reply = _save(session, chain["pilote"], body="Bonjour {demandeur}, votre demande {reference}.")
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert 'id="reponse_type"' in page and "Vider le cache" in page
    filled = text(client.get(f"/tickets/{ticket.reference}?reponse_type={reply.id}"))
    assert f"Bonjour Camille Enseignante, votre demande {ticket.reference}.</textarea>" in filled
    fragment = client.get(f"/tickets/{ticket.reference}/reponse-type", query_string={"reponse_type": reply.id, "body": "Merci."},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert fragment.status_code == 200
    assert f"Merci.\n\nBonjour Camille Enseignante, votre demande {ticket.reference}.</textarea>" in text(fragment)
    assert "<html" not in text(fragment)
    assert client.get(f"/tickets/{ticket.reference}?reponse_type=999999").status_code == 404
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert 'id="reponse_type"' not in page
    assert client.get(f"/tickets/{ticket.reference}/reponse-type?reponse_type={reply.id}").status_code == 403
