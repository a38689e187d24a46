"""RQ job: bring the worker node's search index up to date after an article or glossary change (idempotent)."""

from helpdesk.platform.extensions import db
from helpdesk.platform.jobcontext import app_context


def refresh_index() -> int:
    """Apply every pending kb_change to this node's index; returns the change id now applied."""
    from kb import indexing

    with app_context():
        node = indexing.node()
        node.sync(db.session, force=True)
        return node.index.applied_seq()


def send_review_decision(revision_id: int) -> bool:
    """Tell the author of a FAQ proposal what a pilot decided, and why (idempotent per decision: job id)."""
    from flask import current_app
    from flask_babel import gettext as _

    from helpdesk.platform.locale import in_locale, locale_of
    from helpdesk.platform.mail import send_mail
    from kb.models import ArticleRevision, ReviewState

    with app_context():
        proposal = db.session.get(ArticleRevision, revision_id)
        if (
            proposal is None
            or proposal.author is None
            or proposal.review_state not in (ReviewState.APPROVED, ReviewState.REJECTED)
        ):
            return False
        approved = proposal.review_state == ReviewState.APPROVED
        base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
        with in_locale(locale_of(proposal.author)):  # the author reads it in the language of their account
            verdict = _("approuvée et publiée") if approved else _("refusée")
            title = proposal.title
            if proposal.reviewer:
                decided = _("Votre proposition pour l'article « %(title)s » a été %(verdict)s par %(reviewer)s.",
                            title=title, verdict=verdict, reviewer=proposal.reviewer.full_name)  # fmt: skip
            else:
                decided = _("Votre proposition pour l'article « %(title)s » a été %(verdict)s.", title=title, verdict=verdict)
            lines = [_("Bonjour %(name)s,", name=proposal.author.full_name), "", decided]
            if proposal.review_reason:
                lines += ["", _("Motif : %(reason)s", reason=proposal.review_reason)]
            link = f"{base}/faq/gestion/propositions/{proposal.id}"
            lines += ["", _("Vos propositions : %(url)s", url=link)]
            subject = _("FAQ : proposition %(verdict)s", verdict=verdict)
        send_mail(current_app.config, proposal.author.email, subject, "\n".join(lines))
        return True
