"""Every role × every ticket action, move and timeline audience × own ticket / same school / same basin / other basin /
at the vendor / sent back by the vendor; queue scopes, menus and home pages by role."""

from dataclasses import dataclass, field

import pytest

from helpdesk.policy import (
    TICKET_ACTIONS,
    Action,
    bulk_offer,
    can,
    can_answer_survey,
    can_manage_saved_view,
    can_move,
    can_view_ticket,
    home_page,
    menu_entries,
    queue_tiers,
    readable_audiences,
    report_school,
    sees_academie_figures,
    ticket_scope,
    visible_basin_ids,
)
from helpdesk.tickets.audiences import Audience
from helpdesk.tickets.states import Move
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
    status: str = "taken"
    merged_into_id: int | None = None


# Ticket situations relative to a user of school 1 in basin 10.
SITUATIONS = {
    "own": FakeTicket(requester_id=1, school_id=1, basin_id=10, tier="edulab"),
    "same_school": FakeTicket(requester_id=2, school_id=1, basin_id=10, tier="edulab"),
    "same_basin": FakeTicket(requester_id=3, school_id=2, basin_id=10, tier="edulab"),
    "other_basin": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="edulab"),
    "at_vendor": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="editeur", has_reached_vendor=True),
    "sent_back": FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="pilote", has_reached_vendor=True),
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
VM, VR, SH = Action.POST_VENDOR_MESSAGE, Action.SET_VENDOR_REFERENCE, Action.SHARE_WITH_VENDOR
U, T, L, M, UM = (
    Action.USE_CANNED_REPLY,
    Action.RECORD_TIME_SPENT,
    Action.LINK_TICKETS,
    Action.MERGE_TICKET,
    Action.UNDO_MERGE,
)
REQ = {V, R, C}
READ = {V, N, I, T, L}  # an académie agent who does not hold the ticket's tier
HOLD = READ | {R, W, E, D, K, U, M}  # ... and one who holds it

# Expected allowed actions per (user, situation); anything not listed must be refused.
EXPECTED = {
    "teacher": {"own": REQ},
    "head": {"own": REQ, "same_school": REQ},
    "ent_admin": {"own": REQ, "same_school": REQ},
    "agent_n1": {s: READ for s in SITUATIONS} | {"n1_other": READ | {R, W, E, K, U, M}},
    "edulab": {"own": HOLD, "same_school": HOLD, "same_basin": HOLD},
    "pilote": {s: HOLD | {SH} for s in SITUATIONS}
    | {"n1_other": READ | {R, W, E, K, U, M, SH}, "at_vendor": READ | {SH, VM, VR}, "sent_back": HOLD | {SH, VR}},
    "editeur": {"at_vendor": {V, W, D, VM, VR}, "sent_back": {V}},
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


ALL = frozenset(Audience)
PUBLIC, VENDOR = frozenset({Audience.PUBLIC}), frozenset({Audience.VENDOR})
# Who reads which entries of the timeline: the requester's side the public ones, the académie's agents all of
# them, the vendor its exchange only — before and after the send-down — the tool's admins what the school reads.
EXPECTED_AUDIENCES = {
    "teacher": {"own": PUBLIC},
    "head": {"own": PUBLIC, "same_school": PUBLIC},
    "ent_admin": {"own": PUBLIC, "same_school": PUBLIC},
    "agent_n1": {s: ALL for s in SITUATIONS},
    "edulab": {"own": ALL, "same_school": ALL, "same_basin": ALL},
    "pilote": {s: ALL for s in SITUATIONS},
    "editeur": {"at_vendor": VENDOR, "sent_back": VENDOR},
    "admin": {s: PUBLIC for s in SITUATIONS},
    "dafpen": {},
    "formation": {},
}


@pytest.mark.parametrize("user_name", sorted(USERS))
@pytest.mark.parametrize("situation", sorted(SITUATIONS))
def test_timeline_audience_matrix(user_name, situation):
    user, ticket = USERS[user_name], SITUATIONS[situation]
    expected = EXPECTED_AUDIENCES[user_name].get(situation, frozenset())
    assert readable_audiences(user, ticket) == expected, f"{user_name} {situation}"


HOLDERS = {  # who holds each situation's tier
    "agent_n1": {"n1_other"},
    "edulab": {"own", "same_school", "same_basin"},
    "pilote": set(SITUATIONS) - {"at_vendor"},
    "editeur": {"at_vendor"},
}


@pytest.mark.parametrize("user_name", sorted(USERS))
@pytest.mark.parametrize("situation", sorted(SITUATIONS))
@pytest.mark.parametrize("move", sorted(Move))
def test_move_matrix(user_name, situation, move):
    """Each move of the life cycle: the tier's agents work it (the vendor only takes and answers), the
    requester's side confirms or reopens, and nobody closes by hand what the system closes."""
    user, ticket = USERS[user_name], SITUATIONS[situation]
    holds = situation in HOLDERS.get(user_name, set())
    academie = user_name in {"agent_n1", "edulab", "pilote"}
    requester_side = situation in EXPECTED[user_name] and C in EXPECTED[user_name][situation]
    expected = {
        Move.TAKE: holds,
        Move.END_WAIT: holds,
        Move.WAIT_REQUESTER: holds and academie,
        Move.WAIT_VENDOR: holds and academie,
        Move.WAIT_PROPAGATION: holds and academie,
        Move.RESOLVE: holds and academie,
        Move.ESCALATE: E in EXPECTED[user_name].get(situation, set()),
        Move.SEND_DOWN: D in EXPECTED[user_name].get(situation, set()),
        Move.CONFIRM: requester_side,
        Move.REOPEN: requester_side or (holds and academie),
        Move.AUTO_CLOSE: False,
        Move.MERGE: M in EXPECTED[user_name].get(situation, set()),
        Move.UNMERGE: False,  # none of these tickets was merged: see test_only_the_pilot_team_undoes_a_merge
    }[move]
    assert can_move(user, ticket, move) is expected, f"{user_name} {move} {situation}"


MERGED = FakeTicket(requester_id=4, school_id=3, basin_id=20, tier="n1", status="closed", merged_into_id=99)


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_only_the_pilot_team_undoes_a_merge(user_name):
    """A merged duplicate: the pilot team alone gives it its conversation back; nobody merges it twice."""
    user = USERS[user_name]
    assert can(user, UM, MERGED) is (user_name == "pilote")
    assert can_move(user, MERGED, Move.UNMERGE) is (user_name == "pilote")
    assert can(user, M, MERGED) is False and can_move(user, MERGED, Move.MERGE) is False


def test_queue_scopes_and_basin_filters_by_role():
    tiers = {name: [str(t) for t in queue_tiers(user)] for name, user in USERS.items()}
    assert tiers["agent_n1"] == ["n1"] and tiers["edulab"] == ["edulab"] and tiers["editeur"] == ["editeur"]
    assert tiers["pilote"] == ["pilote", "n1", "edulab", "editeur"]
    assert tiers["teacher"] == tiers["admin"] == tiers["dafpen"] == []
    assert visible_basin_ids(USERS["edulab"]) == frozenset({10})
    assert visible_basin_ids(USERS["pilote"]) is None and visible_basin_ids(USERS["agent_n1"]) is None


def test_menus_and_home_pages_by_role():
    menus = {name: menu_entries(user) for name, user in USERS.items()}
    assert "tickets.queue" in menus["agent_n1"] and "incidents.index" in menus["agent_n1"]
    assert "incidents.index" not in menus["edulab"] and "incidents.index" in menus["pilote"]
    assert "tickets.school" in menus["head"] and "tickets.school" not in menus["teacher"]
    assert "tickets.new" not in menus["editeur"] and "tickets.evolutions" in menus["editeur"]
    assert "admin.index" in menus["admin"] and "admin.index" in menus["pilote"] and "admin.index" not in menus["teacher"]
    assert "reports.show" in menus["pilote"] and "reports.show" in menus["head"] and "reports.show" not in menus["agent_n1"]
    assert [name for name, menu in menus.items() if "mailchannel.triage" in menu] == ["agent_n1", "pilote", "admin"]
    anonymous = FakeUser(0, frozenset(), is_authenticated=False)
    assert menu_entries(anonymous) == ["kb.faq", "diagnostics.index", "trainings.index"]
    homes = {name: home_page(user) for name, user in USERS.items()}
    assert homes == {"teacher": "requester", "head": "requester", "ent_admin": "requester", "agent_n1": "agent",
                     "edulab": "agent", "pilote": "agent", "editeur": "agent", "admin": "admin", "dafpen": "training",
                     "formation": "training"}  # fmt: skip
    assert home_page(anonymous) == "public"
    assert can(USERS["head"], Action.LIST_FIL) and can(USERS["dafpen"], Action.LIST_FIL)
    assert not can(USERS["teacher"], Action.LIST_FIL)


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_role_actions(user_name):
    user = USERS[user_name]
    expectations = {
        Action.CREATE_TICKET: user_name in {"teacher", "head", "ent_admin", "agent_n1", "edulab", "pilote"},
        Action.CREATE_TICKET_ON_BEHALF: user_name in {"agent_n1", "pilote"},
        Action.VIEW_QUEUE: user_name in {"agent_n1", "edulab", "pilote", "editeur"},
        Action.EDIT_CATALOG: user_name in {"pilote", "admin"},
        Action.EDIT_KB: user_name in {"pilote", "edulab"},
        Action.PUBLISH_KB: user_name == "pilote",  # EduLAB changes to published articles wait for a pilot
        Action.EDIT_GLOSSARY: user_name in {"pilote", "edulab"},
        Action.EDIT_DIAGNOSTICS: user_name == "pilote",
        Action.EDIT_SLA: user_name == "pilote",
        Action.MANAGE_USERS: user_name == "admin",
        Action.VIEW_EVOLUTIONS: user_name in {"pilote", "editeur"},
        Action.REQUEST_FIL: user_name == "head",
        Action.VALIDATE_FIL: user_name == "dafpen",
        Action.MANAGE_TRAININGS: user_name == "formation",
        Action.VIEW_DASHBOARD: user_name in {"head", "pilote", "admin", "dafpen"},
        Action.VIEW_CONFIG_AUDIT: user_name in {"pilote", "admin"},
        Action.TRIAGE_MAIL: user_name in {"agent_n1", "pilote"},
        Action.VIEW_MAIL_QUARANTINE: user_name in {"agent_n1", "pilote", "admin"},
        Action.MANAGE_CANNED_REPLIES: user_name in {"pilote", "edulab"},
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


BULK_OFFER = {
    "agent_n1": {"take", "assign", "change_keyword", "resolve", "link_incident"},
    "edulab": {"take", "assign", "change_keyword", "resolve"},
    "pilote": {"take", "assign", "change_keyword", "resolve", "link_incident"},
    "editeur": {"take", "assign"},  # the vendor neither re-routes nor answers requesters
}


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_bulk_operations_offered_by_role(user_name):
    """What the queue's selection box offers; each ticket is then decided by its own action (matrix above)."""
    assert bulk_offer(USERS[user_name]) == BULK_OFFER.get(user_name, set())


@dataclass
class FakeView:
    user_id: int


@pytest.mark.parametrize("user_name", sorted(USERS))
def test_a_saved_view_is_its_owners_alone(user_name):
    user = USERS[user_name]
    agent = user_name in BULK_OFFER
    assert can_manage_saved_view(user, FakeView(user_id=user.id)) is agent
    assert not can_manage_saved_view(user, FakeView(user_id=user.id + 1000))


def test_anonymous_can_do_nothing():
    anonymous = FakeUser(0, frozenset(), is_authenticated=False)
    for action in Action:
        assert not can(anonymous, action, SITUATIONS["own"])
    assert bulk_offer(anonymous) == frozenset() and not can_manage_saved_view(anonymous, FakeView(user_id=0))


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
