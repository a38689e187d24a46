"""What reading the ticket page costs the database: its statements do not grow with the people who wrote in it.

Statement counts, not timings: they guard against the timeline's authors coming back one lazy load (three
statements: the person, their roles, their basins) at a time."""

from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import conversation, lifecycle, services
from helpdesk.tickets.audiences import MessageKind
from helpdesk.users.models import Role
from tests.factories import UserFactory


def _page_statements(client, session, statements, reference) -> list[str]:
    client.get(f"/tickets/{reference}")  # the process's caches warmed
    # The test's requests share its session (a web worker's start with an empty one): nothing read from it is fresh.
    session.expire_all()
    statements.clear()
    assert client.get(f"/tickets/{reference}").status_code == 200
    return list(statements)


def test_the_ticket_page_loads_its_authors_together(chain, login_as, session, client, statements):
    ticket = services.open_ticket(session, actor=chain["teacher"], keyword=chain["keyword"], subject="Agenda vide",
                                  description="Plus aucune date", now=utcnow())  # fmt: skip
    lifecycle.take(session, ticket, actor=chain["edulab"], now=utcnow())
    conversation.post_message(session, ticket, MessageKind.REPLY, actor=chain["edulab"], body="Videz le cache ?", now=utcnow())
    session.commit()
    login_as(chain["pilote"])
    two_authors = _page_statements(client, session, statements, ticket.reference)
    colleagues = [UserFactory(school=None, roles=[Role.EDULAB], basins=[chain["basin"]]) for _ in range(2)]
    for person in [chain["pilote"], *colleagues]:
        conversation.post_message(session, ticket, MessageKind.NOTE, actor=person, body=f"Vu ({person.id})", now=utcnow())
    session.commit()
    five_authors = _page_statements(client, session, statements, ticket.reference)
    assert len(five_authors) == len(two_authors), "\n".join(five_authors)
    assert not [s for s in five_authors if s.startswith("SELECT school.") or s.startswith("SELECT keyword.id")]
