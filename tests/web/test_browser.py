"""Each role logs in through a real browser and lands on its own home page."""

import pytest

from helpdesk.users.models import Role
from tests.factories import BasinFactory, UserFactory

pytestmark = pytest.mark.browser

HOME_MARKERS = {
    Role.REQUESTER: "Mes derniers tickets",
    Role.AGENT_N1: "Arrivés dans ma file : à prendre en charge",
    Role.EDULAB: "Arrivés dans ma file : à prendre en charge",
    Role.PILOTE: "Arrivés dans ma file : à prendre en charge",
    Role.EDITEUR: "Arrivés dans ma file : à prendre en charge",
    Role.ADMIN: "Administration de l'assistance",
    Role.DAFPEN: "formation d'initiative locale",
    Role.FORMATION: "formation d'initiative locale",
}


def _login(page, email, password="correct-horse-42"):
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_home(page, session, role):
    user = UserFactory(roles=[role], basins=[BasinFactory()] if role == Role.EDULAB else [])
    session.commit()
    _login(page, user.email)
    page.wait_for_url("**/")
    assert HOME_MARKERS[role] in page.content()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()


def test_bad_password_shows_a_clear_french_error(page, session, screenshot):
    user = UserFactory()
    session.commit()
    _login(page, user.email, "mauvais-mot-de-passe")
    alert = page.get_by_role("alert")
    assert "Adresse électronique ou mot de passe incorrect." in alert.inner_text()
    assert page.get_by_label("Adresse électronique").input_value() == user.email
    screenshot(page, "login-bad-password")


def test_home_page_screenshot(page, session, screenshot):
    page.goto("/")
    assert "Besoin d'aide avec l'ENT" in page.content()
    screenshot(page, "home-public")
    user = UserFactory(profile="chef_etablissement")
    session.commit()
    _login(page, user.email)
    page.wait_for_url("**/")
    screenshot(page, "home-requester")
