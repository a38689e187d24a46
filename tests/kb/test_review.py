"""A published article edited by an EduLAB referent waits for a pilot: the proposal sits beside the published text,
the pilot sees the diff and approves (published at once) or rejects with a reason; the author is told."""

import html
import re

from sqlalchemy import select

from helpdesk.users.models import Profile, Role
from kb.models import Article, ArticleRevision, ReviewState
from tests.factories import ArticleFactory, UserFactory

FORM = {
    "title": "Comment changer la couleur du bandeau ?",
    "service": "page_accueil",
    "audience": "public",
    "tags": "bandeau, couleur",
    "admin_path": "Administration > Apparence",
    "body_md": "Choisissez la nuance turquoise dans le menu Apparence.",
    "comment": "Nouvelle procédure",
    "action": "save",
}


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def _slugs(client, query):
    return [r["slug"] for r in client.get("/api/v1/kb/search", query_string={"q": query}).get_json()["results"]]


def _published():
    return ArticleFactory(
        title="Comment changer la couleur du bandeau ?",
        body_md="Ouvrez le menu **Apparence** et choisissez la teinte du bandeau.",
        service="page_accueil",
        audience="public",
        status="published",
    )


def _people(session):
    edulab = UserFactory(roles=[Role.EDULAB], profile=Profile.PERSONNEL_ACADEMIQUE, full_name="Jordan EduLAB")
    pilot = UserFactory(roles=[Role.PILOTE], profile=Profile.PERSONNEL_ACADEMIQUE, full_name="Claude Pilote")
    session.commit()
    return edulab, pilot


def test_edulab_edit_of_a_published_article_waits_beside_it(app, client, session, login_as):
    article = _published()
    edulab, pilot = _people(session)
    login_as(edulab)
    page = client.get(f"/faq/{article.slug}/modifier").get_data(as_text=True)
    assert "vos modifications seront une proposition" in page and "Proposer cette modification" in page
    response = client.post(f"/faq/{article.slug}/modifier", data=FORM)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Article, article.id).body_md.startswith("Ouvrez le menu")  # readers still see the published text
    proposal = session.scalars(select(ArticleRevision).where(ArticleRevision.review_state == ReviewState.PENDING)).one()
    assert proposal.body_md == FORM["body_md"] and proposal.author_id == edulab.id
    assert article.slug not in _slugs(client, "nuance turquoise")
    # The editor reopens the form: it continues the waiting proposal, and the proposal is listed as waiting.
    page = client.get(f"/faq/{article.slug}/modifier").get_data(as_text=True)
    assert "nuance turquoise" in page and "En attente d&#39;approbation" in page
    # An EduLAB referent can neither publish nor decide.
    assert client.post(f"/faq/gestion/propositions/{proposal.id}/approuver", data={}).status_code == 403


def test_pilot_sees_the_diff_and_approves_then_the_article_is_published(app, client, session, login_as):
    article = _published()
    edulab, pilot = _people(session)
    login_as(edulab)
    client.post(f"/faq/{article.slug}/modifier", data=FORM)
    proposal = session.scalars(select(ArticleRevision).where(ArticleRevision.review_state == ReviewState.PENDING)).one()
    login_as(pilot)
    manage = client.get("/faq/gestion").get_data(as_text=True)
    assert "1 proposition à approuver" in manage and f"/faq/gestion/propositions/{proposal.id}" in manage
    page = client.get(f"/faq/gestion/propositions/{proposal.id}").get_data(as_text=True)
    assert '<span class="hd-diff--add">+Choisissez la nuance turquoise dans le menu Apparence.</span>' in page
    assert 'hd-diff--del">-Ouvrez le menu' in page
    assert "Chemin dans l&#39;ENT" in page  # the admin path changes too
    response = client.post(f"/faq/gestion/propositions/{proposal.id}/approuver", data={"reason": ""})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Article, article.id).body_md == FORM["body_md"]
    assert session.get(ArticleRevision, proposal.id).review_state == ReviewState.APPROVED
    assert _slugs(client, "nuance turquoise")[0] == article.slug
    login_as(edulab)
    page = html.unescape(client.get("/faq/gestion").get_data(as_text=True))
    assert "Approuvée (Claude Pilote" in _text(page)


def test_reject_needs_a_reason_that_the_author_reads(app, client, session, login_as):
    article = _published()
    edulab, pilot = _people(session)
    login_as(edulab)
    client.post(f"/faq/{article.slug}/modifier", data=FORM)
    proposal = session.scalars(select(ArticleRevision).where(ArticleRevision.review_state == ReviewState.PENDING)).one()
    login_as(pilot)
    response = client.post(f"/faq/gestion/propositions/{proposal.id}/refuser", data={"reason": ""})
    assert response.status_code == 400 and "Indiquez la raison du refus" in html.unescape(response.get_data(as_text=True))
    response = client.post(f"/faq/gestion/propositions/{proposal.id}/refuser", data={"reason": "La teinte n'existe pas."})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Article, article.id).body_md.startswith("Ouvrez le menu")
    login_as(edulab)
    page = html.unescape(client.get(f"/faq/{article.slug}/modifier").get_data(as_text=True))
    assert "Refusée (Claude Pilote" in _text(page) and "<q data-domain-content>La teinte n'existe pas.</q>" in page


def test_author_is_mailed_the_decision(app, session):
    from kb import review
    from kb.jobs import send_review_decision

    article = _published()
    edulab, pilot = _people(session)
    proposal = review.propose(
        session,
        article,
        title=article.title,
        body_md="Nouveau texte.",
        service="page_accueil",
        audience="public",
        tags=[],
        admin_path="",
        comment="",
        actor=edulab,
        now=article.updated_at,
    )
    review.reject(session, proposal, actor=pilot, now=article.updated_at, reason="Doublon d'un autre article.")
    session.commit()
    outbox = __import__("pathlib").Path(app.config["HELPDESK_DATA_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    assert send_review_decision(proposal.id) is True
    mail = (set(outbox.glob("*.eml")) - before).pop().read_bytes().decode("utf-8", errors="replace")
    assert edulab.email in mail and "refus" in mail


def test_pilot_edits_a_published_article_directly(client, session, login_as):
    article = _published()
    _, pilot = _people(session)
    login_as(pilot)
    client.post(f"/faq/{article.slug}/modifier", data=FORM)
    session.expire_all()
    assert session.get(Article, article.id).body_md == FORM["body_md"]
    assert session.scalar(select(ArticleRevision).where(ArticleRevision.review_state.is_not(None))) is None


def test_edulab_asks_for_the_publication_of_a_draft(client, session, login_as):
    edulab, pilot = _people(session)
    login_as(edulab)
    client.post("/faq/gestion/nouveau", data=FORM)
    article = session.scalars(select(Article)).one()
    assert article.status == "draft"
    client.post(f"/faq/{article.slug}/statut", data={"status": "published"})
    session.expire_all()
    assert session.get(Article, article.id).status == "draft"
    proposal = session.scalars(select(ArticleRevision).where(ArticleRevision.review_state == ReviewState.PENDING)).one()
    assert proposal.status == "published"
    login_as(pilot)
    client.post(f"/faq/gestion/propositions/{proposal.id}/approuver", data={"reason": "Très clair, merci."})
    session.expire_all()
    assert session.get(Article, article.id).status == "published"
