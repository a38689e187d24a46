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
