"""Read side of tickets: queues and lists scoped by policy and filters, capped counts (keyset pages: keyset.py)."""

import base64
import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import defer, lazyload, load_only, selectinload

from helpdesk import policy
from helpdesk.organisation.models import School
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import as_utc
from helpdesk.routing.codes import TicketType
from helpdesk.routing.models import Keyword
from helpdesk.tickets import keyset, search
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import CLOCK_PAUSED, OPEN_STATUSES, Status
from helpdesk.users.models import User

COUNT_CAP = 1000  # 10,000 cost 1.5-3 s per queue page at 1M tickets (five counts reading the heap): bench/queue_bench.py
# What a queue row shows beyond the ticket, loaded in three statements per page rather than three per row. A row
# shows its holder's name only: their roles and basins (selectin by default, two more statements) are left unloaded;
# nor does it show the description or the form's answers (a long text and a JSON document per row).
QUEUE_ROW_LOADS = (
    defer(Ticket.description),
    defer(Ticket.extra_fields),
    selectinload(Ticket.school).selectinload(School.basin),
    selectinload(Ticket.assignee).options(load_only(User.full_name), lazyload(User.role_rows), lazyload(User.basins)),
)
MAX_AGE_DAYS = 3650  # the « older than N days » filter: ten years back, no further (a date far back overflows)
PAGE_SIZE = 25


def encode_cursor(due: datetime | None, ticket_id: int) -> str:
    raw = json.dumps([as_utc(due).isoformat() if due else None, ticket_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime | None, int] | None:
    if not cursor:
        return None
    try:
        due, ticket_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        due = datetime.fromisoformat(due) if due else None
        if not isinstance(ticket_id, int) or not 0 <= ticket_id <= 2**63 - 1 or (due is not None and due.tzinfo is None):
            raise ValueError("cursor out of range")
        return due, ticket_id
    except (ValueError, TypeError, json.JSONDecodeError) as error:
        raise ValidationFailed(N_("Le curseur de pagination est invalide : repartez de la première page.")) from error


# The queue's tabs: new arrivals apart from work in progress and waits.
PHASE_NEW, PHASE_TAKEN, PHASE_WAITING, PHASE_OPEN = "new", "taken", "waiting", "open"
PHASE_LABELS = {
    PHASE_NEW: N_("À prendre en charge"),
    PHASE_TAKEN: N_("En cours"),
    PHASE_WAITING: N_("En attente"),
    PHASE_OPEN: N_("Tous les ouverts"),
}
PHASE_STATUSES = {PHASE_NEW: [Status.NEW], PHASE_TAKEN: [Status.TAKEN], PHASE_WAITING: sorted(CLOCK_PAUSED)}


HOLDER_MINE, HOLDER_NOBODY = "moi", "personne"
HOLDER_LABELS = {HOLDER_MINE: N_("Moi"), HOLDER_NOBODY: N_("Personne (non affectés)")}


@dataclass
class Filters:
    tier: str | None = None
    service: str | None = None
    keyword: str | None = None  # slug
    status: str | None = None  # a phase (PHASE_LABELS), a status, "open" (default) or "all"
    school: str | None = None  # UAI
    basin: int | None = None
    min_age_days: int | None = None
    q: str | None = None
    holder: str | None = None  # HOLDER_MINE, HOLDER_NOBODY or None (anyone)
    is_overdue: bool = False  # open tickets past their resolution deadline
    channel: str | None = None
    extra: list = field(default_factory=list)


def filtered(session, user, filters: Filters, *, now: datetime):
    """SELECT of the tickets `user` may see, narrowed by the filters (no order, no limit)."""
    stmt = select(Ticket).where(policy.ticket_scope(user, Ticket))
    if filters.tier:
        stmt = stmt.where(Ticket.tier == filters.tier)
    if filters.status in (None, "", PHASE_OPEN):
        stmt = stmt.where(Ticket.is_open.is_(True))
    elif filters.status in PHASE_STATUSES:  # open statuses: is_open too, so the queue indexes seek on the status
        stmt = stmt.where(Ticket.is_open.is_(True), Ticket.status.in_([str(s) for s in PHASE_STATUSES[filters.status]]))
    elif filters.status != "all":
        stmt = stmt.where(Ticket.is_open.is_(filters.status in OPEN_STATUSES), Ticket.status == filters.status)
    if filters.service:
        stmt = stmt.where(Ticket.service == filters.service)
    if filters.keyword:
        stmt = stmt.where(Ticket.keyword_id == select(Keyword.id).where(Keyword.slug == filters.keyword).scalar_subquery())
    if filters.school:
        stmt = stmt.where(Ticket.school_id == select(School.id).where(School.uai == filters.school.upper()).scalar_subquery())
    if filters.basin:
        stmt = stmt.where(Ticket.basin_id == filters.basin)
    if filters.min_age_days:
        stmt = stmt.where(Ticket.created_at <= now - timedelta(days=filters.min_age_days))
    if filters.holder == HOLDER_MINE:
        stmt = stmt.where(Ticket.assignee_id == user.id)
    elif filters.holder == HOLDER_NOBODY:
        stmt = stmt.where(Ticket.assignee_id.is_(None))
    if filters.is_overdue:
        stmt = stmt.where(Ticket.is_open.is_(True), Ticket.resolution_due_at <= now)
    if filters.channel:
        stmt = stmt.where(Ticket.channel == filters.channel)
    if filters.q:
        clause = search.search_filter(session.get_bind().dialect.name, Ticket, filters.q)
        if clause is not None:
            stmt = stmt.where(clause)
    for clause in filters.extra:
        stmt = stmt.where(clause)
    return stmt


def page(session, stmt, *, cursor: str | None = None, limit: int = PAGE_SIZE):
    """One keyset page in the default order (SLA due date, none last, then id); returns (tickets, next cursor)."""
    found = keyset.page(session, stmt, keyset.Sort.parse(None, None), after=cursor, limit=limit)
    return found.tickets, found.next_cursor


def phase_counts(session, user, filters: Filters, *, now: datetime) -> list[tuple[str, int, bool]]:
    """(phase, count, capped) of each queue tab, with the other filters as they are."""
    counts = []
    for phase in PHASE_LABELS:
        stmt = filtered(session, user, replace(filters, status=phase), now=now)
        counts.append((phase, *capped_count(session, stmt)))
    return counts


def capped_count(session, stmt) -> tuple[int, bool]:
    """How many rows (at most COUNT_CAP + 1 are counted: a queue of 50,000 does not need an exact figure)."""
    sub = stmt.with_only_columns(Ticket.id).limit(COUNT_CAP + 1).subquery()
    count = session.scalar(select(func.count()).select_from(sub)) or 0
    return min(count, COUNT_CAP), count > COUNT_CAP


def recent_for(session, user, *, school_wide: bool, cursor=None, limit=PAGE_SIZE):
    """Requester lists, latest activity first (keyset on (updated_at, id))."""
    if school_wide:
        stmt = select(Ticket).where(Ticket.school_id == user.school_id)
    else:
        stmt = select(Ticket).where(Ticket.requester_id == user.id)
    stmt = stmt.where(policy.ticket_scope(user, Ticket))
    if cursor:
        updated, ticket_id = decode_cursor(cursor)
        stmt = stmt.where(or_(Ticket.updated_at < updated, and_(Ticket.updated_at == updated, Ticket.id < ticket_id)))
    rows = list(session.scalars(stmt.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].updated_at, rows[-1].id) if more and rows else None)


def evolutions(session, user):
    """Evolution requests grouped by duplicates, and confirmed bugs transmitted to the vendor."""
    scope = policy.ticket_scope(user, Ticket)
    heads = list(
        session.scalars(
            select(Ticket)
            .where(scope, Ticket.type == TicketType.EVOLUTION, Ticket.duplicate_of_id.is_(None))
            .order_by(Ticket.service, Ticket.keyword_id, Ticket.created_at)
        )
    )
    dupes = list(session.scalars(select(Ticket).where(scope, Ticket.duplicate_of_id.is_not(None)).order_by(Ticket.id)))
    by_head: dict[int, list[Ticket]] = {}
    for ticket in dupes:
        by_head.setdefault(ticket.duplicate_of_id, []).append(ticket)
    groups = []
    for head in heads:
        members = [head, *by_head.get(head.id, [])]
        groups.append({"head": head, "duplicates": members[1:], "schools": len({t.school_id for t in members})})
    # Candidates for grouping: other heads with the same keyword.
    same_keyword: dict[int, list[Ticket]] = {}
    for head in heads:
        same_keyword.setdefault(head.keyword_id, []).append(head)
    for group in groups:
        group["candidates"] = [t for t in same_keyword[group["head"].keyword_id] if t.id != group["head"].id]
    bugs = list(
        session.scalars(
            select(Ticket)
            .where(scope, Ticket.type == TicketType.BUG, Ticket.has_reached_vendor.is_(True))
            .order_by(Ticket.updated_at.desc())
            .limit(200)
        )
    )
    return groups, bugs
