"""In a real browser: a pilot tries a phrasing on the catalog page and sees the suggestions live (htmx)."""

import pytest

from helpdesk.platform.extensions import db
from helpdesk.routing.seed import seed_reference
from helpdesk.users.models import Role
from tests.factories import TEST_PASSWORD, UserFactory


@pytest.mark.browser
def test_pilot_sees_live_suggestions_and_edits_a_keyword(page, screenshot):
    seed_reference(db.session)
    pilot = UserFactory(roles=[Role.PILOTE], profile="personnel_academique")
    db.session.commit()
    page.goto("/connexion")
    page.fill("#email", pilot.email)
    page.fill("#password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.goto("/admin/mots-cles")
    page.fill("#try-q", "l'agenda de la rubrique sport a perdu ses dates")
    first = page.locator("#keyword-suggestions a").first
    first.wait_for(timeout=5000)
    assert first.get_attribute("id") == "keyword-suggestion-blog-agenda-ou-forum-de-rubrique"
    screenshot(page, "routing-catalog-suggestions")
    page.click("table a:has-text('blog, agenda ou forum de rubrique')")
    page.fill("#synonyms", page.input_value("#synonyms") + "\ncalendrier de la rubrique")
    page.fill("#comment", "Ajout d'un synonyme")
    screenshot(page, "routing-keyword-edit")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_url("**/admin/mots-cles")
    assert page.locator(".fr-alert, .fr-notice").first.is_visible() or "enregistré" in page.content()
    page.goto("/admin/mots-cles")
    page.click("tr:has-text('blog, agenda ou forum de rubrique') >> text=version 2")
    assert "calendrier de la rubrique" in page.content()
    screenshot(page, "routing-keyword-history")
