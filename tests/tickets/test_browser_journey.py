"""The whole chain walked in a real browser by each party: a teacher opens a ticket with a screenshot, level 1
sends it to the EduLAB, which asks the teacher a question; the pilot team transmits it to the vendor, which
answers and sends it back; the pilot resolves, the head of school reads it, the teacher confirms. At each step the test looks at what that
person sees and must do next, and at the end at the mails the teacher received."""

import email
import email.policy
import re

import pytest
from sqlalchemy import select

from escalation import seed as sla_seed
from helpdesk.notifications import jobs as notification_jobs
from helpdesk.notifications.models import Notification
from helpdesk.tickets.models import Ticket
from tests.browser import login
from tests.factories import KeywordFactory
from tests.tickets.conftest import png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(user):
        context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        login(page, user.email)
        return page

    yield _open
    for context in contexts:
        context.close()


def _open_details(page, summary: str):
    page.locator("summary", has_text=summary).first.click()


def _done(page, text: str):
    page.get_by_text(text).first.wait_for()  # waits for the page after the click


def test_each_party_reads_its_part_of_the_chain(as_user, chain, session, screenshot, tmp_path, smtp):
    sla_seed.seed_reference(session)
    session.commit()
    capture = tmp_path / "capture-agenda.png"
    capture.write_bytes(png_bytes(40, 30))

    KeywordFactory(label="agenda de rubrique qui ne s'affiche plus", slug="agenda-affichage", service="rubriques", tier="n1")
    session.commit()

    # The teacher opens the ticket from a keyword, with a screenshot: it enters at level 1.
    teacher = as_user(chain["teacher"])
    teacher.goto("/tickets/nouveau?keyword=agenda-affichage")
    teacher.get_by_label("Objet").fill("L'agenda de la rubrique sport a perdu ses dates")
    teacher.get_by_label("Description du problème").fill("Depuis lundi, les dates de l'association sportive n'apparaissent plus.")
    teacher.get_by_label("Captures d'écran ou documents").set_input_files(str(capture))
    teacher.get_by_role("button", name="Envoyer le ticket").click()
    teacher.wait_for_url(re.compile(r".*/tickets/ENT-\d{4}-\d{6}$"))
    _done(teacher, "État : Enregistrée")
    ref = teacher.url.rsplit("/", 1)[1]
    assert teacher.get_by_role("link", name="capture-agenda.png").is_visible()
    assert "Résolution visée avant" in teacher.locator("#facts").inner_text()
    promised = teacher.locator("#promise").inner_text()
    screenshot(teacher, "journey-01-teacher-registered")

    # Level 1 finds it among its new arrivals, takes it, and passes it to the basin's EduLAB with a reason.
    level1 = as_user(chain["n1"])
    assert ref in level1.locator("#arrivals + div").inner_text()
    level1.get_by_role("link", name=ref).first.click()
    assert level1.locator("#ticket-status").text_content().strip() == "À prendre en charge"
    level1.get_by_role("button", name="Prendre en charge").click()
    _done(level1, "Ticket pris en charge.")
    _open_details(level1, "Escalader au niveau suivant")
    level1.locator("#escalate-reason").fill("Paramétrage de rubrique : hors de portée du niveau 1")
    screenshot(level1, "journey-01b-level1-escalates")
    level1.get_by_role("button", name="Escalader", exact=True).click()
    _done(level1, "Ticket transmis au niveau suivant.")
    assert level1.locator("#ticket-tier").text_content().strip() == "EduLAB"

    # The teacher reads a plain status, never the internal reason.
    teacher.goto(f"/tickets/{ref}")
    assert teacher.locator("#ticket-status").text_content().strip() == "Confiée à l'EduLAB de votre bassin"
    assert "hors de portée" not in teacher.content()

    # The EduLAB of the basin sees it as a new arrival, takes it and asks the teacher a question.
    edulab = as_user(chain["edulab"])
    assert ref in edulab.locator("#arrivals + div").inner_text()  # home: new arrivals apart from work in progress
    edulab.goto("/tickets/file")
    assert edulab.locator("#queue-tabs [aria-current=page]").inner_text().startswith("À prendre en charge")
    screenshot(edulab, "journey-02-edulab-queue-arrivals")
    edulab.get_by_role("link", name=ref).click()
    assert edulab.locator("#ticket-status").text_content().strip() == "À prendre en charge"
    edulab.get_by_role("button", name="Prendre en charge").click()
    _done(edulab, "Ticket pris en charge.")
    _open_details(edulab, "Poser une question au demandeur")
    edulab.locator("#wait_requester-question").fill("Les dates ont-elles disparu pour toutes les classes ou seulement pour une ?")
    edulab.get_by_role("button", name="Envoyer la question").click()
    _done(edulab, "Ticket mis en attente.")

    # The teacher reads the question first, as a message, and answers it.
    teacher.goto(f"/tickets/{ref}")
    assert "Une question pour vous" in teacher.locator("#question").inner_text()
    assert teacher.locator("#ticket-status").text_content().strip() == "En attente de votre réponse"
    screenshot(teacher, "journey-03-teacher-question")
    teacher.locator("#reply-body").fill("Pour toutes les classes, depuis la mise à jour de lundi.")
    teacher.get_by_role("button", name="Envoyer").click()
    _done(teacher, "Message envoyé.")

    # Back at the EduLAB, an internal note, then the escalation with its reason.
    edulab.goto(f"/tickets/{ref}")
    assert edulab.locator("#ticket-status").text_content().strip() == "Pris en charge"
    edulab.locator("#note-body").fill("Paramétrage de la rubrique vérifié, export STSweb correct.")
    edulab.get_by_role("button", name="Ajouter la note").click()
    _done(edulab, "Note interne ajoutée.")
    _open_details(edulab, "Escalader au niveau suivant")
    edulab.locator("#escalate-reason").fill("Hors de portée de l'EduLAB : les dates récurrentes disparaissent")
    edulab.get_by_role("button", name="Escalader", exact=True).click()
    _done(edulab, "Ticket transmis au niveau suivant.")

    # The pilot team: a new arrival at its tier; it transmits the confirmed bug with the screenshot.
    pilot = as_user(chain["pilote"])
    pilot.goto(f"/tickets/{ref}")
    assert pilot.locator("#ticket-status").text_content().strip() == "À prendre en charge"
    assert "personne pour l'instant" in pilot.locator("#holder").inner_text()
    pilot.get_by_role("button", name="Prendre en charge").click()
    _done(pilot, "Ticket pris en charge.")
    _open_details(pilot, "Transmettre à l'éditeur")
    pilot.locator("#transmit-reason").fill("Bug reproduit en recette : l'agenda perd les dates récurrentes.")
    pilot.locator("label[for=as_bug]").click()  # DSFR draws the box on the label
    pilot.locator("label", has_text="capture-agenda.png").click()
    pilot.locator("#transmit-vendor_reference").fill("KOS-7781")
    screenshot(pilot, "journey-04-pilot-transmits")
    pilot.get_by_role("button", name="Transmettre à l'éditeur", exact=True).click()
    _done(pilot, "Ticket transmis au niveau suivant.")

    # The vendor reads its dossier: no requester contact, no internal note, no conversation with the school.
    vendor = as_user(chain["editeur"])
    vendor.goto(f"/tickets/{ref}")
    dossier = vendor.content()
    assert "Bug reproduit en recette" in dossier and "capture-agenda.png" in dossier
    for secret in (chain["teacher"].email, "Camille Enseignante", "Paramétrage de la rubrique vérifié",
                   "Pour toutes les classes", "Les dates ont-elles disparu"):  # fmt: skip
        assert secret not in dossier, secret
    vendor.get_by_role("button", name="Prendre en charge").click()
    _done(vendor, "Ticket pris en charge.")
    vendor.locator("#vendor_message-body").fill("Anomalie confirmée, corrigée dans la version 4.12 déployée ce soir.")
    vendor.get_by_role("button", name="Envoyer", exact=True).click()
    _done(vendor, "Message envoyé dans l'échange avec l'éditeur.")
    screenshot(vendor, "journey-05-vendor-dossier")
    _open_details(vendor, "Répondre et renvoyer à l'équipe pilote")
    vendor.locator("#send_down-reason").fill("Correctif livré en 4.12.")
    vendor.get_by_role("button", name="Renvoyer").click()
    _done(vendor, "Ticket renvoyé au niveau inférieur.")
    vendor.goto(f"/tickets/{ref}")
    assert vendor.locator("#read-only").is_visible()  # read-only after the send-down
    assert vendor.get_by_role("button", name="Envoyer").count() == 0
    screenshot(vendor, "journey-06-vendor-read-only")

    # The pilot gets it back as a new arrival, resolves it with the solution written to the teacher.
    pilot.goto(f"/tickets/{ref}")
    assert pilot.locator("#ticket-status").text_content().strip() == "À prendre en charge"
    pilot.get_by_role("button", name="Prendre en charge").click()
    _done(pilot, "Ticket pris en charge.")
    _open_details(pilot, "Résoudre")
    pilot.locator("#resolve-solution").fill("L'éditeur a corrigé l'agenda (version 4.12) : vos dates réapparaissent.")
    pilot.get_by_role("button", name="Résoudre le ticket").click()
    _done(pilot, "Ticket résolu")
    screenshot(pilot, "journey-07-pilot-full-history")
    history = pilot.locator("#timeline").text_content()
    for step in ("EduLAB → Équipe pilote", "Équipe pilote → Éditeur", "Éditeur → Équipe pilote", "Note interne",
                 "Paramétrage de la rubrique vérifié", "Correctif livré en 4.12."):  # fmt: skip
        assert step in history, step

    # The teacher reads the solution at the top of the page and confirms.
    teacher.goto(f"/tickets/{ref}")
    assert "vos dates réapparaissent" in teacher.locator("#solution").inner_text()
    conversation = teacher.locator("#timeline").inner_text()
    for secret in ("Paramétrage de la rubrique vérifié", "Hors de portée", "Bug reproduit", "Correctif livré", "KOS-7781",
                   "Équipe pilote →", "Escaladé"):  # fmt: skip
        assert secret not in teacher.content(), secret
    assert "Pour toutes les classes" in conversation
    screenshot(teacher, "journey-08-teacher-solution")
    # One date promised to the teacher from the start; hops between tiers never moved it.
    assert teacher.locator("#promise").inner_text() == promised

    # The head of school reads the same conversation from the school's list, in the school's own words.
    head = as_user(chain["head"])
    head.goto("/tickets/mon-etablissement")
    head.get_by_role("link", name=ref).click()
    assert "vos dates réapparaissent" in head.locator("#solution").inner_text()
    assert "Paramétrage de la rubrique vérifié" not in head.content() and "Camille Enseignante" in head.content()
    screenshot(head, "journey-09-head-of-school")

    teacher.get_by_role("button", name="C'est résolu : confirmer").click()
    _done(teacher, "Merci : la demande est close.")
    screenshot(teacher, "journey-10-teacher-closed")

    session.expire_all()
    ticket = session.scalar(select(Ticket).where(Ticket.reference == ref))
    assert (ticket.status, ticket.type, ticket.vendor_reference, ticket.has_reached_vendor) == ("closed", "bug", "KOS-7781", True)

    # The teacher's mail: at most four, each saying what happened, quoting and linking.
    told = session.scalars(select(Notification).where(Notification.user_id == chain["teacher"].id).order_by(Notification.id))
    told = told.all()
    assert [n.kind for n in told] == ["ticket_created", "waiting_for_you", "ticket_resolved"]
    for notification in told:
        notification_jobs.send_email(notification.id)
    bodies = [email.message_from_string(raw, policy=email.policy.default).get_body().get_content() for _to, raw in smtp.messages]
    assert len(bodies) == 3 and all(f"/tickets/{ref}" in body for body in bodies)
    assert "> Les dates ont-elles disparu" in bodies[1] and "> L'éditeur a corrigé l'agenda" in bodies[2]
