"""Who is told what — the one home of the notification rules (docs/tickets.md « Notifications »).

- The requester hears only of what concerns them: the ticket is registered, an agent wrote to them (a reply,
  a question, an incident's news), the solution, the automatic closure, the end of a data-propagation wait
  (to check). Never of internal hops, notes or the vendor exchange.
- Agents hear of arrivals at their tier (escalation, send-down, transmission, a new ticket above level 1,
  whose platform works from its queue), of what happens on tickets they hold (the requester's answers,
  notes by others, a reopening, the end of a wait, an assignment) and, through escalation.clocks, of SLA alerts.
- The pilot team and the vendor hear of each other's messages in their exchange.

Every notification quotes the message when there is one and links to the ticket; the recipients of each
rule can all read what it quotes (policy.readable_audiences)."""

from helpdesk import policy
from helpdesk.notifications.recipients import holder_or_group, tier_group_ids
from helpdesk.notifications.services import notify, notify_many
from helpdesk.routing.codes import Tier
from helpdesk.tickets import signals
from helpdesk.tickets.audiences import Audience
from helpdesk.tickets.states import REOPEN_DAYS, Move, Status

AUTO_CLOSE_DAYS_DEFAULT = 7


def _except(user_ids, actor) -> list[int]:
    actor_id = getattr(actor, "id", None)
    return [u for u in user_ids if u != actor_id]


def _readers(session, user_ids, ticket, message) -> list[int]:
    """Of these people, those who may read the message quoted (policy.can_read): a rule never mails an entry to
    someone who could not read it on the page, whoever holds the ticket."""
    from sqlalchemy import select

    from helpdesk.users.models import User

    wanted = [u for u in dict.fromkeys(user_ids) if u is not None]
    if not wanted:
        return []
    people = session.scalars(select(User).where(User.id.in_(wanted))).all()
    return [u.id for u in people if policy.can_read(u, ticket, message.audience)]


def _link(ticket, message=None) -> str:
    return f"/tickets/{ticket.reference}" + (f"#m{message.id}" if message is not None else "")


@signals.ticket_opened.connect
def ticket_opened(session, event: signals.TicketOpened):
    ticket = event.ticket
    notify(session, ticket.requester_id, "ticket_created", ticket=ticket, dedup_key=f"created:{ticket.id}", now=event.now)
    if ticket.tier != Tier.N1:
        notify_many(session, _except(tier_group_ids(session, ticket, ticket.tier), event.actor), "ticket_arrived",
                    ticket=ticket, move="open", reason="", dedup_key=f"arrived:{ticket.id}:{ticket.tier}:open",
                    now=event.now)  # fmt: skip


@signals.message_posted.connect
def message_posted(session, event: signals.MessagePosted):
    if event.with_move:
        return  # a question, solution or transmission note: the move's own rule tells people
    ticket, message, actor = event.ticket, event.message, event.actor
    key = f"message:{message.id}"
    link = _link(ticket, message)
    if message.audience == Audience.PUBLIC:
        if policy.is_academie_agent(actor):
            notify(session, ticket.requester_id, "ticket_replied", ticket=ticket, message=message, link=link,
                   dedup_key=key, now=event.now)  # fmt: skip
        else:
            # At the vendor, the requester's words go to the pilot team, who keeps the link with the school.
            team = (
                holder_or_group(session, ticket) if ticket.tier != Tier.EDITEUR else tier_group_ids(session, ticket, Tier.PILOTE)
            )
            notify_many(session, _readers(session, _except(team, actor), ticket, message), "requester_replied", ticket=ticket,
                        message=message, link=link, dedup_key=key, now=event.now)  # fmt: skip
    elif message.audience == Audience.INTERNAL:
        notify_many(session, _readers(session, _except([ticket.assignee_id], actor), ticket, message), "note_added",
                    ticket=ticket, message=message, link=link,
                    dedup_key=key, now=event.now)  # fmt: skip
    elif message.audience == Audience.VENDOR:
        _vendor_exchange(session, ticket, message, actor, event.now)


def _vendor_exchange(session, ticket, message, actor, now):
    """The vendor's messages go to the pilot team; the pilot team's to whoever holds it at the vendor."""
    if policy.is_academie_agent(actor):
        recipients = holder_or_group(session, ticket) if ticket.tier == Tier.EDITEUR else []
    else:
        recipients = tier_group_ids(session, ticket, Tier.PILOTE)
    notify_many(session, _readers(session, _except(recipients, actor), ticket, message), "vendor_message", ticket=ticket,
                message=message,
                link=_link(ticket, message), dedup_key=f"message:{message.id}", now=now)  # fmt: skip


@signals.ticket_moved.connect
def ticket_moved(session, event: signals.TicketMoved):
    ticket, move, now = event.ticket, event.move, event.now
    key = f"{move}:{ticket.id}:{now.isoformat()}"
    if move == Move.WAIT_REQUESTER:
        notify(session, ticket.requester_id, "waiting_for_you", ticket=ticket, message=event.message,
               link=_link(ticket, event.message), dedup_key=key, now=now)  # fmt: skip
    elif move == Move.RESOLVE:
        notify(session, ticket.requester_id, "ticket_resolved", ticket=ticket, message=event.message,
               link=_link(ticket, event.message), dedup_key=key, now=now)  # fmt: skip
    elif move == Move.AUTO_CLOSE:
        notify(session, ticket.requester_id, "ticket_closed", ticket=ticket, days=_auto_close_days(), reopen_days=REOPEN_DAYS,
               dedup_key=key, now=now)  # fmt: skip
    elif move == Move.END_WAIT and event.actor is None:  # the wait's date passed
        if event.old_status == Status.WAITING_PROPAGATION:
            notify(session, ticket.requester_id, "propagation_done", ticket=ticket, dedup_key=key, now=now)
        notify_many(session, holder_or_group(session, ticket), "wait_ended", ticket=ticket, reason=event.reason,
                    dedup_key=key, now=now)  # fmt: skip
    elif move == Move.REOPEN and not policy.is_academie_agent(event.actor):
        notify_many(session, holder_or_group(session, ticket), "ticket_reopened", ticket=ticket, message=event.message,
                    link=_link(ticket, event.message), dedup_key=key, now=now)  # fmt: skip
    elif event.changed_tier:
        notify_many(session, _except(tier_group_ids(session, ticket, ticket.tier), event.actor), "ticket_arrived",
                    ticket=ticket, move=str(move), reason=event.reason, dedup_key=key, now=now)  # fmt: skip


@signals.tickets_merged.connect
def tickets_merged(session, event: signals.TicketsMerged):
    """The duplicate's requester hears that their request goes on in another one (or on its own again). They read
    the survivor's reference only if they may open it."""
    duplicate, survivor = event.duplicate, event.survivor
    kind = "ticket_unmerged" if event.undone else "ticket_merged"
    shown = survivor if survivor.requester_id == duplicate.requester_id else None
    notify(session, duplicate.requester_id, kind, ticket=duplicate, survivor=shown,
           link=_link(shown) if shown is not None and not event.undone else None,
           dedup_key=f"{kind}:{duplicate.id}:{event.now.isoformat()}", now=event.now)  # fmt: skip


@signals.ticket_assigned.connect
def ticket_assigned(session, event: signals.TicketAssigned):
    if event.new_holder_id is None or event.new_holder_id == getattr(event.actor, "id", None):
        return
    notify(session, event.new_holder_id, "ticket_assigned", ticket=event.ticket, actor=event.actor,
           dedup_key=f"assigned:{event.ticket.id}:{event.new_holder_id}:{event.now.isoformat()}", now=event.now)  # fmt: skip


def _auto_close_days() -> int:
    from flask import current_app

    return int(current_app.config.get("AUTO_CLOSE_DAYS", AUTO_CLOSE_DAYS_DEFAULT))
