"""A login session ends on the server: a copy of the cookie taken before logout, a password change, a
deactivation or a single logout no longer signs anyone in, on any node; the user loads in one query."""

from flask import g
from sqlalchemy import event

from helpdesk.admin.services import save_user
from helpdesk.platform.extensions import db
from helpdesk.users.models import Role
from helpdesk.users.services import end_sessions, load_session_user, set_password
from tests.factories import UserFactory


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """Another browser (or another web node) presenting the copied cookie."""
    g.pop("_login_user", None)  # the test's app context outlives requests: forget who the last one loaded
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/compte")


def test_a_cookie_copied_before_logout_no_longer_works(app, client, login_as, session):
    user = UserFactory()
    session.commit()
    login_as(user)
    copied = _session_cookie(client)
    assert _replay(app, copied).status_code == 200
    client.post("/deconnexion")
    replay = _replay(app, copied)
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/connexion")


def test_a_cookie_copied_before_a_password_change_no_longer_works(app, client, login_as, session):
    user = UserFactory()
    session.commit()
    login_as(user)
    copied = _session_cookie(client)
    set_password(session, user, "another-password-2026")
    session.commit()
    assert _replay(app, copied).status_code == 302
    assert login_as(user, "another-password-2026").get("/compte").status_code == 200


def test_a_cookie_copied_before_deactivation_no_longer_works_even_after_reactivation(app, client, login_as, session):
    admin = UserFactory(roles=[Role.ADMIN], school=None)
    user = UserFactory()
    session.commit()
    login_as(user)
    copied = _session_cookie(client)
    fields = {"full_name": user.full_name, "email": user.email, "profile": user.profile, "school_uai": user.school.uai}
    save_user(session, user, actor=admin, roles=[Role.REQUESTER], basin_ids=[], is_active=False, **fields)
    session.commit()
    assert _replay(app, copied).status_code == 302
    save_user(session, user, actor=admin, roles=[Role.REQUESTER], basin_ids=[], is_active=True, **fields)
    session.commit()
    assert _replay(app, copied).status_code == 302


def test_the_user_of_a_session_loads_in_one_query(session):
    user = UserFactory(roles=[Role.EDULAB, Role.REQUESTER])
    session.commit()
    token = user.get_id()
    session.expunge_all()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        loaded = load_session_user(session, token)
        assert loaded.roles == {Role.EDULAB, Role.REQUESTER} and loaded.basin_ids == frozenset()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1, statements


def test_session_ids_that_cannot_be_a_live_session_load_nobody(session):
    user = UserFactory()
    session.commit()
    old_version = user.get_id()
    end_sessions(session, user)
    session.commit()
    for token in [str(user.id), old_version, "", "x:1", f"{2**40}:1", f"{user.id}:", f"{user.id}:-1"]:
        assert load_session_user(session, token) is None, token
    assert load_session_user(session, user.get_id()).id == user.id
