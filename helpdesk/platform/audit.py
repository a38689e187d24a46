"""The seam through which code tells the configuration audit who acts and why, without importing it.

The audit (helpdesk.audit) records every change of the configuration tables at flush time; in a web request it
knows the signed-in person by itself. Commands and jobs say who acts with `acting_as`, and a use case that asks
for a reason (a keyword edit) passes it with `note`: both ride on the session until its next flush."""

ACTOR = "audit_actor"
SOURCE = "audit_source"
COMMENT = "audit_comment"


def acting_as(session, actor, source: str = "command") -> None:
    """Changes flushed by this session from now on are made by `actor` (a user, or None for the system)."""
    session.info[ACTOR] = actor
    session.info[SOURCE] = source


def note(session, comment: str) -> None:
    """The reason given for the changes of the next flush (cleared once they are recorded)."""
    session.info[COMMENT] = (comment or "").strip()[:300]
