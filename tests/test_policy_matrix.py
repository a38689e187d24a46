"""Every role × every ticket action × own ticket / same school / same basin / other basin / at vendor."""

from dataclasses import dataclass, field

import pytest

from helpdesk.policy import (
    TICKET_ACTIONS,
    Action,
    can,
    can_answer_survey,
    can_view_ticket,
    report_school,
    sees_academie_figures,
    ticket_scope,
)
from helpdesk.users.models import Role


@dataclass
class FakeUser:
    id: int
    roles: frozenset
    profile: str = "enseignant"
    school_id: int | None = 1
    basin_ids: frozenset = field(default_factory=frozenset)
    is_authenticated: bool = True

    def has_role(self, *roles):
        return bool(self.roles & set(roles))


@dataclass
class FakeTicket:
    requester_id: int
    school_id: int
    basin_id: int
    tier: str
    has_reached_vendor: bool = False


# Ticket situations relative to a user of school 1 in basin 10.
SITUATIONS = {
    "own": FakeTicket(requester_id=1, school_id=1, basin_id=10, tier="edulab"),
    "same_school": FakeTicket(requester_id=2, school_id=1, basin_id=10, tier="edulab"),
    "same_basin": FakeTicket(requester_id=3, school_id=2, basin_id=10, tier="edulab"),
    "other_basin": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="edulab"),
    "at_vendor": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="editeur", has_reached_vendor=True),
    "n1_other": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="n1"),
    "pilote_other": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="pilote"),
}

USERS = {
    "teacher": FakeUser(1, frozenset({Role.REQUESTER})),
    "head": FakeUser(1, frozenset({Role.REQUESTER}), profile="chef_etablissement"),
    "ent_admin": FakeUser(1, frozenset({Role.REQUESTER}), profile="administrateur_ent"),
    "agent_n1": FakeUser(50, frozenset({Role.AGENT_N1}), school_id=None),
    "edulab": FakeUser(51, frozenset({Role.EDULAB}), school_id=None, basin_ids=frozenset({10})),
    "pilote": FakeUser(52, frozenset({Role.PILOTE}), school_id=None),
    "editeur": FakeUser(53, frozenset({Role.EDITEUR}), school_id=None),
    "admin": FakeUser(54, frozenset({Role.ADMIN}), school_id=None),
    "dafpen": FakeUser(55, frozenset({Role.DAFPEN}), school_id=None),
    "formation": FakeUser(56, frozenset({Role.FORMATION}), school_id=None),
}

V, R, N, I, W, E, D, K, C = (
    Action.VIEW_TICKET,
    Action.REPLY_TICKET,
    Action.ADD_INTERNAL_NOTE,
    Action.VIEW_INTERNAL,
    Action.WORK_TICKET,
    Action.ESCALATE_TICKET,
    Action.SEND_DOWN_TICKET,
    Action.CHANGE_KEYWORD,
    Action.CONFIRM_RESOLUTION,
)
REQ = {V, R, C}
AGENT_ALL = {V, R, N, I, W, E, D, K}

# Expected allowed actions per (user, situation); anything not listed must be refused.
EXPECTED = {
    "teacher": {"own": REQ},
    "head": {"own": REQ, "same_school": REQ},
    "ent_admin": {"own": REQ, "same_school": REQ},
    "agent_n1": {s: {V, R, N, I} for s in SITUATIONS} | {"n1_other": {V, R, N, I, W, E, K}},
    "edulab": {"own": AGENT_ALL, "same_school": AGENT_ALL, "same_basin": AGENT_ALL},
    "pilote": {s: AGENT_ALL for s in SITUATIONS} | {"n1_other": {V, R, N, I, W, E, K}, "at_vendor": {V, R, N, I}},
    "editeur": {"at_vendor": {V, R, N, I, W, D}},
    "admin": {s: {V} for s in SITUATIONS},
    "dafpen": {},
    "formation": {},
}


@pytest.mark.parametrize("user_name", sorted(USERS))
@pytest.mark.parametrize("situation", sorted(SITUATIONS))
@pytest.mark.parametrize("action", sorted(TICKET_ACTIONS))
def test_ticket_action_matrix(user_name, situation, action):
    user, ticket = USERS[user_name], SITUATIONS[situation]
    expected = action in EXPECTED[user_name].get(situation, set())
    assert can(user, action, ticket) is expected, f"{user_name} {action} {situation}"


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_role_actions(user_name):
    user = USERS[user_name]
    expectations = {
        Action.CREATE_TICKET: user_name in {"teacher", "head", "ent_admin", "agent_n1", "edulab", "pilote"},
        Action.CREATE_TICKET_ON_BEHALF: user_name in {"agent_n1", "pilote"},
        Action.VIEW_QUEUE: user_name in {"agent_n1", "edulab", "pilote", "editeur"},
        Action.EDIT_CATALOG: user_name in {"pilote", "admin"},
        Action.EDIT_KB: user_name in {"pilote", "edulab"},
        Action.EDIT_DIAGNOSTICS: user_name == "pilote",
        Action.EDIT_SLA: user_name == "pilote",
        Action.MANAGE_USERS: user_name == "admin",
        Action.VIEW_EVOLUTIONS: user_name in {"pilote", "editeur"},
        Action.REQUEST_FIL: user_name == "head",
        Action.VALIDATE_FIL: user_name == "dafpen",
        Action.MANAGE_TRAININGS: user_name == "formation",
        Action.VIEW_DASHBOARD: user_name in {"head", "pilote", "admin", "dafpen"},
        Action.VIEW_CONFIG_AUDIT: user_name in {"pilote", "admin"},
    }
    for action, expected in expectations.items():
        assert can(user, action) is expected, f"{user_name} {action}"


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_figures_are_academie_wide_or_one_school(user_name):
    """Pilots, DAFPEN and admins see the whole académie; a head of school sees only their school; nobody else
    sees figures (report_school is only read once VIEW_DASHBOARD is granted)."""
    user = USERS[user_name]
    expected = {"head": user.school_id, "pilote": None, "admin": None, "dafpen": None}
    assert can(user, Action.VIEW_DASHBOARD) is (user_name in expected)
    if user_name in expected:
        assert report_school(user) == expected[user_name]
    assert sees_academie_figures(user) is (user_name in {"pilote", "admin", "dafpen"})


def test_a_head_with_an_academie_role_sees_the_academie():
    both = FakeUser(60, frozenset({Role.PILOTE}), profile="chef_etablissement", school_id=7)
    assert can(both, Action.VIEW_DASHBOARD) and report_school(both) is None


def test_a_head_without_a_school_sees_no_figures():
    assert not can(FakeUser(61, frozenset({Role.REQUESTER}), profile="chef_etablissement", school_id=None), Action.VIEW_DASHBOARD)


@dataclass
class FakeSurvey:
    requester_id: int


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_only_the_requester_answers_the_survey(user_name):
    user = USERS[user_name]
    assert can_answer_survey(user, FakeSurvey(requester_id=1)) is (user.id == 1)
    assert not can_answer_survey(FakeUser(1, frozenset(), is_authenticated=False), FakeSurvey(requester_id=1))


def test_anonymous_can_do_nothing():
    anonymous = FakeUser(0, frozenset(), is_authenticated=False)
    for action in Action:
        assert not can(anonymous, action, SITUATIONS["own"])


def test_sql_scope_matches_python_rule(session):
    """The listing filter and the per-ticket rule agree, on real rows."""
    from helpdesk.tickets.models import Ticket
    from tests.factories import BasinFactory, SchoolFactory, TicketFactory, UserFactory

    basin, other_basin = BasinFactory(), BasinFactory()
    school, neighbour, far = SchoolFactory(basin=basin), SchoolFactory(basin=basin), SchoolFactory(basin=other_basin)
    teacher = UserFactory(school=school)
    tickets = [
        TicketFactory(requester=teacher),
        TicketFactory(requester=UserFactory(school=school)),
        TicketFactory(requester=UserFactory(school=neighbour)),
        TicketFactory(requester=UserFactory(school=far)),
        TicketFactory(requester=UserFactory(school=far), has_reached_vendor=True, tier="editeur"),
    ]
    users = [
        teacher,
        UserFactory(school=school, profile="chef_etablissement"),
        UserFactory(school=None, roles=[Role.EDULAB], basins=[basin]),
        UserFactory(school=None, roles=[Role.EDITEUR]),
        UserFactory(school=None, roles=[Role.PILOTE]),
        UserFactory(school=None, roles=[Role.DAFPEN]),
    ]
    for user in users:
        listed = set(session.scalars(session.query(Ticket.id).where(ticket_scope(user, Ticket)).statement))
        expected = {t.id for t in tickets if can_view_ticket(user, t)}
        assert listed == expected, user.email
