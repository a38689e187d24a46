"""The shared French analysis: one folding, stemming and vocabulary for the suggester and the FAQ (pure, no fixtures)."""

import pytest

from helpdesk.platform import french
from helpdesk.platform.french import bm25


def test_decomposed_accents_read_like_precomposed_ones():
    decomposed, precomposed = "e\u0301le\u0300ve", "élève"
    assert decomposed != precomposed
    assert french.nfc(decomposed) == precomposed
    assert french.analyse(decomposed) == french.analyse(precomposed) == french.analyse("ELEVE")


def test_elisions_go_with_or_without_their_apostrophe():
    assert french.words("l’ENT d'un collège") == french.words("l ENT d un college") == ["ent", "un", "college"]


@pytest.mark.parametrize(
    "variants",
    [
        ("modification", "modifications", "modifier", "modifié"),
        ("exporter", "exporté", "export", "exportation"),
        ("connexion", "connecter", "connecté"),
        ("premier", "première"),
        ("tous", "tout", "toutes"),
        ("3e", "3eme", "3ème"),
    ],
)
def test_forms_of_one_word_share_a_stem(variants):
    assert len({french.word_stem(v) for v in variants}) == 1, variants


def test_one_vocabulary_serves_both_ways_of_reading_it():
    vocabulary = french.Vocabulary()
    # the FAQ: every way of saying a concept
    assert french.phrase_stems("mot de passe") in vocabulary.alternatives[french.vocabulary.key("mdp")]
    # the suggester: a phrase and its abbreviation share one mark, a narrow word implies the broad one only
    assert set(vocabulary.expand("mdp")) & set(vocabulary.expand("mot de passe"))
    assert french.stem("etablissement") in vocabulary.expand("collège")
    assert french.stem("college") not in vocabulary.expand("établissement")


def test_i_cannot_phrasings_name_no_topic():
    assert french.Vocabulary().expand("je n'arrive pas à publier") == [french.stem("publier")]


def test_bm25_rewards_rare_terms_and_saturates_frequency():
    assert bm25.idf(100, 1) > bm25.idf(100, 50) > 0
    once, many = bm25.term_score(1, 10, 10, b=0.75), bm25.term_score(50, 10, 10, b=0.75)
    assert once < many < bm25.K1 + 1
    assert bm25.term_score(1, 5, 10, b=0.75) > bm25.term_score(1, 20, 10, b=0.75)  # shorter documents say more
