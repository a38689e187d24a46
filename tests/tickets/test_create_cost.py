"""What creating a ticket costs the database: the row is written once, deadlines and reference included.

Statement counts, not timings: they guard against an INSERT-then-UPDATE or a per-ticket lookup coming back."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from escalation import seed
from escalation.models import SlaClock
from helpdesk.platform.extensions import db
from helpdesk.platform.queue import get_queue
from helpdesk.tickets import services
from helpdesk.tickets.models import Ticket
from tests.factories import KeywordFactory, UserFactory

NOW = datetime(2026, 11, 16, 8, tzinfo=UTC)  # Monday 09:00 Paris


def _open(session, requester, keyword, subject="Messagerie bloquée"):
    return services.open_ticket(
        session, actor=requester, keyword=keyword, subject=subject, description="Plus d'accès depuis ce matin.", now=NOW
    )


def test_a_new_ticket_is_inserted_with_its_deadlines_and_written_once(session, statements):
    seed.seed_reference(session)
    requester, keyword = UserFactory(), KeywordFactory(priority="urgent", tier="n1")
    session.commit()
    _open(session, requester, keyword, "Premier")  # warms the process's SLA reference cache
    session.commit()
    requester, keyword = session.get(type(requester), requester.id), session.get(type(keyword), keyword.id)
    requester.school  # noqa: B018 — loaded by the web request before the service runs
    statements.clear()
    ticket = _open(session, requester, keyword)
    session.commit()
    statements = list(statements)
    postgres = db.engine.dialect.name == "postgresql"
    inserts = [s for s in statements if s.startswith("INSERT INTO ticket ")]
    assert len(inserts) == 1 and "resolution_due_at" in inserts[0]
    updates = [s for s in statements if s.startswith("UPDATE ticket ")]
    # PostgreSQL hands out the id first (its sequence), so the reference goes into the INSERT too.
    assert len(updates) == (0 if postgres else 1), updates
    assert ticket.reference == f"ENT-2026-{ticket.id:06d}" and ticket.version == (1 if postgres else 2)
    assert ticket.resolution_due_at == datetime(2026, 11, 16, 16, tzinfo=UTC)  # 8 working hours
    assert session.get(SlaClock, ticket.id).next_check_at == ticket.first_response_due_at
    reference_reads = [s for s in statements if s.startswith("SELECT") and " sla_" in s]
    assert reference_reads == []  # policies and calendars come from the process cache (one token read)
    assert len(statements) <= 10, "\n".join(statements)
    # No timer of its own in Redis: the sweep finds the check through `next_check_at` (docs/performance.md).
    assert not [job_id for job_id in get_queue().scheduled_job_registry.get_job_ids() if job_id.startswith("sla-")]


def test_tickets_opened_in_one_transaction_each_get_their_clock_and_the_sweep_finds_them_at_their_deadline(session):
    from escalation.clocks import due_checks

    seed.seed_reference(session)
    requester, keyword = UserFactory(), KeywordFactory(priority="normal", tier="n1")
    tickets = [_open(session, requester, keyword, f"Ticket {n}") for n in range(3)]
    session.commit()
    clocks = {ticket.id: session.get(SlaClock, ticket.id) for ticket in tickets}
    assert {clock.tier for clock in clocks.values()} == {"n1"}
    first = min(clock.next_check_at for clock in clocks.values())
    assert due_checks(session, now=first - timedelta(seconds=1)) == []
    due = {ticket_id for ticket_id, _at in due_checks(session, now=max(c.next_check_at for c in clocks.values()))}
    assert due == set(clocks)


def test_the_form_post_reads_nothing_back_after_its_commit(session, login_as, statements):
    """The confirmation (reference, state) is read before the commit, not reloaded after it."""
    seed.seed_reference(session)
    requester, keyword = UserFactory(), KeywordFactory(priority="normal", tier="n1")
    session.commit()
    client = login_as(requester)
    form = {"subject": "Messagerie bloquée", "description": "Plus d'accès depuis ce matin."}
    path = f"/tickets/nouveau?keyword={keyword.slug}"
    client.post(path, data=form | {"subject": "Premier"})  # warms the caches
    # A request's session starts without the keyword, as in production (here the test's app context keeps one session).
    session.expunge(session.get(type(keyword), keyword.id))
    statements.clear()
    response = client.post(path, data=form)
    assert response.status_code == 302
    seen = list(statements)
    last_write = max(i for i, s in enumerate(seen) if s.startswith(("INSERT", "UPDATE")))
    assert [s for s in seen[last_write + 1 :] if s.startswith("SELECT")] == []
    # The keyword comes from the process's catalog, and one read of the cache tokens serves it and the SLA reference.
    assert [s for s in seen if s.startswith("SELECT") and "FROM keyword" in s] == []
    assert len([s for s in seen if "FROM cache_version" in s]) == 1
    ticket = session.scalar(select(Ticket).order_by(Ticket.id.desc()))
    assert ticket.subject == "Messagerie bloquée"
    assert response.headers["Location"].endswith(f"/tickets/{ticket.reference}")


def test_the_signed_in_person_comes_with_roles_basins_and_school_in_one_query(session, statements):
    from helpdesk.users.services import load_session_user

    user = UserFactory()
    session.commit()
    user_id, version = user.id, user.session_version
    session.expunge_all()
    statements.clear()
    loaded = load_session_user(session, f"{user_id}:{version}")
    assert loaded.school.name and loaded.roles is not None
    assert len(statements) == 1, statements
