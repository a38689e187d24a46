"""All the Whoosh code: a per-node index of FAQ articles and glossary terms, and queries built from plain text.

The query is never parsed: user text is normalised into concepts (kb.text) and the Whoosh query is built
programmatically, so quotes, `title:*`, `OR OR`, emoji or 10,000 characters are just words."""

import fcntl
import heapq
import json
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.index import IndexError as WhooshIndexError
from whoosh.index import LockError
from whoosh.query import And, Or, Term

from helpdesk.platform.french import bm25
from kb.text import ANALYZER_FINGERPRINT, STOP_WORDS, WEAK_WORDS, Thesaurus, snippet, stem, words

# What a node may hit while its index is missing, rebuilt by another process or on a full disk.
UNAVAILABLE = (OSError, WhooshIndexError, LockError)

FIELD_BOOSTS = {"title": 3.0, "tags": 2.2, "body": 1.0}
GLOSSARY_WEIGHT = 0.5  # a definition may answer, but a FAQ article answers better
FUZZY_WEIGHT = 0.6
SYNONYM_WEIGHT = 0.9  # a synonym counts a little less than the word typed: the article using that word wins a tie
WEAK_WEIGHT = 0.5  # kb.text.WEAK_WORDS
SYNONYM_TIE = 0.2  # the other ways of saying a concept add a little: a tie-breaker, not a multiplier
PRUNE_FROM_DOCS = 1000  # below this, reading every posting is cheap anyway
COMMON_SHARE = 0.25  # a word in more than a quarter of the bodies is searched in titles and tags only


class FrenchTokenizer(Tokenizer):
    """Folded words without stop words, lightly stemmed (or not, for the spelling vocabulary)."""

    def __init__(self, stemming: bool = True):
        self.stemming = stemming

    def __eq__(self, other):
        return isinstance(other, FrenchTokenizer) and other.stemming == self.stemming

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for word in words(value):
            if word in STOP_WORDS or len(word) > 40:
                continue
            token.text = stem(word) if self.stemming else word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            position += 1
            yield token


def make_schema() -> Schema:
    analyzer = FrenchTokenizer()
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        id=STORED,
        slug=STORED,
        service=ID(stored=True),
        audience=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True),
        tags=TEXT(analyzer=analyzer),  # tags, keyword labels, glossary terms and the admin path
        body=TEXT(analyzer=analyzer, stored=True),
        spell=TEXT(analyzer=FrenchTokenizer(stemming=False), spelling=True),
    )


@dataclass
class Hit:
    kind: str
    id: int
    slug: str
    title: str
    service: str
    audience: str
    score: float
    snippet: str


@dataclass
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None


def _alternative(stems: tuple[str, ...], weight: float = 1.0, common=frozenset()) -> list[tuple[str, tuple, float]]:
    """One way of saying a concept, as (field, stems, boost) leaves in every field. Words found in a large share
    of bodies say little there and cost the most to read, so they are only looked for in titles and tags."""
    return [(name, stems, boost * weight) for name, boost in FIELD_BOOSTS.items() if name != "body" or not set(stems) <= common]


class _Postings:
    """BM25 contributions per (field, term) (the project's one BM25, helpdesk.platform.french.bm25), read once per
    searcher generation.

    Whoosh's own union matchers walk deep binary trees in Python; with synonyms, typos and three fields a query
    has dozens of leaves, which took seconds on 5,000 articles. Summing cached contributions in a dict is linear
    in the postings read, and the cache makes repeated words (most of them) free."""

    B = 0.75

    def __init__(self, searcher):
        self.reader = searcher.reader()
        self.count = max(self.reader.doc_count_all(), 1)
        self.lengths: dict[str, list[int]] = {}
        self.average = {name: (self.reader.field_length(name) / self.count) or 1.0 for name in FIELD_BOOSTS}
        self.cache: dict[tuple[str, str], dict[int, float]] = {}

    def _lengths(self, name):
        if name not in self.lengths:
            self.lengths[name] = [self.reader.doc_field_length(d, name, 0) for d in range(self.reader.doc_count_all())]
        return self.lengths[name]

    def term(self, name: str, text: str) -> dict[int, float]:
        key = (name, text)
        if key not in self.cache:
            found: dict[int, float] = {}
            if (name, text) in self.reader:
                df = self.reader.doc_frequency(name, text)
                idf = bm25.idf(self.count, df)
                lengths, average = self._lengths(name), self.average[name]
                for docnum, tf in self.reader.postings(name, text).items_as("weight"):
                    found[docnum] = idf * bm25.term_score(tf, lengths[docnum], average, b=self.B)
            if len(self.cache) > 20_000:
                self.cache.clear()
            self.cache[key] = found
        return self.cache[key]

    def leaf(self, name: str, stems: tuple, boost: float) -> dict[int, float]:
        """Docs where every stem occurs in the field (a loose phrase), with their summed contribution."""
        parts = [self.term(name, s) for s in stems]
        if len(parts) == 1:
            return {d: boost * c for d, c in parts[0].items()}
        shared = set(parts[0]).intersection(*parts[1:])
        return {d: boost * sum(p[d] for p in parts) for d in shared}


class SearchIndex:
    """One node's index directory; the applied change id is kept beside it so each node catches up alone."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._ix = None
        self._local = threading.local()

    # -- writing ---------------------------------------------------------------------------------------
    def exists(self) -> bool:
        return index.exists_in(str(self.path))

    def _index(self):
        if self._ix is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = index.open_dir(str(self.path)) if self.exists() else index.create_in(str(self.path), make_schema())
        return self._ix

    def rebuild(self, documents, applied_seq: int, progress=None) -> int:
        """Replace the whole index with `documents` (dicts from kb.indexing.document)."""
        self.path.mkdir(parents=True, exist_ok=True)
        self._ix = index.create_in(str(self.path), make_schema())
        self._local = threading.local()
        writer = self._ix.writer(limitmb=128)
        count = 0
        for document in documents:
            writer.add_document(**_fields(document))
            count += 1
            if progress:
                progress(1)
        writer.commit()
        self.set_applied_seq(applied_seq)
        return count

    def apply(self, upserts: list[dict], deletes: list[str], applied_seq: int) -> None:
        writer = self._index().writer(timeout=10)
        try:
            for key in deletes:
                writer.delete_by_term("key", key)
            for document in upserts:
                writer.update_document(**_fields(document))
        except Exception:
            writer.cancel()
            raise
        writer.commit()
        self.set_applied_seq(applied_seq)

    @contextmanager
    def exclusive(self, blocking: bool):
        """Across the processes of one node (gunicorn workers, the RQ worker): one writer at a time. A search that
        finds the lock taken does not wait: another process is already bringing the index up to date."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".kb-sync.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def applied_seq(self) -> int:
        """The last change applied, or -1 (rebuild) when unknown or when the index was built by another analyser."""
        try:
            state = json.loads((self.path / "applied_seq.json").read_text())
            if state.get("analyzer") != ANALYZER_FINGERPRINT:
                return -1
            return int(state["seq"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return -1

    def set_applied_seq(self, seq: int) -> None:
        temporary = self.path / f"applied_seq.{os.getpid()}.{threading.get_ident()}.tmp"
        temporary.write_text(json.dumps({"seq": seq, "analyzer": ANALYZER_FINGERPRINT}))
        os.replace(temporary, self.path / "applied_seq.json")  # atomic: readers never see half a file

    # -- reading ---------------------------------------------------------------------------------------
    def _searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and getattr(self._local, "ix", None) is self._ix and searcher.up_to_date():
            return searcher
        if searcher is not None:
            searcher.close()
        searcher = self._index().searcher()  # Whoosh's refresh() fails on an empty index: reopen instead
        self._local.ix, self._local.searcher = self._ix, searcher
        return searcher

    def _postings(self, searcher) -> _Postings:
        cached = getattr(self._local, "postings", None)
        if cached is None or cached[0] is not searcher:
            cached = self._local.postings = (searcher, _Postings(searcher))
        return cached[1]

    def _allowed(self, searcher, audiences, kinds, service):
        """Doc numbers a reader may get, cached per searcher: the same few audience sets come back all day."""
        cache = getattr(self._local, "filters", None)
        if cache is None or cache[0] is not searcher:
            cache = self._local.filters = (searcher, {})
        key = (frozenset(audiences), tuple(kinds), service)
        if key not in cache[1]:
            clauses = [Or([Term("audience", a) for a in sorted(audiences)]), Or([Term("kind", k) for k in kinds])]
            if service:
                clauses.append(Term("service", service))
            cache[1][key] = frozenset(searcher.docs_for_query(And(clauses)))
        return cache[1][key]

    def search(
        self,
        text: str,
        thesaurus: Thesaurus,
        *,
        audiences,
        service: str | None = None,
        kinds=("faq", "glossary"),
        limit: int = 10,
    ) -> SearchResult:
        searcher = self._searcher()
        reader = searcher.reader()
        fixes_of: dict[str, str] = {}
        looked_up: dict[str, list[str]] = {}

        allowed = self._allowed(searcher, audiences, kinds, service)

        def corrections(word: str) -> list[str]:  # the vocabulary walk is the costly part: once per word
            if word not in looked_up:
                looked_up[word] = _corrections(reader, word, 8, allowed)
            return looked_up[word]

        concepts = thesaurus.concepts(
            text or "", known=lambda stemmed: _known(reader, stemmed), corrections=corrections, fixes=fixes_of
        )
        if not concepts:
            return SearchResult()
        stems: set[str] = set()
        everything = {s for concept in concepts for alt in concept.alternatives for s in alt}
        common = frozenset()
        if reader.doc_count() >= PRUNE_FROM_DOCS:
            ceiling = COMMON_SHARE * reader.doc_count()
            common = frozenset(s for s in everything if reader.doc_frequency("body", s) > ceiling)
        postings = self._postings(searcher)
        scores: dict[int, float] = {}
        for typed, alternatives, own in concepts:
            weight = WEAK_WEIGHT if typed in WEAK_WORDS else 1.0
            ways = [(alt, weight if alt == own else weight * SYNONYM_WEIGHT) for alt in sorted(alternatives)]
            for alt in alternatives:
                stems.update(alt)
            if len(alternatives) == 1 and " " not in typed and not _known(reader, next(iter(alternatives))[0]):
                fixes = corrections(typed)[:2]
                if fixes:
                    fixes_of[typed] = fixes[0]
                    fuzzy = {stem(f) for f in fixes}
                    stems.update(fuzzy)
                    ways.extend(((s,), FUZZY_WEIGHT) for s in sorted(fuzzy))
            # One concept counts once: a document is scored by its best way of saying it (a synonym, the typed
            # word, a correction), not by the sum, so concepts with many synonyms do not outweigh the others.
            best: dict[int, float] = {}
            total: dict[int, float] = {}
            for alt, alt_weight in ways:
                said: dict[int, float] = {}
                for name, leaf_stems, boost in _alternative(alt, alt_weight, common):
                    for docnum, value in postings.leaf(name, leaf_stems, boost).items():
                        if docnum in allowed:
                            said[docnum] = said.get(docnum, 0.0) + value
                for docnum, value in said.items():
                    total[docnum] = total.get(docnum, 0.0) + value
                    if value > best.get(docnum, 0.0):
                        best[docnum] = value
            for docnum, value in best.items():
                scores[docnum] = scores.get(docnum, 0.0) + value + SYNONYM_TIE * (total[docnum] - value)
        hits = []
        for docnum, score in heapq.nlargest(limit + 5, scores.items(), key=lambda item: item[1]):
            hit = searcher.stored_fields(docnum)
            weight = GLOSSARY_WEIGHT if hit["kind"] == "glossary" else 1.0
            hits.append(
                Hit(
                    kind=hit["kind"],
                    id=hit["id"],
                    slug=hit["slug"],
                    title=hit["title"],
                    service=hit["service"],
                    audience=hit["audience"],
                    score=round(score * weight, 3),
                    snippet=hit.get("body", ""),
                )
            )
        hits.sort(key=lambda h: -h.score)
        hits = hits[:limit]
        for hit in hits:  # snippets only for what is shown
            hit.snippet = snippet(hit.snippet, stems)
        suggestion = " ".join(fixes_of.get(w, w) for w in words(text)[:30]) if fixes_of else None
        return SearchResult(hits=hits, suggestion=suggestion)


def _fields(document: dict) -> dict:
    return {
        "key": f"{document['kind']}:{document['id']}",
        "kind": document["kind"],
        "id": document["id"],
        "slug": document["slug"],
        "service": document.get("service") or "autre",
        "audience": document.get("audience") or "public",
        "title": document["title"],
        "tags": " ; ".join((document.get("tags", ""), document.get("path", ""))),
        "body": document.get("body", ""),
        "spell": " ".join((document["title"], document.get("tags", ""), document.get("body", ""))),
    }


def _known(reader, stemmed: str) -> bool:
    return any((name, stemmed) in reader for name in FIELD_BOOSTS)


def _corrections(reader, word: str, limit: int = 2, allowed=None) -> list[str]:
    """Closest vocabulary words (edit distance 1, else 2 for longer words), most frequent first. With `allowed`
    (the doc numbers the reader may see), only words of those documents: a correction never reveals a word that
    exists only in an article the reader may not read (agents-only; drafts are never indexed)."""
    if len(word) < 4 or word.isdigit():
        return []
    for distance in (1, 2) if len(word) >= 6 else (1,):
        candidates = list(reader.terms_within("spell", word, distance, prefix=1))
        if allowed is not None:
            candidates = [w for w in candidates if any(d in allowed for d in reader.postings("spell", w).all_ids())]
        if candidates:
            candidates.sort(key=lambda w: -reader.doc_frequency("spell", w))
            return candidates[:limit]
    return []
