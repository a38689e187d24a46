"""Signing in through the real CAS server and the real OpenID provider in a browser: the first login
creates the account, the next one updates it, a missing attribute is refused with an explanation, and after
logout (here or at the provider) a copy of the old session cookie no longer signs anyone in."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from helpdesk.users.models import ExternalIdentity, User
from tests.factories import SchoolFactory
from tests.users.conftest import CAS_LABEL, OIDC_LABEL

pytestmark = pytest.mark.browser
PASSWORD = "idp-password-2026"


def cas_account(school, name="Camille Martin", title="ENS", mail="camille.martin@ac-toulouse.fr", **extra):
    attributes = {"mail": mail, "displayName": name, "title": title, "FrEduRne": [f"{school.uai}$UAJ$PU$N$T3$CLG$340"]}
    return {"cmartin": {"password": PASSWORD, "attributes": {**attributes, **extra}}}


def oidc_account(school, name="Dominique Bernard", title="DIR", email="dominique.bernard@ac-toulouse.fr"):
    claims = {"email": email, "email_verified": True, "name": name, "title": title, "FrEduRne": [school.uai]}
    return {"dbernard": {"password": PASSWORD, "attributes": claims}}


def sign_in_with_cas(page, login="cmartin"):
    page.goto("/connexion")
    page.get_by_role("link", name=f"Se connecter avec {CAS_LABEL}").click()
    page.get_by_label("username").fill(login)
    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()


def sign_in_with_oidc(page, login="dbernard"):
    page.goto("/connexion")
    page.get_by_role("link", name=f"Se connecter avec {OIDC_LABEL}").click()
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page, sso, provider):
    page.get_by_role("button", name="Se déconnecter").click()
    if provider == "oidc":  # RP-initiated logout: the provider asks to confirm, then sends the browser back
        page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{sso.url}/")
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()


def account(session, provider, subject):
    session.expire_all()
    identity = session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.provider == provider, ExternalIdentity.subject == subject)
    )
    return identity.user if identity else None


def replay(browser, sso, cookies):
    """A second browser holding a copy of the session cookie taken earlier: is anyone signed in?"""
    context = browser.new_context(base_url=sso.url)
    try:
        context.add_cookies([c for c in cookies if c["name"] == "session"])
        page = context.new_page()
        page.goto("/compte")
        return page.url.startswith(f"{sso.url}/compte")
    finally:
        context.close()


def test_cas_first_login_creates_the_account_and_the_next_one_updates_it(sso, sso_page, session, screenshot):
    school, new_school = SchoolFactory(), SchoolFactory()
    session.commit()
    sso.accounts(cas=cas_account(school))
    sso_page.goto("/connexion")
    expect(sso_page.get_by_role("link", name=f"Se connecter avec {OIDC_LABEL}")).to_be_visible()
    screenshot(sso_page, "login-sso-buttons")
    sign_in_with_cas(sso_page)
    sso_page.wait_for_url(f"{sso.url}/")
    expect(sso_page.get_by_role("link", name="Camille Martin")).to_be_visible()
    user = account(session, "cas", "cmartin")
    assert (user.email, user.profile, user.school_id, user.auth_source) == (
        "camille.martin@ac-toulouse.fr",
        "enseignant",
        school.id,
        "sso",
    )
    sign_out(sso_page, sso, "cas")

    sso.accounts(cas=cas_account(new_school, name="Camille Martin-Durand", title="DIR"))
    sign_in_with_cas(sso_page)  # the CAS session ended with ours: the CAS asks for the password again
    sso_page.wait_for_url(f"{sso.url}/")
    expect(sso_page.get_by_role("link", name="Camille Martin-Durand")).to_be_visible()
    updated = account(session, "cas", "cmartin")
    assert updated.id == user.id and session.scalar(select(User.id).where(User.id != user.id)) is None
    assert (updated.full_name, updated.profile, updated.school_id) == (
        "Camille Martin-Durand",
        "chef_etablissement",
        new_school.id,
    )


def test_oidc_first_login_creates_the_account_and_the_next_one_updates_it(sso, sso_page, session):
    school = SchoolFactory()
    session.commit()
    sso.accounts(oidc=oidc_account(school, title="ENS"))
    sign_in_with_oidc(sso_page)
    sso_page.wait_for_url(f"{sso.url}/")
    expect(sso_page.get_by_role("link", name="Dominique Bernard")).to_be_visible()
    user = account(session, "oidc", "dbernard")
    assert (user.email, user.profile, user.school_id) == ("dominique.bernard@ac-toulouse.fr", "enseignant", school.id)
    sign_out(sso_page, sso, "oidc")

    sso.accounts(oidc=oidc_account(school, name="Dominique Bernard-Roux", title="DIR", email="d.bernard@ac-toulouse.fr"))
    sign_in_with_oidc(sso_page)
    sso_page.wait_for_url(f"{sso.url}/")
    updated = account(session, "oidc", "dbernard")
    assert updated.id == user.id
    assert (updated.full_name, updated.email, updated.profile) == (
        "Dominique Bernard-Roux",
        "d.bernard@ac-toulouse.fr",
        "chef_etablissement",
    )


def test_a_missing_attribute_is_refused_with_an_explanation(sso, sso_page, session, screenshot):
    school = SchoolFactory()
    session.commit()
    without_school = cas_account(school)
    del without_school["cmartin"]["attributes"]["FrEduRne"]
    sso.accounts(cas=without_school, oidc=oidc_account(school, email=""))
    sign_in_with_cas(sso_page)
    expect(sso_page.get_by_role("heading", name="Connexion impossible")).to_be_visible()
    expect(sso_page.get_by_text("le code UAI de votre établissement")).to_be_visible()
    screenshot(sso_page, "sso-refused-missing-attribute")
    sign_in_with_oidc(sso_page)
    expect(sso_page.get_by_text("votre adresse électronique", exact=True)).to_be_visible()
    session.expire_all()
    assert session.scalar(select(User.id)) is None


@pytest.mark.parametrize("provider", ["cas", "oidc"])
def test_after_logout_a_copy_of_the_old_cookie_is_refused(sso, sso_page, browser, session, provider):
    school = SchoolFactory()
    session.commit()
    sso.accounts(cas=cas_account(school), oidc=oidc_account(school))
    (sign_in_with_cas if provider == "cas" else sign_in_with_oidc)(sso_page)
    sso_page.wait_for_url(f"{sso.url}/")
    copied = sso_page.context.cookies()
    assert replay(browser, sso, copied)
    sign_out(sso_page, sso, provider)
    assert not replay(browser, sso, copied)


def test_a_logout_at_the_cas_server_ends_the_helpdesk_session_too(sso, sso_page, browser, session):
    school = SchoolFactory()
    session.commit()
    sso.accounts(cas=cas_account(school))
    sign_in_with_cas(sso_page)
    sso_page.wait_for_url(f"{sso.url}/")
    copied = sso_page.context.cookies()
    sso_page.goto(f"{sso.cas_url}/logout")  # signing out of another académie service: the CAS tells us (SLO)
    expect(sso_page.get_by_text("Logout successful")).to_be_visible()
    assert not replay(browser, sso, copied)
    sso_page.goto("/compte")
    sso_page.wait_for_url("**/connexion**")
