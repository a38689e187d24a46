"""Ask the requester once, when their ticket is first resolved."""

from helpdesk.satisfaction.services import invite
from helpdesk.tickets import signals
from helpdesk.tickets.states import Status


@signals.ticket_moved.connect
def resolved(session, event: signals.TicketMoved):
    if event.new_status == Status.RESOLVED and event.old_status != Status.RESOLVED:
        invite(session, event.ticket, now=event.now)
