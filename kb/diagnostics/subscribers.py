"""When a ticket is created from a diagnostic's pre-fill, link the diagnostic run to it, so the statistics
show which outcomes still end in tickets. The run id travels in the signed pre-fill token and is kept in
ticket.extra_fields["diagnostic"]; other tickets are ignored."""

from helpdesk.platform.events import TICKET_CREATED, subscribe
from kb.diagnostics.services import attach_ticket


@subscribe(TICKET_CREATED)
def link_diagnostic_run(session, ticket=None, ticket_id=None, prefill=None, **payload):
    if not isinstance(prefill, dict):
        prefill = (getattr(ticket, "extra_fields", None) or {}).get("diagnostic")
        if not isinstance(prefill, dict) or not prefill.get("run_id"):
            return
    elif prefill.get("source") != "diagnostic":
        return
    target = ticket_id if ticket_id is not None else getattr(ticket, "id", None)
    if target is not None:
        attach_ticket(session, prefill.get("run_id"), target)
