"""API test fixtures: a basin with a school, a keyword, a pilot (sees every ticket), a teacher, and their tokens."""

import pytest

from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import services
from helpdesk.tickets.search import install_search
from helpdesk.users.models import Role
from helpdesk.users.services import issue_api_token
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, UserFactory


@pytest.fixture(scope="session")
def _search_installed(app):
    from helpdesk.platform.extensions import db

    with app.app_context():
        install_search(db.engine)
    return True


@pytest.fixture
def people(session, _search_installed):
    basin = BasinFactory(name="Toulouse Nord")
    school = SchoolFactory(basin=basin, name="Collège Jean Jaurès")
    keyword = KeywordFactory(label="agenda de rubrique vide", slug="agenda-rubrique-vide", service="rubriques", tier="edulab")
    teacher = UserFactory(school=school, full_name="Camille Enseignante")
    pilote = UserFactory(school=None, roles=[Role.PILOTE], full_name="Charlie Pilote")
    ticket = services.open_ticket(session, actor=teacher, keyword=keyword, subject="Agenda vide",
                                  description="Plus de dates", now=utcnow())  # fmt: skip
    session.commit()
    return {"basin": basin, "school": school, "keyword": keyword, "teacher": teacher, "pilote": pilote, "ticket": ticket}


def bearer(session, user, **token) -> dict:
    raw = issue_api_token(session, user, "tests", **token)
    session.commit()
    return {"Authorization": f"Bearer {raw}"}
