"""Knowledge-base use cases: search within the reader's audiences, read, vote, deflect, and edit with history.

Every change to what search shows appends to the kb_change sequence; the index update runs after the commit."""

from __future__ import annotations

import difflib
import html
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.markup import render_markdown
from helpdesk.platform.queue import enqueue_after_commit
from helpdesk.routing.codes import Service
from kb import indexing
from kb.models import (
    Article,
    ArticleFact,
    ArticleRevision,
    ArticleStatus,
    ArticleVote,
    Audience,
    Deflection,
    GlossaryTerm,
)
from kb.text import MAX_QUERY_CHARS, words

if TYPE_CHECKING:
    from kb.search import Hit

log = logging.getLogger(__name__)

MAX_LIMIT = 50
RELATIVE_FLOOR = 0.2


@dataclass
class SearchOutcome:
    hits: list[Hit]
    suggestion: str | None
    glossary_card: GlossaryTerm | None


def slugify(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:110] or "article"


def search(session, text: str, *, actor, service: str | None = None, limit: int = 10, kinds=("faq", "glossary")) -> SearchOutcome:
    """Search what `actor` may read; FAQ answers keep the top three places ahead of definitions."""
    from kb.search import UNAVAILABLE  # whoosh's errors: kb.search is imported by the node index (kb.indexing.Node)

    text = (text or "")[:MAX_QUERY_CHARS]
    node = indexing.node()
    if service not in {s.value for s in Service}:
        service = None
    try:
        node.sync(session)
        result = node.index.search(
            text, node.thesaurus, audiences=policy.visible_article_audiences(actor), service=service, kinds=kinds, limit=limit + 3
        )
    except UNAVAILABLE:  # a search box must never become an error page; the next request retries
        log.exception("KB index unavailable on this node")
        return SearchOutcome(hits=[], suggestion=None, glossary_card=None)
    if result.hits:  # weak tail matches (one common word, a synonym) are noise next to a strong answer
        best = {kind: max(h.score for h in result.hits if h.kind == kind) for kind in {h.kind for h in result.hits}}
        result.hits = [h for h in result.hits if h.score >= RELATIVE_FLOOR * best[h.kind]]
    faq = [h for h in result.hits if h.kind == "faq"]
    head = faq[:3]
    rest = sorted((h for h in result.hits if h not in head), key=lambda h: -h.score)
    suggestion = node.display(result.suggestion) if result.suggestion else None
    return SearchOutcome(hits=(head + rest)[:limit], suggestion=suggestion, glossary_card=glossary_card(session, text))


def glossary_card(session, text: str) -> GlossaryTerm | None:
    """The glossary entry the query names (its term, expansion or an alias), longest name first."""
    node = indexing.node()
    tokens = words(text[:MAX_QUERY_CHARS])[:40]
    best = None
    for size in range(min(8, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            term_id = node.glossary_phrases.get(tuple(tokens[start : start + size]))
            if term_id is not None:
                best = term_id
                break
        if best is not None:
            break
    return session.get(GlossaryTerm, best) if best is not None else None


def get_visible_article(session, slug_or_id, *, actor) -> Article:
    """A published article the actor's audience may read; NotFound otherwise (never reveals that it exists)."""
    column = Article.id if isinstance(slug_or_id, int) else Article.slug
    article = session.scalar(select(Article).where(column == slug_or_id))
    if article is None:
        raise NotFound(N_("Article introuvable."))
    if policy.can(actor, policy.Action.EDIT_KB):
        return article
    if article.status != ArticleStatus.PUBLISHED or article.audience not in policy.visible_article_audiences(actor):
        raise NotFound(N_("Article introuvable."))
    return article


def visible_articles(session, *, actor, service: str | None = None, columns=()):
    """Published articles the actor's audience may read, by title; `columns`: load only those (a ranking that
    reads a few attributes of every article, and shows a handful)."""
    query = select(Article).where(
        Article.status == ArticleStatus.PUBLISHED, Article.audience.in_(sorted(policy.visible_article_audiences(actor)))
    )
    if service:
        query = query.where(Article.service == service)
    if columns:
        query = query.options(load_only(*columns))
    return list(session.scalars(query.order_by(Article.title)))


def articles_for_facts(session, facts, *, actor, limit: int = 4) -> list[Article]:
    """Published articles the actor may read that explain the given facts, those covering most of them first."""
    facts = sorted({str(f) for f in facts or ()})
    if not facts:
        return []
    shared = func.count(ArticleFact.fact)
    query = (
        select(Article)
        .join(ArticleFact, ArticleFact.article_id == Article.id)
        .where(
            ArticleFact.fact.in_(facts),
            Article.status == ArticleStatus.PUBLISHED,
            Article.audience.in_(sorted(policy.visible_article_audiences(actor))),
        )
        .group_by(Article.id)
        .order_by(shared.desc(), Article.title)
        .limit(limit)
    )
    return list(session.scalars(query))


def most_useful(session, *, actor, limit: int = 6) -> list[Article]:
    columns = (Article.slug, Article.title, Article.votes_yes, Article.votes_no, Article.views)  # what the FAQ home reads
    articles = visible_articles(session, actor=actor, columns=columns)
    articles.sort(key=lambda a: (-(a.votes_yes - a.votes_no), -a.views, a.title))
    return articles[:limit]


def related_articles(session, article: Article, *, actor, limit: int = 4) -> list[Article]:
    """Same service first, then shared tags or glossary terms."""
    mine = set(article.tags or []) | set(article.glossary_terms or [])
    # Neither the bodies nor the other lists of the whole FAQ: what the ranking and the links read.
    columns = (Article.slug, Article.title, Article.service, Article.tags, Article.glossary_terms)
    candidates = [a for a in visible_articles(session, actor=actor, columns=columns) if a.id != article.id]
    candidates.sort(
        key=lambda a: (-(a.service == article.service) - len(mine & (set(a.tags or []) | set(a.glossary_terms or []))), a.title)
    )
    return candidates[:limit]


def record_view(session, article: Article) -> None:
    """One more reading, written by the caller's next flush (the article page: its commit, once the page is rendered,
    so that the row is locked only for the commit, not during the rendering)."""
    article.views = (article.views or 0) + 1


def vote(session, article: Article, *, helpful: bool, now, actor=None) -> None:
    """Count one answer to « Cette réponse vous a-t-elle aidé ? »: on the article's totals, and as a dated vote
    that the deflection figures count per day."""
    if helpful:
        article.votes_yes = (article.votes_yes or 0) + 1
    else:
        article.votes_no = (article.votes_no or 0) + 1
    session.add(
        ArticleVote(
            article_id=article.id,
            helpful=helpful,
            user_id=actor.id if getattr(actor, "is_authenticated", False) else None,
            created_at=now,
        )
    )
    session.flush()


def record_deflection(session, article: Article, *, keyword_slug: str | None, actor, now) -> Deflection:
    """The requester stopped here: count one avoided ticket for this article and keyword."""
    keyword_slug = (keyword_slug or "").strip()[:140] or None
    deflection = Deflection(
        article_id=article.id,
        keyword_slug=keyword_slug,
        created_at=now,
        user_id=actor.id if getattr(actor, "is_authenticated", False) else None,
    )
    session.add(deflection)
    session.flush()
    return deflection


# -- editing -------------------------------------------------------------------------------------------------


def check_fields(title: str, body_md: str, service: str, audience: str) -> dict[str, str]:
    errors = {}
    if not title.strip():
        errors["title"] = N_("Indiquez la question ou le titre de l'article.")
    elif len(title) > 200:
        errors["title"] = N_("Le titre ne doit pas dépasser 200 caractères.")
    if not body_md.strip():
        errors["body_md"] = N_("Rédigez la réponse.")
    if service not in {s.value for s in Service}:
        errors["service"] = N_("Choisissez un service de l'ENT.")
    if audience not in {a.value for a in Audience}:
        errors["audience"] = N_("Choisissez un public.")
    return errors


def after_change(session, article_id: int) -> None:
    indexing.record_change(session, "faq", article_id)
    enqueue_after_commit(session, "kb.jobs.refresh_index", queue="kb", job_id="kb-refresh-index")
    indexing.sync_after_commit(session)


def save_article(
    session,
    article: Article | None,
    *,
    title: str,
    body_md: str,
    service: str,
    audience: str,
    tags: list[str],
    admin_path: str,
    comment: str,
    actor,
    now,
) -> Article:
    """Create or edit an article: a revision records the text, who and why; status is left unchanged.

    A published article changes directly only for those who may publish; others propose (kb.review.propose)."""
    if not policy.can(actor, policy.Action.EDIT_KB):
        raise NotAllowed(N_("Seuls les pilotes et les référents EduLAB peuvent modifier la FAQ."))
    if must_propose(actor, article):
        raise NotAllowed(N_("Un article publié ne change qu'après l'approbation d'un pilote : proposez votre modification."))
    errors = check_fields(title, body_md, service, audience)
    if errors:
        raise ValidationFailed(N_("L'article n'a pas été enregistré : corrigez les champs signalés."), fields=errors)
    if article is None:
        slug = base = slugify(title)
        counter = 2
        while session.scalar(select(Article.id).where(Article.slug == slug)) is not None:
            slug, counter = f"{base}-{counter}", counter + 1
        article = Article(slug=slug, status=ArticleStatus.DRAFT, created_at=now)
        session.add(article)
    article.title, article.body_md, article.service, article.audience = title.strip(), body_md, service, audience
    article.tags = [t.strip() for t in tags if t.strip()]
    article.admin_path = admin_path.strip()
    article.updated_at = now
    session.flush()
    session.add(
        ArticleRevision(
            article=article,
            author_id=actor.id,
            created_at=now,
            title=article.title,
            body_md=body_md,
            status=article.status,
            comment=comment.strip()[:300],
        )
    )
    after_change(session, article.id)
    article.change_seq = indexing.current_seq(session)
    return article


def must_propose(actor, article: Article | None) -> bool:
    """True when `actor` may write the FAQ but a change to this (published) article needs a pilot's approval."""
    return article is not None and article.is_published and not policy.can(actor, policy.Action.PUBLISH_KB)


def set_status(session, article: Article, status: str, *, actor, now) -> Article:
    """Publish, archive or set back to draft: pilots only (an EduLAB referent asks for publication instead)."""
    if not policy.can(actor, policy.Action.PUBLISH_KB):
        raise NotAllowed(N_("Seuls les pilotes peuvent publier ou archiver un article : demandez sa publication."))
    if status not in {s.value for s in ArticleStatus}:
        raise ValidationFailed(N_("Statut inconnu."))
    article.status = status
    article.updated_at = now
    labels = {"published": "Publication", "archived": "Archivage", "draft": "Retour en brouillon"}
    session.add(
        ArticleRevision(
            article=article,
            author_id=actor.id,
            created_at=now,
            title=article.title,
            body_md=article.body_md,
            status=status,
            comment=labels[status],
        )
    )
    after_change(session, article.id)
    article.change_seq = indexing.current_seq(session)
    return article


def article_facts(session, article: Article) -> list[str]:
    return sorted(session.scalars(select(ArticleFact.fact).where(ArticleFact.article_id == article.id)))


def revision_diff(older: ArticleRevision | None, newer: ArticleRevision) -> list[tuple[str, str]]:
    """Line diff between two revisions as (kind, escaped line): kind is 'add', 'del', 'ctx' or 'hunk'."""
    before = ((older.title + "\n\n" + older.body_md) if older else "").splitlines()
    after = (newer.title + "\n\n" + newer.body_md).splitlines()
    lines = []
    for line in difflib.unified_diff(before, after, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        lines.append((kind, html.escape(line)))
    return lines


def limit_from(raw) -> int:
    """The `limit` parameter: 1..50, default 10; anything else is a ValidationFailed."""
    if raw in (None, ""):
        return 10
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(N_("Le paramètre limit doit être un nombre entier entre 1 et 50.")) from None
    if not 1 <= value <= MAX_LIMIT:
        raise ValidationFailed(N_("Le paramètre limit doit être un nombre entier entre 1 et 50."))
    return value


# -- rendering -----------------------------------------------------------------------------------------------

_TAG = re.compile(r"(<[^>]+>)")
_SKIP_TAGS = {"a", "code", "pre", "h2", "h3", "h4"}


def sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _link_name(term: GlossaryTerm) -> str:
    """The name as it appears in prose: 'Administrateur ENT (compte "Admin")' is written 'Administrateur ENT'."""
    return term.term.split(" (")[0].strip()


def link_glossary_terms(safe_html: str, terms: list[GlossaryTerm], glossary_url: str) -> Markup:
    """Link the first occurrence of each glossary term in already sanitised HTML (outside links, code, headings).

    Acronyms (all capitals) match with their case only, so 'gar' in 'garder' or 'Fil' never link by mistake."""
    names = {}
    for term in terms:
        name = _link_name(term)
        if len(name) >= 2:
            names.setdefault(html.escape(name, quote=False).lower(), term)
    if not names:
        return Markup(safe_html)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?!\w)", re.IGNORECASE
    )
    used: set[int] = set()
    depth = 0

    def replace(match):
        term = names[match.group(0).lower()]
        name = _link_name(term)
        if term.id in used or (name.isupper() and match.group(0) != html.escape(name, quote=False)):
            return match.group(0)
        used.add(term.id)
        title = html.escape(term.expansion or term.definition[:140])
        return f'<a class="hd-glossary-link" href="{glossary_url}#{term.anchor}" title="{title}">{match.group(0)}</a>'

    parts = []
    for piece in _TAG.split(safe_html):
        if piece.startswith("<"):
            name = piece[1:].lstrip("/").split()[0].rstrip(">").lower() if len(piece) > 2 else ""
            if name in _SKIP_TAGS:
                depth += -1 if piece.startswith("</") else 1
            parts.append(piece)
        elif depth > 0 or not piece.strip():
            parts.append(piece)
        else:
            parts.append(pattern.sub(replace, piece))
    return Markup("".join(parts))


def render_article(session, article: Article, glossary_url: str = "/glossaire") -> Markup:
    terms = list(session.scalars(select(GlossaryTerm)))
    return link_glossary_terms(str(render_markdown(article.body_md)), terms, glossary_url)


def articles_by_ids(session, ids, *, actor) -> list[Article]:
    """The articles behind a list of ids (e.g. those suggested to a requester), in that order, as `actor` may see them.

    Accepts a list of ints or the "1,2,3" string the ticket form submits; unknown or hidden ids are skipped."""
    if isinstance(ids, str):
        ids = [part for part in ids.split(",") if part.strip().isdigit()]
    wanted = [int(i) for i in ids][:20]
    if not wanted:
        return []
    audiences = policy.visible_article_audiences(actor)
    found = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(wanted)))}
    return [found[i] for i in wanted if i in found and found[i].is_published and found[i].audience in audiences]
