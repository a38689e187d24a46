"""Suggest keywords from free text: one in-memory index per process, rebuilt when the catalog's token changes."""

from sqlalchemy import select

from helpdesk.platform.refcache import VersionedCache
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.routing.models import Keyword
from helpdesk.routing.textindex import KeywordDoc, KeywordIndex, Suggestion

MAX_SUGGESTIONS = 5


def _build(session) -> KeywordIndex:
    keywords = session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.id))
    docs = [
        KeywordDoc(
            id=k.id,
            label=k.label,
            slug=k.slug,
            service=k.service,
            tier=k.tier,
            ticket_type=k.ticket_type,
            is_mass_incident=bool(k.is_mass_incident),
            synonyms=tuple(k.synonyms or ()),
            description=k.description or "",
            service_label=next((label for code, label in SERVICE_LABELS.items() if code == k.service), k.service),
        )
        for k in keywords
    ]
    return KeywordIndex(docs)


# The same scheme as every per-process reference cache (helpdesk.platform.refcache): any ORM write of a keyword,
# on any node, gives the "routing" scope a new token in its own transaction; readers compare one primary key.
INDEX = VersionedCache("routing", (Keyword,), _build)


def current_index(session) -> KeywordIndex:
    """The index for the catalog as this transaction sees it (rebuilt once per catalog change and process)."""
    return INDEX.get(session)


def suggest_keywords(session, text: str | None, *, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Best keywords for `text`, best first; an empty, absurd or oversized text gives a short or empty list."""
    text = (text or "").strip()
    if not text:
        return []
    return current_index(session).search(text, limit=max(1, min(limit, MAX_SUGGESTIONS)))


def as_json(suggestion: Suggestion) -> dict:
    doc = suggestion.doc
    return {"keyword": doc.label, "slug": doc.slug, "service": doc.service, "tier": doc.tier, "score": suggestion.score}
