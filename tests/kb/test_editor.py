"""Editors write, preview, publish and archive; history shows a diff; search on every node follows at once."""

from helpdesk.platform.timeutil import utcnow
from helpdesk.users.models import Profile, Role
from kb import indexing, services
from kb.models import Article, ArticleRevision, KbChange
from tests.factories import ArticleFactory, UserFactory

FORM = {
    "title": "Comment changer la couleur du bandeau ?",
    "service": "page_accueil",
    "audience": "public",
    "tags": "bandeau, couleur",
    "admin_path": "Administration > Apparence",
    "body_md": "Ouvrez le menu **Apparence** et choisissez la teinte du bandeau.",
    "comment": "Création",
}


def _editor():
    return UserFactory(roles=[Role.EDULAB], profile=Profile.PERSONNEL_ACADEMIQUE)


def _pilot():
    return UserFactory(roles=[Role.PILOTE], profile=Profile.PERSONNEL_ACADEMIQUE)


def _slugs(client, query):
    return [r["slug"] for r in client.get("/api/v1/kb/search", query_string={"q": query}).get_json()["results"]]


def test_pilot_creates_publishes_and_search_reflects_it_at_once(client, session, login_as):
    login_as(_pilot())
    response = client.post("/faq/gestion/nouveau", data={**FORM, "action": "save"})
    assert response.status_code == 302
    article = session.query(Article).one()
    assert article.status == "draft" and _slugs(client, "teinte bandeau") == []
    client.post(f"/faq/{article.slug}/statut", data={"status": "published"})
    assert _slugs(client, "teinte bandeau")[0] == article.slug

    client.post(
        f"/faq/{article.slug}/modifier",
        data={**FORM, "body_md": "Choisissez la nuance turquoise.", "comment": "Nouvelle procédure", "action": "save"},
    )
    assert _slugs(client, "nuance turquoise")[0] == article.slug
    assert article.slug not in _slugs(client, "teinte")

    client.post(f"/faq/{article.slug}/statut", data={"status": "archived"})
    assert _slugs(client, "nuance turquoise") == []


def test_history_shows_an_escaped_diff(client, session, login_as):
    login_as(_editor())
    client.post("/faq/gestion/nouveau", data={**FORM, "action": "save"})
    article = session.query(Article).one()
    client.post(
        f"/faq/{article.slug}/modifier",
        data={**FORM, "body_md": "Texte <b>neuf</b> avec délai de 48 heures.", "comment": "Délai corrigé", "action": "save"},
    )
    page = client.get(f"/faq/{article.slug}/historique").get_data(as_text=True)
    assert "Délai corrigé" in page
    assert '<span class="hd-diff--add">+Texte &lt;b&gt;neuf&lt;/b&gt; avec délai de 48 heures.</span>' in page
    assert 'hd-diff--del">-Ouvrez le menu' in page
    assert session.query(ArticleRevision).filter_by(article_id=article.id).count() == 2


def test_invalid_article_is_refused_and_text_kept(client, session, login_as):
    login_as(_editor())
    response = client.post("/faq/gestion/nouveau", data={**FORM, "title": "", "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Indiquez la question ou le titre." in page and "choisissez la teinte du bandeau" in page
    assert session.query(Article).count() == 0


def test_requester_cannot_edit(client, session, login_as):
    article = ArticleFactory()
    session.commit()
    login_as(UserFactory(roles=[Role.REQUESTER]))
    assert client.get("/faq/gestion/nouveau").status_code == 403
    assert client.post(f"/faq/{article.slug}/statut", data={"status": "archived"}).status_code == 403
    assert client.get(f"/faq/{article.slug}/historique").status_code == 403


def test_two_nodes_with_their_own_index_follow_the_same_database(app, session, tmp_path, monkeypatch):
    editor = _pilot()  # a published article: only a pilot changes it directly
    article = ArticleFactory(title="Ancien titre", body_md="Procédure obsolète.")
    session.commit()
    node_a, node_b = indexing.Node(tmp_path / "node-a"), indexing.Node(tmp_path / "node-b")
    for node in (node_a, node_b):
        node.sync(session, force=True)
        assert _hit_slugs(node, "procedure obsolete") == [article.slug]

    monkeypatch.setattr(indexing, "node", lambda path=None: node_a)  # the edit happens on node A
    services.save_article(
        session,
        article,
        title="Nouveau titre",
        body_md="Procédure actuelle.",
        service="messagerie",
        audience="public",
        tags=[],
        admin_path="",
        comment="",
        actor=editor,
        now=utcnow(),
    )
    session.commit()
    assert _hit_slugs(node_a, "procedure actuelle") == [article.slug]  # applied after commit on the editing node

    node_b.checked_at = 0  # node B polls the change sequence on its next search (at most a second later)
    node_b.sync(session)
    assert _hit_slugs(node_b, "procedure actuelle") == [article.slug]
    assert _hit_slugs(node_b, "obsolete") == []
    assert node_b.index.applied_seq() == session.query(KbChange).order_by(KbChange.id.desc()).first().id


def test_node_rebuilds_when_its_index_is_missing(session, tmp_path):
    ArticleFactory(title="Sauvegarde des pièces jointes")
    session.commit()
    node = indexing.Node(tmp_path / "fresh")
    node.sync(session)
    assert node.index.exists() and _hit_slugs(node, "pj")


def _hit_slugs(node, query):
    result = node.index.search(query, node.thesaurus, audiences={"public"})
    return [hit.slug for hit in result.hits if hit.kind == "faq"]
