"""The queue in a real browser, as an EduLAB referent clears a morning's queue: filter (GET form, no script needed),
sort by a column, page forward and back, tick rows and take them in one go, read one result per ticket; axe-core
finds no serious or critical violation; screenshots at 1280 px and on a 390 px phone."""

from datetime import timedelta

import pytest

from helpdesk.platform.timeutil import utcnow
from tests.browser import axe_violations, login
from tests.factories import TicketFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(chain, session):
    now = utcnow()
    tickets = []
    for i in range(32):
        tickets.append(
            TicketFactory(
                requester=chain["teacher"] if i % 2 else chain["colleague"],
                keyword=chain["keyword"],
                subject=f"Agenda de la rubrique {i:02d} vide",
                priority=["low", "normal", "high", "urgent"][i % 4],
                resolution_due_at=now + timedelta(hours=(i % 7) * 5 - 6) if i % 5 else None,
                assignee=chain["edulab"] if i % 6 == 0 else None,
                status="taken" if i % 6 == 0 else "new",
                channel=["web", "phone", "mail"][i % 3],
            )
        )
    session.commit()
    return tickets


def _refs(page):
    return page.locator("#queue tbody tr").evaluate_all("rows => rows.map(r => r.dataset.ref)")


def test_agent_filters_sorts_pages_back_and_forth_and_takes_tickets_in_bulk(page, browser, live_server, chain, queue, screenshot):
    login(page, chain["edulab"].email)
    page.goto("/tickets/file?statut=open")
    assert "32 tickets" in page.locator("#queue-count").inner_text()
    assert page.locator("#queue .fr-badge--error").count() > 0  # overdue rows say so, in words as well as colour
    table = page.locator("#queue").inner_text().lower()  # DSFR badges are shown in capitals
    assert "dépassée de" in table and "reste" in table
    screenshot(page, "queue-01-open-1280")
    assert axe_violations(page) == []

    # Filter without any script: the GET form puts every filter in the URL.
    page.get_by_label("Pris par").select_option("personne")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**porteur=personne**")
    unassigned = page.locator("#queue-count").inner_text()
    assert unassigned.startswith("26 tickets"), unassigned

    # Sort by priority (a first click: most urgent first), then page forward and back.
    page.locator("#queue thead a", has_text="Priorité").click()
    page.wait_for_url("**tri=priorite**")
    assert page.locator("#queue th[aria-sort]").get_attribute("aria-sort") == "descending"
    first = _refs(page)
    assert len(first) == 25 and "urgente" in page.locator("#queue tbody tr").first.inner_text().lower()
    page.get_by_role("link", name="Page suivante").click()
    page.wait_for_url("**apres=**")
    second = _refs(page)
    assert len(second) == 1 and not set(first) & set(second)
    page.get_by_role("link", name="Page précédente").click()
    page.wait_for_url("**avant=**")
    assert _refs(page) == first
    screenshot(page, "queue-02-sorted-by-priority")

    # Tick two rows and take them; the page says what happened to each.
    for ref in first[:2]:
        page.locator(f'#queue tr[data-ref="{ref}"] input[type=checkbox]').check(force=True)  # the DSFR label draws the box
    page.get_by_label("Action", exact=True).select_option("take")
    page.get_by_role("button", name="Appliquer aux tickets cochés").click()
    results = page.locator("#bulk-results")
    try:
        results.wait_for(timeout=10000)
    except Exception:
        screenshot(page, "queue-debug")
        print(page.url, page.locator("main").inner_text()[:3000])
        raise
    assert "2 fait(s) sur 2" in results.inner_text()
    for ref in first[:2]:
        assert ref in results.locator(".bulk-done").all_inner_texts().__str__()
    screenshot(page, "queue-03-bulk-results")
    assert axe_violations(page) == []

    # Save the view, then find it again.
    page.get_by_label("Nom de la vue").fill("Non affectés par priorité")
    page.get_by_role("button", name="Enregistrer cette vue").click()
    page.get_by_text("Vue « Non affectés par priorité » enregistrée.").wait_for()
    assert "porteur=personne" in page.url and "tri=priorite" in page.url

    # The same page on a phone: the table scrolls inside its DSFR wrapper, nothing spills out of the page.
    phone = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 390, "height": 844})
    small = phone.new_page()
    try:
        login(small, chain["edulab"].email)
        small.goto("/tickets/file?statut=open")
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        screenshot(small, "queue-04-phone-390")
        assert axe_violations(small) == []
    finally:
        phone.close()
