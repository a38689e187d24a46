"""Keyset pages of a ticket listing on any of the queue's sort keys, both ways, with opaque signed-free cursors.

Each sort key has one canonical order — ascending, missing values (NULL) last — and its descending order is the
exact reverse (NULL first), so a descending page or a « previous page » is the same index read backwards. A
position is (key value, ticket id); the id breaks ties, so the order is total and pages never skip or repeat
a ticket, whatever the ties. A nullable key is read in two index seeks rather than one OR (which PostgreSQL can
only filter): the valued rows beyond the position, then the NULL ones."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select, tuple_

from helpdesk.organisation.models import Basin, School
from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import as_utc
from helpdesk.routing.codes import Priority
from helpdesk.tickets.models import Ticket
from helpdesk.users.models import User

ASC, DESC = "asc", "desc"
PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}
BAD_CURSOR = N_("Le curseur de pagination est invalide : repartez de la première page.")


@dataclass(frozen=True)
class SortKey:
    name: str  # the URL value (« tri=… »)
    label: str  # the column it sorts (N_)
    expression: Callable | None  # () -> SQL expression of the key (a column of the ticket)
    kind: str  # "datetime" | "group": how a cursor carries its value
    nullable: bool = False
    join: Callable | None = None  # (stmt) -> stmt with what the key reads
    default: str = ASC  # the direction of a first click
    inverted: bool = False  # « ascending » shows the key's values from the largest (an age is now − created_at)
    # A key read from another table (a holder's name) or a rank (priority) is read group by group instead:
    # `groups(session, stmt)` lists the (sort value, group value) present, in order; `column()` is the ticket's
    # column holding the group value. Each group is then an index seek on (tier, is_open, column, id).
    groups: Callable | None = None
    column: Callable | None = None


def _present(model, column_of_ticket):
    """(name, id) of the rows of `model` that the filtered tickets point at, in the database's name order."""

    def groups(session, stmt):
        ids = stmt.with_only_columns(column_of_ticket()).distinct().scalar_subquery()
        names = select(model.name if model is not User else User.full_name, model.id).where(model.id.in_(ids))
        return [(name, group) for name, group in session.execute(names.order_by(names.selected_columns[0], model.id))]

    return groups


def _priorities(session, stmt):
    return sorted((rank, str(priority)) for priority, rank in PRIORITY_RANK.items())


SORT_KEYS: dict[str, SortKey] = {
    key.name: key
    for key in (
        SortKey("echeance", N_("Échéance"), lambda: Ticket.resolution_due_at, "datetime", nullable=True),
        SortKey("priorite", N_("Priorité"), None, "group", default=DESC, groups=_priorities, column=lambda: Ticket.priority),
        SortKey(
            "porteur",
            N_("Pris par"),
            None,
            "group",
            nullable=True,
            groups=_present(User, lambda: Ticket.assignee_id),
            column=lambda: Ticket.assignee_id,
        ),  # fmt: skip
        SortKey(
            "etablissement",
            N_("Établissement"),
            None,
            "group",
            groups=_present(School, lambda: Ticket.school_id),
            column=lambda: Ticket.school_id,
        ),  # fmt: skip
        SortKey(
            "bassin", N_("Bassin"), None, "group", groups=_present(Basin, lambda: Ticket.basin_id), column=lambda: Ticket.basin_id
        ),  # fmt: skip
        SortKey("age", N_("Âge"), lambda: Ticket.created_at, "datetime", inverted=True),
        SortKey("activite", N_("Dernière activité"), lambda: Ticket.updated_at, "datetime", default=DESC),
    )
}
DEFAULT_SORT = "echeance"


@dataclass(frozen=True)
class Sort:
    key: SortKey
    direction: str = ASC

    @classmethod
    def parse(cls, name: str | None, direction: str | None) -> Sort:
        """The sort a URL asks for; an unknown name or direction is refused with a French reason."""
        key = SORT_KEYS.get(name or DEFAULT_SORT)
        if key is None:
            raise ValidationFailed(N_("Ce tri n'existe pas."), field="tri")
        if direction not in (None, "", ASC, DESC):
            raise ValidationFailed(N_("Le sens du tri est « asc » ou « desc »."), field="ordre")
        return cls(key, direction or key.default)

    @property
    def descending(self) -> bool:
        """Whether the page reads the key's canonical order backwards."""
        return (self.direction == DESC) != self.key.inverted


@dataclass
class Page:
    tickets: list[Ticket]
    next_cursor: str | None  # « apres » of the next page
    previous_cursor: str | None  # « avant » of the previous page


def _dump(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        return as_utc(value).isoformat()
    if kind == "group":
        return list(value)
    return value


def _load(kind: str, value):
    if value is None:
        return None
    if kind == "datetime":
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31:
        return value
    if kind == "str" and isinstance(value, str) and len(value) <= 500:
        return value
    if kind == "group" and isinstance(value, list) and len(value) == 2:
        return tuple(_load("int", part) if isinstance(part, int) else _load("str", part) for part in value)
    raise ValueError("value of the wrong kind")


def encode(sort: Sort, value, ticket_id: int) -> str:
    raw = json.dumps([sort.key.name, sort.direction, _dump(sort.key.kind, value), ticket_id], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(sort: Sort, cursor: str | None):
    """(key value, ticket id) of a cursor made for this sort; a tampered cursor or one of another sort is refused."""
    if not cursor:
        return None
    try:
        name, direction, value, ticket_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (name, direction) != (sort.key.name, sort.direction):
            raise ValueError("cursor of another sort")
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool) or not 0 <= ticket_id <= 2**63 - 1:
            raise ValueError("id out of range")
        return _load(sort.key.kind, value), ticket_id
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationFailed(BAD_CURSOR, field="apres") from error


def _statements(stmt, key: SortKey, position, backwards: bool):
    """The SELECTs to run in turn for the rows beyond `position`, in canonical (or reversed) order. Every one is
    ordered like the index, NULL rows included (all NULL, then by id), so an index is read, never sorted."""
    expr = key.expression()
    if backwards:
        order = (expr.desc().nulls_first(), Ticket.id.desc())
    if not backwards:
        order = (expr.asc().nulls_last(), Ticket.id.asc())
        if position is None:
            return [stmt.order_by(*order)]
        value, ticket_id = position
        if value is None:
            return [stmt.where(expr.is_(None), Ticket.id > ticket_id).order_by(*order)]
        after = tuple_(expr, Ticket.id) > tuple_(literal(value, expr.type), literal(ticket_id))
        return [stmt.where(after).order_by(*order)] + ([stmt.where(expr.is_(None)).order_by(*order)] if key.nullable else [])
    if position is None:
        return [stmt.order_by(*order)]
    value, ticket_id = position
    if value is None:
        return [
            stmt.where(expr.is_(None), Ticket.id < ticket_id).order_by(*order),
            stmt.where(expr.is_not(None)).order_by(*order),
        ]
    before = tuple_(expr, Ticket.id) < tuple_(literal(value, expr.type), literal(ticket_id))
    return [stmt.where(before).order_by(*order)]


def _rank(group) -> tuple:
    return (1,) if group is None else (0, *group)


def _grouped_rows(session, stmt, key: SortKey, position, backwards: bool, limit: int):
    """Up to `limit` + 1 (group, ticket) beyond `position`, group after group in order, ids in order within each."""
    column = key.column()
    groups: list = list(key.groups(session, stmt))
    sequence = groups + ([None] if key.nullable else [])  # canonical order: missing values last
    if backwards:
        sequence.reverse()
    start, after_id = 0, None
    if position is not None:
        group, after_id = position
        if group in sequence:
            start = sequence.index(group)
        else:  # that group has no ticket left: the first one beyond it (Python's order, a rare approximation)
            start = next((i for i, g in enumerate(sequence) if (_rank(g) > _rank(group)) != backwards), len(sequence))
            after_id = None
    # Each group is probed for ids only; the tickets (and what `stmt`'s options load with them) are read once at
    # the end: a page spread over many small groups (schools) loaded them group by group, four queries each.
    ids_only = stmt.with_only_columns(Ticket.id)
    found: list = []
    for index in range(start, len(sequence)):
        group = sequence[index]
        probe = ids_only.where(column.is_(None) if group is None else column == group[1])
        if index == start and after_id is not None:
            probe = probe.where(Ticket.id < after_id if backwards else Ticket.id > after_id)
        probe = probe.order_by(Ticket.id.desc() if backwards else Ticket.id.asc()).limit(limit + 1 - len(found))
        found += [(group, ticket_id) for ticket_id in session.scalars(probe)]
        if len(found) > limit:
            break
    if not found:
        return []
    tickets = {ticket.id: ticket for ticket in session.scalars(stmt.where(Ticket.id.in_([i for _g, i in found])))}
    return [(group, tickets[ticket_id]) for group, ticket_id in found if ticket_id in tickets]


def page(session, stmt, sort: Sort, *, after: str | None = None, before: str | None = None, limit: int = 25) -> Page:
    """One page of `stmt` (a SELECT of Ticket, filtered, unordered) in `sort` order: the first page, the one after
    the cursor `after`, or the one before the cursor `before`."""
    key = sort.key
    backwards_page = bool(before)
    position = decode(sort, before if backwards_page else after)
    scan_backwards = sort.descending != backwards_page
    if key.groups is not None:
        rows = _grouped_rows(session, stmt, key, position, scan_backwards, limit)
    else:
        stmt = (key.join(stmt) if key.join else stmt).add_columns(key.expression().label("sort_value"))
        rows = []
        for statement in _statements(stmt, key, position, scan_backwards):
            rows += [(row.sort_value, row[0]) for row in session.execute(statement.limit(limit + 1 - len(rows)))]
            if len(rows) > limit:
                break
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards_page:
        rows.reverse()
    cursors = [encode(sort, value, ticket.id) for value, ticket in (rows[0], rows[-1])] if rows else [None, None]
    if backwards_page:
        previous, following = (cursors[0] if more else None), cursors[1]
    else:
        previous, following = (cursors[0] if position is not None else None), (cursors[1] if more else None)
    return Page([ticket for _value, ticket in rows], following, previous)
