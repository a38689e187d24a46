"""Pilots approve what readers see: an EduLAB referent's change to a published article (or request to publish a
draft) waits beside it as a proposal, with its diff, until a pilot approves it (applied) or rejects it with a
reason; the author is told either way. Pilots change articles directly. Callers commit."""

from sqlalchemy import select

from helpdesk import policy
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.queue import enqueue_after_commit
from kb import indexing, services
from kb.models import AUDIENCE_LABELS, STATUS_LABELS, Article, ArticleRevision, ArticleStatus, ReviewState

MAX_REASON_CHARS = 500
_FIELDS = ("title", "body_md", "service", "audience", "tags", "admin_path", "status")


def propose(
    session,
    article: Article,
    *,
    title: str,
    body_md: str,
    service: str,
    audience: str,
    tags: list[str],
    admin_path: str,
    comment: str,
    actor,
    now,
    status: str | None = None,
) -> ArticleRevision:
    """Record a proposal for `article` (the article itself is untouched); a newer proposal replaces older pending ones.

    status: the status asked for (« published » to ask for the publication of a draft); by default the current one.
    Raises NotAllowed, ValidationFailed."""
    if not policy.can(actor, policy.Action.EDIT_KB):
        raise NotAllowed(N_("Seuls les pilotes et les référents EduLAB peuvent modifier la FAQ."))
    errors = services.check_fields(title, body_md, service, audience)
    if errors:
        raise ValidationFailed(N_("La proposition n'a pas été enregistrée : corrigez les champs signalés."), fields=errors)
    for older in pending_for(session, article):
        older.review_state = ReviewState.SUPERSEDED
    proposal = ArticleRevision(
        article=article,
        author_id=actor.id,
        created_at=now,
        title=title.strip(),
        body_md=body_md,
        status=status or article.status,
        service=service,
        audience=audience,
        tags=[t.strip() for t in tags if t.strip()],
        admin_path=admin_path.strip(),
        comment=comment.strip()[:300],
        review_state=ReviewState.PENDING,
        review_reason="",
    )
    session.add(proposal)
    session.flush()
    return proposal


def ask_publication(session, article: Article, *, actor, now, comment: str = "") -> ArticleRevision:
    """An EduLAB referent asks a pilot to publish a draft as it stands."""
    if article.is_published:
        raise Conflict(N_("Cet article est déjà publié."))
    return propose(
        session,
        article,
        title=article.title,
        body_md=article.body_md,
        service=article.service,
        audience=article.audience,
        tags=list(article.tags or []),
        admin_path=article.admin_path or "",
        comment=comment or "Demande de publication",
        actor=actor,
        now=now,
        status=ArticleStatus.PUBLISHED,
    )


def pending_for(session, article: Article) -> list[ArticleRevision]:
    query = select(ArticleRevision).where(
        ArticleRevision.article_id == article.id, ArticleRevision.review_state == ReviewState.PENDING
    )
    return list(session.scalars(query.order_by(ArticleRevision.id.desc())))


def pending(session, *, actor) -> list[ArticleRevision]:
    """Every proposal waiting for a decision, oldest first: the pilots' review queue."""
    ensure_reviewer(actor)
    query = select(ArticleRevision).where(ArticleRevision.review_state == ReviewState.PENDING)
    return list(session.scalars(query.order_by(ArticleRevision.created_at, ArticleRevision.id)))


def proposals_by(session, *, actor, limit: int = 30) -> list[ArticleRevision]:
    """The actor's own proposals, newest first, with the decisions and reasons: how an editor is told."""
    query = select(ArticleRevision).where(ArticleRevision.author_id == actor.id, ArticleRevision.review_state.is_not(None))
    return list(session.scalars(query.order_by(ArticleRevision.id.desc()).limit(limit)))


def get_proposal_or_404(session, revision_id: int, *, actor) -> ArticleRevision:
    proposal = session.get(ArticleRevision, revision_id)
    if proposal is None or proposal.review_state is None:
        raise NotFound(N_("Proposition introuvable."))
    if not (policy.can(actor, policy.Action.PUBLISH_KB) or proposal.author_id == getattr(actor, "id", None)):
        raise NotFound(N_("Proposition introuvable."))
    return proposal


def changes(proposal: ArticleRevision) -> list[tuple[str, str, str]]:
    """(field label, published value, proposed value) for every field other than the text that would change; the
    labels (and audience and status values) are marked French, translated where shown (`errors.translate`)."""
    article = proposal.article
    rows = []
    labels = {
        "service": N_("Service"),
        "audience": N_("Public"),
        "tags": N_("Étiquettes"),
        "admin_path": N_("Chemin dans l'ENT"),
        "status": N_("Statut"),
    }
    for name, label in labels.items():
        before, after = getattr(article, name), getattr(proposal, name)
        if name == "tags":
            before, after = ", ".join(before or []), ", ".join(after or [])
        elif name == "audience":
            before, after = AUDIENCE_LABELS.get(before, before), AUDIENCE_LABELS.get(after, after)
        elif name == "status":
            before, after = STATUS_LABELS.get(before, before), STATUS_LABELS.get(after, after)
        if (before or "") != (after or ""):
            rows.append((label, before or "—", after or "—"))
    return rows


def diff(proposal: ArticleRevision) -> list[tuple[str, str]]:
    """The text diff between the article as readers see it now and the proposal."""
    return services.revision_diff(proposal.article, proposal)


def approve(session, proposal: ArticleRevision, *, actor, now, reason: str = "") -> Article:
    """Apply the proposal to the article (a history revision records it) and tell its author."""
    _ensure_open(proposal, actor)
    article = proposal.article
    for name in _FIELDS:
        setattr(article, name, getattr(proposal, name) if getattr(proposal, name) is not None else getattr(article, name))
    article.updated_at = now
    author = proposal.author.full_name if proposal.author else "un rédacteur"
    session.add(
        ArticleRevision(
            article=article,
            author_id=proposal.author_id,
            created_at=now,
            title=article.title,
            body_md=article.body_md,
            status=article.status,
            comment=f"Proposition de {author} approuvée par {actor.full_name}"[:300],
        )
    )
    _decide(session, proposal, ReviewState.APPROVED, actor=actor, now=now, reason=reason)
    services.after_change(session, article.id)
    article.change_seq = indexing.current_seq(session)
    return article


def reject(session, proposal: ArticleRevision, *, actor, now, reason: str) -> ArticleRevision:
    """Refuse the proposal: a reason is required, the author reads it."""
    _ensure_open(proposal, actor)
    if not (reason or "").strip():
        raise ValidationFailed(
            N_("Indiquez la raison du refus : l'auteur de la proposition la lira."), fields={"reason": N_("Raison obligatoire.")}
        )
    _decide(session, proposal, ReviewState.REJECTED, actor=actor, now=now, reason=reason)
    return proposal


def _decide(session, proposal, state, *, actor, now, reason: str) -> None:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationFailed(
            N_("La raison dépasse %(max)s caractères."), params={"max": MAX_REASON_CHARS}, fields={"reason": N_("Trop long.")}
        )
    proposal.review_state, proposal.reviewer_id, proposal.reviewed_at, proposal.review_reason = state, actor.id, now, reason
    session.flush()
    if proposal.author_id is not None and proposal.author_id != actor.id:
        enqueue_after_commit(
            session, "kb.jobs.send_review_decision", proposal.id, queue="notifications", job_id=f"kb-review-{proposal.id}"
        )


def ensure_reviewer(actor) -> None:
    if not policy.can(actor, policy.Action.PUBLISH_KB):
        raise NotAllowed(N_("Seuls les pilotes approuvent ou refusent les propositions de modification."))


def _ensure_open(proposal: ArticleRevision, actor) -> None:
    ensure_reviewer(actor)
    if proposal.review_state != ReviewState.PENDING:
        raise Conflict(N_("Cette proposition a déjà été traitée ou remplacée par une plus récente."))
