"""Every action of the ticket page, each one input model and one handler, shared by the page
(POST /tickets/<ref>/actions/<name>) and the API (POST /api/v1/tickets/<ref>/actions/<name>).

A handler calls one service; the input model validates what a form or a JSON body sends (always with the
ticket `version` read before acting, so a stale action is refused instead of overwriting). `available`
lists the actions a person can take on a ticket now — the page shows those forms, the API lists them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.schemas import Input
from helpdesk.platform.timeutil import PARIS
from helpdesk.policy import Action
from helpdesk.routing.codes import TicketType, Tier
from helpdesk.tickets import attachments as files
from helpdesk.tickets import conversation, lifecycle, links, merging, services, worktime
from helpdesk.tickets.audiences import MESSAGE_AUDIENCE, Audience, MessageKind
from helpdesk.tickets.models import Attachment, Ticket
from helpdesk.tickets.states import RULES, Move, Status

MAX_INT = 2**31 - 1
Text = Annotated[str, StringConstraints(min_length=1, max_length=conversation.MAX_LENGTH)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
WAKE_UP = time(8, 0)  # a wait « until <day> » ends when that day's work starts, Paris time


class Versioned(Input):
    version: int = Field(ge=1, le=MAX_INT, title=N_("version du ticket"))


class MessageInput(Versioned):
    body: Text = Field(title=N_("Message"))


class TimedMessageInput(MessageInput):
    """A reply or a note, with the minutes spent on it if the agent gives them (never for the requester's side)."""

    minutes: int | None = Field(default=None, ge=1, le=worktime.MAX_MINUTES, title=N_("Temps passé (minutes)"))


class FilesInput(Versioned):
    audience: Literal["public", "internal", "vendor"] = Field(default="public", title=N_("Visibilité"))


class AssignInput(Versioned):
    assignee_id: int | None = Field(default=None, ge=1, le=MAX_INT, title=N_("Affecter à"))


class WaitRequesterInput(Versioned):
    question: Text = Field(title=N_("Question"))
    until: date | None = Field(default=None, title=N_("Jusqu'au"))


class WaitInput(Versioned):
    message: str = Field(default="", max_length=conversation.MAX_LENGTH, title=N_("Message"))
    until: date | None = Field(default=None, title=N_("Jusqu'au"))


class ResolveInput(Versioned):
    solution: Text = Field(title=N_("Solution"))


class ReasonInput(Versioned):
    reason: Reason = Field(title=N_("Motif"))


class EscalateInput(Versioned):
    reason: Reason = Field(title=N_("Motif de l'escalade"))
    as_bug: bool = False
    vendor_reference: str = Field(default="", max_length=60, title=N_("Référence chez l'éditeur"))
    shared_attachments: list[Annotated[int, Field(ge=1, le=MAX_INT)]] = Field(
        default_factory=list, max_length=50, title=N_("Pièces jointes à transmettre")
    )


class KeywordInput(Versioned):
    keyword: str = Field(min_length=1, max_length=200, title=N_("Nouveau mot-clé"))
    reason: Reason = Field(title=N_("Pourquoi le mot-clé était inadapté"))


class ReopenInput(Versioned):
    reason: Reason = Field(title=N_("Ce qui ne fonctionne toujours pas"))


class EvolutionInput(Versioned):
    evolution_status: Literal["submitted", "planned", "delivered", "refused"] = Field(title=N_("Suivi éditeur"))


class DuplicateInput(Versioned):
    duplicate_of: str = Field(default="", max_length=30, title=N_("Doublon de"))


class VendorReferenceInput(Versioned):
    vendor_reference: str = Field(default="", max_length=60, title=N_("Référence éditeur"))


class LinkInput(Versioned):
    kind: Literal["see_also", "duplicate_of", "incident"] = Field(title=N_("Lien"))
    other: str = Field(min_length=1, max_length=30, title=N_("Ticket ou incident"))


class MergeInput(Versioned):
    into: str = Field(min_length=1, max_length=30, title=N_("Fusionner dans le ticket"))
    reason: str = Field(default="", max_length=5000, title=N_("Motif"))


class UndoMergeInput(Versioned):
    reason: str = Field(default="", max_length=5000, title=N_("Motif"))


class ShareInput(Versioned):
    attachment_id: int = Field(ge=1, le=MAX_INT, title=N_("Pièce jointe"))
    shared: bool = True


@dataclass
class Context:
    """What a handler needs beyond the input: uploaded files and where to keep them."""

    uploads: list[tuple[str, bytes]] = field(default_factory=list)
    upload_dir: str = ""
    max_bytes: int = 0


@dataclass(frozen=True)
class TicketAction:
    name: str
    model: type[Versioned]
    run: Callable  # (session, ticket, actor, data, now, context) -> done message (N_)
    allowed: Callable  # (actor, ticket) -> bool
    label: str
    takes_files: bool = False


def end_of_wait(day: date | None) -> datetime | None:
    return datetime.combine(day, WAKE_UP, tzinfo=PARIS) if day else None


def _move_allowed(move: Move):
    return lambda actor, ticket: Status(ticket.status) in RULES[move].sources and policy.can_move(actor, ticket, move)


def _keyword(session, slug: str):
    from sqlalchemy import select

    from helpdesk.routing.models import Keyword

    found = session.scalar(select(Keyword).where(Keyword.is_active.is_(True), (Keyword.slug == slug) | (Keyword.label == slug)))
    if found is None:
        raise ValidationFailed(N_("Choisissez un mot-clé dans la liste."), fields=["keyword"])
    return found


def _message(kind):
    def run(session, ticket, actor, data, now, context):
        minutes = getattr(data, "minutes", None)
        if minutes is not None and not policy.can(actor, Action.RECORD_TIME_SPENT, ticket):
            raise NotAllowed(N_("Seuls les agents de l'académie indiquent le temps passé."))
        message = conversation.post_message(session, ticket, kind, actor=actor, body=data.body, now=now,
                                            expected_version=data.version)  # fmt: skip
        worktime.record(session, ticket, minutes, actor=actor, now=now, message=message)
        if context.uploads:
            audience = MESSAGE_AUDIENCE[kind]
            files.add_attachments(session, ticket, context.uploads, actor=actor, now=now, message=message, audience=audience,
                                  upload_dir=context.upload_dir, max_bytes=context.max_bytes)  # fmt: skip
        return {MessageKind.REPLY: N_("Message envoyé."), MessageKind.NOTE: N_("Note interne ajoutée."),
                MessageKind.VENDOR: N_("Message envoyé dans l'échange avec l'éditeur.")}[kind]  # fmt: skip

    return run


def _files(session, ticket, actor, data, now, context):
    services.check_version(ticket, data.version)
    if not context.uploads:
        raise ValidationFailed(N_("Choisissez au moins un fichier."), fields=["files"])
    files.add_attachments(session, ticket, context.uploads, actor=actor, now=now, audience=Audience(data.audience),
                          upload_dir=context.upload_dir, max_bytes=context.max_bytes)  # fmt: skip
    return N_("Fichiers ajoutés.")


def _take(session, ticket, actor, data, now, context):
    lifecycle.take(session, ticket, actor=actor, now=now, expected_version=data.version)
    return N_("Ticket pris en charge.")


def _assign(session, ticket, actor, data, now, context):
    from helpdesk.users.models import User

    assignee = session.get(User, data.assignee_id) if data.assignee_id else None
    if data.assignee_id and assignee is None:
        raise ValidationFailed(N_("Personne inconnue."), fields=["assignee_id"])
    services.assign(session, ticket, assignee, actor=actor, now=now, expected_version=data.version)
    return N_("Affectation enregistrée.")


def _wait(move):
    def run(session, ticket, actor, data, now, context):
        text = data.question if move == Move.WAIT_REQUESTER else data.message
        lifecycle.wait(session, ticket, move, actor=actor, now=now, message=text, until=end_of_wait(data.until),
                       expected_version=data.version)  # fmt: skip
        return N_("Ticket mis en attente.")

    return run


def _resume(session, ticket, actor, data, now, context):
    lifecycle.resume(session, ticket, actor=actor, now=now, expected_version=data.version)
    return N_("L'attente est terminée : le ticket est de nouveau à traiter.")


def _resolve(session, ticket, actor, data, now, context):
    lifecycle.resolve(session, ticket, actor=actor, solution=data.solution, now=now, expected_version=data.version)
    return N_("Ticket résolu : le demandeur reçoit la solution.")


def _escalate(session, ticket, actor, data, now, context):
    lifecycle.escalate(session, ticket, actor=actor, reason=data.reason, now=now, expected_version=data.version,
                       as_bug=data.as_bug, vendor_reference=data.vendor_reference,
                       shared_attachment_ids=data.shared_attachments)  # fmt: skip
    return N_("Ticket transmis au niveau suivant.")


def _send_down(session, ticket, actor, data, now, context):
    lifecycle.send_down(session, ticket, actor=actor, reason=data.reason, now=now, expected_version=data.version)
    return N_("Ticket renvoyé au niveau inférieur.")


def _change_keyword(session, ticket, actor, data, now, context):
    services.change_keyword(session, ticket, _keyword(session, data.keyword), actor=actor, reason=data.reason, now=now,
                            expected_version=data.version)  # fmt: skip
    return N_("Mot-clé modifié.")


def _confirm(session, ticket, actor, data, now, context):
    lifecycle.confirm(session, ticket, actor=actor, now=now, expected_version=data.version)
    return N_("Merci : la demande est close.")


def _reopen(session, ticket, actor, data, now, context):
    lifecycle.reopen(session, ticket, actor=actor, reason=data.reason, now=now, expected_version=data.version)
    return N_("Demande rouverte.")


def _evolution(session, ticket, actor, data, now, context):
    services.set_evolution_status(session, ticket, data.evolution_status, actor=actor, now=now, expected_version=data.version)
    return N_("État de l'évolution enregistré.")


def _duplicate(session, ticket, actor, data, now, context):
    raw = data.duplicate_of.strip().upper()
    original = services.get_visible(session, raw, actor=actor) if raw else None
    services.mark_duplicate(session, ticket, original, actor=actor, now=now, expected_version=data.version)
    return N_("Doublon enregistré.")


def _other(session, reference: str, actor, field_name: str):
    try:
        return services.get_visible(session, reference.strip().upper(), actor=actor)
    except NotFound as missing:
        raise ValidationFailed(N_("Aucun ticket visible ne porte la référence « %(ref)s »."), params={"ref": reference[:30]},
                               fields=[field_name]) from missing  # fmt: skip


def _link(session, ticket, actor, data, now, context):
    if data.kind == "incident":  # the mass incident is helpdesk.incidents' own: its attach rule applies
        from helpdesk.incidents import services as incidents

        services.check_version(ticket, data.version)
        number = data.other.strip().lstrip("#")
        if not number.isdigit():
            raise ValidationFailed(N_("Indiquez le numéro de l'incident."), fields=["other"])
        incidents.attach(session, int(number), ticket.reference, actor=actor, now=now)
        return N_("Ticket rattaché à l'incident.")
    links.link(session, ticket, _other(session, data.other, actor, "other"), data.kind, actor=actor, now=now,
               expected_version=data.version)  # fmt: skip
    return N_("Tickets reliés.")


def _unlink(session, ticket, actor, data, now, context):
    if data.kind == "incident":
        raise ValidationFailed(N_("Un ticket se détache d'un incident depuis la page des incidents."), fields=["kind"])
    links.unlink(session, ticket, _other(session, data.other, actor, "other"), data.kind, actor=actor, now=now,
                 expected_version=data.version)  # fmt: skip
    return N_("Lien retiré.")


def _merge(session, ticket, actor, data, now, context):
    survivor = _other(session, data.into, actor, "into")
    merging.merge(session, ticket, survivor, actor=actor, now=now, reason=data.reason, expected_version=data.version)
    return N_("Ticket fusionné : ses messages et pièces jointes sont maintenant sur l'autre ticket.")


def _undo_merge(session, ticket, actor, data, now, context):
    merging.unmerge(session, ticket, actor=actor, now=now, reason=data.reason, expected_version=data.version)
    return N_("Fusion annulée : le ticket a retrouvé ses messages et ses pièces jointes.")


def _vendor_reference(session, ticket, actor, data, now, context):
    services.set_vendor_reference(session, ticket, data.vendor_reference, actor=actor, now=now, expected_version=data.version)
    return N_("Référence éditeur enregistrée.")


def _share(session, ticket, actor, data, now, context):
    services.check_version(ticket, data.version)
    attachment = session.get(Attachment, data.attachment_id)
    if attachment is None or attachment.ticket_id != ticket.id:
        raise NotFound(N_("Ce fichier n'existe pas sur ce ticket."))
    lifecycle.share_with_vendor(session, attachment, data.shared, actor=actor, now=now)
    return N_("Dossier de l'éditeur mis à jour.")


def _can(action: Action):
    return lambda actor, ticket: policy.can(actor, action, ticket)


def _can_attach(actor, ticket) -> bool:
    return ticket.is_open and any(
        policy.can(actor, a, ticket) for a in (Action.REPLY_TICKET, Action.ADD_INTERNAL_NOTE, Action.POST_VENDOR_MESSAGE)
    )


ACTIONS: dict[str, TicketAction] = {
    action.name: action
    for action in (
        TicketAction("reply", TimedMessageInput, _message(MessageKind.REPLY), _can(Action.REPLY_TICKET), N_("Répondre"), True),
        TicketAction(
            "note", TimedMessageInput, _message(MessageKind.NOTE), _can(Action.ADD_INTERNAL_NOTE), N_("Note interne"), True
        ),
        TicketAction(
            "vendor_message",
            MessageInput,
            _message(MessageKind.VENDOR),
            _can(Action.POST_VENDOR_MESSAGE),
            N_("Écrire dans l'échange avec l'éditeur"),
            True,
        ),  # fmt: skip
        TicketAction("files", FilesInput, _files, _can_attach, N_("Ajouter des fichiers"), True),
        TicketAction("take", Versioned, _take, _move_allowed(Move.TAKE), N_("Prendre en charge")),
        TicketAction(
            "assign", AssignInput, _assign, lambda a, t: t.is_open and policy.can(a, Action.WORK_TICKET, t), N_("Affecter")
        ),  # fmt: skip
        TicketAction(
            "wait_requester",
            WaitRequesterInput,
            _wait(Move.WAIT_REQUESTER),
            _move_allowed(Move.WAIT_REQUESTER),
            N_("Poser une question au demandeur"),
        ),  # fmt: skip
        TicketAction(
            "wait_vendor", WaitInput, _wait(Move.WAIT_VENDOR), _move_allowed(Move.WAIT_VENDOR), N_("Attendre l'éditeur")
        ),  # fmt: skip
        TicketAction(
            "wait_propagation",
            WaitInput,
            _wait(Move.WAIT_PROPAGATION),
            _move_allowed(Move.WAIT_PROPAGATION),
            N_("Attendre la propagation des données"),
        ),  # fmt: skip
        TicketAction("resume", Versioned, _resume, _move_allowed(Move.END_WAIT), N_("Reprendre sans attendre")),
        TicketAction("resolve", ResolveInput, _resolve, _move_allowed(Move.RESOLVE), N_("Résoudre")),
        TicketAction(
            "escalate",
            EscalateInput,
            _escalate,
            lambda a, t: t.tier != Tier.PILOTE and _move_allowed(Move.ESCALATE)(a, t),
            N_("Escalader"),
        ),  # fmt: skip
        TicketAction(
            "transmit",
            EscalateInput,
            _escalate,
            lambda a, t: t.tier == Tier.PILOTE and _move_allowed(Move.ESCALATE)(a, t),
            N_("Transmettre à l'éditeur"),
        ),  # fmt: skip
        TicketAction("send_down", ReasonInput, _send_down, _move_allowed(Move.SEND_DOWN), N_("Renvoyer au niveau inférieur")),
        TicketAction(
            "change_keyword",
            KeywordInput,
            _change_keyword,
            lambda a, t: t.is_open and policy.can(a, Action.CHANGE_KEYWORD, t),
            N_("Changer le mot-clé"),
        ),  # fmt: skip
        TicketAction("confirm", Versioned, _confirm, _move_allowed(Move.CONFIRM), N_("Confirmer la résolution")),
        TicketAction("reopen", ReopenInput, _reopen, _move_allowed(Move.REOPEN), N_("Rouvrir")),
        TicketAction("evolution_status", EvolutionInput, _evolution, policy.can_track_evolution, N_("Suivi éditeur")),
        TicketAction(
            "duplicate",
            DuplicateInput,
            _duplicate,
            lambda a, t: t.type == TicketType.EVOLUTION and policy.can(a, Action.MARK_DUPLICATE),
            N_("Doublon de"),
        ),  # fmt: skip
        TicketAction(
            "vendor_reference",
            VendorReferenceInput,
            _vendor_reference,
            _can(Action.SET_VENDOR_REFERENCE),
            N_("Référence éditeur"),
        ),  # fmt: skip
        TicketAction("link", LinkInput, _link, _can(Action.LINK_TICKETS), N_("Relier à un autre ticket")),
        TicketAction("unlink", LinkInput, _unlink, _can(Action.LINK_TICKETS), N_("Retirer un lien")),
        TicketAction(
            "merge", MergeInput, _merge, lambda a, t: t.is_open and policy.can(a, Action.MERGE_TICKET, t), N_("Fusionner")
        ),  # fmt: skip
        TicketAction("undo_merge", UndoMergeInput, _undo_merge, _can(Action.UNDO_MERGE), N_("Annuler la fusion")),
        TicketAction(
            "share_attachment", ShareInput, _share, _can(Action.SHARE_WITH_VENDOR), N_("Transmettre une pièce jointe à l'éditeur")
        ),  # fmt: skip
    )
}


def available(ticket: Ticket, actor) -> list[str]:
    """Names of the actions `actor` can take on `ticket` now, in ACTIONS order."""
    return [name for name, action in ACTIONS.items() if action.allowed(actor, ticket)]


def perform(session, ticket: Ticket, name: str, data, *, actor, now: datetime, context: Context | None = None) -> str:
    """Run the action `name` with its validated input; returns the message to show (N_). Raises DomainError."""
    action = ACTIONS[name]
    return action.run(session, ticket, actor, data, now, context or Context())
