"""In a real browser: a pilot writes a canned reply, an EduLAB referent inserts it in a reply (htmx, then without
JavaScript), sends it, and merges a duplicate into the ticket; axe-core finds no serious or critical violation on the
canned-replies pages and the ticket page."""

import re

import pytest
from playwright.sync_api import expect

from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import services
from tests.browser import axe_violations, login
from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(user, javascript=True):
        context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900},
                                      java_script_enabled=javascript)  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        login(page, user.email)
        return page

    yield _open
    for context in contexts:
        context.close()


def _open_ticket(session, chain, requester, subject):
    ticket = services.open_ticket(session, actor=chain[requester], keyword=chain["keyword"], subject=subject,
                                  description="Les dates de l'agenda ont disparu.", now=utcnow(),
                                  extra_fields={"rubrique": "Sport"})  # fmt: skip
    session.commit()
    return ticket


def test_canned_reply_insertion_and_a_merge(as_user, chain, session, screenshot):
    ArticleFactory(slug="vider-cache", title="Vider le cache du navigateur", service="rubriques")
    survivor = _open_ticket(session, chain, "teacher", "Agenda de la rubrique sport vide")
    duplicate = _open_ticket(session, chain, "teacher", "Agenda sport : plus aucune date")

    pilot = as_user(chain["pilote"])
    pilot.goto("/reponses-types/nouvelle")
    pilot.get_by_label("Titre").fill("Agenda vide : vider le cache")
    pilot.get_by_label("Texte").fill("Bonjour {demandeur},\n\nPour votre demande {reference}, essayez ceci : {faq:vider-cache}.")
    pilot.get_by_label("Service").select_option("rubriques")
    assert axe_violations(pilot) == []
    pilot.get_by_role("button", name="Enregistrer").click()
    pilot.get_by_text("Réponse type enregistrée.").wait_for()
    pilot.get_by_label("Titre").fill("Agenda vide : vider le cache du navigateur")
    pilot.get_by_role("button", name="Enregistrer").click()
    pilot.get_by_text("Réponse type enregistrée.").wait_for()
    assert pilot.locator(".hd-audit-entry").count() == 2
    assert axe_violations(pilot) == []
    screenshot(pilot, "answers-01-canned-reply-history")
    pilot.goto("/reponses-types/")
    assert axe_violations(pilot) == []
    screenshot(pilot, "answers-02-canned-replies")

    agent = as_user(chain["edulab"])
    agent.goto(f"/tickets/{survivor.reference}")
    agent.get_by_label("Votre message").fill("Merci pour votre signalement.")
    agent.get_by_label("Réponse type").select_option(index=0)
    agent.get_by_role("button", name="Insérer la réponse type").click()
    box = agent.get_by_label("Votre message")
    expect(box).to_have_value(re.compile("Camille Enseignante"))
    value = box.input_value()
    assert value.startswith("Merci pour votre signalement.\n\nBonjour Camille Enseignante,")
    assert survivor.reference in value and "[Vider le cache du navigateur](" in value and "/faq/vider-cache)" in value
    agent.get_by_label("Temps passé (minutes)").first.fill("15")
    assert axe_violations(agent) == []
    screenshot(agent, "answers-03-reply-with-canned-reply")
    agent.get_by_role("button", name="Envoyer", exact=True).click()
    agent.get_by_text("Message envoyé.").wait_for()
    assert "15 min" in agent.locator("#time-spent").inner_text()

    # Without JavaScript the same choice re-renders the page with the reply box filled.
    plain = as_user(chain["edulab"], javascript=False)
    plain.goto(f"/tickets/{duplicate.reference}")
    plain.get_by_label("Réponse type").select_option(index=0)
    plain.get_by_role("button", name="Insérer la réponse type").click()
    plain.wait_for_url(re.compile(r".*reponse_type=\d+"))
    assert (
        plain.get_by_label("Votre message")
        .input_value()
        .startswith(f"Bonjour Camille Enseignante,\n\nPour votre demande {duplicate.reference}")
    )
    screenshot(plain, "answers-04-canned-reply-without-javascript")

    # The duplicate is merged into the first ticket.
    agent.goto(f"/tickets/{duplicate.reference}")
    agent.locator("summary", has_text="Fusionner dans un autre ticket").click()
    agent.get_by_label("Fusionner dans le ticket").fill(survivor.reference)
    agent.locator("#merge-reason").fill("Même agenda, même établissement")
    screenshot(agent, "answers-05-merge-form")
    agent.locator("form[action$='/actions/merge'] button[type=submit]").click()
    agent.get_by_text("Ticket fusionné").first.wait_for()
    assert "Ce ticket a été fusionné dans" in agent.locator("#merged").inner_text()
    assert agent.locator("#ticket-status").text_content().strip() == "Clos"
    assert axe_violations(agent) == []
    screenshot(agent, "answers-06-merged-duplicate")
    agent.get_by_role("link", name=re.compile(survivor.reference)).first.click()
    assert "Doublon fusionné ici" in agent.locator("#related").inner_text()
    assert "Doublon fusionné dans ce ticket" in agent.locator("#timeline").inner_text()
    assert axe_violations(agent) == []
    screenshot(agent, "answers-07-survivor-with-merged-duplicate")

    # The pilot team undoes it.
    pilot.goto(f"/tickets/{duplicate.reference}")
    pilot.locator("summary", has_text="Annuler la fusion").click()
    pilot.locator("form[action$='/actions/undo_merge'] button[type=submit]").click()
    pilot.get_by_text("Fusion annulée").first.wait_for()
    assert pilot.locator("#merged").count() == 0
    screenshot(pilot, "answers-08-merge-undone")


def test_level_one_records_a_phone_caller_without_an_account(as_user, chain, session, screenshot):
    level1 = as_user(chain["n1"])
    level1.goto("/tickets/nouveau?keyword=mot-de-passe-oublie")
    level1.get_by_label("Courriel du demandeur").fill("parent.appelant@exemple.fr")
    level1.get_by_label("Canal").select_option("phone")
    level1.get_by_label("Nom de l'appelant").fill("Alex Appelant")
    level1.get_by_label("Établissement de l'appelant (UAI)").fill(chain["school"].uai)
    level1.get_by_label("Objet").fill("Mot de passe perdu, appel du secrétariat")
    level1.get_by_label("Description du problème").fill("La personne n'arrive plus à se connecter depuis ce matin.")
    level1.get_by_label("Téléphone du contact").fill("05 61 00 00 00")
    assert axe_violations(level1) == []
    screenshot(level1, "answers-09-phone-caller-form")
    level1.get_by_role("button", name="Envoyer le ticket").click()
    level1.wait_for_url(re.compile(r".*/tickets/ENT-\d{4}-\d{6}$"))
    facts = level1.locator("#facts").inner_text()
    assert "Alex Appelant — Téléphone" in facts and chain["school"].name in facts
    screenshot(level1, "answers-10-phone-caller-ticket")
