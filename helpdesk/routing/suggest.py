"""Suggest keywords from free text: one in-memory index per process, rebuilt when the catalog's version changes."""

import threading

from sqlalchemy import select

from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.routing.models import Keyword
from helpdesk.routing.services import catalog_version
from helpdesk.routing.textindex import KeywordDoc, KeywordIndex, Suggestion

MAX_SUGGESTIONS = 5

_lock = threading.Lock()
_cache: dict = {"version": None, "index": None}


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


def current_index(session) -> KeywordIndex:
    """The index for the catalog as it is now; one cheap aggregate query decides whether to rebuild."""
    version = catalog_version(session)
    with _lock:
        if _cache["version"] != version or _cache["index"] is None:
            _cache["index"] = _build(session)
            _cache["version"] = version
        return _cache["index"]


def suggest_keywords(session, text: str | None, *, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Best keywords for `text`, best first; an empty, absurd or oversized text gives a short or empty list."""
    text = (text or "").strip()
    if not text:
        return []
    return current_index(session).search(text, limit=max(1, min(limit, MAX_SUGGESTIONS)))


def as_json(suggestion: Suggestion) -> dict:
    doc = suggestion.doc
    return {"keyword": doc.label, "slug": doc.slug, "service": doc.service, "tier": doc.tier, "score": suggestion.score}
