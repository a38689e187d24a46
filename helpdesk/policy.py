"""Every access rule of the helpdesk: nothing else decides who may see or do what.

Rules are written against plain attributes (user.roles, user.school_id, user.basin_ids,
user.profile; ticket.requester_id, ticket.school_id, ticket.basin_id, ticket.tier,
ticket.has_reached_vendor) so the matrix test can exercise them without a database;
`ticket_scope` expresses the same visibility as a SQL filter for listings."""

from enum import StrEnum

from sqlalchemy import false, or_, true

from helpdesk.users.models import HEAD_PROFILES, SCHOOL_WIDE_PROFILES, Role


class Action(StrEnum):
    # tickets
    CREATE_TICKET = "create_ticket"
    CREATE_TICKET_ON_BEHALF = "create_ticket_on_behalf"  # phone/mail tickets logged by level 1
    VIEW_TICKET = "view_ticket"
    REPLY_TICKET = "reply_ticket"
    ADD_INTERNAL_NOTE = "add_internal_note"
    VIEW_INTERNAL = "view_internal"
    WORK_TICKET = "work_ticket"  # take, assign, wait, resolve, transfer within the tier
    ESCALATE_TICKET = "escalate_ticket"
    SEND_DOWN_TICKET = "send_down_ticket"
    CHANGE_KEYWORD = "change_keyword"
    CONFIRM_RESOLUTION = "confirm_resolution"  # requester side: confirm or reopen
    # queues and pilot views
    VIEW_QUEUE = "view_queue"
    VIEW_EVOLUTIONS = "view_evolutions"
    MARK_DUPLICATE = "mark_duplicate"
    SET_EVOLUTION_STATUS = "set_evolution_status"  # on a ticket the user may see
    MANAGE_MAJOR_INCIDENTS = "manage_major_incidents"
    VIEW_DASHBOARD = "view_dashboard"  # the figures: académie-wide, or a head's own school (see report_school)
    VIEW_CONFIG_AUDIT = "view_config_audit"  # who changed which configuration, before → after
    # configuration and content
    EDIT_CATALOG = "edit_catalog"
    EDIT_KB = "edit_kb"
    EDIT_DIAGNOSTICS = "edit_diagnostics"
    EDIT_SLA = "edit_sla"
    MANAGE_USERS = "manage_users"
    VIEW_OPERATIONS = "view_operations"
    # trainings
    REQUEST_FIL = "request_fil"
    VALIDATE_FIL = "validate_fil"
    SCHEDULE_FIL = "schedule_fil"
    MANAGE_TRAININGS = "manage_trainings"
    REGISTER_TRAINING = "register_training"


AGENT_ROLES = frozenset({Role.AGENT_N1, Role.EDULAB, Role.PILOTE, Role.EDITEUR})
TIER_OF_ROLE = {Role.AGENT_N1: "n1", Role.EDULAB: "edulab", Role.PILOTE: "pilote", Role.EDITEUR: "editeur"}

# Actions that depend only on the user's roles, not on a ticket.
ROLE_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.CREATE_TICKET: frozenset({Role.REQUESTER, Role.AGENT_N1, Role.EDULAB, Role.PILOTE}),
    Action.CREATE_TICKET_ON_BEHALF: frozenset({Role.AGENT_N1, Role.PILOTE}),
    Action.VIEW_QUEUE: AGENT_ROLES,
    Action.VIEW_EVOLUTIONS: frozenset({Role.PILOTE, Role.EDITEUR}),
    Action.MARK_DUPLICATE: frozenset({Role.PILOTE}),
    Action.SET_EVOLUTION_STATUS: frozenset({Role.PILOTE, Role.EDITEUR}),
    Action.MANAGE_MAJOR_INCIDENTS: frozenset({Role.AGENT_N1, Role.PILOTE}),
    Action.VIEW_DASHBOARD: frozenset({Role.PILOTE, Role.ADMIN, Role.DAFPEN}),
    Action.VIEW_CONFIG_AUDIT: frozenset({Role.PILOTE, Role.ADMIN}),
    Action.EDIT_CATALOG: frozenset({Role.PILOTE, Role.ADMIN}),
    Action.EDIT_KB: frozenset({Role.PILOTE, Role.EDULAB}),
    Action.EDIT_DIAGNOSTICS: frozenset({Role.PILOTE}),
    Action.EDIT_SLA: frozenset({Role.PILOTE}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.VIEW_OPERATIONS: frozenset({Role.ADMIN, Role.PILOTE}),
    Action.VALIDATE_FIL: frozenset({Role.DAFPEN}),
    Action.SCHEDULE_FIL: frozenset({Role.PILOTE, Role.FORMATION}),
    Action.MANAGE_TRAININGS: frozenset({Role.FORMATION}),
    Action.REGISTER_TRAINING: frozenset({Role.REQUESTER, Role.AGENT_N1, Role.EDULAB, Role.PILOTE}),
}

TICKET_ACTIONS = frozenset(
    {
        Action.VIEW_TICKET,
        Action.REPLY_TICKET,
        Action.ADD_INTERNAL_NOTE,
        Action.VIEW_INTERNAL,
        Action.WORK_TICKET,
        Action.ESCALATE_TICKET,
        Action.SEND_DOWN_TICKET,
        Action.CHANGE_KEYWORD,
        Action.CONFIRM_RESOLUTION,
    }
)


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_agent(user) -> bool:
    return _authenticated(user) and bool(user.roles & AGENT_ROLES)


def is_head_of_school(user) -> bool:
    return _authenticated(user) and user.profile in SCHOOL_WIDE_PROFILES and user.school_id is not None


def _requester_sees(user, ticket) -> bool:
    if ticket.requester_id == user.id:
        return True
    return user.profile in SCHOOL_WIDE_PROFILES and user.school_id is not None and ticket.school_id == user.school_id


def _agent_sees(user, ticket) -> bool:
    roles = user.roles
    if Role.PILOTE in roles or Role.AGENT_N1 in roles or Role.ADMIN in roles:
        return True
    if Role.EDULAB in roles and ticket.basin_id in user.basin_ids:
        return True
    return Role.EDITEUR in roles and bool(ticket.has_reached_vendor)


def can_view_ticket(user, ticket) -> bool:
    if not _authenticated(user):
        return False
    return _agent_sees(user, ticket) or _requester_sees(user, ticket)


def _holds_tier(user, ticket) -> bool:
    """The user belongs to the tier that currently holds the ticket (EduLAB: only for its basins)."""
    roles = user.roles
    if Role.PILOTE in roles:
        return ticket.tier in {"pilote", "n1", "edulab"}  # the pilot team may act on anything below the vendor
    if Role.AGENT_N1 in roles and ticket.tier == "n1":
        return True
    if Role.EDULAB in roles and ticket.tier == "edulab" and ticket.basin_id in user.basin_ids:
        return True
    return Role.EDITEUR in roles and ticket.tier == "editeur"


def can(user, action: Action, ticket=None) -> bool:
    """The single entry point: may `user` do `action` (on `ticket` when the action concerns one)?"""
    action = Action(action)
    if not _authenticated(user):
        return False
    if action not in TICKET_ACTIONS:
        allowed = ROLE_ACTIONS.get(action)
        if action == Action.REQUEST_FIL:
            return user.profile in HEAD_PROFILES and user.school_id is not None  # the head asks, not the ENT admin
        if action == Action.VIEW_DASHBOARD and _heads_a_school(user):
            return True  # their own school's figures only: report_school
        return bool(allowed and user.roles & allowed)
    if ticket is None or not can_view_ticket(user, ticket):
        return False
    if action == Action.VIEW_TICKET:
        return True
    if action == Action.REPLY_TICKET:
        return _requester_sees(user, ticket) or is_agent(user)
    if action in {Action.ADD_INTERNAL_NOTE, Action.VIEW_INTERNAL}:
        return _agent_sees(user, ticket) and is_agent(user)
    if action == Action.CONFIRM_RESOLUTION:
        return _requester_sees(user, ticket)
    if action == Action.WORK_TICKET:
        return is_agent(user) and _holds_tier(user, ticket)
    if action == Action.CHANGE_KEYWORD:  # re-routing is the chain's job, not the vendor's
        return is_agent(user) and _holds_tier(user, ticket) and bool(user.roles - {Role.EDITEUR})
    if action == Action.ESCALATE_TICKET:
        if ticket.tier == "editeur":
            return False
        if ticket.tier == "pilote":
            return Role.PILOTE in user.roles  # only the pilot team transmits to the vendor
        return is_agent(user) and _holds_tier(user, ticket)
    if action == Action.SEND_DOWN_TICKET:
        return ticket.tier != "n1" and is_agent(user) and _holds_tier(user, ticket)
    return False


def _heads_a_school(user) -> bool:
    return user.profile in HEAD_PROFILES and user.school_id is not None


def report_school(user) -> int | None:
    """The one school whose figures `user` may see, or None for the whole académie (pilot team, DAFPEN, admins).
    Only meaningful when can(user, VIEW_DASHBOARD)."""
    if user.roles & ROLE_ACTIONS[Action.VIEW_DASHBOARD]:
        return None
    return user.school_id if _heads_a_school(user) else None


def sees_academie_figures(user) -> bool:
    """Académie-wide figures only (e.g. diagnostic statistics, which no school owns): not a head's school view."""
    return can(user, Action.VIEW_DASHBOARD) and report_school(user) is None


def can_answer_survey(user, survey) -> bool:
    """The satisfaction question is the requester's own (a signed link stands for them when logged out)."""
    return _authenticated(user) and survey.requester_id == user.id


def ticket_scope(user, Ticket):
    """SQL filter matching exactly the tickets `can_view_ticket` lets `user` see."""
    if not _authenticated(user):
        return false()
    roles = user.roles
    if roles & {Role.PILOTE, Role.AGENT_N1, Role.ADMIN}:
        return true()
    clauses = [Ticket.requester_id == user.id]
    if user.profile in SCHOOL_WIDE_PROFILES and user.school_id is not None:
        clauses.append(Ticket.school_id == user.school_id)
    if Role.EDULAB in roles and user.basin_ids:
        clauses.append(Ticket.basin_id.in_(sorted(user.basin_ids)))
    if Role.EDITEUR in roles:
        clauses.append(Ticket.has_reached_vendor.is_(True))
    return or_(*clauses)


def visible_article_audiences(user) -> frozenset[str]:
    """KB audiences a reader may see. The FAQ is for anyone searching it, so audience mostly targets an
    article (staff, ENT administrators, heads); only agents-only articles are withheld from the public."""
    audiences = {"public", "staff", "ent_admin", "heads"}
    if _authenticated(user) and (is_agent(user) or Role.ADMIN in user.roles):
        audiences.add("agents")
    return frozenset(audiences)


# Trainings: FIL requests are seen by the training offices and by the heads of the requesting school.
FIL_OFFICE_ROLES = frozenset({Role.DAFPEN, Role.PILOTE, Role.FORMATION, Role.ADMIN})


def _heads_school(user, school_id) -> bool:
    return user.profile in HEAD_PROFILES and user.school_id is not None and user.school_id == school_id


def can_view_fil(user, fil) -> bool:
    if not _authenticated(user):
        return False
    return bool(user.roles & FIL_OFFICE_ROLES) or _heads_school(user, fil.school_id)


def can_move_fil(user, fil, mover: str) -> bool:
    """May `user` perform a FIL transition whose mover (trainings.states.Mover) is `mover`?"""
    if not can_view_fil(user, fil):
        return False
    if mover == "dafpen":
        return can(user, Action.VALIDATE_FIL)
    if mover == "drane":
        return can(user, Action.SCHEDULE_FIL)
    if mover == "head":
        return _heads_school(user, fil.school_id)
    return False


def fil_scope(user, FilRequest):
    """SQL filter matching exactly the FIL requests `can_view_fil` lets `user` see."""
    if not _authenticated(user):
        return false()
    if user.roles & FIL_OFFICE_ROLES:
        return true()
    if user.profile in HEAD_PROFILES and user.school_id is not None:
        return FilRequest.school_id == user.school_id
    return false()
