"""Suggestions beside the ticket form, the 'it solved my problem' deflection, and the agents' link picker."""

import re

from helpdesk.users.models import Profile, Role
from kb.models import Deflection
from tests.factories import ArticleFactory, UserFactory


def _articles():
    a = ArticleFactory(slug="mdp-parent", title="Un parent a oublié son mot de passe", body_md="Réinitialisez le mot de passe.")
    b = ArticleFactory(slug="mdp-prof", title="Un enseignant a oublié son mot de passe", body_md="Passez par EduConnect.")
    c = ArticleFactory(slug="mdp-eleve", title="Mot de passe élève perdu", body_md="Le professeur principal peut aider.")
    ArticleFactory(slug="signature", title="Signature de messagerie", body_md="Options de la messagerie.")
    return a, b, c


def test_suggestions_show_three_articles_and_the_ids_shown(client, session):
    a, b, c = _articles()
    session.commit()
    page = client.get("/faq/suggestions", query_string={"q": "mdp oublié", "keyword": "mot-de-passe"}).get_data(as_text=True)
    shown = re.search(r'name="suggested_article_ids" value="([^"]*)"', page).group(1)
    assert sorted(int(i) for i in shown.split(",")) == sorted([a.id, b.id, c.id])
    assert "Cela a résolu mon problème" in page and "<form" not in page and 'name="keyword"' not in page
    assert 'hx-vals=\'{"keyword": "mot-de-passe"}\'' in page and "X-CSRFToken" in page
    assert "/faq/signature" not in page


def test_suggestions_for_short_text_are_empty(client, session):
    _articles()
    session.commit()
    page = client.get("/faq/suggestions", query_string={"q": "m"}).get_data(as_text=True)
    assert 'value=""' in page and "<li" not in page


def test_deflection_is_counted_per_article_and_keyword(client, session, login_as):
    a, b, _ = _articles()
    session.commit()
    login_as(UserFactory(roles=[Role.REQUESTER]))
    response = client.post("/faq/mdp-parent/resolu", data={"keyword": "mot-de-passe"})
    assert response.status_code == 302 and "/faq/merci" in response.headers["Location"]
    client.post("/faq/mdp-parent/resolu", data={"keyword": "mot-de-passe"})
    client.post("/faq/mdp-prof/resolu", data={})
    rows = {(d.article_id, d.keyword_slug) for d in session.query(Deflection)}
    assert session.query(Deflection).filter_by(article_id=a.id, keyword_slug="mot-de-passe").count() == 2
    assert (b.id, None) in rows
    assert "été créé" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_deflection_through_htmx_redirects_the_page(client, session):
    a, _, _ = _articles()
    session.commit()
    response = client.post("/faq/mdp-parent/resolu", data={"keyword": "mdp"}, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/faq/merci")
    assert session.query(Deflection).filter_by(article_id=a.id, keyword_slug="mdp").count() == 1


def test_article_opened_from_the_ticket_form_offers_to_stop_there(client, session):
    _articles()
    session.commit()
    page = client.get("/faq/mdp-parent?depuis=ticket&keyword=mdp").get_data(as_text=True)
    assert 'action="/faq/mdp-parent/resolu"' in page and 'name="keyword" value="mdp"' in page
    assert 'action="/faq/mdp-parent/resolu"' not in client.get("/faq/mdp-parent").get_data(as_text=True)


def test_deflection_on_a_hidden_article_is_refused(client, session):
    ArticleFactory(slug="interne", audience="agents")
    session.commit()
    assert client.post("/faq/interne/resolu", data={}).status_code == 404
    assert session.query(Deflection).count() == 0


def test_picker_offers_one_click_links(client, session, login_as):
    _articles()
    login_as(UserFactory(roles=[Role.AGENT_N1], profile=Profile.AUTRE))
    page = client.get("/faq/picker", query_string={"q": "signature"}).get_data(as_text=True)
    assert 'data-insert-text="[Signature de messagerie](http://testserver/faq/signature)"' in page
    assert 'data-insert-into="reply-body"' in page and "Insérer le lien" in page


def test_ticket_page_helper_lists_the_suggested_articles(app, session, login_as, client):
    a, b, _ = _articles()
    hidden = ArticleFactory(slug="interne", audience="agents")
    session.commit()
    from kb import services

    requester = UserFactory(roles=[Role.REQUESTER])
    ids = f"{b.id},{hidden.id},x,{a.id}"
    assert [x.slug for x in services.articles_by_ids(session, ids, actor=requester)] == ["mdp-prof", "mdp-parent"]
    with app.test_request_context():
        html = app.jinja_env.get_template("kb/_article_links.html").render(
            article_ids=ids, kb_articles_by_ids=lambda i: services.articles_by_ids(session, i, actor=requester)
        )
    assert "Articles de FAQ proposés au demandeur" in html and "/faq/mdp-prof" in html and "/faq/interne" not in html
