"""Public JSON API of the knowledge base; a bearer token widens what the caller may read (audience rules)."""

from flask import Blueprint, current_app, jsonify, request, url_for
from pydantic import BaseModel, Field
from sqlalchemy import select

from helpdesk.platform.errors import NotFound, ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.openapi import Out, documented
from helpdesk.policy import Scope
from helpdesk.users.api_auth import api_user, json_error
from kb import services
from kb.models import GlossaryTerm

bp = Blueprint("kb_api", __name__, url_prefix="/api/v1")


class SearchQuery(BaseModel):
    q: str = Field(default="", description="The words searched for.")
    service: str = Field(default=None, description="A service of the catalogue.")
    limit: int = Field(default=10, ge=1, le=50)


class Hit(BaseModel):
    kind: str
    id: int
    slug: str
    title: str
    snippet: str
    url: str
    score: float
    service: str | None


class Term(BaseModel):
    id: int
    term: str
    expansion: str | None
    aliases: list[str] | None
    definition: str
    service: str | None
    see_also: list[str] | None
    url: str


class SearchResults(BaseModel):
    results: list[Hit]
    suggestion: str | None
    glossary_card: Term | None


class ArticleOut(Out):
    id: int
    slug: str
    title: str
    body_markdown: str
    body_html: str
    service: str | None
    audience: str
    url: str
    updated_at: str


class Glossary(BaseModel):
    terms: list[Term]


def _absolute(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _url(hit) -> str:
    if hit.kind == "faq":
        return _absolute(url_for("kb.article", slug=hit.slug))
    return _absolute(url_for("kb.glossary") + "#" + hit.slug)


@bp.get("/kb/search")
@documented(query=SearchQuery, responses={200: SearchResults}, tags=["kb"], optional_scope=Scope.KB_READ)
def search():
    """Search the FAQ and the glossary; a token with kb:read reads with its owner's audience."""
    try:
        limit = services.limit_from(request.args.get("limit"))
    except ValidationFailed as error:
        return json_error(error.text(), 400)
    outcome = services.search(
        db.session,
        request.args.get("q", ""),
        actor=api_user(Scope.KB_READ),
        service=request.args.get("service") or None,
        limit=limit,
    )
    results = [
        {
            "kind": hit.kind,
            "id": hit.id,
            "slug": hit.slug,
            "title": hit.title,
            "snippet": hit.snippet,
            "url": _url(hit),
            "score": hit.score,
            "service": hit.service,
        }
        for hit in outcome.hits
    ]
    card = outcome.glossary_card
    return jsonify(results=results, suggestion=outcome.suggestion, glossary_card=_term(card) if card is not None else None)


@bp.get("/kb/articles/<int(max=2147483647):article_id>")
@documented(responses={200: ArticleOut}, tags=["kb"], optional_scope=Scope.KB_READ)
def article(article_id: int):
    """Read one published article."""
    try:
        found = services.get_visible_article(db.session, article_id, actor=api_user(Scope.KB_READ))
    except NotFound as error:
        return json_error(error.text(), 404)
    if not found.is_published:  # editors read drafts on the site, never through the public API
        return json_error(N_("Article introuvable."), 404)
    return jsonify(
        id=found.id,
        slug=found.slug,
        title=found.title,
        body_markdown=found.body_md,
        body_html=str(services.render_article(db.session, found)),
        service=found.service,
        audience=found.audience,
        tags=found.tags,
        keywords=found.keywords,
        glossary_terms=found.glossary_terms,
        admin_path=found.admin_path,
        url=_absolute(url_for("kb.article", slug=found.slug)),
        updated_at=found.updated_at.isoformat(),
        votes_yes=found.votes_yes,
        votes_no=found.votes_no,
        views=found.views,
    )


def _term(term: GlossaryTerm) -> dict:
    return {
        "id": term.id,
        "term": term.term,
        "expansion": term.expansion,
        "aliases": term.aliases,
        "definition": term.definition,
        "service": term.service,
        "see_also": term.see_also,
        "url": _absolute(url_for("kb.glossary") + "#" + term.anchor),
    }


@bp.get("/glossary")
@documented(responses={200: Glossary}, tags=["kb"])
def glossary():
    """The whole glossary, in French alphabetical order."""
    terms = db.session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.term))
    return jsonify(terms=[_term(t) for t in sorted(terms, key=lambda t: services.sort_key(t.term))])
