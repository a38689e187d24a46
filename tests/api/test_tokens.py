"""API tokens: scopes narrow what a token may do, expiry and revocation end it, « last used » is recorded, and the
owner manages them on the account page."""

from datetime import date, timedelta

from helpdesk import policy
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Scope
from helpdesk.users.models import ApiToken
from tests.api.conftest import bearer


def test_a_token_without_scopes_has_every_right_of_its_owner():
    assert all(policy.token_allows([], scope) for scope in Scope)


def test_a_write_scope_reads_what_it_writes_but_not_the_reverse():
    assert policy.token_allows(["tickets:write"], Scope.TICKETS_READ)
    assert not policy.token_allows(["tickets:read"], Scope.TICKETS_WRITE)
    assert not policy.token_allows(["tickets:write"], Scope.INCIDENTS_READ)


def test_read_scope_lists_tickets_but_cannot_create_one(api, session, people):
    headers = bearer(session, people["teacher"], scopes=[Scope.TICKETS_READ])
    assert api.get("/api/v1/tickets", headers=headers).status_code == 200
    refused = api.post("/api/v1/tickets", json={"keyword": "agenda-rubrique-vide"}, headers=headers)
    assert refused.status_code == 403
    assert refused.json["scope"] == "tickets:write" and refused.json["detail"]


def test_expired_token_is_refused_like_no_token(api, session, people):
    headers = bearer(session, people["teacher"], expires_at=utcnow() - timedelta(seconds=1))
    response = api.get("/api/v1/tickets", headers=headers)
    assert response.status_code == 401 and set(response.json) >= {"error", "detail"}


def test_revoked_token_is_refused(api, session, people, login_as, client):
    headers = bearer(session, people["teacher"])
    token = session.query(ApiToken).one()
    login_as(people["teacher"])
    assert client.post(f"/compte/jetons/{token.id}/revoquer").status_code == 302
    assert api.get("/api/v1/tickets", headers=headers).status_code == 401


def test_last_use_is_recorded(api, session, people):
    headers = bearer(session, people["teacher"])
    assert session.query(ApiToken).one().last_used_at is None
    assert api.get("/api/v1/tickets", headers=headers).status_code == 200
    session.expire_all()
    used = session.query(ApiToken).one().last_used_at
    assert used is not None and abs(utcnow() - used) < timedelta(minutes=1)


def test_kb_token_without_kb_scope_reads_as_anonymous(api, session, people):
    headers = bearer(session, people["pilote"], scopes=[Scope.TICKETS_READ])
    assert api.get("/api/v1/kb/search?q=agenda", headers=headers).status_code == 200


def test_owner_creates_a_token_with_scopes_and_expiry_shown_once(client, session, people, login_as):
    login_as(people["teacher"])
    day = (date.today() + timedelta(days=30)).isoformat()
    page = client.post("/compte", data={"name": "Script ENT", "scopes": ["tickets:read", "kb:read"], "expires_on": day})
    assert page.status_code == 200
    token = session.query(ApiToken).one()
    assert token.scope_list == ["kb:read", "tickets:read"] and token.expires_at is not None
    html = page.get_data(as_text=True)
    assert "hdk_" in html and "Script ENT" in html
    assert "hdk_" not in client.get("/compte").get_data(as_text=True)  # shown once


def test_a_past_expiry_is_refused_and_the_name_kept(client, session, people, login_as):
    login_as(people["teacher"])
    page = client.post("/compte", data={"name": "Vieux script", "expires_on": "2000-01-01"})
    assert page.status_code == 400
    assert session.query(ApiToken).count() == 0
    assert 'value="Vieux script"' in page.get_data(as_text=True)


def test_an_unknown_scope_is_refused(client, session, people, login_as):
    login_as(people["teacher"])
    page = client.post("/compte", data={"name": "x", "scopes": ["admin:all"]})
    assert page.status_code == 400 and session.query(ApiToken).count() == 0


def test_nobody_revokes_someone_else_s_token(client, session, people, login_as):
    bearer(session, people["teacher"])
    token = session.query(ApiToken).one()
    login_as(people["pilote"])
    client.post(f"/compte/jetons/{token.id}/revoquer")
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is None


def test_cli_issues_a_scoped_token_with_expiry(app, session, people):
    day = (date.today() + timedelta(days=7)).isoformat()
    result = app.test_cli_runner().invoke(
        args=["user", "token", "--email", people["teacher"].email, "--scope", "tickets:read", "--expires", day]
    )
    assert result.exit_code == 0 and result.output.startswith("hdk_"), result.output
    token = session.query(ApiToken).one()
    assert token.scope_list == ["tickets:read"] and token.expires_at is not None


def test_cli_refuses_an_unknown_scope(app, people):
    result = app.test_cli_runner().invoke(args=["user", "token", "--email", people["teacher"].email, "--scope", "root"])
    assert result.exit_code != 0 and "root" in result.output


def test_an_unreadable_expiry_is_refused_in_french(client, session, people, login_as):
    login_as(people["teacher"])
    page = client.post("/compte", data={"name": "Script", "expires_on": "31/02/2027"})
    assert page.status_code == 400 and session.query(ApiToken).count() == 0
    assert "pas une date valide" in page.get_data(as_text=True)
