"""Ask the requester once, when their ticket is first resolved."""

from helpdesk.platform import events
from helpdesk.satisfaction.services import invite


@events.subscribe(events.TICKET_CHANGED)
def resolved(session, *, ticket, now, change=None, new=None, **_):
    if change == "status" and str(new) == "resolved":
        invite(session, ticket, now=now)
