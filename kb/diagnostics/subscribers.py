"""When a ticket is created from a diagnostic's pre-fill, link the diagnostic run to it, so the statistics
show which outcomes still end in tickets. The run id travels in the signed pre-fill token and is kept in
ticket.extra_fields["diagnostic"]; other tickets are ignored."""

from helpdesk.tickets import signals
from kb.diagnostics.services import attach_ticket


@signals.ticket_opened.connect
def link_diagnostic_run(session, event: signals.TicketOpened):
    ticket = event.ticket
    if isinstance(event.prefill, dict):
        prefill = event.prefill if event.prefill.get("source") == "diagnostic" else None
    else:
        prefill = (ticket.extra_fields or {}).get("diagnostic")
    if isinstance(prefill, dict) and prefill.get("run_id") and ticket.id is not None:
        attach_ticket(session, prefill.get("run_id"), ticket.id)
