"""A reader searches the FAQ in a real browser, sees the glossary card and opens an article (desktop and phone)."""

import pytest
from playwright.sync_api import expect

from kb.seed import seed_reference

pytestmark = pytest.mark.browser


def test_search_the_faq_and_open_an_article(page, session, screenshot):
    seed_reference(session)
    session.commit()
    page.goto("/faq")
    page.get_by_label("Rechercher dans la FAQ").fill("ajouter une signture a mes mails")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("Vouliez-vous dire").wait_for()
    first = page.locator(".hd-results li a").first
    title = first.inner_text()
    assert "signature" in title.lower()
    screenshot(page, "kb-search-results")
    first.click()
    expect(page.locator("h1")).to_have_text(title)
    assert page.get_by_text("Cette réponse vous a-t-elle aidé ?").is_visible()
    page.get_by_role("button", name="Oui").click()
    page.get_by_text("Merci pour votre avis.").wait_for()
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "kb-article-phone")
