"""In a real browser: a mail of an unknown sender, read from the real Dovecot mailbox, waits on « Courriels reçus »;
a level-1 agent opens the ticket for the caller from there."""

import pytest
from sqlalchemy import select

from helpdesk.mailchannel import intake
from helpdesk.tickets.models import Ticket
from tests.mailchannel.conftest import make_mail

pytestmark = pytest.mark.browser


def test_level1_opens_a_ticket_from_a_mail_of_an_unknown_sender(app, page, session, people, mailbox, screenshot):
    mailbox.deliver(make_mail(sender="parent.eleve@gmail.com", subject="Mot de passe oublié pour mon fils",
                              body="Bonjour,\nmon fils a oublié son mot de passe ENT, connexion impossible.\n\n"
                                   "Cordialement,\nM. Durand"))  # fmt: skip
    assert intake.poll_once(session, app.config) == {"triage": 1}
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(people["n1"].email)
    page.get_by_label("Mot de passe").fill("correct-horse-42")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Courriels reçus").first.click()
    page.wait_for_url("**/courriels")
    assert "parent.eleve@gmail.com" in page.content() and "Expéditeur inconnu" in page.content()
    assert page.get_by_label("Mot-clé").input_value() == "mot-de-passe-ent"
    screenshot(page, "mail-triage")
    page.get_by_label("UAI de l'établissement").fill(people["school"].uai)
    page.get_by_role("button", name="Ouvrir un ticket").click()
    page.wait_for_url("**/tickets/ENT-*")
    session.rollback()
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.reference in page.url and "mon fils a oublié son mot de passe ENT" in page.content()
    assert "M. Durand" not in ticket.description  # the signature was cut
    screenshot(page, "mail-triage-ticket")
