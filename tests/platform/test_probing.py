"""Probing is not free: past MISS_LIMIT « introuvable » answers, the same account (or address) gets 429 with
Retry-After, on pages and on the API, while other people are untouched."""

import pytest

from helpdesk.platform.extensions import limiter
from helpdesk.users.services import issue_api_token
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def limits_on(app):
    app.config["MISS_LIMIT"], before = "5 per 10 minutes", app.config["MISS_LIMIT"]
    limiter.enabled = True
    yield
    limiter.reset()
    limiter.enabled = False
    app.config["MISS_LIMIT"] = before


def test_repeated_misses_on_tickets_draw_429_with_retry_after(app, session, limits_on):
    prober, bystander = UserFactory(), UserFactory()
    session.commit()
    client = app.test_client()
    assert login(client, prober).status_code == 302
    statuses = [client.get(f"/tickets/ENT-2026-{n:06d}").status_code for n in range(1, 8)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429, 429]
    blocked = client.get("/")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Réessayez dans" in blocked.get_data(as_text=True)
    other = app.test_client()
    with app.app_context():  # a fresh `g`: the signed-in user is cached there per app context
        assert login(other, bystander).status_code == 302
    with app.app_context():
        assert other.get("/tickets/ENT-2026-000001").status_code == 404  # someone else is not blocked


def test_api_misses_count_per_token_and_answer_json(app, session, limits_on):
    user = UserFactory()
    raw = issue_api_token(session, user, "tests")
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    statuses = []
    for n in range(7):
        with app.app_context():  # a fresh `g` per call, as in production (the token's user is cached there)
            statuses.append(app.test_client().get(f"/api/v1/tickets/ENT-2026-{n:06d}", headers=headers))
    assert [r.status_code for r in statuses[:5]] == [404] * 5
    assert statuses[-1].status_code == 429 and statuses[-1].get_json()["detail"] and statuses[-1].headers["Retry-After"]


def test_found_pages_are_not_counted(app, session, limits_on):
    user = UserFactory()
    session.commit()
    client = app.test_client()
    login(client, user)
    assert all(client.get("/formations").status_code == 200 for _ in range(10))
