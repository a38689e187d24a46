"""The SLA state a queue row shows: how long is left before the resolution deadline, or how long it is overdue.

Wall-clock time (what an agent reads on a clock), not working time: the deadline itself was already computed in
working time by escalation.sla. A paused clock (a wait the requester or the vendor causes) shows as paused."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

SOON_MINUTES = 4 * 60  # under four hours left: the row turns orange


class DeadlineState(StrEnum):
    NONE = "none"  # closed, or no deadline
    PAUSED = "paused"
    OVERDUE = "overdue"
    SOON = "soon"
    ON_TIME = "on_time"


@dataclass(frozen=True)
class Deadline:
    state: DeadlineState
    minutes: int = 0  # left (on time, soon) or past (overdue); whole minutes, rounded towards zero


def deadline_state(due_at: datetime | None, now: datetime, *, is_open: bool, is_paused: bool) -> Deadline:
    if not is_open or due_at is None:
        return Deadline(DeadlineState.NONE)
    if is_paused:
        return Deadline(DeadlineState.PAUSED)
    seconds = (due_at - now).total_seconds()
    if seconds <= 0:
        return Deadline(DeadlineState.OVERDUE, int(-seconds // 60))
    minutes = int(seconds // 60)
    return Deadline(DeadlineState.SOON if minutes < SOON_MINUTES else DeadlineState.ON_TIME, minutes)


def duration_parts(minutes: int) -> tuple[int, int, int]:
    """(days, hours, minutes) of a duration, for « 2 j 3 h » or « 45 min »."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    return days, rest // 60, rest % 60
