import email
import email.policy
from pathlib import Path

from helpdesk.platform.timeutil import utcnow
from helpdesk.users.models import Role
from helpdesk.users.passwords import make_reset_token
from tests.factories import UserFactory


def test_login_with_good_password_lands_on_home(client):
    user = UserFactory()
    response = client.post("/connexion", data={"email": user.email.upper(), "password": "correct-horse-42"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert user.full_name in home.get_data(as_text=True)


def test_bad_password_and_unknown_account_get_the_same_generic_message(client):
    user = UserFactory()
    wrong = client.post("/connexion", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/connexion", data={"email": "nobody@ac-toulouse.fr", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Adresse électronique ou mot de passe incorrect." in response.get_data(as_text=True)


def test_login_keeps_the_typed_email_on_error(client):
    response = client.post("/connexion", data={"email": "someone@ac-toulouse.fr", "password": "x"})
    assert 'value="someone@ac-toulouse.fr"' in response.get_data(as_text=True)


def test_next_parameter_cannot_redirect_off_site(client):
    user = UserFactory()
    for target in ["https://evil.example/", "//evil.example/x", "/\\evil.example"]:
        response = client.post(f"/connexion?next={target}", data={"email": user.email, "password": "correct-horse-42"})
        assert response.headers["Location"] == "/"
        client.post("/deconnexion")
    response = client.post("/connexion?next=/compte", data={"email": user.email, "password": "correct-horse-42"})
    assert response.headers["Location"] == "/compte"


def test_inactive_account_cannot_log_in(client):
    user = UserFactory(is_active_account=False)
    assert client.post("/connexion", data={"email": user.email, "password": "correct-horse-42"}).status_code == 401


def test_password_reset_mail_link_works_once(app, client):
    user = UserFactory()
    outbox = Path(app.config["HELPDESK_DATA_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    response = client.post("/mot-de-passe-oublie", data={"email": user.email})
    assert response.status_code == 302
    mails = set(outbox.glob("*.eml")) - before
    assert len(mails) == 1
    body = email.message_from_bytes(mails.pop().read_bytes(), policy=email.policy.default).get_content()
    link = next(line.strip() for line in body.splitlines() if "/mot-de-passe/" in line)
    path = link.replace("http://testserver", "")
    ok = client.post(path, data={"password": "new-password-2026", "confirm": "new-password-2026"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/connexion"
    assert client.post("/connexion", data={"email": user.email, "password": "new-password-2026"}).status_code == 302
    client.post("/deconnexion")
    again = client.post(path, data={"password": "other-password-2026", "confirm": "other-password-2026"})
    assert again.headers["Location"] == "/mot-de-passe-oublie"


def test_reset_request_for_unknown_address_answers_the_same(client):
    response = client.post("/mot-de-passe-oublie", data={"email": "ghost@ac-toulouse.fr"}, follow_redirects=True)
    assert "Si un compte correspond" in response.get_data(as_text=True)


def test_weak_new_password_is_refused_and_form_redisplayed(app, client):
    user = UserFactory()
    token = make_reset_token(app.config["SECRET_KEY"], user.id, user.password_hash)
    response = client.post(f"/mot-de-passe/{token}", data={"password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert "au moins 10 caractères" in response.get_data(as_text=True)


def test_api_token_is_shown_once_and_authenticates(client, login_as):
    user = UserFactory(roles=[Role.REQUESTER])
    login_as(user)
    page = client.post("/compte", data={"name": "script"}).get_data(as_text=True)
    token = page.split("<code>")[1].split("</code>")[0]
    from helpdesk.platform.extensions import db
    from helpdesk.users.services import user_for_token

    assert user_for_token(db.session, token, now=utcnow()).id == user.id
    assert token not in client.get("/compte").get_data(as_text=True)


def test_agent_home_lists_the_open_tickets_of_its_tier(client, login_as, session):
    from tests.factories import BasinFactory, SchoolFactory, TicketFactory

    basin = BasinFactory()
    ticket = TicketFactory(requester=UserFactory(school=SchoolFactory(basin=basin)), tier="edulab", subject="Agenda sport vide")
    TicketFactory(tier="edulab", subject="Autre bassin")
    login_as(UserFactory(school=None, roles=[Role.EDULAB], basins=[basin]))
    page = client.get("/").get_data(as_text=True)
    assert ticket.reference in page and "Agenda sport vide" in page and "Autre bassin" not in page


def test_an_account_is_found_by_its_address_through_its_index(session):
    """Sign-in, callers, SSO and the admin find an account by its address whatever its case: one index seek on
    lower(email), never a read of the whole table (the plan of the statement find_by_email really sends)."""
    from sqlalchemy import event

    from helpdesk.platform.extensions import db
    from helpdesk.users.services import find_by_email
    from tests.factories import UserFactory

    UserFactory(email="claire.martin@ac-toulouse.fr")
    session.commit()
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert find_by_email(session, " Claire.Martin@AC-Toulouse.fr ").email == "claire.martin@ac-toulouse.fr"
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in sent if "lower(" in s)  # then roles and basins, by id
    connection = session.connection()
    if db.engine.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a near-empty table: make the planner show its index
        plan = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    else:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    assert "ix_user_account_email_lower" in str(plan), plan
