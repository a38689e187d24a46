"""Merging a duplicate into another ticket, and undoing it.

The duplicate's messages, attachments and time spent move to the survivor; the duplicate points at it
(`Ticket.merged_into_id`) and is closed by the life cycle's own move (`lifecycle.close_merged`), so its SLA clock and
history follow as for any closure; its requester is told (signal `tickets_merged`, rule in notifications.subscribers).
When the two requesters differ, the public entries that move become internal on the survivor: one school never reads
another's conversation. The merge event keeps what moved and with which audience, so that the pilot team can undo it
exactly (`unmerge`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from helpdesk import policy
from helpdesk.platform.errors import InvalidTransition, NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.tickets import lifecycle, signals
from helpdesk.tickets.audiences import Audience
from helpdesk.tickets.models import Attachment, Message, Ticket, TicketEvent, TimeSpent
from helpdesk.tickets.services import check_version, record_event


def merge(session, duplicate: Ticket, survivor: Ticket, *, actor, now: datetime, reason: str = "",
          expected_version=None) -> None:  # fmt: skip
    """Merge `duplicate` into `survivor`. Raises NotAllowed, ValidationFailed, InvalidTransition, Conflict."""
    check_version(duplicate, expected_version)
    if not policy.can(actor, Action.MERGE_TICKET, duplicate) or not policy.can_view_ticket(actor, survivor):
        raise NotAllowed(N_("Seul le niveau qui traite ce ticket le fusionne, dans un ticket qu'il voit."))
    if survivor.id == duplicate.id:
        raise ValidationFailed(N_("Un ticket ne se fusionne pas dans lui-même."), fields=["into"])
    if not survivor.is_open or survivor.merged_into_id is not None:
        raise ValidationFailed(N_("Fusionnez dans un ticket encore ouvert."), fields=["into"])
    if not duplicate.is_open:
        raise InvalidTransition(N_("Seul un ticket ouvert se fusionne dans un autre."))
    private = duplicate.requester_id != survivor.requester_id
    moved_messages, moved_files = [], []
    for message in list(duplicate.messages):
        moved_messages.append([message.id, message.audience])
        message.ticket = survivor
        if private and message.audience == Audience.PUBLIC:
            message.audience = Audience.INTERNAL
    for attachment in list(duplicate.attachments):
        moved_files.append([attachment.id, attachment.audience])
        attachment.ticket = survivor
        if private and attachment.audience == Audience.PUBLIC:
            attachment.audience = Audience.INTERNAL
    moved_time = list(session.scalars(select(TimeSpent.id).where(TimeSpent.ticket_id == duplicate.id)))
    if moved_time:
        session.execute(update(TimeSpent).where(TimeSpent.id.in_(moved_time)).values(ticket_id=survivor.id))
    survivor.updated_at = now
    data = {"survivor": survivor.reference, "survivor_id": survivor.id, "messages": moved_messages,
            "attachments": moved_files, "time": moved_time, "private": private}  # fmt: skip
    lifecycle.close_merged(session, duplicate, actor=actor, now=now, reason=(reason or "").strip(), data=data)
    duplicate.merged_into_id = survivor.id  # after the move: the policy merges a ticket only once
    session.expire(duplicate, ["merged_into"])
    record_event(session, survivor, "merged_in", actor=actor, now=now, to_value=duplicate.reference,
                 reason=(reason or "").strip(), data={"duplicate": duplicate.reference, "messages": len(moved_messages),
                                                      "attachments": len(moved_files)})  # fmt: skip
    session.flush()
    signals.send(
        signals.tickets_merged, session, signals.TicketsMerged(duplicate=duplicate, survivor=survivor, actor=actor, now=now)
    )


def _last_merge(session, duplicate: Ticket) -> TicketEvent | None:
    return session.scalar(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == duplicate.id, TicketEvent.kind == "merged")
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )


def unmerge(session, duplicate: Ticket, *, actor, now: datetime, reason: str = "", expected_version=None) -> Ticket:
    """Undo the merge of `duplicate` (pilot team): what moved comes back with its audience, the ticket is worked again.
    Entries written on the survivor since stay there. Returns the survivor."""
    check_version(duplicate, expected_version)
    if not policy.can(actor, Action.UNDO_MERGE, duplicate):
        raise NotAllowed(N_("Seule l'équipe pilote annule une fusion."))
    event = _last_merge(session, duplicate)
    survivor = duplicate.merged_into
    if event is None or survivor is None:
        raise InvalidTransition(N_("Ce ticket n'a pas été fusionné."))
    data = event.data or {}
    audiences = {int(i): a for i, a in data.get("messages", [])}
    for message in session.scalars(select(Message).where(Message.id.in_(list(audiences)), Message.ticket_id == survivor.id)):
        message.ticket = duplicate
        message.audience = audiences[message.id]
    files = {int(i): a for i, a in data.get("attachments", [])}
    for attachment in session.scalars(
        select(Attachment).where(Attachment.id.in_(list(files)), Attachment.ticket_id == survivor.id)
    ):
        attachment.ticket = duplicate
        attachment.audience = files[attachment.id]
    if data.get("time"):
        session.execute(
            update(TimeSpent)
            .where(TimeSpent.id.in_(data["time"]), TimeSpent.ticket_id == survivor.id)
            .values(ticket_id=duplicate.id)
        )
    lifecycle.reopen_unmerged(session, duplicate, actor=actor, now=now, reason=(reason or "").strip(),
                              data={"survivor": survivor.reference})  # fmt: skip
    duplicate.merged_into_id = None
    session.expire(duplicate, ["merged_into"])
    record_event(session, survivor, "merge_undone", actor=actor, now=now, from_value=duplicate.reference,
                 reason=(reason or "").strip(), data={"duplicate": duplicate.reference})  # fmt: skip
    survivor.updated_at = now
    session.flush()
    signals.send(signals.tickets_merged, session,
                 signals.TicketsMerged(duplicate=duplicate, survivor=survivor, actor=actor, now=now, undone=True))  # fmt: skip
    return survivor
