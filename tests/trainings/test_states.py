"""The FIL state table, without a database."""

import ast
from pathlib import Path

import pytest

from helpdesk.trainings import states
from helpdesk.trainings.states import FINAL, TRANSITIONS, FilState, Mover, TransitionRefused, mover_of

EXPECTED = [  # (from, to, who)
    ("submitted", "validated", Mover.DAFPEN),
    ("submitted", "refused", Mover.DAFPEN),
    ("validated", "scheduled", Mover.DRANE),
    ("scheduled", "confirmed", Mover.HEAD),
    ("confirmed", "held", Mover.DRANE),
    ("held", "closed", Mover.DRANE),
]


@pytest.mark.parametrize(("current", "target", "mover"), EXPECTED)
def test_allowed_transitions_and_their_mover(current, target, mover):
    assert mover_of(current, target) == mover


def test_every_other_pair_is_refused_with_a_french_message():
    allowed = {(c, t) for c, t, _m in EXPECTED}
    for current in FilState:
        for target in FilState:
            if (current, target) in allowed:
                continue
            with pytest.raises(TransitionRefused, match="ne peut pas passer"):
                mover_of(current, target)


def test_the_table_has_exactly_the_expected_edges_and_final_states():
    edges = {(c, t) for c, targets in TRANSITIONS.items() for t in targets}
    assert edges == {(FilState(c), FilState(t)) for c, t, _m in EXPECTED}
    assert FINAL == {FilState.REFUSED, FilState.CLOSED}
    assert states.REASON_REQUIRED == {FilState.REFUSED}


def test_every_state_is_reachable_from_submitted():
    seen, todo = {FilState.SUBMITTED}, [FilState.SUBMITTED]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(FilState)


@pytest.mark.parametrize("module", ["states.py", "rules.py", "ics.py"])
def test_pure_modules_import_only_the_standard_library(module):
    tree = ast.parse((Path(states.__file__).parent / module).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    # helpdesk.platform.i18n: the N_ marker of the French labels, itself standard library only
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "helpdesk.platform.i18n"
    }
    assert imported <= {"dataclasses", "datetime", "enum"}
