"""Who sees and moves FIL requests (policy.py), checked on plain objects and as SQL."""

from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from helpdesk.policy import Action, can, can_move_fil, can_view_fil, fil_scope
from helpdesk.trainings.models import FilRequest
from helpdesk.users.models import Role
from tests.factories import FilRequestFactory, UserFactory


@dataclass
class FakeUser:
    roles: frozenset
    profile: str = "enseignant"
    school_id: int | None = 1
    is_authenticated: bool = True
    basin_ids: frozenset = field(default_factory=frozenset)


@dataclass
class FakeFil:
    school_id: int = 1


USERS = {
    "teacher": FakeUser(frozenset({Role.REQUESTER})),
    "head": FakeUser(frozenset({Role.REQUESTER}), profile="chef_etablissement"),
    "deputy": FakeUser(frozenset({Role.REQUESTER}), profile="adjoint"),
    "other_head": FakeUser(frozenset({Role.REQUESTER}), profile="chef_etablissement", school_id=2),
    "ent_admin": FakeUser(frozenset({Role.REQUESTER}), profile="administrateur_ent"),
    "dafpen": FakeUser(frozenset({Role.DAFPEN}), school_id=None),
    "pilote": FakeUser(frozenset({Role.PILOTE}), school_id=None),
    "formation": FakeUser(frozenset({Role.FORMATION}), school_id=None),
    "agent_n1": FakeUser(frozenset({Role.AGENT_N1}), school_id=None),
}

# user → (may request, may view school 1's request, may move as dafpen / drane / head)
EXPECTED = {
    "teacher": (False, False, False, False, False),
    "head": (True, True, False, False, True),
    "deputy": (True, True, False, False, True),
    "other_head": (True, False, False, False, False),
    "ent_admin": (False, False, False, False, False),
    "dafpen": (False, True, True, False, False),
    "pilote": (False, True, False, True, False),
    "formation": (False, True, False, True, False),
    "agent_n1": (False, False, False, False, False),
}


@pytest.mark.parametrize("name", list(USERS))
def test_fil_rules(name):
    user, fil = USERS[name], FakeFil()
    got = (
        can(user, Action.REQUEST_FIL),
        can_view_fil(user, fil),
        can_move_fil(user, fil, "dafpen"),
        can_move_fil(user, fil, "drane"),
        can_move_fil(user, fil, "head"),
    )
    assert got == EXPECTED[name]


def test_fil_scope_matches_can_view_fil(session):
    mine, other = FilRequestFactory(), FilRequestFactory()
    people = [mine.requester, other.requester, UserFactory(), UserFactory(roles=[Role.DAFPEN], school=None)]
    for person in people:
        visible = set(session.scalars(select(FilRequest.id).where(fil_scope(person, FilRequest))))
        assert visible == {f.id for f in (mine, other) if can_view_fil(person, f)}
