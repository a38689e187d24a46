"""French text analysis shared by the keyword suggester (helpdesk.routing) and the FAQ search (kb): one way to fold,
cut, stem and expand words, one vocabulary and one BM25, so a vocabulary fix is made once for both."""

from helpdesk.platform.french import bm25
from helpdesk.platform.french.analysis import (
    STOP_WORDS,
    analyse,
    content_words,
    fingerprint,
    fold,
    nfc,
    stem,
    without_cannot,
    word_stem,
    words,
)
from helpdesk.platform.french.vocabulary import GROUPS, ONE_WAY, Vocabulary, phrase_stems

ANALYZER_FINGERPRINT = fingerprint(GROUPS, ONE_WAY)

__all__ = [
    "ANALYZER_FINGERPRINT",
    "GROUPS",
    "ONE_WAY",
    "STOP_WORDS",
    "Vocabulary",
    "analyse",
    "bm25",
    "content_words",
    "fold",
    "nfc",
    "phrase_stems",
    "stem",
    "without_cannot",
    "word_stem",
    "words",
]
