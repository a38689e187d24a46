"""In a real browser (issue 16, « Start from free text »): a problem typed on the home page, in the FAQ search and
in step 1 of « Ouvrir un ticket » gets its diagnostic proposed first; following it carries the typed text to the
pre-filled ticket. Step 1's suggestions are one control each, and axe-core finds nothing serious there."""

import pytest

from tests.browser import axe_violations
from tests.browser import login as _login
from tests.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.browser

TYPED = "les groupes de langues sont en double depuis l'import de l'emploi du temps"
TREE_TITLE = "Groupes non reconnus ou en double après un import d'emploi du temps"


def _first_block_of_results(page) -> str:
    """The data-testid of whichever comes first: the proposed diagnostic or the first article."""
    return page.evaluate(
        "() => { const p = document.querySelector('[data-testid=diagnostic-proposal]');"
        " const r = document.querySelector('#resultats');"
        " return p && (!r || (p.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING)) ? 'diagnostic' : 'articles'; }"
    )


def test_home_page_search_proposes_the_diagnostic_first_and_follows_it(page, session, catalog, screenshot):
    page.goto("/")
    page.get_by_label("Rechercher dans la FAQ").fill("groupes en double après import edt")
    page.get_by_label("Rechercher dans la FAQ").press("Enter")
    page.get_by_test_id("diagnostic-proposal").wait_for()
    assert _first_block_of_results(page) == "diagnostic"
    assert TREE_TITLE in page.get_by_test_id("diagnostic-proposal").inner_text()
    screenshot(page, "free-text-home-to-faq")
    page.get_by_role("link", name="Commencer le diagnostic").click()
    page.get_by_role("heading", name=TREE_TITLE, level=1).wait_for()
    assert "?texte=" not in page.url  # the person's words stay out of the shareable address
    assert "groupes en double après import edt" in page.get_by_test_id("typed-problem").inner_text()


def test_faq_search_proposes_the_diagnostic_first(page, session, catalog, screenshot):
    page.goto("/faq")
    page.get_by_label("Rechercher dans la FAQ").fill("mon élève n'a toujours pas de compte ENT")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_test_id("diagnostic-proposal").wait_for()
    assert _first_block_of_results(page) == "diagnostic"
    assert "Un utilisateur n'a pas de compte ENT" in page.get_by_test_id("diagnostic-proposal").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "free-text-faq")
    page.get_by_role("link", name="Commencer le diagnostic").click()
    page.get_by_text("Quel est le profil de la personne").first.wait_for()


def test_step_1_proposes_the_diagnostic_live_then_the_prefilled_ticket_keeps_the_text(
    page,
    session,
    catalog,
    screenshot,
):
    teacher = UserFactory(school=SchoolFactory(), profile="enseignant")
    session.commit()
    _login(page, teacher.email)
    page.goto("/tickets/nouveau")
    page.get_by_label("Décrivez votre problème en quelques mots").press_sequentially(TYPED, delay=5)
    proposal = page.get_by_test_id("diagnostic-proposal")
    proposal.wait_for()
    page.locator("#keyword-suggestions a").first.wait_for()
    assert page.evaluate(
        "() => !!(document.querySelector('[data-testid=diagnostic-proposal]').compareDocumentPosition("
        "document.querySelector('#keyword-suggestions')) & Node.DOCUMENT_POSITION_FOLLOWING)"
    )  # the diagnostic comes before the keywords
    # One control per suggestion: a link each, no radio button.
    assert page.locator("#keyword-suggestions input").count() == 0
    assert page.locator("#keyword-suggestions li").count() == page.locator("#keyword-suggestions a").count() > 0
    assert axe_violations(page) == []
    screenshot(page, "free-text-step1")
    proposal.get_by_role("link", name="Commencer le diagnostic").click()
    page.get_by_role("heading", name=TREE_TITLE, level=1).wait_for()
    screenshot(page, "free-text-step1-diagnostic")
    for step in (1, 2):
        page.locator("#diagnostic-card label[for=reponse-oui]").click()
        page.get_by_role("button", name="Continuer").click()
        page.wait_for_function(
            "n => !document.querySelector('#diagnostic-card .fr-stepper__state') || "
            "!document.querySelector('#diagnostic-card .fr-stepper__state').textContent.includes('Étape ' + n + ' ')",
            arg=step,
        )
    page.get_by_role("button", name="Non, ouvrir un ticket").click()
    page.get_by_label("Description du problème").wait_for()
    description = page.get_by_label("Description du problème").input_value()
    assert description.startswith(TYPED + "\n\nJ'ai suivi le diagnostic « " + TREE_TITLE + " »")
    assert page.get_by_label("Objet").input_value() == TREE_TITLE  # the situation, as the diagnostic names it
    screenshot(page, "free-text-step1-diagnostic-ticket")


def test_step_1_keyword_link_opens_the_form_with_the_text(page, session, catalog, screenshot):
    teacher = UserFactory(school=SchoolFactory(), profile="enseignant")
    session.commit()
    _login(page, teacher.email)
    page.goto("/tickets/nouveau")
    page.get_by_label("Décrivez votre problème en quelques mots").press_sequentially(TYPED, delay=5)
    page.locator("#keyword-suggestions a").first.wait_for()
    page.locator("#keyword-suggestions a").first.click()
    page.get_by_label("Objet").wait_for()
    assert page.get_by_label("Objet").input_value() == TYPED[0].upper() + TYPED[1:]
    assert page.get_by_label("Description du problème").input_value() == TYPED
    assert axe_violations(page) == []
    screenshot(page, "free-text-step2-typed")
