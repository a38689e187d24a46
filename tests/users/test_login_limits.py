"""Login limits count failures only, per account from one address, per account and per address, on the real
client address behind the trusted proxies; the lockout states the wait and sends Retry-After."""

import pytest

from helpdesk.platform.extensions import limiter
from tests.factories import TEST_PASSWORD, UserFactory

# Documentation address ranges (RFC 5737): nothing is ever sent to them, they only fill REMOTE_ADDR.
SCHOOL_NAT = "203.0.113.10"
HOME = "203.0.113.77"
PROXY = "198.51.100.1"


@pytest.fixture
def limits():
    limiter.enabled = True
    try:
        yield
    finally:
        limiter.reset()
        limiter.enabled = False


def attempt(client, email, password, address, **headers):
    return client.post(
        "/connexion", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}, headers=headers
    )


def test_successful_logins_never_count(limits, app, session):
    user = UserFactory()
    session.commit()
    for _ in range(8):
        client = app.test_client()
        assert attempt(client, user.email, TEST_PASSWORD, SCHOOL_NAT).status_code == 302
    assert attempt(app.test_client(), user.email, "wrong-password-1", SCHOOL_NAT).status_code == 401


def test_five_failures_lock_that_account_from_that_address_and_the_page_says_how_long(limits, app, session):
    user = UserFactory()
    session.commit()
    client = app.test_client()
    assert [attempt(client, user.email, "wrong-password-1", HOME).status_code for _ in range(5)] == [401] * 5
    locked = attempt(client, user.email, TEST_PASSWORD, HOME)
    page = locked.get_data(as_text=True)
    assert locked.status_code == 429
    # limits reports the window's end as a whole second rounded up, so the wait may read one second over the window.
    assert 1 <= int(locked.headers["Retry-After"]) <= 301
    assert "réessayez dans 5 minutes" in page and f'value="{user.email}"' in page
    # The owner, at school, is not locked out by failures typed elsewhere.
    assert attempt(app.test_client(), user.email, TEST_PASSWORD, SCHOOL_NAT).status_code == 302


def test_many_people_behind_one_school_address_do_not_lock_each_other_out(limits, app, session):
    people = UserFactory.create_batch(3)
    session.commit()
    for n in range(
        31
    ):  # thirty-one colleagues (the former limit counted 30 attempts per address) mistype their password once each, from the school's one address
        assert attempt(app.test_client(), f"colleague{n}@ac-toulouse.fr", "wrong-password-1", SCHOOL_NAT).status_code == 401
    for person in people:
        assert attempt(app.test_client(), person.email, TEST_PASSWORD, SCHOOL_NAT).status_code == 302


def test_an_account_guessed_from_many_addresses_is_locked_after_twenty_failures(limits, app, session):
    user = UserFactory()
    session.commit()
    statuses = [attempt(app.test_client(), user.email, "wrong-password-1", f"203.0.113.{n}").status_code for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_the_real_client_address_is_read_behind_the_trusted_proxy_only(limits, make_app, session):
    user = UserFactory()
    session.commit()
    proxied = make_app(TRUSTED_PROXIES=1)
    limiter.enabled = True
    for _ in range(5):
        assert attempt(proxied.test_client(), user.email, "bad-pass-1", PROXY, **{"X-Forwarded-For": HOME}).status_code == 401
    assert attempt(proxied.test_client(), user.email, TEST_PASSWORD, PROXY, **{"X-Forwarded-For": HOME}).status_code == 429
    # Same proxy, another client behind it: not locked.
    assert attempt(proxied.test_client(), user.email, TEST_PASSWORD, PROXY, **{"X-Forwarded-For": SCHOOL_NAT}).status_code == 302


def test_without_trusted_proxies_a_forwarded_header_cannot_dodge_the_limit(limits, app, session):
    user = UserFactory()
    session.commit()
    for n in range(5):
        forged = {"X-Forwarded-For": f"203.0.113.{100 + n}"}
        assert attempt(app.test_client(), user.email, "bad-pass-1", HOME, **forged).status_code == 401
    assert attempt(app.test_client(), user.email, TEST_PASSWORD, HOME, **{"X-Forwarded-For": "203.0.113.200"}).status_code == 429


def test_other_rate_limited_pages_state_the_wait_and_send_retry_after(limits, app):
    client = app.test_client()
    statuses = [client.post("/mot-de-passe-oublie", data={"email": "x@ac-toulouse.fr"}).status_code for _ in range(11)]
    assert statuses[-1] == 429
    response = client.post("/mot-de-passe-oublie", data={"email": "x@ac-toulouse.fr"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "réessayez dans" in response.get_data(as_text=True)
