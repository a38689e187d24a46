"""Who hears about what: the requester about their ticket's life, the agent about replies and SLA alerts."""

from helpdesk.notifications.services import notify
from helpdesk.platform import events


@events.subscribe(events.TICKET_CREATED)
def created(session, *, ticket, now, **_):
    notify(session, ticket.requester_id, "ticket_created", ticket=ticket, dedup_key=f"created:{ticket.id}", now=now)


@events.subscribe(events.TICKET_REPLIED)
def replied(session, *, ticket, message, now, **_):
    if message.is_internal:
        return
    # The requester hears of agents' replies; the assigned agent hears of the requester's.
    target = ticket.assignee_id if message.author_id == ticket.requester_id else ticket.requester_id
    if target != message.author_id:
        notify(session, target, "ticket_replied", ticket=ticket, dedup_key=f"replied:{message.id}", now=now)


@events.subscribe(events.TICKET_CHANGED)
def changed(session, *, ticket, now, change=None, new=None, **_):
    if change != "status":
        return
    kind = {"waiting_requester": "waiting_for_you", "resolved": "ticket_resolved"}.get(str(new))
    if kind:
        notify(session, ticket.requester_id, kind, ticket=ticket, dedup_key=f"{kind}:{ticket.id}:{now.isoformat()}", now=now)


@events.subscribe(events.TICKET_ESCALATED)
def escalated(session, *, ticket, now, new=None, reason="", **_):
    notify(
        session,
        ticket.requester_id,
        "ticket_escalated",
        ticket=ticket,
        reason=reason,
        dedup_key=f"escalated:{ticket.id}:{new}:{now.isoformat()}",
        now=now,
    )
