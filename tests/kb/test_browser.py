"""A reader searches the FAQ in a real browser, sees the glossary card and opens an article (desktop and phone)."""

import pytest

from kb.seed import seed_reference

pytestmark = pytest.mark.browser


def test_search_the_faq_and_open_an_article(page, session, screenshot):
    seed_reference(session)
    session.commit()
    page.goto("/faq")
    page.get_by_label("Rechercher dans la FAQ").fill("ajouter une signture a mes mails")
    page.get_by_role("button", name="Rechercher").click()
    assert page.get_by_text("Vouliez-vous dire").is_visible()
    first = page.locator(".hd-results li a").first
    title = first.inner_text()
    assert "signature" in title.lower()
    screenshot(page, "kb-search-results")
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == title
    assert page.get_by_text("Cette réponse vous a-t-elle aidé ?").is_visible()
    page.get_by_role("button", name="Oui").click()
    assert page.get_by_text("Merci pour votre avis.").is_visible()
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "kb-article-phone")
