"""The one BM25 of the project: how much a term found in a document says, for the suggester and the FAQ alike.

Both callers keep their own postings (the suggester a hundred keywords in memory, the FAQ a Whoosh index per node)
and sum these contributions themselves. Pure."""

import math

K1 = 1.2


def idf(document_count: int, document_frequency: int) -> float:
    """Rarity of a term (BM25's, never negative): log(1 + (N - df + 0.5) / (df + 0.5))."""
    return math.log(1 + (document_count - document_frequency + 0.5) / (document_frequency + 0.5))


def term_score(term_frequency: float, length: float, average_length: float, *, b: float, k1: float = K1) -> float:
    """The saturated, length-normalised frequency of a term in one document (multiply by the term's idf)."""
    norm = k1 * (1 - b + b * length / (average_length or 1.0))
    return term_frequency * (k1 + 1) / (term_frequency + norm)
