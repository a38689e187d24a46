"""Queue sorts: every sort key in both directions pages forward and back over every ticket exactly once, in the
order a full ORDER BY gives, with ties and missing values on purpose (SQLite and PostgreSQL alike)."""

from datetime import timedelta

import pytest

from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import keyset, queries
from helpdesk.tickets.models import Ticket
from tests.factories import BasinFactory, SchoolFactory, TicketFactory, UserFactory

PRIORITIES = ["low", "normal", "high", "urgent"]


@pytest.fixture
def mixed(chain, session):
    """23 tickets of one tier with ties on every key and some NULL due dates and holders."""
    now = utcnow().replace(microsecond=0)
    other = SchoolFactory(basin=chain["basin"], name="Lycée Zola")
    basin2 = BasinFactory(name="Albi")
    far = SchoolFactory(basin=basin2, name="Collège Aragon")
    holders = [None, chain["edulab"], UserFactory(school=None, full_name="Alex Agent"), None]
    schools = [chain["school"], other, far]
    for i in range(23):
        requester = UserFactory(school=schools[i % 3])
        TicketFactory(
            requester=requester,
            keyword=chain["keyword"],
            resolution_due_at=None if i % 4 == 0 else now + timedelta(hours=i % 5),
            priority=PRIORITIES[i % 4],
            assignee=holders[i % 4],
            created_at=now - timedelta(days=i % 6),
            updated_at=now - timedelta(hours=i % 3),
        )
    session.commit()
    return now


def _expected(tickets, sort: keyset.Sort):
    """The order a plain Python sort gives: the key ascending with missing values last, ties by id; reversed."""
    key = sort.key

    def value(ticket):
        return {
            "echeance": ticket.resolution_due_at,
            "priorite": keyset.PRIORITY_RANK[ticket.priority],
            "porteur": ticket.assignee.full_name if ticket.assignee else None,
            "etablissement": ticket.school.name,
            "bassin": ticket.school.basin.name,
            "age": ticket.created_at,
            "activite": ticket.updated_at,
        }[key.name]

    ordered = sorted(tickets, key=lambda t: (value(t) is None, value(t) if value(t) is not None else 0, t.id))
    return [t.id for t in (reversed(ordered) if sort.descending else ordered)]


@pytest.mark.parametrize("direction", [keyset.ASC, keyset.DESC])
@pytest.mark.parametrize("name", sorted(keyset.SORT_KEYS))
def test_every_sort_pages_forward_and_back_over_every_ticket_once(mixed, chain, session, name, direction):
    sort = keyset.Sort.parse(name, direction)
    stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab"), now=mixed)
    expected = _expected(list(session.scalars(stmt)), sort)
    assert len(expected) == 23
    pages, found = [], keyset.page(session, stmt, sort, limit=5)
    assert found.previous_cursor is None
    while True:
        pages.append([t.id for t in found.tickets])
        if found.next_cursor is None:
            break
        found = keyset.page(session, stmt, sort, after=found.next_cursor, limit=5)
    assert [i for p in pages for i in p] == expected
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    # Back again from the last page: the same pages, in reverse, down to the first (which has no previous page).
    back = [pages[-1]]
    while found.previous_cursor:
        found = keyset.page(session, stmt, sort, before=found.previous_cursor, limit=5)
        back.append([t.id for t in found.tickets])
    assert back[::-1] == pages


def test_a_cursor_of_another_sort_or_tampered_is_refused(mixed, chain, session):
    stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab"), now=mixed)
    by_due = keyset.page(session, stmt, keyset.Sort.parse("echeance", "asc"), limit=5)
    with pytest.raises(ValidationFailed):
        keyset.page(session, stmt, keyset.Sort.parse("age", "asc"), after=by_due.next_cursor)
    with pytest.raises(ValidationFailed):
        keyset.page(session, stmt, keyset.Sort.parse("echeance", "desc"), after=by_due.next_cursor)
    for bad in ("xx", "WyJlY2hlYW5jZSIsImFzYyIsMSwxXQ", keyset.encode(keyset.Sort.parse("priorite", None), "x", 1)):
        with pytest.raises(ValidationFailed):
            keyset.page(session, stmt, keyset.Sort.parse("echeance", "asc"), after=bad)
    with pytest.raises(ValidationFailed):
        keyset.Sort.parse("nimporte", None)
    with pytest.raises(ValidationFailed):
        keyset.Sort.parse("age", "sideways")


def test_filters_mine_nobody_overdue_and_channel(chain, session):
    now = utcnow()
    mine = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], assignee=chain["edulab"], subject="Le mien")
    TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject="Personne", channel="phone")
    late = TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], resolution_due_at=now - timedelta(hours=1))
    session.commit()

    def subjects(**filters):
        stmt = queries.filtered(session, chain["edulab"], queries.Filters(tier="edulab", status="open", **filters), now=now)
        return {t.subject for t in session.scalars(stmt)}

    assert subjects(holder=queries.HOLDER_MINE) == {mine.subject}
    assert mine.subject not in subjects(holder=queries.HOLDER_NOBODY) and "Personne" in subjects(holder=queries.HOLDER_NOBODY)
    assert subjects(is_overdue=True) == {late.subject}
    assert subjects(channel="phone") == {"Personne"}


def test_a_cursor_whose_group_emptied_continues_with_the_next_group(mixed, chain, session):
    """The last row's school has no open ticket left when the next page is asked: the page starts at the next school."""
    sort = keyset.Sort.parse("etablissement", "asc")
    filters = queries.Filters(tier="edulab", status="open")
    stmt = queries.filtered(session, chain["pilote"], filters, now=mixed)
    expected = _expected(list(session.scalars(stmt)), sort)
    first = keyset.page(session, stmt, sort, limit=5)
    school_id = first.tickets[-1].school_id
    for ticket in session.scalars(stmt.where(Ticket.school_id == school_id)):
        ticket.is_open = False
    session.commit()
    stmt = queries.filtered(session, chain["pilote"], filters, now=mixed)
    rest = keyset.page(session, stmt, sort, after=first.next_cursor, limit=30).tickets
    remaining = [i for i in expected if session.get(Ticket, i).school_id != school_id]
    assert [t.id for t in rest] == [i for i in remaining if i not in {t.id for t in first.tickets}]
