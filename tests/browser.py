"""Shared steps of the browser tests."""

from tests.factories import TEST_PASSWORD


def login(page, email, password=TEST_PASSWORD):
    """Sign in through the login form and wait for the home page."""
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
