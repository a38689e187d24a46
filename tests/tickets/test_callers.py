"""Phone tickets for callers without an account: level 1 records the caller by name, school and contact; the ticket
follows them by e-mail and every reader rule treats them as its requester; the record never signs in."""

import html

import pytest
from sqlalchemy import select

from helpdesk import policy
from helpdesk.notifications.models import Notification
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import lifecycle, timeline
from helpdesk.tickets.models import Ticket
from helpdesk.users import services as users
from helpdesk.users.models import User
from helpdesk.users.services import issue_api_token


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _phone_ticket(client, chain, **extra):
    data = {"subject": "Appel du collège", "description": "Mot de passe perdu", "requester_email": "Parent.Eleve@exemple.fr",
            "channel": "phone", "caller_name": "Alex Appelant", "caller_school": chain["school"].uai.lower(),
            "contact_phone": "05 61 00 00 00", **extra}  # fmt: skip
    return client.post("/tickets/nouveau?keyword=mot-de-passe-oublie", data=data)


def test_level_one_records_a_caller_who_becomes_the_requester(chain, login_as, session):
    client = login_as(chain["n1"])
    response = _phone_ticket(client, chain)
    assert response.status_code == 302
    ticket = session.scalar(select(Ticket))
    caller = ticket.requester
    assert (caller.email, caller.full_name, caller.auth_source, caller.roles) == ("parent.eleve@exemple.fr", "Alex Appelant",
                                                                                  "caller", frozenset())  # fmt: skip
    assert caller.password_hash is None and caller.school_id == chain["school"].id and caller.phone == "05 61 00 00 00"
    assert ticket.channel == "phone" and ticket.created_by_id == chain["n1"].id and ticket.school_id == chain["school"].id
    # Reader rules: the caller is the requester (public entries only), the agent who typed it is not.
    assert policy.readable_audiences(caller, ticket) == frozenset({"public"})
    assert timeline.reader_view(ticket, caller).is_requester_side
    assert ticket.requester_id != chain["n1"].id
    mail = session.scalars(select(Notification).where(Notification.user_id == caller.id)).one()
    assert mail.kind == "ticket_created" and "rappelez l'assistance" in mail.body and "http" not in mail.body


def test_the_ticket_follows_the_caller_by_email(chain, login_as, session):
    client = login_as(chain["n1"])
    _phone_ticket(client, chain)
    ticket = session.scalar(select(Ticket))
    assert "appelant sans compte : suivi par courriel" in text(client.get(f"/tickets/{ticket.reference}"))
    lifecycle.take(session, ticket, actor=chain["n1"], now=utcnow())
    lifecycle.resolve(session, ticket, actor=chain["n1"], solution="Mot de passe réinitialisé.", now=utcnow())
    session.commit()
    kinds = [
        n.kind
        for n in session.scalars(
            select(Notification).where(Notification.user_id == ticket.requester_id).order_by(Notification.id)
        )
    ]
    assert kinds == ["ticket_created", "ticket_resolved"]


def test_a_second_call_reuses_the_record_and_an_account_wins(chain, login_as, session):
    client = login_as(chain["n1"])
    _phone_ticket(client, chain)
    _phone_ticket(client, chain, caller_name="Alex Appelant-Martin")
    assert session.scalars(select(User).where(User.auth_source == "caller")).all()[0].full_name == "Alex Appelant-Martin"
    assert len(session.scalars(select(User).where(User.auth_source == "caller")).all()) == 1
    _phone_ticket(client, chain, requester_email=chain["teacher"].email, caller_name="Ignoré")
    last = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert last.requester_id == chain["teacher"].id and chain["teacher"].full_name != "Ignoré"


def test_missing_or_wrong_caller_data_keeps_the_form(chain, login_as, session):
    client = login_as(chain["n1"])
    page = text(_phone_ticket(client, chain, caller_school="0000000X"))
    assert "Aucun établissement ne porte l'UAI « 0000000X »" in page and 'value="Alex Appelant"' in page
    page = text(_phone_ticket(client, chain, caller_name="", caller_school=""))
    assert "Pour un appelant sans compte" in page
    assert session.scalar(select(Ticket)) is None and session.scalar(select(User).where(User.auth_source == "caller")) is None


def test_only_level_one_and_pilots_record_callers(chain, session):
    for name in ("teacher", "edulab", "editeur"):
        with pytest.raises(NotAllowed):
            users.requester_for_call(session, actor=chain[name], email="x@exemple.fr", caller_name="X",
                                     caller_school=chain["school"].uai)  # fmt: skip
    with pytest.raises(ValidationFailed):
        users.requester_for_call(session, actor=chain["n1"], email="pas une adresse", caller_name="X",
                                 caller_school=chain["school"].uai)  # fmt: skip


def test_a_caller_record_never_signs_in_nor_resets_a_password(chain, login_as, session, client, app):
    _phone_ticket(login_as(chain["n1"]), chain)
    client.post("/deconnexion")
    response = client.post("/connexion", data={"email": "parent.eleve@exemple.fr", "password": ""})
    assert response.status_code in (200, 400)
    assert "Se déconnecter" not in text(client.get("/"))
    outbox = app.config["HELPDESK_DATA_DIR"]
    before = len(list((__import__("pathlib").Path(outbox) / "outbox").glob("*.eml"))) if outbox else 0
    client.post("/mot-de-passe-oublie", data={"email": "parent.eleve@exemple.fr"})
    after = len(list((__import__("pathlib").Path(outbox) / "outbox").glob("*.eml"))) if outbox else 0
    assert after == before


def test_the_caller_is_looked_up_once_by_email(chain, login_as, statements):
    """The form and the API share one rule (users.requester_for_call): one lookup by e-mail, whatever follows."""
    client = login_as(chain["n1"])
    _phone_ticket(client, chain, requester_email="premier.appel@exemple.fr")  # warms the caches
    for email in ("nouvel.appelant@exemple.fr", "Nouvel.Appelant@exemple.fr", chain["teacher"].email):
        statements.clear()
        assert _phone_ticket(client, chain, requester_email=email).status_code == 302
        lookups = [s for s in statements if s.startswith("SELECT") and "email" in s.partition(" WHERE ")[2]]
        assert len(lookups) == 1, "\n".join(statements)


def test_api_records_a_caller_with_the_same_fields(app, chain, session, client):
    headers = {"Authorization": "Bearer " + issue_api_token(session, chain["n1"], "tests")}
    session.commit()
    body = {"keyword": "mot-de-passe-oublie", "subject": "Appel", "description": "Perdu", "channel": "phone",
            "requester_email": "appelant@exemple.fr"}  # fmt: skip
    with app.app_context():
        missing = client.post("/api/v1/tickets", json=body, headers=headers)
    assert missing.status_code == 400 and missing.json["fields"] == ["requester_email"]
    with app.app_context():
        wrong = client.post("/api/v1/tickets", json={**body, "caller_name": "Sam", "caller_school": "9999999Z"}, headers=headers)
    assert wrong.status_code == 400 and "9999999Z" in wrong.json["error"]
    with app.app_context():
        done = client.post("/api/v1/tickets", json={**body, "caller_name": "Sam", "caller_school": chain["school"].uai},
                           headers=headers)  # fmt: skip
    assert done.status_code == 201 and done.json["requester"] == "Sam" and done.json["school"]["uai"] == chain["school"].uai
