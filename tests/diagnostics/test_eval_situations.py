"""Held-out diagnostic situations (written from the domain facts before the trees): the simulated person reaches
the key facts or the right ticket in at least 90 % of them, walking the seeded reference trees."""

from kb.diagnostics.tree import Answer, Node
from tests.diagnostics.situations import choose, evaluate, load_situations, stems

FLOOR = 0.90


def test_situations_are_many_distinct_and_well_formed():
    cases = load_situations()
    assert len(cases) >= 80
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert case["situation"].strip() and case["tree"] and case["answers"], case["id"]
        assert set(case["expect"]) in ({"facts"}, {"keyword", "tier"}), case["id"]


def test_the_person_picks_the_option_sharing_most_words_and_refuses_ties():
    node = Node(
        id="q",
        kind="question",
        text="Depuis quand ?",
        answers=(Answer("recent", "Oui, depuis moins de 48 heures", "a"), Answer("ancien", "Oui, depuis plus de 48 heures", "b")),
    )
    assert choose(node, ["inscrit depuis plus de 48 heures"], set()).answer_id == "ancien"
    assert choose(node, ["oui"], set()) is None  # both options match « oui » equally: not an answer
    assert choose(node, ["aucune idée"], set()) is None
    assert stems("Élèves") == stems("eleve")


def test_held_out_situations_reach_their_key_facts(session, seeded):
    verdicts = evaluate(session)
    misses = [f"{v.case['id']} {v.reason} via {' > '.join(v.path)}" for v in verdicts if not v.reached]
    rate = 1 - len(misses) / len(verdicts)
    assert rate >= FLOOR, f"{rate:.3f} < {FLOOR}:\n" + "\n".join(misses)
