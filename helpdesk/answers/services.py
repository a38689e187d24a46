"""Canned replies: written and changed by the pilot team and the EduLAB (every change lands in the configuration
journal), offered to the agent answering a ticket of their keyword or service, filled for that ticket.

Services check `policy` first, validate (placeholders through the pure `placeholders` module: an unknown one, or a
FAQ article that is not published, is refused with the list of what is wrong), write and flush; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, or_, select

from helpdesk import policy
from helpdesk.answers import placeholders
from helpdesk.answers.models import CannedReply
from helpdesk.platform.errors import NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.routing.codes import SERVICE_LABELS
from helpdesk.routing.models import Keyword

TITLE_MAX = 120
BODY_MAX = 20_000  # as a reply (tickets.conversation.MAX_LENGTH)
ENTITY = "canned_reply"  # its name in the configuration journal (helpdesk/audit/tracked.py)


def _require_manager(actor) -> None:
    if not policy.can(actor, Action.MANAGE_CANNED_REPLIES):
        raise NotAllowed(N_("Les réponses types sont gérées par l'équipe pilote et les référents EduLAB."))


def list_all(session, *, actor) -> list[CannedReply]:
    _require_manager(actor)
    return list(session.scalars(select(CannedReply).order_by(CannedReply.is_active.desc(), CannedReply.title)))


def get(session, reply_id: int, *, actor) -> CannedReply:
    _require_manager(actor)
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise NotFound(N_("Cette réponse type n'existe pas."))
    return reply


def _published_faq(session, slugs: list[str]) -> dict[str, str]:
    """slug → title of the published FAQ articles among `slugs`."""
    if not slugs:
        return {}
    from kb.models import Article, ArticleStatus

    rows = session.execute(
        select(Article.slug, Article.title).where(Article.slug.in_(slugs), Article.status == ArticleStatus.PUBLISHED)
    )
    return dict(rows.all())


def check_body(session, body: str) -> str:
    """The body, stripped, or ValidationFailed naming every placeholder that would stay unfilled."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed(N_("Écrivez le texte de la réponse type."), fields=["body"])
    if len(body) > BODY_MAX:
        raise ValidationFailed(N_("Le texte dépasse %(max)s caractères."), params={"max": "20 000"}, fields=["body"])
    wrong = placeholders.unknown(body)
    if wrong:
        raise ValidationFailed(
            N_("Champ(s) à remplacer inconnu(s) : %(names)s. Utilisez : %(known)s, ou {faq:adresse-de-l-article}."),
            params={"names": ", ".join(wrong), "known": ", ".join("{" + n + "}" for n in placeholders.NAMES)},
            fields=["body"],
        )
    slugs = placeholders.faq_slugs(body)
    missing = [s for s in slugs if s not in _published_faq(session, slugs)]
    if missing:
        raise ValidationFailed(
            N_("Article(s) de la FAQ introuvable(s) ou non publié(s) : %(slugs)s."),
            params={"slugs": ", ".join(missing)},
            fields=["body"],
        )
    return body


def save(session, reply: CannedReply | None, *, actor, title: str, body: str, service: str = "", keyword: str = "",
         is_active: bool = True, now: datetime) -> CannedReply:  # fmt: skip
    """Create (reply None) or change a canned reply. A keyword ties it to that keyword (and its service); a service
    alone to every keyword of that service; neither to every ticket."""
    _require_manager(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(N_("Donnez un titre à la réponse type."), fields=["title"])
    if len(title) > TITLE_MAX:
        raise ValidationFailed(N_("Le titre compte au plus %(max)s caractères."), params={"max": TITLE_MAX}, fields=["title"])
    body = check_body(session, body)
    service = (service or "").strip()
    if service and service not in SERVICE_LABELS:
        raise ValidationFailed(N_("Service inconnu."), fields=["service"])
    found = None
    if (keyword or "").strip():
        found = session.scalar(select(Keyword).where(Keyword.slug == keyword.strip()))
        if found is None:
            raise ValidationFailed(N_("Mot-clé inconnu : choisissez-le dans la liste."), fields=["keyword"])
        if service and found.service != service:
            raise ValidationFailed(N_("Ce mot-clé appartient à un autre service."), fields=["keyword"])
        service = found.service
    if reply is None:
        reply = CannedReply(created_at=now)
        session.add(reply)
    reply.title, reply.body, reply.service = title, body, service
    reply.keyword_id = found.id if found else None
    reply.is_active = bool(is_active)
    reply.updated_at = now
    reply.updated_by_id = actor.id
    session.flush()
    return reply


def for_ticket(session, ticket, *, actor) -> list[CannedReply]:
    """The active canned replies offered on `ticket`: its keyword's first, then its service's, then the general ones."""
    if not policy.can(actor, Action.USE_CANNED_REPLY, ticket):
        return []
    rank = case((CannedReply.keyword_id == ticket.keyword_id, 0), (CannedReply.service == ticket.service, 1), else_=2)
    return list(
        session.scalars(
            select(CannedReply)
            .where(
                CannedReply.is_active.is_(True),
                or_(
                    CannedReply.keyword_id == ticket.keyword_id,
                    (CannedReply.keyword_id.is_(None)) & (CannedReply.service.in_([ticket.service, ""])),
                ),
            )
            .order_by(rank, CannedReply.title)
        )
    )


def expand_for(session, reply_id: int, ticket, *, actor, faq_base: str) -> str:
    """The text of canned reply `reply_id` filled for `ticket` and the agent answering it. `faq_base` is the public
    address the FAQ articles' slugs are appended to. NotFound when it is not offered on this ticket."""
    if not policy.can(actor, Action.USE_CANNED_REPLY, ticket):
        raise NotAllowed(N_("Les réponses types servent aux agents qui répondent sur ce ticket."))
    reply = next((r for r in for_ticket(session, ticket, actor=actor) if r.id == reply_id), None)
    if reply is None:
        raise NotFound(N_("Cette réponse type n'est pas proposée pour ce ticket."))
    values = {
        "demandeur": ticket.requester.full_name,
        "etablissement": ticket.school.name,
        "uai": ticket.school.uai,
        "reference": ticket.reference or "",
        "objet": ticket.subject,
        "agent": actor.full_name,
    }
    base = faq_base.rstrip("/")
    links = {
        slug: (title, f"{base}/{slug}") for slug, title in _published_faq(session, placeholders.faq_slugs(reply.body)).items()
    }
    return placeholders.expand(reply.body, values, links)
