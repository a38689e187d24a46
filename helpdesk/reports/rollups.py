"""Keeping the rollups in step with the tickets: recompute the creation days of the tickets that changed.

Idempotent: a day's rows are deleted and counted again from the tickets, then the week and month rows holding it are
summed again from the day rows; running twice, or two runs overlapping in time, gives the same rows. All of it is
set-based SQL (INSERT ... SELECT): no ticket is loaded into Python."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, delete, func, insert, literal, select, text
from sqlalchemy.orm import aliased

from escalation.models import SlaBreach
from helpdesk.reports.models import (
    ALL_OF,
    CUBOIDS,
    DAY_ONLY,
    MEASURES,
    ROLLUP_DIMENSIONS,
    SOURCES,
    RollupState,
    TicketRollup,
)
from helpdesk.reports.periods import Step, bucket_start, day_bounds_utc, next_bucket, paris_day
from helpdesk.routing.models import Keyword
from helpdesk.tickets.models import Ticket, TicketEvent

# Events are read again this far back: a transaction that committed late (its events dated a little before the
# previous run) is still seen. Recomputing a day twice costs little and changes nothing.
OVERLAP = timedelta(minutes=5)
TIER_MOVES = ("escalated", "sent_down")
# A first run on a large base (or a rebuild) commits nothing in between but flushes this many days at a time.
CHUNK_DAYS = 31


def _one(condition):
    return case((condition, 1), else_=0)


def ticket_facts(*where):
    """One row per ticket matching `where`: its dimensions (ROLLUP_DIMENSIONS) and, per measure, 0 or 1.

    What each measure means (docs/reports.md « Ce que compte chaque figure »): misrouting counts against the keyword
    chosen at opening, the « from » label of the first keyword change; a deadline is met when it was kept and no
    breach of that kind was applied. Events and breaches are read for the chosen tickets only, grouped per ticket
    and joined: written as EXISTS per ticket, PostgreSQL hashes every keyword change and tier move of the base
    (50,000 and 150,000 rows at a million tickets) for each day counted."""
    t = Ticket
    chosen = select(t.id).where(*where)
    moves = (
        select(
            TicketEvent.ticket_id.label("ticket_id"),
            func.min(case((TicketEvent.kind == "keyword_changed", TicketEvent.id))).label("first_change_id"),
            func.max(_one(TicketEvent.kind.in_(TIER_MOVES))).label("tier_moved"),
        )
        .where(TicketEvent.ticket_id.in_(chosen), TicketEvent.kind.in_(("keyword_changed", *TIER_MOVES)))
        .group_by(TicketEvent.ticket_id)
        .subquery("moves")
    )
    breaches = (
        select(
            SlaBreach.ticket_id.label("ticket_id"),
            func.max(_one(SlaBreach.kind == "first_response")).label("first_response"),
            func.max(_one(SlaBreach.kind == "resolution")).label("resolution"),
        )
        .where(SlaBreach.ticket_id.in_(chosen), SlaBreach.kind.in_(("first_response", "resolution")))
        .group_by(SlaBreach.ticket_id)
        .subquery("breaches")
    )
    first_change = aliased(TicketEvent, name="first_change")
    opened_keyword = aliased(Keyword, name="opened_keyword")

    def not_breached(kind):
        return func.coalesce(breaches.c[kind], 0) == 0

    fr_measured = and_(t.first_response_at.is_not(None), t.first_response_due_at.is_not(None))
    res_measured = and_(t.is_open.is_(False), t.resolved_at.is_not(None), t.resolution_due_at.is_not(None))
    measures = {
        "opened": literal(1),
        "still_open": _one(t.is_open.is_(True)),
        "finished": _one(t.is_open.is_(False)),
        "fr_measured": _one(fr_measured),
        "fr_met": _one(and_(fr_measured, t.first_response_at <= t.first_response_due_at, not_breached("first_response"))),
        "res_measured": _one(res_measured),
        "res_met": _one(and_(res_measured, t.resolved_at <= t.resolution_due_at, not_breached("resolution"))),
        "keyword_changed": _one(moves.c.first_change_id.is_not(None)),
        "tier_changed": func.coalesce(moves.c.tier_moved, 0),
    }
    dimensions = {name: getattr(t, name) for name in ROLLUP_DIMENSIONS if name != "opened_keyword_id"}
    dimensions["opened_keyword_id"] = func.coalesce(opened_keyword.id, t.keyword_id)
    return (
        select(
            *[dimensions[name].label(name) for name in ROLLUP_DIMENSIONS],
            *[value.label(name) for name, value in measures.items()],
        )
        .select_from(t)
        .outerjoin(moves, moves.c.ticket_id == t.id)
        .outerjoin(first_change, first_change.id == moves.c.first_change_id)
        .outerjoin(opened_keyword, opened_keyword.label == first_change.from_value)
        .outerjoin(breaches, breaches.c.ticket_id == t.id)
        .where(*where)
    )


def _count_day(session, day: date) -> None:
    """The day's "school_full" rows, counted from the tickets opened that Paris day."""
    start, end = day_bounds_utc(day, day)
    facts = ticket_facts(Ticket.created_at >= start, Ticket.created_at < end).subquery()
    source = select(
        literal("school_full").label("cuboid"),
        literal(Step.DAY.value).label("grain"),
        literal(day).label("bucket"),
        *[facts.c[name] for name in ROLLUP_DIMENSIONS],
        *[func.sum(facts.c[name]).label(name) for name in MEASURES],
    ).group_by(*[facts.c[name] for name in ROLLUP_DIMENSIONS])
    session.execute(insert(TicketRollup).from_select(["cuboid", "grain", "bucket", *ROLLUP_DIMENSIONS, *MEASURES], source))


def _summed(name: str, *, grain: str, bucket_of, where):
    """INSERT ... SELECT of level `name`'s rows, summed from the rows matching `where` (of its source level, or of
    its own day rows for a week or month), keeping its dimensions (the others set to their « all » value).
    `bucket_of` is the bucket written: a literal date, or the source's bucket column (several days at once)."""
    kept = CUBOIDS[name]
    columns = [literal(name).label("cuboid"), literal(grain).label("grain"), bucket_of.label("bucket")]
    columns += [getattr(TicketRollup, d) if d in kept else literal(ALL_OF[d]).label(d) for d in ROLLUP_DIMENSIONS]
    columns += [func.sum(getattr(TicketRollup, m)).label(m) for m in MEASURES]
    group = [getattr(TicketRollup, d) for d in kept]
    if bucket_of is TicketRollup.bucket:
        group.insert(0, TicketRollup.bucket)
    source = select(*columns).where(*where)
    # With no column kept, one total row, and none at all for a bucket without tickets.
    source = source.group_by(*group) if group else source.having(func.count() > 0)
    return insert(TicketRollup).from_select(["cuboid", "grain", "bucket", *ROLLUP_DIMENSIONS, *MEASURES], source)


def _derive_days(session, days: list[date]) -> None:
    """The day rows of every level but "school_full", summed from their source level, for all `days` at once."""
    for name, source in SOURCES.items():
        session.execute(
            _summed(
                name,
                grain=Step.DAY.value,
                bucket_of=TicketRollup.bucket,
                where=[TicketRollup.cuboid == source, TicketRollup.grain == Step.DAY.value, TicketRollup.bucket.in_(days)],
            )
        )


def _rebuild_bucket(session, step: Step, start: date) -> None:
    """The week or month starting at `start`, for every level kept beyond days, summed from its day rows."""
    end = next_bucket(start, step)
    levels = [name for name in CUBOIDS if name not in DAY_ONLY]
    session.execute(
        delete(TicketRollup).where(
            TicketRollup.cuboid.in_(levels), TicketRollup.grain == step.value, TicketRollup.bucket == start
        )
    )
    for name in levels:
        session.execute(
            _summed(
                name,
                grain=step.value,
                bucket_of=literal(start),
                where=[
                    TicketRollup.cuboid == name,
                    TicketRollup.grain == Step.DAY.value,
                    TicketRollup.bucket >= start,
                    TicketRollup.bucket < end,
                ],
            )
        )


def refresh_days(session, days) -> int:
    """Recompute the rollups of these Paris days (and of the weeks and months holding them). Returns the tickets
    counted."""
    days = sorted(set(days))
    if not days:
        return 0
    # The level is named so that the (cuboid, grain, bucket) index finds the rows.
    session.execute(
        delete(TicketRollup).where(
            TicketRollup.cuboid.in_(list(CUBOIDS)), TicketRollup.grain == Step.DAY.value, TicketRollup.bucket.in_(days)
        )
    )
    for day in days:
        _count_day(session, day)
    _derive_days(session, days)
    for step in (Step.WEEK, Step.MONTH):
        for start in sorted({bucket_start(day, step) for day in days}):
            _rebuild_bucket(session, step, start)
    session.flush()
    counted = select(func.sum(TicketRollup.opened)).where(
        TicketRollup.cuboid == "all", TicketRollup.grain == Step.DAY.value, TicketRollup.bucket.in_(days)
    )
    return int(session.scalar(counted) or 0)


def changed_days(session, since: datetime) -> set[date]:
    """Creation days of the tickets with an event since `since` (creation included)."""
    changed = select(TicketEvent.ticket_id).where(TicketEvent.created_at >= since).distinct()
    return {paris_day(created) for created in session.scalars(select(Ticket.created_at).where(Ticket.id.in_(changed)))}


def all_days(session) -> list[date]:
    first, last = session.execute(select(func.min(Ticket.created_at), func.max(Ticket.created_at))).one()
    if first is None:
        return []
    day, last_day, days = paris_day(first), paris_day(last), []
    while day <= last_day:
        days.append(day)
        day += timedelta(days=1)
    return days


def state(session) -> RollupState:
    row = session.get(RollupState, 1, with_for_update=True)
    if row is None:
        row = RollupState(id=1)
        session.add(row)
    return row


def refresh(session, *, now: datetime) -> int:
    """Fold into the rollups what changed since the last run (everything on the first run). Returns the days
    recomputed. The state row is locked for the run, so two workers never interleave their rebuilds."""
    current = state(session)
    days = all_days(session) if current.events_until is None else sorted(changed_days(session, current.events_until - OVERLAP))
    for chunk_start in range(0, len(days), CHUNK_DAYS):
        refresh_days(session, days[chunk_start : chunk_start + CHUNK_DAYS])
        if len(days) > CHUNK_DAYS:
            _analyze(session)
    current.events_until = now
    current.refreshed_at = now
    session.flush()
    return len(days)


def _analyze(session) -> None:
    """On PostgreSQL, fresh statistics of the rollup table between the chunks of a long run: the run is one
    transaction, which autovacuum cannot see, and a table planned as empty while it grows by millions of rows is read
    whole by every statement. ANALYZE counts the transaction's own rows."""
    if session.get_bind(mapper=TicketRollup.__mapper__).dialect.name == "postgresql":
        session.execute(text("ANALYZE report_ticket_rollup"))


def rebuild(session, *, now: datetime) -> int:
    """Recompute every day from scratch (after a bulk import, or to check the rollups)."""
    session.execute(delete(TicketRollup))
    current = state(session)
    current.events_until = None
    return refresh(session, now=now)


def refreshed_at(session) -> datetime | None:
    return session.scalar(select(RollupState.refreshed_at).where(RollupState.id == 1))
