"""What applying a due SLA check costs the database: statement counts, not timings."""

from datetime import UTC, datetime, timedelta

from escalation import seed
from escalation.clocks import apply_due
from escalation.models import SlaBreach
from helpdesk.tickets import services
from helpdesk.users.models import Role
from tests.factories import KeywordFactory, UserFactory

NOW = datetime(2026, 11, 16, 8, tzinfo=UTC)  # Monday 09:00 Paris


def test_an_escalating_breach_does_not_read_the_breaches_of_the_tier_it_enters(session, statements):
    seed.seed_reference(session)
    UserFactory(roles=[Role.AGENT_N1])
    UserFactory(roles=[Role.EDULAB])
    requester, keyword = UserFactory(), KeywordFactory(priority="urgent", tier="n1")
    first = services.open_ticket(session, actor=requester, keyword=keyword, subject="a", description="b", now=NOW)
    ticket = services.open_ticket(session, actor=requester, keyword=keyword, subject="c", description="d", now=NOW)
    session.commit()
    later = NOW + timedelta(days=3)
    apply_due(session, first.id, now=later)  # warms the reference caches and the compiled statements
    session.commit()
    ticket_id = ticket.id
    session.expunge_all()
    statements.clear()
    assert apply_due(session, ticket_id, now=later) == ["warning", "first_response", "resolution"]
    session.commit()
    seen = list(statements)
    assert [s for s in seen if s.startswith("SELECT") and "FROM sla_breach" in s] == []
    # The escalation writes the ticket once (its tier and its new deadlines together), the three breaches are
    # claimed by one INSERT.
    assert len([s for s in seen if s.startswith("UPDATE ticket ")]) == 1, "\n".join(seen)
    assert len([s for s in seen if s.startswith("INSERT INTO sla_breach")]) == 1, "\n".join(seen)
    assert len(seen) <= 19, "\n".join(seen)
    breaches = session.query(SlaBreach).filter_by(ticket_id=ticket_id).all()
    assert sorted(b.kind for b in breaches) == ["first_response", "resolution", "warning"]
    assert {b.action for b in breaches if b.kind == "resolution"} == {"escalated"}


def test_a_batch_of_the_sweep_reads_the_reference_and_the_tier_group_once(app, session, statements):
    from escalation import jobs

    seed.seed_reference(session)
    UserFactory(roles=[Role.AGENT_N1])
    UserFactory(roles=[Role.EDULAB])
    requester, keyword = UserFactory(), KeywordFactory(priority="urgent", tier="n1")
    ids = [
        services.open_ticket(session, actor=requester, keyword=keyword, subject=f"s{n}", description="d", now=NOW).id
        for n in range(3)
    ]
    session.commit()
    later = (NOW + timedelta(days=3)).isoformat()
    jobs.check_tickets([ids[0]], now=later)  # warms the caches and the compiled statements
    session.expunge_all()
    statements.clear()
    assert jobs.check_tickets(ids[1:], now=later) == {str(i): ["warning", "first_response", "resolution"] for i in ids[1:]}
    seen = list(statements)
    assert len([s for s in seen if "FROM cache_version" in s]) == 1
    level_1 = [s for s in seen if "FROM user_account JOIN user_role" in s and "referent_basin" not in s]
    assert len(level_1) == 1, "\n".join(seen)
    assert len(seen) <= 19 + 16, "\n".join(seen)  # the second ticket: 19 less the token and both groups
