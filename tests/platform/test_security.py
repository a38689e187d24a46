import pytest

from helpdesk.platform.security import is_safe_next


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "script-src 'self'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def test_session_cookie_is_httponly_and_samesite(client):
    from tests.factories import UserFactory

    user = UserFactory()
    response = client.post("/connexion", data={"email": user.email, "password": "correct-horse-42"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "target,ok",
    [
        ("/tickets", True),
        ("/compte?x=1", True),
        ("https://evil.example", False),
        ("//evil.example", False),
        ("/\\evil", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_next(target, ok):
    assert is_safe_next(target) is ok


def test_csrf_is_enforced_when_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/connexion", data={"email": "a@b.c", "password": "x"})
        assert response.status_code == 400
        assert "formulaire a expiré" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_token_lives_long_enough_for_a_long_draft(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] >= 4 * 3600


def test_login_rate_limit_per_account_fails_closed_only_for_that_account(app):
    from helpdesk.platform.extensions import limiter

    limiter.enabled = True
    try:
        client = app.test_client()
        statuses = [
            client.post("/connexion", data={"email": "target@ac-toulouse.fr", "password": "bad"}).status_code for _ in range(7)
        ]
        assert statuses[:5] == [401] * 5 and statuses[-1] == 429
        other = client.post("/connexion", data={"email": "other@ac-toulouse.fr", "password": "bad"})
        assert other.status_code == 401
    finally:
        limiter.reset()
        limiter.enabled = False


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert {key: body[key] for key in ("status", "database", "redis")} == {"status": "ok", "database": "ok", "redis": "ok"}
    # No holiday data at all: a warning, not a fault.
    assert body["holidays_until"] is None and "Aucun jour férié" in body["warnings"][0]


def test_login_still_works_when_redis_is_down(app, tmp_path):
    """Rate limits fail open: a Redis outage must never turn the login form into an error page."""
    from helpdesk import create_app
    from helpdesk.platform.extensions import limiter

    broken = create_app(
        {
            "HELPDESK_DATA_DIR": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "x",
        }
    )
    limiter.enabled = True
    try:
        client = broken.test_client()
        with broken.app_context():
            response = client.post("/connexion", data={"email": "a@ac-toulouse.fr", "password": "wrong"})
        assert response.status_code == 401
        assert "mot de passe incorrect" in response.get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["redis"].startswith("error")
    finally:
        limiter.init_app(app)  # the limiter is a process-wide extension: give it back its real storage
        limiter.enabled = False
