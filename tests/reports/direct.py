"""A direct count for the rollup tests: what each ticket counts for in the figures, read from the tickets, their
events and SLA breaches in Python, independently of the SQL that fills the rollups (helpdesk.reports.rollups)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from escalation.models import SlaBreach
from helpdesk.platform.timeutil import as_utc
from helpdesk.reports.models import MEASURES
from helpdesk.reports.periods import paris_day
from helpdesk.routing.models import Keyword
from helpdesk.tickets.models import Ticket, TicketEvent

TIER_MOVES = ("escalated", "sent_down")


@dataclass(frozen=True)
class Fact:
    """One ticket: its dimensions and, for each measure, 0 or 1."""

    day: object  # Paris date of creation
    school_id: int
    service: str
    keyword_id: int
    opened_keyword_id: int
    entry_tier: str
    tier: str
    basin_id: int
    channel: str
    counts: tuple[int, ...]  # in MEASURES order

    def key(self, dimensions) -> tuple:
        return tuple(getattr(self, name) for name in dimensions)


_COLUMNS = (
    Ticket.id,
    Ticket.created_at,
    Ticket.school_id,
    Ticket.service,
    Ticket.keyword_id,
    Ticket.entry_tier,
    Ticket.tier,
    Ticket.basin_id,
    Ticket.channel,
    Ticket.is_open,
    Ticket.first_response_at,
    Ticket.first_response_due_at,
    Ticket.resolved_at,
    Ticket.resolution_due_at,
)


def _on_time(done, due) -> bool:
    return as_utc(done) <= as_utc(due)


def keyword_ids(session) -> dict[str, int]:
    return dict(session.execute(select(Keyword.label, Keyword.id)).all())


def read_facts(session, *where, keywords: dict[str, int] | None = None) -> list[Fact]:
    """The facts of the tickets matching `where` (SQLAlchemy clauses on Ticket): three indexed reads
    (tickets, their keyword changes and tier moves, their breaches), joined in memory. `keywords` (label → id,
    from keyword_ids) may be passed by a caller reading many days."""
    tickets = session.execute(select(*_COLUMNS).where(*where)).all()
    if not tickets:
        return []
    chosen = select(Ticket.id).where(*where)
    moves: dict[int, list] = {}
    event_rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.id, TicketEvent.kind, TicketEvent.from_value).where(
            TicketEvent.ticket_id.in_(chosen), TicketEvent.kind.in_(("keyword_changed", *TIER_MOVES))
        )
    ).all()
    for ticket_id, event_id, kind, from_value in event_rows:
        moves.setdefault(ticket_id, []).append((event_id, kind, from_value))
    breached = {
        (ticket_id, kind)
        for ticket_id, kind in session.execute(
            select(SlaBreach.ticket_id, SlaBreach.kind)
            .where(SlaBreach.ticket_id.in_(chosen), SlaBreach.kind.in_(("first_response", "resolution")))
            .distinct()
        )
    }
    labels = keywords if keywords is not None else keyword_ids(session)
    facts = []
    for row in tickets:
        events = sorted(moves.get(row.id, ()))
        changes = [from_value for _id, kind, from_value in events if kind == "keyword_changed"]
        # Misrouting counts against the keyword chosen at opening: the first change's "from" label.
        opened_keyword_id = labels.get(changes[0], row.keyword_id) if changes else row.keyword_id
        fr_measured = row.first_response_at is not None and row.first_response_due_at is not None
        res_measured = not row.is_open and row.resolved_at is not None and row.resolution_due_at is not None
        counts = (
            1,
            int(bool(row.is_open)),
            int(not row.is_open),
            int(fr_measured),
            int(
                fr_measured
                and _on_time(row.first_response_at, row.first_response_due_at)
                and (row.id, "first_response") not in breached
            ),
            int(res_measured),
            int(res_measured and _on_time(row.resolved_at, row.resolution_due_at) and (row.id, "resolution") not in breached),
            int(bool(changes)),
            int(any(kind in TIER_MOVES for _id, kind, _from in events)),
        )
        facts.append(
            Fact(
                day=paris_day(row.created_at),
                school_id=row.school_id,
                service=row.service,
                keyword_id=row.keyword_id,
                opened_keyword_id=opened_keyword_id,
                entry_tier=row.entry_tier,
                tier=row.tier,
                basin_id=row.basin_id,
                channel=row.channel,
                counts=counts,
            )
        )
    return facts


def aggregate(facts, key) -> dict[tuple, list[int]]:
    """Sum the facts' counts per `key(fact)` (a tuple)."""
    sums: dict[tuple, list[int]] = {}
    for fact in facts:
        total = sums.setdefault(key(fact), [0] * len(MEASURES))
        for index, value in enumerate(fact.counts):
            total[index] += value
    return sums
