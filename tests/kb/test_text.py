"""The French normalisation behind search (pure functions, no index)."""

import pytest

from kb.text import Thesaurus, fold, stem


@pytest.mark.parametrize(
    "variants",
    [
        ("tous", "tout", "toute", "toutes"),
        ("modification", "modifications", "modifier", "modifié"),
        ("publication", "publier", "publié"),
        ("premier", "première", "premières"),
        ("3e", "3eme", "3ème"),
    ],
)
def test_forms_of_one_word_share_a_stem(variants):
    assert len({stem(fold(v)) for v in variants}) == 1, variants


@pytest.fixture
def thesaurus():
    return Thesaurus()


def _typed(concepts):
    return [c.typed for c in concepts]


def test_elision_without_apostrophe_is_split_only_when_the_word_after_it_is_known(thesaurus):
    known = {stem(w) for w in ("ent", "emploi", "temps", "apparait")}.__contains__
    assert _typed(thesaurus.concepts("pronote sur lent", known=known)) == ["pronote", "ent"]
    assert _typed(thesaurus.concepts("ouvrir lemploi du temps", known=known)) == ["ouvrir", "emploi du temps"]
    assert _typed(thesaurus.concepts("lent", known=lambda s: s == stem("lent"))) == ["lent"]  # a word of its own


def test_saying_i_cannot_is_not_about_newcomers(thesaurus):
    concepts = thesaurus.concepts("je n'arrive pas a publier")
    assert _typed(concepts) == ["publier"]
    assert _typed(thesaurus.concepts("jarrive pa a publier", known={stem("arrive"), stem("publier")}.__contains__)) == ["publier"]
    assert "nouvel" in {s for c in thesaurus.concepts("eleve arrive en cours d'annee") for a in c.alternatives for s in a}


def test_a_class_name_means_its_level_and_a_class(thesaurus):
    (concept,) = thesaurus.concepts("6e2")
    assert {("6e",), (stem("classe"),)} <= concept.alternatives


def test_one_way_synonyms_do_not_come_back(thesaurus):
    (famille,) = thesaurus.concepts("familles")
    assert ("parent",) in famille.alternatives
    (parent,) = thesaurus.concepts("parents")
    assert (stem("famille"),) not in parent.alternatives


def test_a_typo_inside_a_known_phrase_is_corrected_to_complete_it(thesaurus):
    fixes = {}
    concepts = thesaurus.concepts(
        "mot de pase oublie",
        known=lambda s: s != stem("pase"),
        corrections=lambda w: ["page", "passe"] if w == "pase" else [],
        fixes=fixes,
    )
    assert _typed(concepts)[0] == "mot de passe" and fixes == {"pase": "passe"}
    assert ("mdp",) in concepts[0].alternatives


def test_the_snippet_shows_the_sentence_that_answers_not_the_first_lines():
    from helpdesk.platform.french import analyse
    from kb.text import markdown_to_text, snippet

    body = markdown_to_text(
        "Un enseignant sans service saisi n'a pas de compte.\n\n### Marche à suivre\n\n"
        "1. Ouvrez le menu `Exports` et lancez l'export **« Structure »** puis l'export **« Services »** de STSweb.\n"
        "2. Attendez **48 heures**."
    )
    shown = snippet(body, set(analyse("quel export faire dans stsweb")))
    assert shown.startswith("…Ouvrez le menu <mark>Exports</mark>") and "« Services »" in shown
    assert "Marche à suivre" not in shown  # a heading is its own sentence, not glued to the step
