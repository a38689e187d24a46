"""Tiny in-process publish/subscribe: tickets announce what happened, other areas react.

Subscribers run inside the publisher's transaction (so what they write commits or rolls back
with it); anything outside the database must be deferred with helpdesk.platform.queue.enqueue_after_commit.
This keeps `tickets` free of any import of `escalation`, notifications or statistics."""

from collections import defaultdict
from collections.abc import Callable

# Published before the new ticket's INSERT (no id yet on SQLite): subscribers fill derived columns, such as
# the SLA deadlines, so that the row is written once. TICKET_CREATED follows once the row exists.
TICKET_OPENING = "ticket.opening"
TICKET_CREATED = "ticket.created"
TICKET_CHANGED = "ticket.changed"  # status, tier, assignee, keyword... (payload says what)
TICKET_ESCALATED = "ticket.escalated"
TICKET_REPLIED = "ticket.replied"

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event_name: str):
    def decorator(func: Callable) -> Callable:
        if func not in _subscribers[event_name]:
            _subscribers[event_name].append(func)
        return func

    return decorator


def publish(session, event_name: str, **payload) -> None:
    for func in list(_subscribers[event_name]):
        func(session, **payload)
