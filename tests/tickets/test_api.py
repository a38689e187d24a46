"""Ticket API: token auth, field restrictions, scope identical to the UI, internal notes, transitions and conflicts."""

import pytest

from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import services
from helpdesk.users.services import issue_api_token


@pytest.fixture
def tokens(chain, session):
    issued = {
        name: issue_api_token(session, chain[name], "tests")
        for name in ("teacher", "edulab", "other_edulab", "pilote", "editeur", "n1")
    }
    session.commit()
    return {name: {"Authorization": f"Bearer {raw}"} for name, raw in issued.items()}


class FreshContextClient:
    """Each call in its own app context: `helpdesk.users.api_auth.api_user` caches the token's user in `g`, and the test
    fixture's app context would otherwise keep the first caller for every later request."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def __getattr__(self, method):
        def call(*args, **kwargs):
            with self.app.app_context():
                return getattr(self.client, method)(*args, **kwargs)

        return call


@pytest.fixture
def api(app, client):
    return FreshContextClient(app, client)


def _create(api, headers, **body):
    payload = {
        "keyword": "agenda-rubrique-vide",
        "subject": "Agenda vide",
        "description": "Plus de dates",
        "extra_fields": {"rubrique": "Sport"},
        **body,
    }
    return api.post("/api/v1/tickets", json=payload, headers=headers)


def test_token_is_required(api):
    assert api.get("/api/v1/tickets").status_code == 401


def test_create_routes_by_keyword(api, tokens, chain):
    response = _create(api, tokens["teacher"])
    assert response.status_code == 201, response.json
    assert (response.json["tier"], response.json["service"], response.json["channel"]) == ("edulab", "rubriques", "api")
    assert response.json["school"]["uai"] == chain["school"].uai


@pytest.mark.parametrize("field", ["tier", "status", "school", "priority"])
def test_routing_fields_cannot_be_set(api, tokens, field):
    response = _create(api, tokens["teacher"], **{field: "pilote"})
    assert response.status_code == 400 and field in response.json["error"] and response.json["fields"] == [field]


def test_unknown_fields_and_bad_extra_fields_are_refused(api, tokens):
    assert _create(api, tokens["teacher"], colour="blue").json["fields"] == ["colour"]
    response = _create(api, tokens["teacher"], extra_fields={})
    assert response.status_code == 400 and "rubrique" in response.json["error"]
    response = _create(api, tokens["teacher"], extra_fields={"rubrique": "Sport", "navigateur": "Netscape"})
    assert response.status_code == 400 and "Firefox" in response.json["error"]
    assert _create(api, tokens["teacher"], keyword="inconnu").status_code == 400
    assert api.post("/api/v1/tickets", data="pas du json", headers=tokens["teacher"]).status_code == 400


def test_on_behalf_only_for_agents(api, tokens, chain):
    refused = _create(api, tokens["teacher"], requester_email=chain["colleague"].email)
    assert refused.status_code == 403
    accepted = _create(api, tokens["n1"], requester_email=chain["teacher"].email, channel="phone")
    assert (
        accepted.status_code == 201
        and accepted.json["channel"] == "phone"
        and accepted.json["requester"] == "Camille Enseignante"
    )


def test_other_basin_gets_404_and_lists_are_scoped(api, tokens, chain):
    ref = _create(api, tokens["teacher"]).json["reference"]
    assert api.get(f"/api/v1/tickets/{ref}", headers=tokens["other_edulab"]).status_code == 404
    assert api.get(f"/api/v1/tickets/{ref}", headers=tokens["edulab"]).status_code == 200
    assert api.get("/api/v1/tickets", headers=tokens["other_edulab"]).json["tickets"] == []
    assert [t["reference"] for t in api.get("/api/v1/tickets", headers=tokens["edulab"]).json["tickets"]] == [ref]
    assert api.get("/api/v1/tickets", headers=tokens["editeur"]).json["tickets"] == []
    assert api.post(f"/api/v1/tickets/{ref}/replies", json={"body": "x"}, headers=tokens["other_edulab"]).status_code == 404


def test_internal_notes_hidden_from_requester_and_refused_from_them(api, tokens, chain):
    ref = _create(api, tokens["teacher"]).json["reference"]
    note = api.post(
        f"/api/v1/tickets/{ref}/replies", json={"body": "Piste : import STSweb", "internal": True}, headers=tokens["edulab"]
    )
    assert note.status_code == 201
    assert any(m["internal"] for m in note.json["messages"])
    seen = api.get(f"/api/v1/tickets/{ref}", headers=tokens["teacher"]).json
    assert seen["messages"] == [] and all(e["kind"] != "note" for e in seen["events"])
    assert (
        api.post(f"/api/v1/tickets/{ref}/replies", json={"body": "x", "internal": True}, headers=tokens["teacher"]).status_code
        == 403
    )


def test_transitions_with_version_and_conflict(api, tokens, chain):
    created = _create(api, tokens["teacher"]).json
    ref, version = created["reference"], created["version"]
    taken = api.post(f"/api/v1/tickets/{ref}/transitions", json={"action": "take", "version": version}, headers=tokens["edulab"])
    assert taken.status_code == 200 and taken.json["status"] == "taken"
    stale = api.post(
        f"/api/v1/tickets/{ref}/transitions",
        json={"action": "resolve", "reason": "ok", "version": version},
        headers=tokens["edulab"],
    )
    assert stale.status_code == 409 and stale.json["status"] == "taken" and stale.json["version"] == taken.json["version"]
    no_reason = api.post(
        f"/api/v1/tickets/{ref}/transitions",
        json={"action": "escalate", "version": taken.json["version"]},
        headers=tokens["edulab"],
    )
    assert no_reason.status_code == 400 and "motif" in no_reason.json["error"]
    forbidden = api.post(
        f"/api/v1/tickets/{ref}/transitions",
        json={"action": "resolve", "reason": "x", "version": taken.json["version"]},
        headers=tokens["teacher"],
    )
    assert forbidden.status_code == 403
    assert (
        api.post(
            f"/api/v1/tickets/{ref}/transitions", json={"action": "delete", "version": 1}, headers=tokens["edulab"]
        ).status_code
        == 400
    )
    assert api.post(f"/api/v1/tickets/{ref}/transitions", json={"action": "take"}, headers=tokens["edulab"]).status_code == 400
    up = api.post(
        f"/api/v1/tickets/{ref}/transitions",
        json={"action": "escalate", "reason": "Hors de portée", "version": taken.json["version"]},
        headers=tokens["edulab"],
    )
    assert up.status_code == 200 and up.json["tier"] == "pilote"


def test_list_keyset_cursor(api, tokens, chain, session):
    for i in range(7):
        services.open_ticket(
            session, actor=chain["teacher"], keyword=chain["keyword"], subject=f"S{i}", description="d", now=utcnow()
        )
    session.commit()
    seen, cursor = [], None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = api.get("/api/v1/tickets", query_string=params, headers=tokens["pilote"]).json
        seen += [t["reference"] for t in body["tickets"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))
    assert api.get("/api/v1/tickets?cursor=abc", headers=tokens["pilote"]).status_code == 400
