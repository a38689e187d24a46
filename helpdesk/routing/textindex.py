"""A small in-memory BM25F index of the keyword catalog, tolerant of typos through fuzzy token matching.

Pure module (standard library and the shared French analysis): suggest.py feeds it plain KeywordDoc values read
from the database. Term weights are the project's one BM25 (helpdesk.platform.french.bm25).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from helpdesk.platform.french import bm25
from helpdesk.platform.french.vocabulary import GROUP_MARK
from helpdesk.routing import signals
from helpdesk.routing.codes import Service
from helpdesk.routing.entry import LEVEL1_SERVICES

# Field weights: a keyword's label says most, synonyms are how staff phrase it, the description adds context.
WEIGHTS = {"label": 3.0, "synonyms": 1.5, "description": 0.8, "service": 1.5}
B = 0.4  # keyword texts vary little in length: length says less than in FAQ articles
BIGRAM_BONUS = 0.6
# When the whole ENT fails, its access keywords lead the best text score by this factor, ordered by their own text.
PLATFORM_LEAD = 1.15
PLATFORM_OWN_TEXT = 0.25
# A group's mark (the shared vocabulary's "every way of saying it" token) counts less than the words typed.
MARK_WEIGHT = 0.7
MIN_SCORE = 3.0
# With a clear evolution wording but hardly any words of a service ("suggestion : un mode sombre"), the generic
# evolution keyword still gets this score times the strength of the signal.
GENERIC_EVOLUTION_FLOOR = 8.0


@dataclass(frozen=True)
class KeywordDoc:
    id: int
    label: str
    slug: str
    service: str
    tier: str
    ticket_type: str
    is_mass_incident: bool
    synonyms: tuple[str, ...] = ()
    description: str = ""
    service_label: str = ""


@dataclass(frozen=True)
class Suggestion:
    doc: KeywordDoc
    score: float


@dataclass
class _Entry:
    doc: KeywordDoc
    tf: dict[str, float] = field(default_factory=dict)
    length: float = 0.0
    pairs: frozenset = frozenset()


def _pairs(tokens: list[str]) -> set[frozenset]:
    """Unordered pairs of neighbouring tokens: "cahier textes" matches "textes du cahier" too."""
    return {frozenset((a, b)) for a, b in zip(tokens, tokens[1:], strict=False) if a != b}


def _trigrams(token: str) -> set[str]:
    padded = f"^{token}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def edit_distance(a: str, b: str, cutoff: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count as one), giving up above `cutoff`."""
    if abs(len(a) - len(b)) > cutoff:
        return cutoff + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > cutoff:
            return cutoff + 1
        previous2, previous = previous, current
    return previous[-1]


class KeywordIndex:
    """BM25F over normalised tokens of label, synonyms, description and service label, with a bigram bonus."""

    def __init__(self, docs: list[KeywordDoc]):
        self.entries: list[_Entry] = []
        document_frequency: dict[str, int] = defaultdict(int)
        for doc in docs:
            entry = _Entry(doc)
            pairs: set[frozenset] = set()
            fields = {
                "label": [doc.label],
                "synonyms": list(doc.synonyms),
                "description": [doc.description],
                "service": [doc.service_label, doc.service.replace("_", " ")],
            }
            for name, texts in fields.items():
                for text in texts:
                    tokens = signals.normalise(text, limit=None)
                    if name in ("label", "synonyms"):
                        pairs |= _pairs(tokens)
                    for token in tokens:
                        weight = WEIGHTS[name] * (MARK_WEIGHT if token.startswith(GROUP_MARK) else 1.0)
                        entry.tf[token] = entry.tf.get(token, 0.0) + weight
                        entry.length += weight
            entry.pairs = frozenset(pairs)
            for token in entry.tf:
                document_frequency[token] += 1
            self.entries.append(entry)
        count = max(len(self.entries), 1)
        self.average_length = sum(e.length for e in self.entries) / count or 1.0
        self.idf = {t: bm25.idf(count, df) for t, df in document_frequency.items()}
        self._by_trigram: dict[str, set[str]] = defaultdict(set)
        for token in self.idf:
            for gram in _trigrams(token):
                self._by_trigram[gram].add(token)
        self._matches = lru_cache(maxsize=4096)(self._compute_matches)
        # Services with an evolution keyword of their own; an evolution request about any other service goes to the
        # generic one (service "autre"), which then inherits that service's text score.
        self._services_with_evolution = frozenset(
            d.service for d in docs if d.ticket_type == "evolution" and d.service != Service.AUTRE
        )

    # -- query side ---------------------------------------------------------

    def _compute_matches(self, token: str) -> tuple[tuple[str, float], ...]:
        """Vocabulary tokens standing for a query token, with a confidence: exact 1, typo 0.8 or 0.6, prefix 0.7."""
        if token in self.idf:
            return ((token, 1.0),)
        if len(token) < 5 or token.isdigit() or token.startswith(GROUP_MARK):
            return ()  # short words: a typo is less likely than a different word ("matin" is not "main")
        candidates: dict[str, int] = defaultdict(int)
        for gram in _trigrams(token):
            for other in self._by_trigram.get(gram, ()):
                candidates[other] += 1
        allowed = 1 if len(token) < 7 else 2
        found: list[tuple[str, float]] = []
        for other, shared in candidates.items():
            if shared < 2 or len(other) < 5 or abs(len(other) - len(token)) > allowed + 2:
                continue
            distance = edit_distance(token, other, allowed)
            if distance <= allowed:
                found.append((other, 0.8 if distance == 1 else 0.6))
            elif len(token) >= 5 and len(other) >= 5 and (other.startswith(token) or token.startswith(other)):
                found.append((other, 0.7))
        found.sort(key=lambda item: (-item[1], -self.idf[item[0]]))
        return tuple(found[:3])

    def search(self, text: str, limit: int = 5) -> list[Suggestion]:
        tokens = signals.normalise(text)
        if not tokens:
            return []
        matched: list[list[tuple[str, float]]] = [list(self._matches(t)) for t in tokens]
        if not any(matched):
            return []
        # Each vocabulary token counts once, with the best confidence any query word gave it.
        weights: dict[str, float] = {}
        for options in matched:
            for token, confidence in options:
                if token.startswith(GROUP_MARK):
                    confidence *= MARK_WEIGHT
                weights[token] = max(weights.get(token, 0.0), confidence)
        # Pairs of neighbouring query words, each mapped to its best vocabulary token.
        best = [options[0][0] if options else None for options in matched]
        present = [t for t in best if t]
        query_pairs = _pairs(present)
        scores = [self._score(entry, weights, query_pairs) for entry in self.entries]
        raw_words = signals.signal_words(text)
        mass, evolution = signals.mass_signal(tokens, raw_words), signals.evolution_signal(tokens, raw_words)
        mass_scores = scores
        if mass:
            # In a mass incident, who is hit ("tous les élèves et les profs", "les collèges voisins") says how wide the
            # failure is, not which service fails: those words would pull towards keywords about pupils' or schools'
            # accounts. Which service's mass-incident keyword fits is decided on the text without them.
            focused = {t: c for t, c in weights.items() if t not in signals.SCOPE_STEMS}
            if focused:
                mass_scores = [self._score(entry, focused, query_pairs) for entry in self.entries]
        text_scores = scores
        scores = self._apply_nature(scores, mass_scores, mass, evolution, signals.training_signal(raw_words))
        scores = self._apply_platform(scores, text_scores, signals.platform_signal(raw_words), mass)
        ranked = sorted(
            (
                Suggestion(entry.doc, round(score, 3))
                for entry, score in zip(self.entries, scores, strict=True)
                if score >= MIN_SCORE
            ),
            key=lambda s: (-s.score, s.doc.label),
        )
        return ranked[:limit]

    def _apply_platform(self, scores: list[float], text_scores: list[float], platform: float, mass: float) -> list[float]:
        """The whole ENT failing (down, slow, stuck at the login page) is a level-1 access problem whatever service
        the text names: the access keywords of the right kind (a mass incident for many users, else one user's
        access) take the lead, ordered by their own text score. When the text says the ENT works, they step back."""
        if not platform:
            return scores
        top = max(scores, default=0.0)
        adjusted = []
        for entry, score, text_score in zip(self.entries, scores, text_scores, strict=True):
            doc = entry.doc
            if doc.service in LEVEL1_SERVICES and doc.ticket_type != "evolution":
                if platform < 0:
                    score *= 0.6
                elif doc.is_mass_incident == bool(mass):
                    score = max(score, top * PLATFORM_LEAD + text_score * PLATFORM_OWN_TEXT)
            adjusted.append(score)
        return adjusted

    def _score(self, entry: _Entry, weights: dict[str, float], query_pairs: set[frozenset]) -> float:
        score = 0.0
        for token, confidence in weights.items():
            tf = entry.tf.get(token)
            if tf:
                score += confidence * self.idf[token] * bm25.term_score(tf, entry.length, self.average_length, b=B)
        for pair in query_pairs & entry.pairs:
            score += BIGRAM_BONUS * sum(self.idf[t] for t in pair) / 2
        return score

    def _best_of_service(self, scores: list[float]) -> dict[str, float]:
        """Each service's best score among its ordinary keywords: the words of mass-incident and evolution keywords
        ("pour tous", "en panne", "amélioration") say what kind of request it is, not which service it is about."""
        best: dict[str, float] = defaultdict(float)
        for entry, score in zip(self.entries, scores, strict=True):
            if not (entry.doc.is_mass_incident or entry.doc.ticket_type == "evolution"):
                best[entry.doc.service] = max(best[entry.doc.service], score)
        return best

    def _apply_nature(
        self, scores: list[float], mass_scores: list[float], mass: float, evolution: float, training: float = 0.0
    ) -> list[float]:
        """Route by nature as well as by service: with signs of a mass incident (or of an evolution request), the
        matching keyword of the same service inherits the service's best text score; without them it steps back.

        `mass_scores` are the text scores without the words saying who is hit; they rank the services for the
        mass-incident keywords and are brought back to the scale of `scores`. The generic evolution keyword stands
        for the services that have no evolution keyword of their own. A training request ("une formation sur le
        classeur") puts the training keywords ahead of the service the training is about."""
        best_of_service = self._best_of_service(scores)
        mass_evidence = best_of_service
        scale = 1.0
        if mass and mass_scores is not scores:
            mass_evidence = self._best_of_service(mass_scores)
            focused_top = max(mass_evidence.values(), default=0.0)
            scale = max(best_of_service.values(), default=0.0) / focused_top if focused_top else 0.0
        # The generic evolution keyword speaks for the service the text is most about when that service has no
        # evolution keyword of its own.
        top_service = max(best_of_service, key=best_of_service.__getitem__, default=None)
        uncovered = 0.0 if top_service in self._services_with_evolution else best_of_service.get(top_service, 0.0)
        adjusted = []
        for entry, score, mass_score in zip(self.entries, scores, mass_scores, strict=True):
            doc = entry.doc
            if doc.is_mass_incident:
                if mass:
                    score = max(mass_score * scale, mass * 1.15 * scale * mass_evidence[doc.service])
                else:
                    score *= 0.6
            elif training and doc.service == Service.FORMATION:
                score += training * max(best_of_service.values(), default=0.0)
            elif doc.ticket_type == "evolution":
                if not evolution:
                    score *= 0.6
                elif doc.service == Service.AUTRE:
                    score = max(score, evolution * 1.15 * uncovered, evolution * GENERIC_EVOLUTION_FLOOR)
                else:
                    score = max(score, evolution * 1.15 * best_of_service[doc.service])
            adjusted.append(score)
        return adjusted
