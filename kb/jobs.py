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
        verdict = "approuvée et publiée" if approved else "refusée"
        lines = [
            f"Bonjour {proposal.author.full_name},",
            "",
            f"Votre proposition pour l'article « {proposal.title} » a été {verdict}"
            + (f" par {proposal.reviewer.full_name}." if proposal.reviewer else "."),
        ]
        if proposal.review_reason:
            lines += ["", f"Motif : {proposal.review_reason}"]
        base = current_app.config.get("PUBLIC_URL", "").rstrip("/")
        lines += ["", f"Vos propositions : {base}/faq/gestion/propositions/{proposal.id}"]
        send_mail(current_app.config, proposal.author.email, f"FAQ : proposition {verdict}", "\n".join(lines))
        return True
