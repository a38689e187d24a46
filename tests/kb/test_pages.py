"""FAQ, article and glossary pages: sanitised rendering, glossary links, votes, views and audience rules."""

from helpdesk.users.models import Profile, Role
from kb.models import Article
from tests.factories import ArticleFactory, GlossaryTermFactory, UserFactory

HOSTILE = (
    "Avant <script>alert('x')</script> après.\n\n"
    "<img src=x onerror=alert(1)>\n\n"
    "[cliquez](javascript:alert(1)) et [ok](https://example.org)\n"
)


def test_article_body_is_sanitised(client, session):
    ArticleFactory(slug="piege", title="Piège", body_md=HOSTILE)
    session.commit()
    page = client.get("/faq/piege").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "onerror" not in page.lower().replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert 'href="javascript:' not in page
    assert 'href="https://example.org"' in page


def test_preview_strips_scripts_and_saves_nothing(client, session, login_as):
    login_as(UserFactory(roles=[Role.PILOTE], profile=Profile.PERSONNEL_ACADEMIQUE))
    response = client.post(
        "/faq/gestion/nouveau",
        data={"title": "Aperçu", "service": "messagerie", "audience": "public", "body_md": HOSTILE, "action": "preview"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Aperçu (non enregistré)" in page
    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert session.query(Article).count() == 0


def test_glossary_term_is_linked_at_first_occurrence_only(client, session):
    GlossaryTermFactory(term="GAR", anchor="gar", expansion="Gestionnaire d'accès aux ressources")
    ArticleFactory(slug="gar-article", body_md="Le GAR ouvre les ressources. Encore le GAR. Il faut garder ça.")
    session.commit()
    page = client.get("/faq/gar-article").get_data(as_text=True)
    assert page.count('href="/glossaire#gar"') == 1
    assert "garder" in page


def test_anonymous_never_reads_an_agents_only_article(client, session):
    ArticleFactory(slug="interne", title="Procédure interne niveau 1", audience="agents", body_md="Procédure interne")
    session.commit()
    assert client.get("/faq/interne").status_code == 404
    assert "Procédure interne" not in client.get("/faq?q=procedure+interne").get_data(as_text=True)
    assert client.get("/api/v1/kb/search?q=procedure%20interne").get_json()["results"] == []


def test_agent_reads_agents_only_article(client, session, login_as):
    ArticleFactory(slug="interne", title="Procédure interne niveau 1", audience="agents")
    login_as(UserFactory(roles=[Role.AGENT_N1], profile=Profile.AUTRE))
    assert client.get("/faq/interne").status_code == 200
    assert "Procédure interne niveau 1" in client.get("/faq?q=procedure+interne").get_data(as_text=True)


def test_draft_is_hidden_from_readers(client, session):
    ArticleFactory(slug="brouillon", title="Brouillon secret", status="draft")
    session.commit()
    assert client.get("/faq/brouillon").status_code == 404
    assert "Brouillon secret" not in client.get("/faq?q=brouillon+secret").get_data(as_text=True)


def test_vote_counts_once_per_session_and_views_are_counted(client, session):
    article = ArticleFactory(slug="utile")
    session.commit()
    client.get("/faq/utile")
    client.get("/faq/utile")
    client.post("/faq/utile/vote", data={"helpful": "oui"})
    client.post("/faq/utile/vote", data={"helpful": "oui"})
    session.refresh(article)
    assert (article.views, article.votes_yes, article.votes_no) == (2, 1, 0)
    page = client.get("/faq/utile").get_data(as_text=True)
    assert "votre avis sur cette réponse a été pris en compte" in page


def test_vote_without_an_answer_is_refused_politely(client, session):
    ArticleFactory(slug="utile")
    session.commit()
    response = client.post("/faq/utile/vote", data={}, follow_redirects=True)
    assert "Choisissez « Oui » ou « Non »" in response.get_data(as_text=True)


def test_search_page_shows_glossary_card_and_did_you_mean(client, session):
    GlossaryTermFactory(term="EDT", anchor="edt", expansion="Emploi du temps", definition="Planning des cours.")
    ArticleFactory(slug="import-edt", title="Importer l'emploi du temps", body_md="Importer le fichier de l'emploi du temps.")
    session.commit()
    page = client.get("/faq?q=edt").get_data(as_text=True)
    assert "Planning des cours." in page and "Importer l&#39;emploi du temps" in page
    page = client.get("/faq?q=importr+emploi").get_data(as_text=True)
    assert "Vouliez-vous dire" in page and "importer emploi" in page


def test_glossary_page_lists_terms_with_anchors(client, session):
    GlossaryTermFactory(term="Aréna", anchor="arena", definition="Portail des applications.")
    GlossaryTermFactory(term="Pix", anchor="pix", definition="Certification.")
    session.commit()
    page = client.get("/glossaire").get_data(as_text=True)
    assert 'id="arena"' in page and 'href="#lettre-A"' in page and 'id="lettre-P"' in page


def test_browse_by_service_lists_articles(client, session):
    ArticleFactory(slug="m1", title="Signature de messagerie", service="messagerie")
    session.commit()
    page = client.get("/faq?service=messagerie").get_data(as_text=True)
    assert "Signature de messagerie" in page


def test_articles_for_facts_respects_status_audience_and_overlap(session):
    from kb.models import Article, ArticleFact
    from kb.services import articles_for_facts
    from tests.factories import UserFactory

    def article(slug, facts, **extra):
        row = Article(
            slug=slug,
            title=slug,
            service="comptes_annuaire",
            status=extra.get("status", "published"),
            audience=extra.get("audience", "public"),
        )
        session.add(row)
        session.flush()
        session.add_all(ArticleFact(article_id=row.id, fact=fact) for fact in facts)
        return row

    both = article("les-deux", ["F01", "F02"])
    one = article("un-seul", ["F02"])
    article("brouillon", ["F01"], status="draft")
    agents_only = article("agents", ["F01"], audience="agents")
    article("autre-fait", ["F99"])
    session.commit()
    assert articles_for_facts(session, ["F01", "F02"], actor=None) == [both, one]
    assert articles_for_facts(session, [], actor=None) == []
    agent = UserFactory(roles=["agent_n1"])
    assert agents_only in articles_for_facts(session, ["F01"], actor=agent)


def test_seed_links_each_article_to_its_facts_once(session):
    from sqlalchemy import func, select

    from kb.models import ArticleFact
    from kb.seed import load_articles

    load_articles(session)
    load_articles(session)
    session.commit()
    total = session.scalar(select(func.count()).select_from(ArticleFact))
    assert total >= 60
    session.query(ArticleFact).delete()  # an installation seeded before facts were stored
    session.commit()
    load_articles(session)
    session.commit()
    assert session.scalar(select(func.count()).select_from(ArticleFact)) == total
