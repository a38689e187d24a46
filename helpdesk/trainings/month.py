"""The month calendar (sessions and scheduled FILs, in Paris time) and the events of the ICS files."""

import calendar as stdlib_calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from helpdesk import policy
from helpdesk.platform.timeutil import PARIS, to_paris
from helpdesk.trainings.ics import IcsEvent
from helpdesk.trainings.models import FilRequest, FilSlot, Registration, RegistrationStatus, TrainingSession
from helpdesk.trainings.states import ON_CALENDAR
from helpdesk.users.models import HEAD_PROFILES

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class Entry:
    starts_at: datetime
    ends_at: datetime
    label: str
    kind: str  # "session" | "fil"
    target_id: int


def parse_month(raw: str | None, today: date) -> date | None:
    """'2026-12' → 1 December 2026; nothing → this month; anything else → None."""
    if not raw:
        return today.replace(day=1)
    match = _MONTH.match(raw.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime.combine(month, time(0), tzinfo=PARIS).astimezone(UTC)
    end = datetime.combine(shift(month, 1), time(0), tzinfo=PARIS).astimezone(UTC)
    return start, end


def month_entries(session, month: date, *, viewer) -> dict[date, list[Entry]]:
    start, end = _bounds(month)
    by_day: dict[date, list[Entry]] = {}
    for ts in session.scalars(select(TrainingSession).where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)):
        by_day.setdefault(to_paris(ts.starts_at).date(), []).append(
            Entry(ts.starts_at, ts.ends_at, ts.module.title, "session", ts.id)
        )
    if viewer is not None:
        query = (
            select(FilSlot)
            .join(FilRequest)
            .where(
                FilSlot.starts_at >= start,
                FilSlot.starts_at < end,
                FilRequest.state.in_([str(s) for s in ON_CALENDAR]),
                policy.fil_scope(viewer, FilRequest),
            )
        )
        for slot in session.scalars(query):
            fil = slot.fil_request
            by_day.setdefault(to_paris(slot.starts_at).date(), []).append(
                Entry(slot.starts_at, slot.ends_at, f"FIL {fil.school.name}", "fil", fil.id)
            )
    for entries in by_day.values():
        entries.sort(key=lambda e: e.starts_at)
    return by_day


def month_grid(session, month: date, *, viewer) -> list[list[tuple[date | None, list[Entry]]]]:
    """Weeks (Monday first) of (day or None outside the month, that day's entries)."""
    entries = month_entries(session, month, viewer=viewer)
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    return [
        [(day if day.month == month.month else None, entries.get(day, []) if day.month == month.month else []) for day in week]
        for week in weeks
    ]


def session_event(ts: TrainingSession, url: str) -> IcsEvent:
    location = ts.place or ts.remote_url
    description = ts.module.description
    if ts.remote_url:
        description += f"\nClasse virtuelle : {ts.remote_url}"
    if ts.trainer:
        description += f"\nFormateur : {ts.trainer}"
    return IcsEvent(
        uid=f"training-session-{ts.id}@assistance-ent",
        starts_at=ts.starts_at,
        ends_at=ts.ends_at,
        summary=f"Formation ENT : {ts.module.title}",
        description=description,
        location=location,
        url=url,
    )


def personal_events(session, user, url_of_session, url_of_fil) -> list[IcsEvent]:
    """The sessions the user holds a seat in (waiting-list places are not appointments yet), plus, for heads of
    school, the scheduled FIL half-days of their school."""
    query = (
        select(TrainingSession)
        .join(Registration)
        .where(Registration.user_id == user.id, Registration.status == RegistrationStatus.REGISTERED)
        .order_by(TrainingSession.starts_at)
    )
    events = [session_event(ts, url_of_session(ts.id)) for ts in session.scalars(query)]
    if user.profile in HEAD_PROFILES and user.school_id is not None:
        slots = session.scalars(
            select(FilSlot)
            .join(FilRequest)
            .where(FilRequest.school_id == user.school_id, FilRequest.state.in_([str(s) for s in ON_CALENDAR]))
            .order_by(FilSlot.starts_at)
        )
        for slot in slots:
            fil = slot.fil_request
            events.append(
                IcsEvent(
                    uid=f"fil-slot-{slot.id}@assistance-ent",
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    summary=f"FIL {fil.reference} : formation ENT de l'établissement",
                    description=f"Formateur(s) : {fil.trainers}",
                    location=fil.school.name,
                    url=url_of_fil(fil.id),
                )
            )
    return events
