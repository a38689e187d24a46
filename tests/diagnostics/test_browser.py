"""A head of school walks the diagnostics in a real browser: to a fix (what to run, how long to wait), and
to an escalation that hands the answers to the ticket form."""

from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from helpdesk.platform.prefill import read_prefill
from kb.seed import load_articles
from tests.browser import login as _login
from tests.diagnostics.test_walk_pages import _with_ticket_form
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def _answer(page, label: str, step: int):
    page.get_by_text(label, exact=True).click()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_function(
        "n => !document.querySelector('#diagnostic-card .fr-stepper__state') || "
        "!document.querySelector('#diagnostic-card .fr-stepper__state').textContent.includes('Étape ' + n + ' ')",
        arg=step,
    )


def test_head_of_school_finds_the_fix_for_a_new_teacher_without_account(page, session, seeded, screenshot):
    head = UserFactory(profile="chef_etablissement", full_name="Anne Principale")
    load_articles(session)
    session.commit()
    _login(page, head.email)
    # "Under a minute" is measured in steps, not seconds: two answers, no typing.
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Erreurs fréquentes").click()
    page.get_by_role("link", name="Un utilisateur n'a pas de compte ENT").click()
    page.get_by_text("Étape 1 sur au plus 3").wait_for()
    screenshot(page, "diagnostics-question-profil")
    _answer(page, "Enseignant (y compris ULIS ou complément de service)", 1)
    assert page.get_by_text("Étape 2 sur au plus 3").is_visible()
    _answer(page, "Non, ou je ne sais pas", 2)
    heading = page.get_by_role("heading", name="Saisir les services dans STSweb, puis lancer les exports")
    heading.wait_for()
    content = page.content()
    assert "STSweb &gt; Exports &gt; Structure / Services" in content  # what to run
    assert "jusqu'à 48 heures" in page.inner_text("#diagnostic-card")  # how long to wait
    assert "a=enseignant,non" in unquote(page.url)  # htmx pushed the shareable path
    assert page.get_by_role("button", name="Oui, c'est résolu").is_visible()
    assert page.get_by_role("link", name="Un enseignant (ULIS, complément de service) n'a aucun compte ENT").is_visible()
    screenshot(page, "diagnostics-fix-compte-enseignant")
    page.get_by_role("button", name="Oui, c'est résolu").click()
    page.get_by_role("heading", name="Merci, le problème est résolu").wait_for()


def test_case_the_tree_cannot_fix_reaches_the_escalation_with_the_prefill_link(
    app, page, session, seeded, screenshot, monkeypatch
):
    _with_ticket_form(monkeypatch)
    head = UserFactory(profile="chef_etablissement")
    session.commit()
    _login(page, head.email)
    page.goto("/erreurs-frequentes/compte-absent")
    _answer(page, "Enseignant (y compris ULIS ou complément de service)", 1)
    _answer(page, "Oui", 2)
    _answer(page, "Oui, il y a plus de 48 heures", 3)
    page.get_by_role("heading", name="Ouvrir un ticket pour l'EduLAB du bassin").wait_for()
    link = page.get_by_role("link", name="Ouvrir le ticket pré-rempli")
    query = dict(parse_qsl(urlsplit(link.get_attribute("href")).query))
    assert query["keyword"] == "compte-enseignant-absent"
    data = read_prefill(app.config["SECRET_KEY"], query["prefill"])
    assert data["tier"] == "edulab" and len(data["answers"]) == 3
    assert "traité par : EduLAB" in page.inner_text("#diagnostic-card")
    screenshot(page, "diagnostics-escalation-compte-enseignant")
    # The back link returns to the last question without losing the earlier answers.
    page.get_by_role("link", name="Revenir à la question précédente").click()
    page.get_by_text("Étape 3 sur au plus 3").wait_for()
    assert "a=enseignant,oui" in unquote(page.url)


def test_pilot_edits_a_tree_with_preview_and_reads_the_statistics(page, session, seeded, screenshot):
    from helpdesk.users.models import Role

    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    page.goto("/erreurs-frequentes/pix")
    _answer(page, "Un enseignant, pour son propre compte Pix", 1)  # one run, so the chart has a bar
    _login(page, pilot.email)
    page.goto("/erreurs-frequentes/compte-absent/modifier")
    editor = page.get_by_label("Arbre au format YAML")
    editor.fill(editor.input_value().replace("next: tkt3", "next: q99"))
    page.get_by_role("button", name="Prévisualiser").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Le nœud « q7 » : la réponse « ancien » mène à « q99 », qui n'existe pas." in alert.inner_text()
    assert "next: q99" in page.get_by_label("Arbre au format YAML").input_value()  # nothing lost
    screenshot(page, "diagnostics-editor-error")
    editor = page.get_by_label("Arbre au format YAML")
    editor.fill(editor.input_value().replace("next: q99", "next: tkt3"))
    page.get_by_label("Commentaire de version").fill("Relecture")
    page.get_by_role("button", name="Prévisualiser").click()
    page.get_by_text("Le diagnostic est valide").wait_for()
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.get_by_text("Version 2 enregistrée.").wait_for()
    page.goto("/erreurs-frequentes/statistiques")
    assert page.get_by_role("table").get_by_role("row").count() >= 13
    screenshot(page, "diagnostics-statistics")
