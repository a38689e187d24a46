"""The article page: no raw search tags, a proper plural for « found this useful », « Non » asks what was missing
(stored, shown to editors only)."""

import html
import re

from helpdesk.users.models import Profile, Role
from kb.models import ArticleFeedback
from tests.factories import ArticleFactory, UserFactory


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_article_page_shows_no_search_tags_and_counts_people_properly(client, session):
    ArticleFactory(slug="a", title="Titre", tags=["mdp oublie", "pwd"], votes_yes=0)
    ArticleFactory(slug="b", title="Autre", votes_yes=1)
    ArticleFactory(slug="c", title="Encore", votes_yes=3)
    session.commit()
    page = client.get("/faq/a").get_data(as_text=True)
    assert "mdp oublie" not in page and "pwd" not in page
    assert "personne(s)" not in page and "Personne n'a encore indiqué que cette réponse l'avait aidé." in _text(page)
    assert "1 personne a trouvé cette réponse utile." in _text(client.get("/faq/b").get_data(as_text=True))
    assert "3 personnes ont trouvé cette réponse utile." in _text(client.get("/faq/c").get_data(as_text=True))


def test_no_asks_what_was_missing_and_stores_it_for_editors(client, session, login_as):
    article = ArticleFactory(slug="a", title="Titre")
    session.commit()
    response = client.post("/faq/a/vote", data={"helpful": "non"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Qu'est-ce qui vous a manqué dans cette réponse ?" in _text(page) and 'maxlength="500"' in page
    too_long = client.post("/faq/a/remarque", data={"comment": "x" * 501})
    assert too_long.status_code == 400 and "x" * 501 in too_long.get_data(as_text=True)  # the text is kept
    client.post("/faq/a/remarque", data={"comment": "Il manque le chemin pour les lycées agricoles."})
    assert session.query(ArticleFeedback).one().comment == "Il manque le chemin pour les lycées agricoles."
    assert "Qu'est-ce qui vous a manqué" not in _text(client.get("/faq/a").get_data(as_text=True))  # asked once
    # Readers never see the remarks; editors do, on the article's edit page and as a count in the list.
    assert "lycées agricoles" not in client.get("/faq/a").get_data(as_text=True)
    login_as(UserFactory(roles=[Role.EDULAB], profile=Profile.PERSONNEL_ACADEMIQUE))
    assert "Il manque le chemin pour les lycées agricoles." in client.get(f"/faq/{article.slug}/modifier").get_data(as_text=True)
    assert 'href="/faq/a/modifier#remarques">1</a>' in client.get("/faq/gestion").get_data(as_text=True)


def test_remark_without_a_no_vote_is_ignored(client, session):
    ArticleFactory(slug="a", title="Titre")
    session.commit()
    client.post("/faq/a/remarque", data={"comment": "spam"})
    assert session.query(ArticleFeedback).count() == 0


def test_empty_remark_stores_nothing(client, session):
    ArticleFactory(slug="a", title="Titre")
    session.commit()
    client.post("/faq/a/vote", data={"helpful": "non"})
    assert client.post("/faq/a/remarque", data={"comment": "  "}).status_code == 302
    assert session.query(ArticleFeedback).count() == 0
