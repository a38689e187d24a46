"""Agents see, on the ticket, the FAQ articles that were suggested to the requester before sending."""

from flask import g

from helpdesk.users.models import Role
from tests.factories import ArticleFactory, TicketFactory, UserFactory


def test_agent_sees_suggested_article_titles_and_requester_does_not(app, session):
    article = ArticleFactory(title="Comment viser le cahier de textes ?", slug="viser-cdt")
    ticket = TicketFactory(extra_fields={"suggested_articles": [article.id]})
    agent = UserFactory(school=None, roles=[Role.PILOTE])
    session.commit()

    def page_for(user):
        g.pop("_login_user", None)  # the test keeps one app context: forget the previous user
        client = app.test_client()
        assert client.post("/connexion", data={"email": user.email, "password": "correct-horse-42"}).status_code == 302
        return client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)

    agent_page = page_for(agent)
    assert "Comment viser le cahier de textes ?" in agent_page and "/faq/viser-cdt" in agent_page
    requester_page = page_for(ticket.requester)
    assert "Articles de FAQ proposés au demandeur" not in requester_page
