"""The dashboards in a real browser: charts drawn by Chart.js next to their tables, no script refused by the CSP,
axe-core finds no serious or critical violation; screenshots of each page for review."""

from datetime import timedelta

import pytest

from helpdesk.reports import rollups
from tests.browser import axe_violations, login
from tests.reports.conftest import MONDAY

pytestmark = pytest.mark.browser

PAGES = ["volumes", "delais", "orientation", "autonomie", "satisfaction"]
PERIOD = "du=2026-01-12&au=2026-01-18&pas=jour"


@pytest.fixture
def figures(session, activity, academie):
    from helpdesk.satisfaction import services as satisfaction
    from helpdesk.satisfaction.models import Survey

    for survey, (resolved, rating, comment) in zip(
        session.query(Survey).order_by(Survey.id), [(True, 5, "Très rapide, merci."), (False, 2, ""), (True, 4, "")], strict=False
    ):
        satisfaction.answer(
            session, survey, resolved=resolved, rating=rating, comment=comment, via="link", now=MONDAY + timedelta(days=3)
        )
    rollups.refresh(session, now=MONDAY + timedelta(days=3))
    session.commit()
    return academie


@pytest.fixture(autouse=True)
def _still_charts(page):
    """Charts drawn at once (no animation), as for people who ask their system for reduced motion."""
    page.emulate_media(reduced_motion="reduce")


def _csp_errors(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None)
    return errors


@pytest.mark.parametrize("name", PAGES)
def test_each_dashboard_draws_its_charts_and_passes_axe(page, figures, screenshot, name):
    errors = _csp_errors(page)
    login(page, figures["pilote"].email)
    page.goto(f"/pilotage/chiffres/{name}?{PERIOD}")
    canvases = page.locator("canvas.hd-chart")
    for index in range(canvases.count()):
        # Chart.js has drawn: it sized the canvas to its box.
        assert canvases.nth(index).evaluate("c => c.width > 0 && c.height > 0 && Chart.getChart(c) !== undefined")
    assert page.locator("table").count() >= 1
    assert errors == []
    screenshot(page, f"reports-{name}")
    assert axe_violations(page) == []


def test_filters_stay_in_the_url_and_the_form(page, figures, screenshot):
    login(page, figures["pilote"].email)
    page.goto(f"/pilotage/chiffres/volumes?{PERIOD}")
    page.get_by_label("Ventiler par", exact=True).select_option("canal")
    page.get_by_label("Canal", exact=True).select_option("phone")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**ventilation=canal**")
    assert "canal=phone" in page.url
    assert page.get_by_label("Canal", exact=True).input_value() == "phone"
    page.get_by_role("link", name="Délais").click()
    page.wait_for_url("**/delais?**")
    assert "canal=phone" in page.url  # the same filters on the next page


def test_head_of_school_dashboard(page, figures, screenshot):
    login(page, figures["head"].email)
    page.goto(f"/pilotage/chiffres/volumes?{PERIOD}")
    assert "mon établissement" in page.content()
    assert page.get_by_label("Bassin", exact=True).count() == 0
    screenshot(page, "reports-head-of-school")
    assert axe_violations(page) == []


def test_satisfaction_form_by_link_logged_out(page, session, academie, screenshot):
    from helpdesk.satisfaction import services as satisfaction
    from helpdesk.tickets import lifecycle, services

    ticket = services.open_ticket(
        session, actor=academie["teacher"], keyword=academie["agenda"], subject="Agenda vide", description="Rien", now=MONDAY
    )
    lifecycle.resolve(session, ticket, actor=academie["edulab"], solution="Recréé", now=MONDAY + timedelta(hours=1))
    session.commit()
    token = satisfaction.make_token("tests-only-secret", ticket.id)
    page.goto(f"/satisfaction/{token}")
    screenshot(page, "satisfaction-form")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Envoyer mon avis").click()
    assert "Indiquez si votre problème est résolu." in page.content()
    page.locator("label[for=resolved-oui]").click()
    page.locator("label[for=rating-4]").click()
    page.get_by_label("Commentaire (facultatif)").fill("Merci !")
    page.get_by_role("button", name="Envoyer mon avis").click()
    page.wait_for_url("**/satisfaction/merci")
    screenshot(page, "satisfaction-thanks")
    page.goto(f"/satisfaction/{token}")
    assert "déjà répondu" in page.content()


def test_configuration_journal(page, session, figures, screenshot):
    from tests.factories import BasinFactory

    BasinFactory(name="Comminges")
    session.commit()
    login(page, figures["pilote"].email)
    page.goto("/pilotage/journal/")
    assert "Comminges" in page.content()
    screenshot(page, "audit-journal")
    assert axe_violations(page) == []
