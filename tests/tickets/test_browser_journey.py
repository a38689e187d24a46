"""The whole chain in a real browser: a teacher opens a ticket with a screenshot; EduLAB, pilot and vendor move it;
the teacher confirms; the audit trail shows every step."""

import re

import pytest
from sqlalchemy import select

from helpdesk.tickets.models import Ticket
from tests.tickets.conftest import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(user):
        context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto("/connexion")
        page.get_by_label("Adresse électronique").fill(user.email)
        page.get_by_label("Mot de passe").fill("correct-horse-42")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/")
        return page

    yield _open
    for context in contexts:
        context.close()


def test_ticket_travels_the_whole_chain(as_user, chain, session, screenshot, tmp_path):
    capture = tmp_path / "capture-agenda.png"
    capture.write_bytes(png_bytes(40, 30))

    teacher = as_user(chain["teacher"])
    teacher.goto("/tickets/nouveau")
    teacher.get_by_label("Décrivez votre problème en quelques mots").press_sequentially("l'agenda de la rubrique sport est vide")
    # The suggestion, loaded by htmx as the teacher types; DSFR draws the radio inside its label.
    teacher.locator("label[for=keyword-suggestion-agenda-rubrique-vide]").click()
    assert teacher.get_by_label("agenda de rubrique vide").is_checked()
    teacher.get_by_role("button", name="Continuer", exact=True).click()
    teacher.get_by_label("Objet").fill("L'agenda de la rubrique sport a perdu ses dates")
    teacher.get_by_label("Description du problème").fill("Depuis lundi, les dates de l'association sportive n'apparaissent plus.")
    teacher.get_by_label("Nom de la rubrique").fill("Sport")
    teacher.get_by_label("Captures d'écran ou documents").set_input_files(str(capture))
    screenshot(teacher, "tickets-01-teacher-form")
    teacher.get_by_role("button", name="Envoyer le ticket").click()
    teacher.wait_for_url(re.compile(r".*/tickets/ENT-\d{4}-\d{6}$"))
    teacher.get_by_text("transmis à « EduLAB »").first.wait_for()  # waits for the page after the click
    ref = teacher.url.rsplit("/", 1)[1]
    assert teacher.get_by_role("link", name="capture-agenda.png").is_visible()
    screenshot(teacher, "tickets-02-ticket-created")

    outsider = as_user(chain["other_edulab"])
    assert outsider.goto(f"/tickets/{ref}").status == 404

    edulab = as_user(chain["edulab"])
    edulab.goto("/tickets/file")
    assert edulab.get_by_role("link", name=ref).is_visible()
    screenshot(edulab, "tickets-03-edulab-queue")
    edulab.get_by_role("link", name=ref).click()
    edulab.get_by_role("button", name="Prendre en charge").click()
    edulab.get_by_label("Motif de l'escalade").fill("Paramétrage de la rubrique vérifié : les dates sont bien saisies")
    edulab.get_by_role("button", name="Escalader au niveau suivant").click()
    edulab.get_by_text("Ticket transmis à « Équipe pilote »").first.wait_for()  # waits for the page after the click

    pilot = as_user(chain["pilote"])
    pilot.goto(f"/tickets/{ref}")
    pilot.get_by_label("Motif de l'escalade").fill("Reproduit en recette : l'agenda perd les dates récurrentes")
    pilot.locator("label[for=as_bug]").click()  # DSFR draws the box on the label
    assert pilot.get_by_label("Transmettre à l'éditeur comme bug confirmé").is_checked()
    pilot.get_by_label("Référence chez l'éditeur").fill("KOS-7781")
    screenshot(pilot, "tickets-04-pilot-transmits")
    pilot.get_by_role("button", name="Transmettre à l'éditeur").click()
    pilot.get_by_text("Ticket transmis à « Éditeur »").first.wait_for()  # waits for the page after the click

    vendor = as_user(chain["editeur"])
    vendor.goto("/tickets/file")
    vendor.get_by_role("link", name=ref).click()
    vendor.get_by_label("Votre message").fill("Anomalie corrigée dans la version 4.12, déployée ce soir.")
    vendor.get_by_role("button", name="Envoyer la réponse").click()
    vendor.get_by_label("Motif du renvoi au niveau inférieur").fill("Correctif livré en 4.12")
    vendor.get_by_role("button", name="Renvoyer au niveau inférieur").click()
    vendor.get_by_text("Ticket renvoyé à « Équipe pilote »").first.wait_for()  # waits for the page after the click

    pilot.goto(f"/tickets/{ref}")
    pilot.get_by_label("Solution apportée").fill("Correctif éditeur 4.12 déployé, dates revenues")
    pilot.get_by_role("button", name="Résoudre").click()
    pilot.get_by_text("Ticket résolu.").first.wait_for()  # waits for the page after the click

    teacher.goto(f"/tickets/{ref}")
    teacher.get_by_role("button", name="Confirmer la résolution").click()
    teacher.get_by_text("le ticket est clos").first.wait_for()  # waits for the page after the click
    trail = teacher.locator("#audit-trail").inner_text()
    for step in (
        "Création",
        "Pris en charge",
        "EduLAB → Équipe pilote",
        "Équipe pilote → Éditeur",
        "Éditeur → Équipe pilote",
        "Paramétrage de la rubrique vérifié",
        "Correctif livré en 4.12",
        "Résolu → Clos",
    ):
        assert step in trail, step
    screenshot(teacher, "tickets-05-closed-with-trail")
    session.expire_all()
    ticket = session.scalar(select(Ticket).where(Ticket.reference == ref))
    assert (ticket.status, ticket.type, ticket.vendor_reference, ticket.has_reached_vendor) == ("closed", "bug", "KOS-7781", True)
