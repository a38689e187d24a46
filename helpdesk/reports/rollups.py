"""Keeping the rollups in step with the tickets: recompute the creation days of the tickets that changed.

Idempotent: a day's rows are deleted and rebuilt from the tickets, then the week and month rows holding it are
rebuilt from the day rows; running twice, or two runs overlapping in time, gives the same rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, literal, select

from helpdesk.reports.facts import aggregate, keyword_ids, read_facts
from helpdesk.reports.models import (
    ALL_OF,
    CUBOIDS,
    DIMENSIONS,
    MEASURES,
    SCHOOL_DIMENSIONS,
    SCHOOL_MEASURES,
    RollupState,
    SchoolRollup,
    TicketRollup,
)
from helpdesk.reports.periods import Step, bucket_start, day_bounds_utc, next_bucket, paris_day
from helpdesk.tickets.models import Ticket, TicketEvent

# Events are read again this far back: a transaction that committed late (its events dated a little before the
# previous run) is still seen. Recomputing a day twice costs little and changes nothing.
OVERLAP = timedelta(minutes=5)


def _day_rows(day: date, facts) -> tuple[list[dict], list[dict]]:
    rows = [
        {
            "cuboid": "full",
            "grain": Step.DAY.value,
            "bucket": day,
            **dict(zip(DIMENSIONS, key, strict=True)),
            **dict(zip(MEASURES, sums, strict=True)),
        }
        for key, sums in aggregate(facts, lambda fact: fact.key(DIMENSIONS)).items()
    ]
    school_rows = [
        {
            "grain": Step.DAY.value,
            "bucket": day,
            "service": service,
            "school_id": school_id,
            "basin_id": basin_id,
            **{name: sums[MEASURES.index(name)] for name in SCHOOL_MEASURES},
        }
        for per_service in (True, False)
        for (service, school_id, basin_id), sums in aggregate(
            facts, lambda fact, per_service=per_service: (fact.service if per_service else "", fact.school_id, fact.basin_id)
        ).items()
    ]
    return rows, school_rows


def _summed(model, dimensions, measures, kept, *, grain: str, bucket: date, where, fixed: dict):
    """INSERT ... SELECT of `model` rows summed over `where`, keeping the `kept` dimensions (the others set to their
    « all » value) and writing `fixed` columns (grain, bucket, cuboid)."""
    kept_columns = [getattr(model, name) for name in kept]
    columns = [literal(value).label(name) for name, value in fixed.items()]
    columns += [literal(grain).label("grain"), literal(bucket).label("bucket")]
    columns += [getattr(model, name) if name in kept else literal(ALL_OF[name]).label(name) for name in dimensions]
    columns += [func.sum(getattr(model, name)).label(name) for name in measures]
    source = select(*columns).where(*where)
    if kept_columns:
        source = source.group_by(*kept_columns)
    else:  # one total row, and none at all for a day without tickets
        source = source.having(func.count() > 0)
    return insert(model).from_select([*fixed, "grain", "bucket", *dimensions, *measures], source)


def _derive_day(session, day: date) -> None:
    """The day's rows of every cuboid, summed from its full rows."""
    for name, kept in CUBOIDS.items():
        if name == "full":
            continue
        session.execute(
            _summed(
                TicketRollup,
                DIMENSIONS,
                MEASURES,
                kept,
                grain=Step.DAY.value,
                bucket=day,
                where=[TicketRollup.cuboid == "full", TicketRollup.grain == Step.DAY.value, TicketRollup.bucket == day],
                fixed={"cuboid": name},
            )
        )


def _rebuild_bucket(session, step: Step, start: date) -> None:
    """The week or month starting at `start`, for every cuboid and for schools, summed from its day rows."""
    end = next_bucket(start, step)
    for model in (TicketRollup, SchoolRollup):
        session.execute(delete(model).where(model.grain == step.value, model.bucket == start))
    in_days = [TicketRollup.grain == Step.DAY.value, TicketRollup.bucket >= start, TicketRollup.bucket < end]
    for name, kept in CUBOIDS.items():
        session.execute(
            _summed(
                TicketRollup,
                DIMENSIONS,
                MEASURES,
                kept,
                grain=step.value,
                bucket=start,
                where=[TicketRollup.cuboid == name, *in_days],
                fixed={"cuboid": name},
            )
        )
    school_days = [SchoolRollup.grain == Step.DAY.value, SchoolRollup.bucket >= start, SchoolRollup.bucket < end]
    session.execute(
        _summed(
            SchoolRollup,
            SCHOOL_DIMENSIONS,
            SCHOOL_MEASURES,
            SCHOOL_DIMENSIONS,
            grain=step.value,
            bucket=start,
            where=school_days,
            fixed={},
        )
    )


def refresh_days(session, days) -> int:
    """Recompute the rollups of these Paris days (and of the weeks and months holding them). Returns the tickets read."""
    days = sorted(set(days))
    read = 0
    keywords = keyword_ids(session)
    for day in days:
        start, end = day_bounds_utc(day, day)
        facts = read_facts(session, Ticket.created_at >= start, Ticket.created_at < end, keywords=keywords)
        read += len(facts)
        rows, school_rows = _day_rows(day, facts)
        for model, new_rows in ((TicketRollup, rows), (SchoolRollup, school_rows)):
            session.execute(delete(model).where(model.grain == Step.DAY.value, model.bucket == day))
            if new_rows:
                session.execute(insert(model), new_rows)
        _derive_day(session, day)
    for step in (Step.WEEK, Step.MONTH):
        for start in sorted({bucket_start(day, step) for day in days}):
            _rebuild_bucket(session, step, start)
    session.flush()
    return read


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
    for chunk_start in range(0, len(days), 31):  # a first run on a large base flushes month by month
        refresh_days(session, days[chunk_start : chunk_start + 31])
    current.events_until = now
    current.refreshed_at = now
    session.flush()
    return len(days)


def rebuild(session, *, now: datetime) -> int:
    """Recompute every day from scratch (after a bulk import, or to check the rollups)."""
    session.execute(delete(TicketRollup))
    session.execute(delete(SchoolRollup))
    current = state(session)
    current.events_until = None
    return refresh(session, now=now)


def refreshed_at(session) -> datetime | None:
    return session.scalar(select(RollupState.refreshed_at).where(RollupState.id == 1))
