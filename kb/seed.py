"""Reference content: the FAQ articles (kb/data/faq/*.md) and the glossary (kb/data/glossary.yaml), loaded idempotently.

Existing articles are left as editors made them (the database is the source of truth); only missing ones are
created. The glossary file keeps updating the entries nobody changed in the glossary editor; an entry edited there
(kb.glossary) is left as its editor made it."""

from pathlib import Path

import yaml
from sqlalchemy import select

from helpdesk.platform.timeutil import utcnow
from kb.indexing import record_change
from kb.models import Article, ArticleFact, ArticleRevision, GlossaryTerm
from kb.services import slugify

DATA = Path(__file__).resolve().parent / "data"


def parse_article(text: str) -> tuple[dict, str]:
    """Split YAML front matter from the Markdown body."""
    if not text.startswith("---"):
        raise ValueError("front matter missing")
    _, front, body = text.split("---", 2)
    return yaml.safe_load(front) or {}, body.strip() + "\n"


def load_articles(session, directory: Path = DATA / "faq") -> int:
    created = 0
    now = utcnow()
    existing = dict(session.execute(select(Article.slug, Article.id)).all())
    linked = set(session.scalars(select(ArticleFact.article_id).distinct()))
    for path in sorted(directory.glob("*.md")):
        meta, body = parse_article(path.read_text(encoding="utf-8"))
        slug = meta.get("slug") or path.stem
        if slug in existing:
            # Articles seeded before facts were stored get them once; editors' texts are left untouched.
            if existing[slug] not in linked:
                _link_facts(session, existing[slug], meta)
            continue
        article = Article(
            slug=slug,
            title=meta["title"],
            body_md=body,
            service=meta.get("service") or "autre",
            audience=meta.get("audience") or "public",
            tags=list(meta.get("tags") or []),
            keywords=list(meta.get("keywords") or []),
            glossary_terms=list(meta.get("glossary") or []),
            admin_path=meta.get("admin_path") or "",
            status=meta.get("status") or "published",
            created_at=now,
            updated_at=now,
        )
        session.add(article)
        session.flush()
        _link_facts(session, article.id, meta)
        session.add(
            ArticleRevision(
                article=article,
                created_at=now,
                title=article.title,
                body_md=body,
                status=article.status,
                comment="Import initial",
            )
        )
        article.change_seq = record_change(session, "faq", article.id)
        created += 1
    return created


def _link_facts(session, article_id: int, meta: dict) -> None:
    for fact in sorted({str(f) for f in meta.get("facts") or []}):
        session.add(ArticleFact(article_id=article_id, fact=fact))


def load_glossary(session, path: Path = DATA / "glossary.yaml") -> int:
    if not path.exists():
        return 0
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    from kb.glossary import edited_in_ui

    current = {t.term: t for t in session.scalars(select(GlossaryTerm))}
    edited = edited_in_ui(session)
    anchors = {t.anchor for t in current.values()}
    changed = 0
    for entry in entries:
        values = {
            "expansion": entry.get("expansion") or "",
            "aliases": list(entry.get("aliases") or []),
            "definition": (entry.get("definition") or "").strip(),
            "service": entry.get("service") or None,
            "see_also": list(entry.get("see_also") or []),
        }
        term = current.get(entry["term"])
        if entry["term"] in edited:
            continue
        if term is None:
            anchor = base = slugify(entry["term"])
            counter = 2
            while anchor in anchors:
                anchor, counter = f"{base}-{counter}", counter + 1
            anchors.add(anchor)
            term = GlossaryTerm(term=entry["term"], anchor=anchor, **values)
            session.add(term)
            current[term.term] = term
        elif all(getattr(term, k) == v for k, v in values.items()):
            continue
        else:
            for key, value in values.items():
                setattr(term, key, value)
        term.updated_at = utcnow()
        session.flush()
        record_change(session, "glossary", term.id)
        changed += 1
    return changed


def seed_reference(session) -> None:
    load_articles(session)
    load_glossary(session)
