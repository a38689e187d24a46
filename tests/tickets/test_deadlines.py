"""The SLA state of a queue row, from literal dates: no clock, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.tickets.deadlines import Deadline, DeadlineState, deadline_state, duration_parts

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night of the spring clock change in Paris: wall time in UTC


@pytest.mark.parametrize(
    ("due", "is_open", "is_paused", "expected"),
    [
        (None, True, False, Deadline(DeadlineState.NONE)),
        (NOW - timedelta(hours=2), False, False, Deadline(DeadlineState.NONE)),  # closed: no state, even if late
        (NOW + timedelta(hours=2), True, True, Deadline(DeadlineState.PAUSED)),
        (NOW - timedelta(hours=2), True, True, Deadline(DeadlineState.PAUSED)),  # a paused clock is not overdue
        (NOW, True, False, Deadline(DeadlineState.OVERDUE, 0)),  # due now: overdue (the sweep acts on it)
        (NOW - timedelta(minutes=90, seconds=30), True, False, Deadline(DeadlineState.OVERDUE, 90)),
        (NOW + timedelta(minutes=239, seconds=59), True, False, Deadline(DeadlineState.SOON, 239)),
        (NOW + timedelta(minutes=240), True, False, Deadline(DeadlineState.ON_TIME, 240)),
        (NOW + timedelta(days=3, hours=1), True, False, Deadline(DeadlineState.ON_TIME, 3 * 1440 + 60)),
    ],
)
def test_deadline_state(due, is_open, is_paused, expected):
    assert deadline_state(due, NOW, is_open=is_open, is_paused=is_paused) == expected


def test_duration_parts():
    assert duration_parts(0) == (0, 0, 0)
    assert duration_parts(59) == (0, 0, 59)
    assert duration_parts(61) == (0, 1, 1)
    assert duration_parts(3 * 1440 + 125) == (3, 2, 5)
    assert duration_parts(-5) == (0, 0, 0)
