"""The pure tree module: validation names the faulty node; walking follows answer ids or says why not."""

import copy
import glob

import pytest
import yaml

from kb.diagnostics.tree import MAX_QUESTIONS, TreeInvalid, WalkError, load_tree, parse_tree, validate_tree, walk

KEYWORDS = {"compte élève absent", "identifiants EduConnect"}


def small_tree() -> dict:
    return {
        "slug": "essai",
        "title": "Essai",
        "keywords": ["compte élève absent"],
        "start": "q1",
        "nodes": {
            "q1": {
                "kind": "question",
                "text": "Profil ?",
                "answers": [
                    {"id": "eleve", "label": "Élève", "next": "q2"},
                    {"id": "autre", "label": "Autre", "next": "tkt"},
                ],
            },
            "q2": {
                "kind": "question",
                "text": "Inscrit dans Siècle ?",
                "answers": [
                    {"id": "non", "label": "Non", "next": "fix"},
                    {"id": "oui", "label": "Oui", "next": "tkt"},
                ],
            },
            "fix": {
                "kind": "fix",
                "title": "Inscrire l'élève",
                "text": "Dans Siècle.",
                "delay": "48 heures",
                "fallback": {"keyword": "compte élève absent", "tier": "n1"},
            },
            "tkt": {
                "kind": "escalation",
                "title": "Ticket",
                "text": "Ouvrez un ticket.",
                "keyword": "identifiants EduConnect",
                "tier": "n1",
                "carry": ["q1"],
                "attach": ["UAI"],
            },
        },
    }


def errors_of(data, **kwargs) -> list[str]:
    kwargs.setdefault("known_keywords", KEYWORDS)
    kwargs.setdefault("known_trees", {"essai", "autre-arbre"})
    return validate_tree(parse_tree(data), **kwargs)


def test_small_tree_is_valid():
    assert errors_of(small_tree()) == []


def test_unreachable_node_is_named():
    data = small_tree()
    data["nodes"]["orphelin"] = copy.deepcopy(data["nodes"]["fix"])
    assert errors_of(data) == ["Le nœud « orphelin » n'est atteint par aucun parcours depuis « q1 »."]


def test_question_with_a_single_answer_is_a_dead_end():
    data = small_tree()
    data["nodes"]["q2"]["answers"].pop()
    errors = errors_of(data)
    assert any("« q2 »" in e and "impasse" in e for e in errors), errors


def test_answer_leading_nowhere_is_named():
    data = small_tree()
    data["nodes"]["q2"]["answers"][1]["next"] = "q9"
    assert errors_of(data) == ["Le nœud « q2 » : la réponse « oui » mène à « q9 », qui n'existe pas."]


def test_cycle_is_refused_naming_the_node():
    data = small_tree()
    data["nodes"]["q2"]["answers"][1]["next"] = "q1"
    errors = errors_of(data)
    assert errors == ["Le nœud « q2 » forme une boucle : sa réponse « oui » ramène à « q1 »."]


def test_unknown_escalation_keyword_is_named():
    data = small_tree()
    data["nodes"]["tkt"]["keyword"] = "mot-clé inventé"
    assert errors_of(data) == ["Le nœud « tkt » : le mot-clé « mot-clé inventé » de l'escalade n'existe pas."]


def test_escalation_tier_must_be_an_entry_tier():
    data = small_tree()
    data["nodes"]["tkt"]["tier"] = "editeur"
    errors = errors_of(data)
    assert len(errors) == 1 and "« tkt »" in errors[0] and "n1, edulab ou pilote" in errors[0]


def test_fix_without_fallback_is_refused():
    data = small_tree()
    del data["nodes"]["fix"]["fallback"]
    errors = errors_of(data)
    assert errors and all("« fix »" in e for e in errors)


def test_redirect_to_unknown_tree_is_refused():
    data = small_tree()
    data["nodes"]["q2"]["answers"][0]["next"] = "ailleurs"
    data["nodes"]["ailleurs"] = {"kind": "redirect", "title": "Autre", "text": "Voir l'autre.", "tree": "inconnu"}
    del data["nodes"]["fix"]
    assert errors_of(data) == ["Le nœud « ailleurs » renvoie vers l'arbre « inconnu », qui n'existe pas."]


def test_more_than_five_questions_on_a_path_names_the_sixth():
    data = small_tree()
    chain = [f"c{i}" for i in range(1, MAX_QUESTIONS + 1)]
    data["nodes"]["q2"]["answers"][1]["next"] = chain[0]
    for position, node_id in enumerate(chain):
        following = chain[position + 1] if position + 1 < len(chain) else "tkt"
        data["nodes"][node_id] = {
            "kind": "question",
            "text": f"Question {node_id} ?",
            "answers": [{"id": "a", "label": "A", "next": following}, {"id": "b", "label": "B", "next": "fix"}],
        }
    errors = errors_of(data)
    # q1, q2, c1, c2, c3 are the five allowed questions: c4 is the sixth.
    assert errors == ["Le nœud « c4 » est la 6e question d'un même parcours : 5 questions au plus sont permises."]


def test_answer_ids_must_fit_in_the_url():
    data = small_tree()
    data["nodes"]["q2"]["answers"][0]["id"] = "non, jamais"
    errors = errors_of(data)
    assert len(errors) == 1 and errors[0].startswith("Le nœud « q2 » : l'identifiant de réponse « non, jamais »")


def test_unknown_kind_and_malformed_tree_raise():
    data = small_tree()
    data["nodes"]["q2"]["kind"] = "peut-être"
    with pytest.raises(TreeInvalid) as info:
        load_tree(data)
    assert "« q2 »" in info.value.errors[0]
    with pytest.raises(TreeInvalid):
        load_tree(["pas", "une", "table"])


def test_every_error_is_reported_at_once():
    data = small_tree()
    data["nodes"]["tkt"]["keyword"] = "inconnu"
    data["nodes"]["orphelin"] = copy.deepcopy(data["nodes"]["fix"])
    with pytest.raises(TreeInvalid) as info:
        load_tree(data, known_keywords=KEYWORDS)
    assert len(info.value.errors) == 2


def test_walk_returns_next_question_then_outcome_with_path():
    tree = load_tree(small_tree())
    first = walk(tree, [])
    assert first.node.id == "q1" and first.step_number == 1
    second = walk(tree, ["eleve"])
    assert second.node.id == "q2" and second.step_number == 2
    outcome = walk(tree, ["eleve", "oui"])
    assert outcome.node.kind == "escalation"
    assert [(s.question.id, s.answer.id) for s in outcome.path] == [("q1", "eleve"), ("q2", "oui")]
    assert outcome.carried() == [("Profil ?", "Élève")]  # only the questions the escalation carries


def test_walk_refuses_unknown_answer_and_answers_past_the_outcome():
    tree = load_tree(small_tree())
    with pytest.raises(WalkError, match="« peut-etre » n'existe pas pour la question « q2 »"):
        walk(tree, ["eleve", "peut-etre"])
    with pytest.raises(WalkError, match="déjà terminé"):
        walk(tree, ["autre", "encore"])


def test_all_shipped_trees_are_valid():
    with open("helpdesk/routing/data/keywords.yaml", encoding="utf-8") as handle:
        keywords = {item["label"] for item in yaml.safe_load(handle)}
    files = sorted(glob.glob("kb/data/diagnostics/*.yaml"))
    assert len(files) >= 10
    trees = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            trees.append(yaml.safe_load(handle))
    slugs = {data["slug"] for data in trees}
    for data in trees:
        assert errors_of(data, known_keywords=keywords, known_trees=slugs) == [], data["slug"]
