"""Both ways between FAQ and diagnostics: a fix links the articles explaining its facts (test_walk_pages), and an
article links the diagnostics covering its facts."""

from kb.models import ArticleFact
from tests.factories import ArticleFactory


def test_article_links_the_diagnostic_covering_its_facts(client, session, seeded):
    article = ArticleFactory(slug="limite", title="Limite de 500 destinataires")
    session.add(ArticleFact(article_id=article.id, fact="F29"))
    session.commit()
    page = client.get("/faq/limite").get_data(as_text=True)
    block = page[page.index('data-testid="article-diagnostics"') :][:1500]
    assert 'href="/erreurs-frequentes/communication-ciblee"' in block
    assert 'href="/erreurs-frequentes/parametrage-messagerie"' in block


def test_every_fact_of_the_faq_has_a_diagnostic_and_every_cited_fact_an_article():
    """The reference data, both ways: each fact (F01…) an article explains is reached by some diagnostic, and each
    fact a diagnostic cites is explained by some article."""
    from kb.diagnostics.seed import reference_trees
    from kb.diagnostics.services import tree_facts
    from kb.seed import DATA, parse_article

    cited = set().union(*(tree_facts(tree) for tree in reference_trees()))
    explained = set()
    for path in (DATA / "faq").glob("*.md"):
        explained.update(str(f) for f in parse_article(path.read_text(encoding="utf-8"))[0].get("facts") or [])
    assert explained - cited == set()
    assert cited - explained == set()
