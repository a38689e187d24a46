"""Keep each ticket's SLA clock in step with its life cycle (receivers run inside the publisher's transaction)."""

from escalation import clocks
from helpdesk.tickets import signals


@signals.ticket_opening.connect
def ticket_opening(session, event: signals.TicketOpening):
    clocks.plan_new_ticket(session, event.ticket, now=event.now)  # deadlines and promise go into the ticket's INSERT


@signals.ticket_opened.connect
def ticket_opened(session, event: signals.TicketOpened):
    clocks.on_created(session, event.ticket, now=event.now)


@signals.ticket_moving.connect
def ticket_moving(session, event: signals.TicketMoved):
    # Before the move's flush: the new deadlines go into the same UPDATE of the ticket as its new status or tier.
    clocks.on_moved(session, event.ticket, old_status=event.old_status, new_status=event.new_status,
                    changed_tier=event.changed_tier, now=event.now)  # fmt: skip


@signals.keyword_changed.connect
def keyword_changed(session, event: signals.KeywordChanged):
    clocks.recompute(session, event.ticket, now=event.now)  # a keyword may carry its own policy


@signals.message_posted.connect
def message_posted(session, event: signals.MessagePosted):
    clocks.recompute(session, event.ticket, now=event.now)  # a first public answer ends the first-response clock
