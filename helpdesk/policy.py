"""Every access rule of the helpdesk: nothing else decides who may see or do what.

Rules are written against plain attributes (user.roles, user.school_id, user.basin_ids,
user.profile; ticket.requester_id, ticket.school_id, ticket.basin_id, ticket.tier, ticket.status,
ticket.has_reached_vendor) so the matrix test can exercise them without a database;
`ticket_scope` expresses the same visibility as a SQL filter for listings. Ticket actions, the moves of the
life cycle, timeline audiences, queue scopes, menus and home pages are all decided here."""

from enum import StrEnum

from sqlalchemy import false, or_, true

from helpdesk.routing.codes import TicketType, Tier
from helpdesk.tickets.audiences import Audience
from helpdesk.tickets.states import Move, Status
from helpdesk.users.models import HEAD_PROFILES, SCHOOL_WIDE_PROFILES, Role


class Action(StrEnum):
    # tickets
    CREATE_TICKET = "create_ticket"
    CREATE_TICKET_ON_BEHALF = "create_ticket_on_behalf"  # phone/mail tickets logged by level 1
    VIEW_TICKET = "view_ticket"
    REPLY_TICKET = "reply_ticket"  # a public message (requester side, or an agent of the tier holding it)
    ADD_INTERNAL_NOTE = "add_internal_note"
    VIEW_INTERNAL = "view_internal"  # the académie's agents read internal notes and the vendor exchange
    WORK_TICKET = "work_ticket"  # take, assign, wait, resolve, transfer within the tier
    ESCALATE_TICKET = "escalate_ticket"
    SEND_DOWN_TICKET = "send_down_ticket"
    CHANGE_KEYWORD = "change_keyword"
    CONFIRM_RESOLUTION = "confirm_resolution"  # requester side: confirm or reopen
    POST_VENDOR_MESSAGE = "post_vendor_message"  # the pilot ↔ vendor exchange, while the vendor holds the ticket
    SET_VENDOR_REFERENCE = "set_vendor_reference"
    SHARE_WITH_VENDOR = "share_with_vendor"  # mark an attachment as part of the vendor's dossier
    USE_CANNED_REPLY = "use_canned_reply"  # insert a réponse type into a reply to the requester
    RECORD_TIME_SPENT = "record_time_spent"  # minutes given with a reply or a note (read with VIEW_INTERNAL)
    LINK_TICKETS = "link_tickets"  # « voir aussi » and « doublon de » between tickets the agent sees
    MERGE_TICKET = "merge_ticket"  # merge this duplicate into another ticket
    UNDO_MERGE = "undo_merge"  # give a merged ticket its messages back and reopen it
    # queues and pilot views
    VIEW_QUEUE = "view_queue"
    VIEW_EVOLUTIONS = "view_evolutions"
    MARK_DUPLICATE = "mark_duplicate"
    SET_EVOLUTION_STATUS = "set_evolution_status"  # on a ticket the user may see
    MANAGE_MAJOR_INCIDENTS = "manage_major_incidents"
    TRIAGE_MAIL = "triage_mail"  # mails of unknown senders: turn into a ticket or discard with a reason
    VIEW_MAIL_QUARANTINE = "view_mail_quarantine"  # mails kept aside (oversized, unreadable, a sender's flood)
    VIEW_DASHBOARD = "view_dashboard"  # the figures: académie-wide, or a head's own school (see report_school)
    VIEW_CONFIG_AUDIT = "view_config_audit"  # who changed which configuration, before → after
    # configuration and content
    EDIT_CATALOG = "edit_catalog"
    EDIT_KB = "edit_kb"  # write FAQ articles; a change to a published one waits for PUBLISH_KB unless held too
    PUBLISH_KB = "publish_kb"  # publish, archive, and approve or reject the proposals made for published articles
    EDIT_GLOSSARY = "edit_glossary"
    EDIT_DIAGNOSTICS = "edit_diagnostics"
    EDIT_SLA = "edit_sla"
    MANAGE_USERS = "manage_users"
    MANAGE_CANNED_REPLIES = "manage_canned_replies"  # write, change and retire réponses types (with their history)
    VIEW_OPERATIONS = "view_operations"
    # trainings
    REQUEST_FIL = "request_fil"
    LIST_FIL = "list_fil"
    VALIDATE_FIL = "validate_fil"
    SCHEDULE_FIL = "schedule_fil"
    MANAGE_TRAININGS = "manage_trainings"
    REGISTER_TRAINING = "register_training"


class Scope(StrEnum):
    """What an API token may be limited to, within its owner's rights (a token without scopes has them all)."""

    TICKETS_READ = "tickets:read"
    TICKETS_WRITE = "tickets:write"  # create, act on, bulk-act on tickets
    INCIDENTS_READ = "incidents:read"
    INCIDENTS_WRITE = "incidents:write"  # declare, attach, detach, post news, resolve
    KB_READ = "kb:read"  # read the knowledge base and diagnostics with the owner's audience (else as anonymous)


# A write scope lets its token read what it writes: the answer to a write is the object written.
SCOPE_IMPLIED_BY = {Scope.TICKETS_READ: Scope.TICKETS_WRITE, Scope.INCIDENTS_READ: Scope.INCIDENTS_WRITE}


def token_allows(scopes, scope: Scope) -> bool:
    """Whether a token holding `scopes` (strings) may be used where `scope` is needed. Its owner's rights still apply."""
    granted = set(scopes)
    return not granted or scope in granted or SCOPE_IMPLIED_BY.get(scope) in granted


# The académie's own agents; the vendor (an external company) is an agent of its tier only.
ACADEMIE_AGENT_ROLES = frozenset({Role.AGENT_N1, Role.EDULAB, Role.PILOTE})
AGENT_ROLES = ACADEMIE_AGENT_ROLES | {Role.EDITEUR}
# Which role works each tier of the chain: the one home of this mapping.
TIER_ROLE = {Tier.N1: Role.AGENT_N1, Tier.EDULAB: Role.EDULAB, Tier.PILOTE: Role.PILOTE, Tier.EDITEUR: Role.EDITEUR}
ROLE_TIER = {role: tier for tier, role in TIER_ROLE.items()}
# The pilot team may act on anything below the vendor.
PILOT_TIERS = frozenset({Tier.PILOTE, Tier.N1, Tier.EDULAB})

# Actions that depend only on the user's roles, not on a ticket.
ROLE_ACTIONS: dict[Action, frozenset[Role]] = {
    Action.CREATE_TICKET: frozenset({Role.REQUESTER, Role.AGENT_N1, Role.EDULAB, Role.PILOTE}),
    Action.CREATE_TICKET_ON_BEHALF: frozenset({Role.AGENT_N1, Role.PILOTE}),
    Action.VIEW_QUEUE: AGENT_ROLES,
    Action.VIEW_EVOLUTIONS: frozenset({Role.PILOTE, Role.EDITEUR}),
    Action.MARK_DUPLICATE: frozenset({Role.PILOTE}),
    Action.SET_EVOLUTION_STATUS: frozenset({Role.PILOTE, Role.EDITEUR}),
    Action.MANAGE_MAJOR_INCIDENTS: frozenset({Role.AGENT_N1, Role.PILOTE}),
    Action.TRIAGE_MAIL: frozenset({Role.AGENT_N1, Role.PILOTE}),
    Action.VIEW_MAIL_QUARANTINE: frozenset({Role.AGENT_N1, Role.PILOTE, Role.ADMIN}),
    Action.VIEW_DASHBOARD: frozenset({Role.PILOTE, Role.ADMIN, Role.DAFPEN}),
    Action.VIEW_CONFIG_AUDIT: frozenset({Role.PILOTE, Role.ADMIN}),
    Action.EDIT_CATALOG: frozenset({Role.PILOTE, Role.ADMIN}),
    Action.EDIT_KB: frozenset({Role.PILOTE, Role.EDULAB}),
    Action.PUBLISH_KB: frozenset({Role.PILOTE}),
    Action.EDIT_GLOSSARY: frozenset({Role.PILOTE, Role.EDULAB}),
    Action.EDIT_DIAGNOSTICS: frozenset({Role.PILOTE}),
    Action.EDIT_SLA: frozenset({Role.PILOTE}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.MANAGE_CANNED_REPLIES: frozenset({Role.PILOTE, Role.EDULAB}),
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
        Action.POST_VENDOR_MESSAGE,
        Action.SET_VENDOR_REFERENCE,
        Action.SHARE_WITH_VENDOR,
        Action.USE_CANNED_REPLY,
        Action.RECORD_TIME_SPENT,
        Action.LINK_TICKETS,
        Action.MERGE_TICKET,
        Action.UNDO_MERGE,
    }
)


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_agent(user) -> bool:
    return _authenticated(user) and bool(user.roles & AGENT_ROLES)


def is_academie_agent(user) -> bool:
    return _authenticated(user) and bool(user.roles & ACADEMIE_AGENT_ROLES)


def is_head_of_school(user) -> bool:
    return _authenticated(user) and user.profile in SCHOOL_WIDE_PROFILES and user.school_id is not None


def _requester_sees(user, ticket) -> bool:
    if ticket.requester_id == user.id:
        return True
    return user.profile in SCHOOL_WIDE_PROFILES and user.school_id is not None and ticket.school_id == user.school_id


def _academie_sees(user, ticket) -> bool:
    roles = user.roles
    if Role.PILOTE in roles or Role.AGENT_N1 in roles:
        return True
    return Role.EDULAB in roles and ticket.basin_id in user.basin_ids


def _vendor_sees(user, ticket) -> bool:
    """Once transmitted, the vendor keeps reading its dossier (read-only after the send-down)."""
    return Role.EDITEUR in user.roles and bool(ticket.has_reached_vendor)


def can_view_ticket(user, ticket) -> bool:
    if not _authenticated(user):
        return False
    return _academie_sees(user, ticket) or _vendor_sees(user, ticket) or _requester_sees(user, ticket) or Role.ADMIN in user.roles


def readable_audiences(user, ticket) -> frozenset[Audience]:
    """The timeline audiences `user` reads on `ticket` (empty when the ticket is not visible to them)."""
    if not can_view_ticket(user, ticket):
        return frozenset()
    if _academie_sees(user, ticket):
        return frozenset(Audience)
    if _requester_sees(user, ticket):
        return frozenset({Audience.PUBLIC})
    if _vendor_sees(user, ticket):
        return frozenset({Audience.VENDOR})
    return frozenset({Audience.PUBLIC})  # administrators of the tool: what the school itself reads


def can_read(user, ticket, audience: Audience) -> bool:
    return Audience(audience) in readable_audiences(user, ticket)


def can_read_attachment(user, attachment) -> bool:
    ticket = attachment.ticket
    audiences = readable_audiences(user, ticket)
    if Audience(attachment.audience) in audiences:
        return True
    return Audience.VENDOR in audiences and bool(attachment.is_shared_with_vendor)


def holds_tier(user, ticket) -> bool:
    """The user belongs to the tier that currently holds the ticket (EduLAB: only for its basins)."""
    roles = user.roles
    if Role.PILOTE in roles and ticket.tier in PILOT_TIERS:
        return True
    if Role.AGENT_N1 in roles and ticket.tier == Tier.N1:
        return True
    if Role.EDULAB in roles and ticket.tier == Tier.EDULAB and ticket.basin_id in user.basin_ids:
        return True
    return Role.EDITEUR in roles and ticket.tier == Tier.EDITEUR


def _academie_holds(user, ticket) -> bool:
    return is_academie_agent(user) and holds_tier(user, ticket)


def can(user, action: Action, ticket=None) -> bool:
    """The single entry point: may `user` do `action` (on `ticket` when the action concerns one)?"""
    action = Action(action)
    if not _authenticated(user):
        return False
    if action not in TICKET_ACTIONS:
        if action == Action.REQUEST_FIL:
            return user.profile in HEAD_PROFILES and user.school_id is not None  # the head asks, not the ENT admin
        if action == Action.VIEW_DASHBOARD and _heads_a_school(user):
            return True  # their own school's figures only: report_school
        if action == Action.LIST_FIL:
            return can(user, Action.REQUEST_FIL) or bool(user.roles & FIL_OFFICE_ROLES)
        allowed = ROLE_ACTIONS.get(action)
        return bool(allowed and user.roles & allowed)
    if ticket is None or not can_view_ticket(user, ticket):
        return False
    at_vendor = ticket.tier == Tier.EDITEUR
    if action == Action.VIEW_TICKET:
        return True
    if action == Action.REPLY_TICKET:
        if _requester_sees(user, ticket):
            return ticket.status != Status.CLOSED
        return _academie_holds(user, ticket)
    if action in {Action.ADD_INTERNAL_NOTE, Action.VIEW_INTERNAL, Action.RECORD_TIME_SPENT, Action.LINK_TICKETS}:
        return _academie_sees(user, ticket) and is_academie_agent(user)
    if action == Action.USE_CANNED_REPLY:  # an agent answering the requester, never the requester's side
        return _academie_holds(user, ticket)
    merged = getattr(ticket, "merged_into_id", None) is not None
    if action == Action.MERGE_TICKET:  # the duplicate's own tier decides, as for re-routing
        return not merged and _academie_holds(user, ticket)
    if action == Action.UNDO_MERGE:
        return merged and Role.PILOTE in user.roles
    if action == Action.CONFIRM_RESOLUTION:
        return _requester_sees(user, ticket)
    if action == Action.WORK_TICKET:
        return is_agent(user) and holds_tier(user, ticket)
    if action == Action.CHANGE_KEYWORD:  # re-routing is the chain's job, not the vendor's
        return _academie_holds(user, ticket)
    if action == Action.ESCALATE_TICKET:
        if at_vendor:
            return False
        if ticket.tier == Tier.PILOTE:
            return Role.PILOTE in user.roles  # only the pilot team transmits to the vendor
        return _academie_holds(user, ticket)
    if action == Action.SEND_DOWN_TICKET:
        return ticket.tier != Tier.N1 and is_agent(user) and holds_tier(user, ticket)
    if action == Action.POST_VENDOR_MESSAGE:  # the exchange is open while the vendor holds the ticket
        return at_vendor and (Role.PILOTE in user.roles or Role.EDITEUR in user.roles)
    if action == Action.SET_VENDOR_REFERENCE:
        return bool(ticket.has_reached_vendor) and (Role.PILOTE in user.roles or (Role.EDITEUR in user.roles and at_vendor))
    if action == Action.SHARE_WITH_VENDOR:
        return Role.PILOTE in user.roles
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


def can_track_evolution(user, ticket) -> bool:
    """The vendor's follow-up of an evolution request or a bug: the pilot team on any ticket it sees, the vendor
    while it holds the ticket (afterwards its view is read-only)."""
    if ticket.type not in {TicketType.EVOLUTION, TicketType.BUG} or not can(user, Action.SET_EVOLUTION_STATUS):
        return False
    if Role.PILOTE in user.roles:
        return can_view_ticket(user, ticket)
    return can_view_ticket(user, ticket) and ticket.tier == Tier.EDITEUR


# What each move of the life cycle (tickets.states.Move) requires; the system alone closes automatically.
def can_move(user, ticket, move: Move) -> bool:
    if not _authenticated(user) or not can_view_ticket(user, ticket):
        return False
    move = Move(move)
    if move in {Move.TAKE, Move.END_WAIT}:
        return is_agent(user) and holds_tier(user, ticket)
    if move in {Move.WAIT_REQUESTER, Move.WAIT_VENDOR, Move.WAIT_PROPAGATION, Move.RESOLVE}:
        return _academie_holds(user, ticket)
    if move == Move.ESCALATE:
        return can(user, Action.ESCALATE_TICKET, ticket)
    if move == Move.SEND_DOWN:
        return can(user, Action.SEND_DOWN_TICKET, ticket)
    if move == Move.CONFIRM:
        return _requester_sees(user, ticket)
    if move == Move.REOPEN:  # a merged duplicate goes on in the ticket it was merged into (or its merge is undone)
        if getattr(ticket, "merged_into_id", None) is not None:
            return False
        return _requester_sees(user, ticket) or _academie_holds(user, ticket)
    if move == Move.MERGE:
        return can(user, Action.MERGE_TICKET, ticket)
    if move == Move.UNMERGE:
        return can(user, Action.UNDO_MERGE, ticket)
    return False


def queue_tiers(user) -> list[Tier]:
    """The queues an agent works in, most relevant first: level 1 and EduLAB their own tier; the pilot team its
    own, then every tier below, then the vendor's; the vendor its tier. Home pages show the same tiers."""
    if not _authenticated(user):
        return []
    tiers: list[Tier] = []
    for role, tier in ((Role.AGENT_N1, Tier.N1), (Role.EDULAB, Tier.EDULAB)):
        if role in user.roles:
            tiers.append(tier)
    if Role.PILOTE in user.roles:
        tiers += [t for t in (Tier.PILOTE, Tier.N1, Tier.EDULAB, Tier.EDITEUR) if t not in tiers]
    if Role.EDITEUR in user.roles and Tier.EDITEUR not in tiers:
        tiers.append(Tier.EDITEUR)
    return tiers


def bulk_offer(user) -> frozenset[str]:
    """The operations the queue's selection box offers `user` (tickets.bulk names them); each selected ticket is
    then decided by that action's own rule, as if it were done on the ticket page."""
    if not can(user, Action.VIEW_QUEUE):
        return frozenset()
    offer = {"take", "assign"}
    if is_academie_agent(user):  # re-routing and answering requesters are the académie's, not the vendor's
        offer |= {"change_keyword", "resolve"}
    if can(user, Action.MANAGE_MAJOR_INCIDENTS):
        offer.add("link_incident")
    return frozenset(offer)


def can_manage_saved_view(user, view) -> bool:
    """A saved queue view is its owner's alone (to replay, to delete)."""
    return can(user, Action.VIEW_QUEUE) and view.user_id == user.id


def visible_basin_ids(user) -> frozenset[int] | None:
    """Basins a queue filter may offer: an EduLAB referent its own; None means every basin."""
    if _authenticated(user) and Role.EDULAB in user.roles and not user.roles & {Role.PILOTE, Role.AGENT_N1, Role.ADMIN}:
        return frozenset(user.basin_ids)
    return None


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


# --- what each person finds in the header and on the home page ----------------------------------------------

MENU = (
    "kb.faq",
    "diagnostics.index",
    "tickets.new",
    "tickets.mine",
    "tickets.school",
    "tickets.queue",
    "incidents.index",
    "mailchannel.triage",
    "tickets.evolutions",
    "trainings.index",
    "reports.show",
    "admin.index",
)


def menu_entries(user) -> list[str]:
    """Endpoints of the header menu for `user`, in MENU order (web.templating gives them their labels)."""
    shown = {"kb.faq", "diagnostics.index"}
    if not _authenticated(user):
        shown.add("trainings.index")
    else:
        if can(user, Action.CREATE_TICKET):
            shown.add("tickets.new")
        if Role.REQUESTER in user.roles:
            shown.add("tickets.mine")
        if is_head_of_school(user):
            shown.add("tickets.school")
        if can(user, Action.VIEW_QUEUE):
            shown.add("tickets.queue")
        if can(user, Action.MANAGE_MAJOR_INCIDENTS):
            shown.add("incidents.index")
        if can(user, Action.TRIAGE_MAIL) or can(user, Action.VIEW_MAIL_QUARANTINE):
            shown.add("mailchannel.triage")
        if can(user, Action.VIEW_EVOLUTIONS):
            shown.add("tickets.evolutions")
        if user.roles & {Role.REQUESTER, Role.FORMATION, Role.DAFPEN, Role.PILOTE}:
            shown.add("trainings.index")
        if can(user, Action.VIEW_DASHBOARD):
            shown.add("reports.show")
        if any(can(user, a) for a in (Action.MANAGE_USERS, Action.EDIT_CATALOG, Action.VIEW_OPERATIONS)):
            shown.add("admin.index")
    return [endpoint for endpoint in MENU if endpoint in shown]


def home_page(user) -> str:
    """Which home page a person gets: public, agent, admin, training or requester."""
    if not _authenticated(user):
        return "public"
    if is_agent(user):
        return "agent"
    if Role.ADMIN in user.roles:
        return "admin"
    if user.roles & {Role.DAFPEN, Role.FORMATION} and Role.REQUESTER not in user.roles:
        return "training"
    return "requester"


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
