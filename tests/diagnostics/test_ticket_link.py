"""Hooks for the ticket area: which tree to offer before the form, and linking a run to its ticket."""

from sqlalchemy import select

from helpdesk.platform.timeutil import utcnow
from helpdesk.routing.models import Keyword
from helpdesk.tickets import signals
from kb.diagnostics import services
from kb.diagnostics.models import DiagnosticRun
from tests.factories import DiagnosticRunFactory, TicketFactory


def test_tree_for_keyword_uses_the_catalog_link_then_the_tree_keywords(session, seeded):
    assert services.tree_for_keyword(session, "compte enseignant absent").slug == "compte-absent"
    keyword = session.scalar(select(Keyword).where(Keyword.label == "compte enseignant absent"))
    keyword.diagnostic_slug = "pix"
    session.flush()
    assert services.tree_for_keyword(session, "compte enseignant absent").slug == "pix"
    # Without the catalog link: the tree that serves the keyword, where it ranks highest.
    keyword.diagnostic_slug = None
    session.flush()
    assert services.tree_for_keyword(session, "compte enseignant absent").slug in {"compte-absent", "cahier-de-textes-vide"}
    empty = session.scalar(select(Keyword).where(Keyword.label == "cahier de textes vide"))
    empty.diagnostic_slug = None
    session.flush()
    assert services.tree_for_keyword(session, "cahier de textes vide").slug == "cahier-de-textes-vide"
    assert services.tree_for_keyword(session, "mot-clé sans diagnostic") is None


def _opened(session, ticket, prefill):
    signals.send(signals.ticket_opened, session, signals.TicketOpened(ticket=ticket, actor=None, now=utcnow(), prefill=prefill))


def test_ticket_created_from_a_diagnostic_prefill_is_linked_to_its_run(client, session, seeded):
    client.get("/erreurs-frequentes/compte-absent?a=enseignant,non")
    run = session.scalars(select(DiagnosticRun)).one()
    ticket = TicketFactory()
    _opened(session, ticket, {"source": "diagnostic", "run_id": run.id})
    assert run.ticket_id == ticket.id and run.resolved is False  # a fix that still needed a ticket
    other, third = TicketFactory(), TicketFactory()
    _opened(session, other, {"source": "autre", "run_id": run.id})
    _opened(session, third, None)
    assert run.ticket_id == ticket.id


def test_attach_ticket_never_moves_a_run_to_another_ticket(session, seeded):
    run = DiagnosticRunFactory(outcome_kind="escalation", outcome_node_id="tkt3")
    first, second = TicketFactory(), TicketFactory()
    assert services.attach_ticket(session, run.id, first.id) is run
    assert services.attach_ticket(session, run.id, second.id) is None
    assert run.ticket_id == first.id and run.resolved is None
    assert services.attach_ticket(session, None, first.id) is None
