"""Accuracy of the keyword suggester on realistic phrasings (tests/routing/eval_phrasings.yaml), through the API.

A hit is a suggestion with the expected service AND entry tier. The floors are below the measured numbers (see
docs/routing.md) so that a regression fails; tune the engine, never the evaluation file."""

from pathlib import Path

import pytest
import yaml

from helpdesk.routing.seed import seed_reference

PHRASINGS = yaml.safe_load((Path(__file__).parent / "eval_phrasings.yaml").read_text(encoding="utf-8"))
TOP1_FLOOR = 0.80
TOP3_FLOOR = 0.92


def test_evaluation_set_is_large_and_well_formed():
    assert len(PHRASINGS) >= 60
    assert all({"q", "service", "tier"} <= set(p) for p in PHRASINGS)
    assert all(p["tier"] != "editeur" for p in PHRASINGS)


@pytest.fixture
def seeded(session):
    seed_reference(session)
    session.commit()


def test_top1_and_top3_accuracy_on_service_and_tier(client, seeded, capsys):
    top1 = top3 = 0
    misses = []
    for phrasing in PHRASINGS:
        response = client.get("/api/v1/routing/suggest", query_string={"q": phrasing["q"]})
        assert response.status_code == 200
        found = [(s["service"], s["tier"]) for s in response.get_json()["suggestions"]]
        expected = (phrasing["service"], phrasing["tier"])
        top1 += found[:1] == [expected]
        top3 += expected in found[:3]
        if expected not in found[:3]:
            misses.append(f"{phrasing['q']!r}: attendu {expected}, obtenu {found[:3]}")
    total = len(PHRASINGS)
    with capsys.disabled():
        print(f"\nsuggester on {total} phrasings: top-1 {top1 / total:.3f}, top-3 {top3 / total:.3f}")
        for miss in misses:
            print("  miss:", miss)
    assert top1 / total >= TOP1_FLOOR
    assert top3 / total >= TOP3_FLOOR
