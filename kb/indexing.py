"""Keeps this node's search index in step with the database through the kb_change sequence.

The database is the source of truth. Every article or glossary change appends a KbChange row; each node
remembers the last change it applied (beside its own index) and, at most once a second, compares it with
max(kb_change.id) and re-reads what changed. No index file is ever shared between machines."""

import re
import threading
import time
from collections import Counter

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import Article, ArticleStatus, GlossaryTerm, KbChange
from kb.text import STOP_WORDS, Thesaurus, fold, markdown_to_text, words

CHECK_INTERVAL_SECONDS = 1.0


def article_document(article: Article) -> dict:
    return {
        "kind": "faq",
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "tags": " ; ".join([*(article.tags or []), *(article.keywords or []), *(article.glossary_terms or [])]),
        "path": article.admin_path or "",
        "body": markdown_to_text(article.body_md),
        "service": article.service,
        "audience": article.audience,
    }


def glossary_document(term: GlossaryTerm) -> dict:
    return {
        "kind": "glossary",
        "id": term.id,
        "slug": term.anchor,
        "title": term.term,
        "tags": " ; ".join([term.expansion or "", *(term.aliases or [])]),
        "body": term.definition,
        "service": term.service or "autre",
        "audience": "public",
    }


def all_documents(session):
    for article in session.scalars(select(Article).where(Article.status == ArticleStatus.PUBLISHED).order_by(Article.id)):
        yield article_document(article)
    for term in session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.id)):
        yield glossary_document(term)


def count_documents(session) -> int:
    published = session.scalar(select(func.count()).select_from(Article).where(Article.status == ArticleStatus.PUBLISHED))
    return published + session.scalar(select(func.count()).select_from(GlossaryTerm))


def current_seq(session) -> int:
    return session.scalar(select(func.max(KbChange.id))) or 0


class Node:
    """This process's view of its node index, plus the thesaurus and glossary lookup derived from the DB."""

    def __init__(self, path):
        # Whoosh (the index, its queries and readers) is imported by the first search or index update of this process:
        # a web worker that only opens tickets, and the cron, do not carry it.
        from kb.search import SearchIndex

        self.index = SearchIndex(path)
        self.lock = threading.Lock()
        self.checked_at = 0.0
        self.thesaurus: Thesaurus | None = None
        self.glossary_phrases: dict[tuple[str, ...], int] = {}
        self.spellings: dict[str, str] = {}
        self.thesaurus_seq = -1

    def rebuild(self, session, progress=None) -> int:
        with self.lock, self.index.exclusive(blocking=True):
            seq = current_seq(session)
            count = self.index.rebuild(all_documents(session), seq, progress=progress)
            self._load_glossary(session, seq)
            self.checked_at = time.monotonic()
            return count

    def sync(self, session, force: bool = False) -> None:
        """Apply the changes this node has not seen; cheap when nothing changed (one max() query a second)."""
        now = time.monotonic()
        if not force and now - self.checked_at < CHECK_INTERVAL_SECONDS and self.thesaurus is not None:
            return
        with self.lock:
            self.checked_at = now
            seq = current_seq(session)
            if self.index.applied_seq() != seq or not self.index.exists():
                with self.index.exclusive(blocking=force or not self.index.exists()) as acquired:
                    applied = self.index.applied_seq()  # another process may have caught up meanwhile
                    if not acquired:
                        pass
                    elif not self.index.exists() or applied < 0 or applied > seq:
                        self.index.rebuild(all_documents(session), seq)
                    elif applied < seq:
                        self._apply(session, applied, seq)
            if self.thesaurus is None or self.thesaurus_seq != seq:
                self._load_glossary(session, seq)

    def _apply(self, session, applied: int, seq: int) -> None:
        changes = session.execute(select(KbChange.kind, KbChange.object_id).where(KbChange.id > applied, KbChange.id <= seq))
        wanted = {(kind, object_id) for kind, object_id in changes}
        upserts, deletes = [], []
        for kind, object_id in sorted(wanted):
            if kind == "faq":
                article = session.get(Article, object_id)
                if article is not None and article.status == ArticleStatus.PUBLISHED:
                    upserts.append(article_document(article))
                else:
                    deletes.append(f"faq:{object_id}")
            else:
                term = session.get(GlossaryTerm, object_id)
                upserts.append(glossary_document(term)) if term is not None else deletes.append(f"glossary:{object_id}")
        self.index.apply(upserts, deletes, seq)

    def _load_glossary(self, session, seq: int) -> None:
        terms = list(session.scalars(select(GlossaryTerm)))
        groups = []
        phrases: dict[tuple[str, ...], int] = {}
        for term in terms:
            names = [term.term, term.expansion, *(term.aliases or [])]
            names = [n for n in names if n and words(n)]
            groups.append(tuple(names))
            for name in names:
                phrases.setdefault(tuple(words(name)), term.id)
        self.thesaurus = Thesaurus(groups)
        self.glossary_phrases = phrases
        self.spellings = _spellings(session, terms)
        self.thesaurus_seq = seq

    def display(self, folded_text: str) -> str:
        """A suggestion built from folded words, written back with accents where titles or the glossary use them."""
        return " ".join(self.spellings.get(word, word) for word in folded_text.split())


def _spellings(session, terms) -> dict[str, str]:
    """Folded word → its most frequent accented spelling in titles, tags and the glossary (cheap: no bodies)."""
    texts = [
        " ".join([a.title, *(a.tags or [])])
        for a in session.scalars(select(Article).where(Article.status == ArticleStatus.PUBLISHED))
    ]
    texts += [" ".join([t.term, t.expansion or "", *(t.aliases or []), t.definition]) for t in terms]
    counts: dict[str, Counter] = {}
    for text in texts:
        for original in re.findall(r"\w+", text.lower()):
            counts.setdefault(fold(original), Counter())[original] += 1
    # Small words are left as typed ("la" is not "là", "a" is not always "à"), and a word keeps its plain
    # spelling when the texts use it at least as often as an accented one.
    return {
        folded: counter.most_common(1)[0][0]
        for folded, counter in counts.items()
        if folded not in STOP_WORDS and counter.most_common(1)[0][0] != folded
    }


_nodes: dict[str, Node] = {}
_nodes_lock = threading.Lock()


def node(path: str | None = None) -> Node:
    """The Node for this app's KB_INDEX_DIR (one per directory per process)."""
    path = str(path or current_app.config["KB_INDEX_DIR"])
    with _nodes_lock:
        if path not in _nodes:
            _nodes[path] = Node(path)
        return _nodes[path]


def record_change(session, kind: str, object_id: int) -> int:
    """Append to the change sequence (flushes to get the id); the caller commits."""
    change = KbChange(kind=kind, object_id=object_id)
    session.add(change)
    session.flush()
    return change.id


def sync_after_commit(session) -> None:
    """Register an index update on this node for when `session` commits (the edit is searchable at once here;
    other nodes catch up through the change sequence, the worker's through the RQ job)."""
    from helpdesk.platform.queue import run_after_commit

    target, bind = node(), session.get_bind()

    def _sync():
        with Session(bind=bind) as fresh:
            target.sync(fresh, force=True)

    run_after_commit(session, _sync)
