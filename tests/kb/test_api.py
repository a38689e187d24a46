"""The public KB API: result shape, audience rules through tokens, bad parameters, and hostile queries."""

import json

import pytest
from flask import g

from helpdesk.users.models import Profile, Role
from helpdesk.users.services import issue_api_token
from kb import indexing
from kb.jobs import refresh_index
from kb.text import MAX_QUERY_CHARS
from tests.factories import ArticleFactory, GlossaryTermFactory, UserFactory


@pytest.fixture
def content(session):
    public = ArticleFactory(
        slug="rss",
        title="Ajouter un flux RSS à sa page personnelle",
        tags=["rss"],
        body_md="Ajoutez un bloc de flux RSS sur votre page d'accueil personnelle.",
    )
    staff = ArticleFactory(slug="visa", title="Viser le cahier de textes", audience="heads", body_md="Le visa fige les séances.")
    agents = ArticleFactory(
        slug="interne", title="Consignes internes sur le visa", audience="agents", body_md="Ne jamais débloquer un visa."
    )
    GlossaryTermFactory(term="RSS", anchor="rss", expansion="Really Simple Syndication", definition="Format de flux.")
    session.commit()
    return public, staff, agents


def test_search_returns_results_in_the_documented_shape(client, content):
    data = client.get("/api/v1/kb/search?q=flux%20rss&limit=5").get_json()
    assert data["suggestion"] is None
    first = data["results"][0]
    assert set(first) >= {"kind", "id", "title", "snippet", "url", "score"}
    assert first["kind"] == "faq" and first["url"] == "http://testserver/faq/rss" and "<mark>" in first["snippet"]
    assert any(r["kind"] == "glossary" and r["url"].endswith("/glossaire#rss") for r in data["results"])


def test_anonymous_api_never_gets_agents_only_and_token_widens(client, session, content):
    public, staff, agents = content
    anonymous = {r["id"] for r in client.get("/api/v1/kb/search?q=visa").get_json()["results"] if r["kind"] == "faq"}
    assert anonymous == {staff.id}  # staff articles are readable by anyone searching the FAQ; agents-only are not
    assert client.get(f"/api/v1/kb/articles/{staff.id}").status_code == 200
    assert client.get(f"/api/v1/kb/articles/{agents.id}").get_json() == {
        "error": "Article introuvable.",
        "detail": "Article introuvable.",
    }
    assert client.get(f"/api/v1/kb/articles/{public.id}").get_json()["slug"] == "rss"

    head = UserFactory(profile=Profile.CHEF_ETABLISSEMENT)
    token = issue_api_token(session, head, "tests")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    g.pop("api_token", None)  # requests share the test's app context, hence its g: forget the anonymous caller
    ids = {r["id"] for r in client.get("/api/v1/kb/search?q=visa", headers=headers).get_json()["results"] if r["kind"] == "faq"}
    assert ids == {staff.id}
    assert client.get(f"/api/v1/kb/articles/{staff.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/kb/articles/{agents.id}", headers=headers).status_code == 404

    agent = UserFactory(roles=[Role.AGENT_N1], profile=Profile.AUTRE)
    token = issue_api_token(session, agent, "tests")
    session.commit()
    g.pop("api_token", None)
    ids = {
        r["id"]
        for r in client.get("/api/v1/kb/search?q=visa", headers={"Authorization": f"Bearer {token}"}).get_json()["results"]
    }
    assert agents.id in ids


@pytest.mark.parametrize("limit", ["abc", "0", "51", "-3", "2.5"])
def test_bad_limit_is_a_400_with_a_french_message(client, limit):
    response = client.get("/api/v1/kb/search", query_string={"q": "rss", "limit": limit})
    assert response.status_code == 400 and "limit" in response.get_json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        '"flux rss',
        "title:* OR OR",
        "OR OR AND NOT",
        "rss" * 1200,  # past MAX_QUERY_CHARS, within the URL limit (a longer address is a 414, tested below)
        "😀🔥 flux 💥 rss",
        "*?~^[]{}()",
        "\x1f\x07 rss",
        "<script>alert(1)</script> rss",
        "a " * 1800,
        "",
    ],
)
def test_hostile_queries_never_error_nor_crawl(client, content, query):
    # Latency is measured by bench/kb_search.py; here, what bounds the work is that only the first
    # MAX_QUERY_CHARS characters are ever searched, so a huge query answers exactly like its prefix.
    response = client.get("/api/v1/kb/search", query_string={"q": query})
    assert response.status_code == 200
    prefix = client.get("/api/v1/kb/search", query_string={"q": query[:MAX_QUERY_CHARS]})
    assert response.get_json()["results"] == prefix.get_json()["results"]
    assert "<script>" not in response.get_data(as_text=True)
    page = client.get("/faq", query_string={"q": query})
    assert page.status_code == 200 and "<script>alert" not in page.get_data(as_text=True)


def test_nul_and_over_long_queries_are_refused_precisely(client, content):
    nul = client.get("/api/v1/kb/search", query_string={"q": "\x00 rss"})
    assert nul.status_code == 400 and "caractère nul" in nul.get_json()["error"]
    too_long = client.get("/api/v1/kb/search", query_string={"q": "rss" * 3334})
    assert too_long.status_code == 414 and too_long.get_json()["error"]
    page = client.get("/faq", query_string={"q": "\x00 rss"})
    assert page.status_code == 400 and "caractère nul" in page.get_data(as_text=True)


def test_typo_gets_a_suggestion(client, content):
    data = client.get("/api/v1/kb/search?q=fluxx%20rsss%20personelle").get_json()
    assert data["suggestion"] and "personnelle" in data["suggestion"]
    assert data["results"][0]["id"] == content[0].id


def test_service_filter(client, content):
    assert client.get("/api/v1/kb/search?q=rss&service=pronote").get_json()["results"] == []
    assert client.get("/api/v1/kb/search?q=rss&service=messagerie").get_json()["results"]


def test_glossary_endpoint(client, content):
    terms = client.get("/api/v1/glossary").get_json()["terms"]
    assert terms[0]["term"] == "RSS" and terms[0]["url"].endswith("/glossaire#rss")


def test_reindex_command_rebuilds_with_a_progress_bar(app, session, content, tmp_path):
    result = app.test_cli_runner().invoke(args=["kb", "reindex"])
    assert result.exit_code == 0, result.output
    assert "4 documents indexés" in result.output
    assert indexing.node().index.applied_seq() == indexing.current_seq(session)


def test_refresh_job_applies_pending_changes(session, content):
    node = indexing.node()
    node.sync(session, force=True)
    ArticleFactory(slug="nouveau", title="Nouveauté du jour")
    session.commit()
    assert refresh_index() == indexing.current_seq(session)
    assert [h.slug for h in node.index.search("nouveaute", node.thesaurus, audiences={"public"}).hits] == ["nouveau"]


def test_search_survives_an_unusable_index_directory(app, client, content, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    app.config["KB_INDEX_DIR"] = str(blocker / "index")
    response = client.get("/api/v1/kb/search?q=rss")
    assert response.status_code == 200 and response.get_json()["results"] == []
    assert client.get("/faq?q=rss").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?",
        "!!!",
        "'",
        "-",
        "...",
        "l'",
        "qu'",
        "OR",
        '""',
        "title:",
        "*",
        # Long pastes, past MAX_QUERY_CHARS yet within the app's URL limit (8,000 characters once encoded).
        "mot de passe " * 500,
        "🙂" * 600,
        "\u200b",
        "é" * 1300,
    ],
)
def test_lone_punctuation_and_long_input_answer_normally(client, content, query):
    response = client.get("/api/v1/kb/search", query_string={"q": query})
    assert response.status_code == 200
    assert set(response.get_json()) >= {"results", "suggestion"}


def test_an_index_built_by_another_analyser_is_rebuilt(session, content):
    node = indexing.node()
    node.sync(session, force=True)
    state_file = node.index.path / "applied_seq.json"
    state = json.loads(state_file.read_text())
    state["analyzer"] = "an-older-stemmer"
    state_file.write_text(json.dumps(state))
    assert node.index.applied_seq() == -1
    node.sync(session, force=True)
    assert node.index.applied_seq() == indexing.current_seq(session)
    assert json.loads(state_file.read_text())["analyzer"] != "an-older-stemmer"


def test_did_you_mean_uses_only_words_the_reader_may_read(client, session, content):
    ArticleFactory(slug="brouillon", title="Procédure confidentielle", status="draft", body_md="Mot confidentiel.")
    ArticleFactory(slug="interne-2", title="Escalade", audience="agents", body_md="Le protocole quarantaine s'applique.")
    session.commit()
    for typo in ("quaranntaine", "confidenttiel"):  # words of an agents-only article and of a draft, mistyped
        data = client.get("/api/v1/kb/search", query_string={"q": typo}).get_json()
        assert not data["suggestion"] or "quarantaine" not in data["suggestion"] and "confidentiel" not in data["suggestion"]
    data = client.get("/api/v1/kb/search", query_string={"q": "fluxx"}).get_json()
    assert data["suggestion"] == "flux"  # a public word is still proposed


def test_the_thanks_page_names_only_an_article_the_reader_may_read(client, session, content):
    ArticleFactory(slug="brouillon-secret", title="Titre du brouillon secret", status="draft")
    session.commit()
    assert "Titre du brouillon secret" not in client.get("/faq/merci?slug=brouillon-secret").get_data(as_text=True)
    assert "Consignes internes" not in client.get("/faq/merci?slug=interne").get_data(as_text=True)
    assert "Ajouter un flux RSS" in client.get("/faq/merci?slug=rss").get_data(as_text=True)
