"""The active keyword catalog in memory, one per process, rebuilt when the catalog's token changes: the keyword
a ticket is opened from (`active_keyword`), and keywords suggested from free text (`suggest_keywords`)."""

import copy
import threading

from sqlalchemy import select
from sqlalchemy.orm import make_transient_to_detached

from helpdesk.platform.refcache import VersionedCache
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.routing.models import Keyword
from helpdesk.routing.textindex import KeywordDoc, KeywordIndex, Suggestion

MAX_SUGGESTIONS = 5


class Catalog:
    """The active keywords as one cache entry: their columns by slug, then label (`active_keyword` copies them),
    and the suggester's index, built at its first search only: a web worker that only opens tickets does
    not hold it."""

    def __init__(self, docs: list[KeywordDoc], rows: dict[str, dict]):
        self.docs, self.rows = docs, rows
        self._index: KeywordIndex | None = None
        self._lock = threading.Lock()

    @property
    def index(self) -> KeywordIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = KeywordIndex(self.docs)
        return self._index


_COLUMNS = tuple(attribute.key for attribute in Keyword.__mapper__.column_attrs)


def _build(session) -> Catalog:
    keywords = session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.id)).all()
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
            service_label=SERVICE_LABELS.get(k.service, k.service),
        )
        for k in keywords
    ]
    rows: dict[str, dict] = {}
    for keyword in keywords:
        rows.setdefault(keyword.slug, {name: getattr(keyword, name) for name in _COLUMNS})
    for keyword in keywords:
        rows.setdefault(keyword.label, rows[keyword.slug])
    return Catalog(docs, rows)


# The same scheme as every per-process reference cache (helpdesk.platform.refcache): any ORM write of a keyword,
# on any node, gives the "routing" scope a new token in its own transaction; readers compare one primary key.
INDEX = VersionedCache("routing", (Keyword,), _build)


def current_index(session) -> KeywordIndex:
    """The index for the catalog as this transaction sees it (rebuilt once per catalog change and process)."""
    return INDEX.get(session).index


def active_keyword(session, value: str | None) -> Keyword | None:
    """The active keyword of that slug (or else label), from the catalog in memory instead of a SELECT: a
    Keyword of this session as if loaded, built afresh from the cached columns so that nothing a request does to
    it reaches another request. One this session already holds is returned as it is (its own row)."""
    values = INDEX.get(session).rows.get(value) if value else None
    if values is None:
        return None
    held = session.identity_map.get(session.identity_key(Keyword, values["id"]))
    if held is not None:
        return held
    # SQLAlchemy's recipe for an object rebuilt from a cache: construct it, make_transient_to_detached() resets its
    # history as if freshly loaded and gives it its identity; once added it is persistent and unmodified (no INSERT,
    # no SELECT). JSON values are copied: a request that changes its list must not change the cache.
    keyword = Keyword(**{name: copy.deepcopy(v) if isinstance(v, list | dict) else v for name, v in values.items()})
    make_transient_to_detached(keyword)
    session.add(keyword)
    return keyword


def suggest_keywords(session, text: str | None, *, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Best keywords for `text`, best first; an empty, absurd or oversized text gives a short or empty list."""
    text = (text or "").strip()
    if not text:
        return []
    return current_index(session).search(text, limit=max(1, min(limit, MAX_SUGGESTIONS)))


def as_json(suggestion: Suggestion) -> dict:
    doc = suggestion.doc
    return {"keyword": doc.label, "slug": doc.slug, "service": doc.service, "tier": doc.tier, "score": suggestion.score}
