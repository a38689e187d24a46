"""Deflection figures: diagnostics ended « résolu », FAQ answers voted useful (dated votes) and ticket forms left
after a suggested article, counted per bucket with the service filter and a head's school."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from helpdesk.reports import services
from helpdesk.reports.periods import make_period
from kb.models import ArticleVote
from tests.factories import ArticleFactory, ArticleVoteFactory, DeflectionFactory, DiagnosticRunFactory, UserFactory

PERIOD = make_period(date(2026, 1, 12), date(2026, 1, 18), "day", today=date(2026, 2, 1))
TUESDAY = datetime(2026, 1, 13, 10, 0, tzinfo=UTC)


def test_three_kinds_of_help_without_a_ticket_are_counted_per_day(session, academie):
    article = ArticleFactory(service="messagerie", status="published")
    other = ArticleFactory(service="pix", status="published")
    teacher, far = academie["teacher"], academie["far_teacher"]
    DiagnosticRunFactory(resolved=True, finished_at=TUESDAY, outcome_kind="fix")
    DiagnosticRunFactory(resolved=False, finished_at=TUESDAY, outcome_kind="escalation")  # went on to a ticket
    ArticleVoteFactory(article_id=article.id, helpful=True, created_at=TUESDAY, user_id=teacher.id)
    ArticleVoteFactory(article_id=article.id, helpful=False, created_at=TUESDAY)  # not useful: not counted
    DeflectionFactory(article_id=article.id, created_at=TUESDAY, user_id=teacher.id)
    DeflectionFactory(article_id=other.id, created_at=TUESDAY, user_id=far.id)
    DeflectionFactory(article_id=other.id, created_at=datetime(2026, 2, 3, tzinfo=UTC))  # outside the period
    session.commit()
    data = services.deflection(session, PERIOD, services.Filters())
    assert data["totals"] == {"diagnostics": 1, "faq_votes": 1, "abandoned": 2}
    assert data["series"]["abandoned"] == [0, 2, 0, 0, 0, 0, 0]
    pix = services.deflection(session, PERIOD, services.Filters(service="pix"))
    assert pix["totals"] == {"diagnostics": 0, "faq_votes": 0, "abandoned": 1}
    school = services.deflection(session, PERIOD, services.Filters(school_id=academie["school"].id))
    assert school["totals"] == {"diagnostics": 0, "faq_votes": 1, "abandoned": 1}


def test_a_faq_vote_is_dated_when_it_is_given(session, client):
    article = ArticleFactory(service="messagerie", status="published", audience="public")
    UserFactory()
    session.commit()
    response = client.post(f"/faq/{article.slug}/vote", data={"helpful": "oui"})
    assert response.status_code == 302
    votes = session.scalars(select(ArticleVote)).all()
    assert [(v.article_id, v.helpful) for v in votes] == [(article.id, True)]
    assert votes[0].created_at is not None
