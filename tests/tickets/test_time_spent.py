"""Time spent per reply or note: optional minutes shared by page and API, summed per ticket and per tier, read by
the académie's agents only."""

import html

import pytest

from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import actions, lifecycle, services, worktime
from helpdesk.users.services import issue_api_token


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _open(session, chain):
    ticket = services.open_ticket(session, actor=chain["teacher"], keyword=chain["keyword"], subject="Agenda vide",
                                  description="Plus aucune date", now=utcnow(), extra_fields={"rubrique": "Sport"})  # fmt: skip
    session.commit()
    return ticket


def _act(session, ticket, name, actor, **fields):
    data = actions.ACTIONS[name].model.model_validate({"version": ticket.version, **fields})
    done = actions.perform(session, ticket, name, data, actor=actor, now=utcnow())
    session.commit()
    return done


def test_minutes_are_summed_per_ticket_and_per_tier(chain, session):
    ticket = _open(session, chain)
    _act(session, ticket, "note", chain["edulab"], body="Vérifié les droits", minutes=20)
    _act(session, ticket, "reply", chain["edulab"], body="Pouvez-vous vider le cache ?", minutes=10)
    _act(session, ticket, "note", chain["edulab"], body="Sans temps")
    lifecycle.escalate(session, ticket, actor=chain["edulab"], reason="Droits à revoir", now=utcnow())
    session.commit()
    _act(session, ticket, "note", chain["pilote"], body="Je regarde", minutes=45)
    spent = worktime.totals(session, ticket)
    assert spent.minutes == 75 and spent.per_tier == {"edulab": 30, "pilote": 45}
    assert sorted(worktime.by_message(session, ticket).values()) == [10, 20, 45]


def test_the_requester_side_cannot_give_minutes(chain, session):
    ticket = _open(session, chain)
    with pytest.raises(NotAllowed):
        _act(session, ticket, "reply", chain["teacher"], body="Toujours vide", minutes=5)
    session.rollback()
    assert ticket.messages == [] or all(m.body != "Toujours vide" for m in ticket.messages)


@pytest.mark.parametrize("minutes", [0, -3, 1441, "beaucoup"])
def test_out_of_range_minutes_are_refused(minutes):
    with pytest.raises(ValidationFailed):
        worktime.check_minutes(minutes)


def test_page_shows_time_to_agents_only_and_keeps_the_text_on_a_wrong_value(chain, session, client, login_as):
    ticket = _open(session, chain)
    login_as(chain["edulab"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert 'name="minutes"' in page and "aucun temps indiqué" in page
    bad = client.post(f"/tickets/{ticket.reference}/actions/note", data={"version": ticket.version, "body": "Mon texte",
                                                                          "minutes": "5000"})  # fmt: skip
    assert bad.status_code == 400 and "Mon texte" in text(bad) and "Temps passé (minutes)" in text(bad)
    ok = client.post(f"/tickets/{ticket.reference}/actions/note", data={"version": ticket.version, "body": "Droits vus",
                                                                         "minutes": "90"})  # fmt: skip
    assert ok.status_code == 302
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "1 h 30" in page and "EduLAB" in page
    login_as(chain["teacher"])
    page = text(client.get(f"/tickets/{ticket.reference}"))
    assert "Temps passé" not in page and 'name="minutes"' not in page and "1 h 30" not in page


@pytest.fixture
def headers(chain, session):
    issued = {name: issue_api_token(session, chain[name], "tests") for name in ("teacher", "edulab")}
    session.commit()
    return {name: {"Authorization": f"Bearer {raw}"} for name, raw in issued.items()}


def test_api_shares_the_field_and_hides_the_sums_from_the_requester(app, chain, session, client, headers):
    ticket = _open(session, chain)

    def call(method, url, who, **kw):
        with app.app_context():
            return getattr(client, method)(url, headers=headers[who], **kw)

    url = f"/api/v1/tickets/{ticket.reference}"
    done = call("post", url + "/actions/reply", "edulab", json={"version": ticket.version, "body": "Essayez", "minutes": 15})
    assert done.status_code == 201 and done.json["time_spent"] == {"minutes": 15, "per_tier": {"edulab": 15}}
    refused = call("post", url + "/actions/reply", "teacher", json={"version": done.json["version"], "body": "Non", "minutes": 3})
    assert refused.status_code == 403
    wrong = call("post", url + "/actions/note", "edulab", json={"version": done.json["version"], "body": "x", "minutes": 0})
    assert wrong.status_code == 400 and wrong.json["fields"] == ["minutes"]
    assert "time_spent" not in call("get", url, "teacher").json
