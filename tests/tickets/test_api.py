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
    assert (response.json["service"], response.json["status_label"]) == ("rubriques", "Confiée à l'EduLAB de votre bassin")
    assert "tier" not in response.json  # the requester reads their own words, not the back office
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
        and accepted.json["tier"] == "edulab"
    )


def test_other_basin_gets_404_and_lists_are_scoped(api, tokens, chain):
    ref = _create(api, tokens["teacher"]).json["reference"]
    assert api.get(f"/api/v1/tickets/{ref}", headers=tokens["other_edulab"]).status_code == 404
    assert api.get(f"/api/v1/tickets/{ref}", headers=tokens["edulab"]).status_code == 200
    assert api.get("/api/v1/tickets", headers=tokens["other_edulab"]).json["tickets"] == []
    assert [t["reference"] for t in api.get("/api/v1/tickets", headers=tokens["edulab"]).json["tickets"]] == [ref]
    assert api.get("/api/v1/tickets", headers=tokens["editeur"]).json["tickets"] == []
    refused = api.post(f"/api/v1/tickets/{ref}/actions/reply", json={"body": "x", "version": 1}, headers=tokens["other_edulab"])
    assert refused.status_code == 404


def _act(api, headers, ref, name, **body):
    return api.post(f"/api/v1/tickets/{ref}/actions/{name}", json=body, headers=headers)


def test_internal_notes_hidden_from_requester_and_refused_from_them(api, tokens, chain):
    created = _create(api, tokens["teacher"]).json
    ref = created["reference"]
    note = _act(api, tokens["edulab"], ref, "note", body="Piste : import STSweb", version=created["version"])
    assert note.status_code == 201
    assert [(e["kind"], e["audience"]) for e in note.json["timeline"] if e["type"] == "message"] == [("note", "internal")]
    seen = api.get(f"/api/v1/tickets/{ref}", headers=tokens["teacher"]).json
    assert all(e["type"] == "event" for e in seen["timeline"]) and "Piste" not in str(seen)
    assert "tier" not in seen and "assignee" not in seen and "contact" not in seen  # no back office for the requester
    refused = _act(api, tokens["teacher"], ref, "note", body="x", version=note.json["version"])
    assert refused.status_code == 403


def test_every_page_action_exists_in_the_api_with_version_and_conflict(api, tokens, chain):
    created = _create(api, tokens["teacher"]).json
    ref, version = created["reference"], created["version"]
    assert "take" not in created["available_actions"]  # the requester's own view
    taken = _act(api, tokens["edulab"], ref, "take", version=version)
    assert taken.status_code == 200 and taken.json["status"] == "taken"
    assert {"reply", "note", "wait_requester", "resolve", "escalate", "assign"} <= set(taken.json["available_actions"])
    stale = _act(api, tokens["edulab"], ref, "resolve", solution="ok", version=version)
    assert stale.status_code == 409 and stale.json["status"] == "taken" and stale.json["version"] == taken.json["version"]
    no_reason = _act(api, tokens["edulab"], ref, "escalate", version=taken.json["version"])
    assert no_reason.status_code == 400 and "Motif de l'escalade" in no_reason.json["error"]
    assert no_reason.json["fields"] == ["reason"]
    blind = _act(api, tokens["edulab"], ref, "note", body="sans version")
    assert blind.status_code == 400 and blind.json["fields"] == ["version"]
    assert _act(api, tokens["teacher"], ref, "resolve", solution="x", version=taken.json["version"]).status_code == 403
    unknown = _act(api, tokens["edulab"], ref, "delete", version=1)
    assert unknown.status_code == 404 and "take" in unknown.json["actions"]
    extra = _act(api, tokens["edulab"], ref, "take", version=taken.json["version"], colour="blue")
    assert extra.status_code == 400 and extra.json["fields"] == ["colour"]
    asked = _act(api, tokens["edulab"], ref, "wait_requester", question="Quelle classe ?", until="2099-01-01",
                 version=taken.json["version"])  # fmt: skip
    assert asked.status_code == 400 and "60 jours" in asked.json["error"]
    up = _act(api, tokens["edulab"], ref, "escalate", reason="Hors de portée", version=taken.json["version"])
    assert up.status_code == 200 and (up.json["tier"], up.json["status"]) == ("pilote", "new")


def test_a_retried_reply_with_the_same_idempotency_key_is_stored_once(api, tokens, chain, session):
    from helpdesk.tickets.models import Message

    created = _create(api, tokens["teacher"]).json
    headers = {**tokens["teacher"], "Idempotency-Key": "9f1c-relance"}
    body = {"body": "Voici la capture.", "version": created["version"]}
    first = api.post(f"/api/v1/tickets/{created['reference']}/actions/reply", json=body, headers=headers)
    again = api.post(f"/api/v1/tickets/{created['reference']}/actions/reply", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201) and first.json == again.json
    assert session.query(Message).count() == 1
    other = api.post(f"/api/v1/tickets/{created['reference']}/actions/reply", json={**body, "body": "Autre"}, headers=headers)
    assert other.status_code == 422
    # Ticket creation honours the key too.
    create_headers = {**tokens["teacher"], "Idempotency-Key": "creation-1"}
    one, two = _create(api, create_headers), _create(api, create_headers)
    assert (one.status_code, two.status_code) == (201, 201) and one.json["reference"] == two.json["reference"]


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


def test_api_errors_speak_the_request_language_and_keep_their_machine_fields(api, tokens, chain, session):
    refused = _create(api, tokens["teacher"], colour="blue")
    french = "Champ(s) inconnu(s) : colour."
    assert refused.json == {"error": french, "detail": french, "fields": ["colour"]}  # French by default
    english = _create(api, {**tokens["teacher"], "Accept-Language": "en-GB,en;q=0.8"}, colour="blue")
    assert english.json == {"error": "Unknown field(s): colour.", "detail": "Unknown field(s): colour.", "fields": ["colour"]}
    chain["teacher"].locale = "en"  # no header: the token's account decides
    session.commit()
    assert _create(api, tokens["teacher"], colour="blue").json["error"] == "Unknown field(s): colour."
    french = _create(api, {**tokens["teacher"], "Accept-Language": "fr"}, keyword="inconnu")
    assert french.json["error"].startswith("Mot-clé inconnu")
