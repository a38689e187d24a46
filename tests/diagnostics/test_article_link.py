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
