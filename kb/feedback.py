"""Readers who found an answer unhelpful may say what was missing; only the FAQ's editors read it. Callers commit."""

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from kb.models import Article, ArticleFeedback

MAX_FEEDBACK_CHARS = 500


def record_feedback(session, article: Article, comment: str, *, actor, now) -> ArticleFeedback | None:
    """Keep what a reader who found the answer unhelpful says was missing; an empty text keeps nothing."""
    comment = (comment or "").strip()
    if not comment:
        return None
    if len(comment) > MAX_FEEDBACK_CHARS:
        raise ValidationFailed(
            N_("Votre remarque dépasse %(max)s caractères : raccourcissez-la."), params={"max": MAX_FEEDBACK_CHARS}
        )
    feedback = ArticleFeedback(
        article_id=article.id,
        comment=comment,
        created_at=now,
        user_id=actor.id if getattr(actor, "is_authenticated", False) else None,
    )
    session.add(feedback)
    session.flush()
    return feedback


def feedback_for(session, article: Article, *, actor, limit: int = 50) -> list[ArticleFeedback]:
    """Readers' remarks, newest first, for those who edit the FAQ; nobody else reads them."""
    if not policy.can(actor, policy.Action.EDIT_KB):
        raise NotAllowed(N_("Les remarques des lecteurs sont réservées aux rédacteurs de la FAQ."))
    query = select(ArticleFeedback).where(ArticleFeedback.article_id == article.id)
    return list(session.scalars(query.order_by(ArticleFeedback.created_at.desc(), ArticleFeedback.id.desc()).limit(limit)))


def feedback_counts(session) -> dict[int, int]:
    return dict(session.execute(select(ArticleFeedback.article_id, func.count()).group_by(ArticleFeedback.article_id)).all())
