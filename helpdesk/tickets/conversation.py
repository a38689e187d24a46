"""The written part of a ticket's timeline: replies, questions, solutions, internal notes and the vendor exchange.

A message's audience is decided by its kind when it is written (`audiences.MESSAGE_AUDIENCE`); who may write
which kind is `policy`'s. Questions and solutions are written by the moves that carry them (`lifecycle`)."""

from __future__ import annotations

from datetime import datetime

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.tickets import signals
from helpdesk.tickets.audiences import MESSAGE_AUDIENCE, Audience, MessageKind
from helpdesk.tickets.models import Message, Ticket
from helpdesk.tickets.services import check_version
from helpdesk.tickets.states import Status

MAX_LENGTH = 20000
# Who may write each kind a person writes directly.
WRITE_ACTION = {
    MessageKind.REPLY: policy.Action.REPLY_TICKET,
    MessageKind.NOTE: policy.Action.ADD_INTERNAL_NOTE,
    MessageKind.VENDOR: policy.Action.POST_VENDOR_MESSAGE,
}
REFUSED = {
    MessageKind.REPLY: N_("Vous ne pouvez pas répondre sur ce ticket."),
    MessageKind.NOTE: N_("Seuls les agents de l'académie écrivent des notes internes."),
    MessageKind.VENDOR: N_("L'échange avec l'éditeur est ouvert tant que le ticket est chez l'éditeur."),
}


def clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(N_("Le message est vide."))
    if len(body) > MAX_LENGTH:
        raise ValidationFailed(N_("Le message dépasse %(max)s caractères."), params={"max": f"{MAX_LENGTH:,}".replace(",", " ")})
    return body


def write_message(
    session, ticket: Ticket, kind: MessageKind, *, actor, body: str, now: datetime, with_move: bool = True
) -> Message:
    """Store one message with the audience its kind decides (callers have checked the permission)."""
    kind = MessageKind(kind)
    message = Message(ticket=ticket, author_id=actor.id, body=clean_body(body), kind=kind, audience=MESSAGE_AUDIENCE[kind],
                      created_at=now)  # fmt: skip
    session.add(message)
    ticket.updated_at = now
    if (
        ticket.first_response_at is None
        and message.audience == Audience.PUBLIC
        and actor.id != ticket.requester_id
        and policy.is_academie_agent(actor)
    ):
        ticket.first_response_at = now
    session.flush()
    signals.send(signals.message_posted, session,
                 signals.MessagePosted(ticket=ticket, message=message, actor=actor, now=now, with_move=with_move))  # fmt: skip
    return message


def post_message(
    session, ticket: Ticket, kind: MessageKind, *, actor, body: str, now: datetime, expected_version=None
) -> Message:
    """A reply (public), an internal note or a message of the vendor exchange, written by a person.

    A requester's answer to a ticket waiting for them gives it back to the agents."""
    kind = MessageKind(kind)
    if kind not in WRITE_ACTION:
        raise ValidationFailed(N_("Type de message inconnu."))
    check_version(ticket, expected_version)
    if not policy.can(actor, WRITE_ACTION[kind], ticket):
        raise NotAllowed(REFUSED[kind])
    message = write_message(session, ticket, kind, actor=actor, body=body, now=now, with_move=False)
    if kind == MessageKind.REPLY and ticket.status == Status.WAITING_REQUESTER and not policy.is_academie_agent(actor):
        from helpdesk.tickets import lifecycle  # lifecycle writes messages too: imported here to keep one direction

        lifecycle.end_wait(session, ticket, now=now, reason=N_("Réponse du demandeur"), actor=actor)
    return message
