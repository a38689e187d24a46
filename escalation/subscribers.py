"""React to ticket events: keep each ticket's SLA clock in step (runs inside the publisher's transaction)."""

from escalation import clocks
from helpdesk.platform import events


@events.subscribe(events.TICKET_OPENING)
def ticket_opening(session, *, ticket, now, **_):
    clocks.plan_new_ticket(session, ticket, now=now)  # deadlines go into the ticket's INSERT


@events.subscribe(events.TICKET_CREATED)
def ticket_created(session, *, ticket, now, **_):
    clocks.on_created(session, ticket, now=now)


@events.subscribe(events.TICKET_CHANGED)
def ticket_changed(session, *, ticket, now, change=None, old=None, new=None, **_):
    if change == "status":
        clocks.on_status(session, ticket, str(old), str(new), now=now)
    elif change == "tier":
        clocks.on_tier_change(session, ticket, now=now)
    elif change == "keyword":  # a keyword may carry its own policy
        clocks.recompute(session, ticket, now=now)


@events.subscribe(events.TICKET_ESCALATED)
def ticket_escalated(session, *, ticket, now, **_):
    clocks.on_tier_change(session, ticket, now=now)


@events.subscribe(events.TICKET_REPLIED)
def ticket_replied(session, *, ticket, now, **_):
    # A first agent reply ends the first-response clock.
    clocks.recompute(session, ticket, now=now)
