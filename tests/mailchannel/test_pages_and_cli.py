"""The « Courriels reçus » page (triage for level 1, quarantine for operators) and `flask mail import|status`."""

import dataclasses

from flask_babel import refresh
from sqlalchemy import select

from helpdesk.mailchannel import intake
from helpdesk.mailchannel.models import InboundMail
from helpdesk.tickets.models import Ticket
from helpdesk.users.models import Role
from tests.factories import UserFactory
from tests.mailchannel.conftest import make_mail


def _triage_row(session, settings, **kwargs):
    intake.import_one(session, bytes(make_mail(sender="parent@gmail.com", **kwargs)), settings=settings, source="imap")
    return session.scalars(select(InboundMail)).one()


def test_level1_turns_a_triage_mail_into_a_ticket_from_the_page(session, people, settings, login_as):
    row = _triage_row(session, settings, subject="Mot de passe oublié", body="Je ne peux plus me connecter.")
    client = login_as(people["n1"])
    page = client.get("/courriels").get_data(as_text=True)
    assert "Mot de passe oublié" in page and "parent@gmail.com" in page and 'value="mot-de-passe-ent" selected' in page
    refused = client.post(f"/courriels/{row.id}/ticket", data={"keyword": "mot-de-passe-ent", "school_uai": "0000000Z"})
    assert refused.status_code == 400 and "0000000Z" in refused.get_data(as_text=True)  # the text is kept
    done = client.post(f"/courriels/{row.id}/ticket", data={"keyword": "mot-de-passe-ent", "school_uai": people["school"].uai})
    assert done.status_code == 302
    ticket = session.scalars(select(Ticket)).one()
    assert done.headers["Location"].endswith(f"/tickets/{ticket.reference}")
    assert ticket.contact_email == "parent@gmail.com" and ticket.school_id == people["school"].id


def test_discarding_needs_a_reason_and_requesters_have_no_access(session, people, settings, login_as):
    row = _triage_row(session, settings, subject="Publicité", body="Offre spéciale")
    client = login_as(people["n1"])
    assert client.post(f"/courriels/{row.id}/ecarter", data={"reason": ""}).status_code == 400
    assert client.post(f"/courriels/{row.id}/ecarter", data={"reason": "Publicité"}).status_code == 302
    session.refresh(row)
    assert row.outcome == "discarded"
    client.post("/deconnexion")
    assert login_as(people["teacher"]).get("/courriels").status_code == 403


def test_operators_see_the_quarantine_only(session, people, settings, login_as):
    intake.import_one(session, b"\x00\x01 pas un courriel", settings=settings, source="imap")
    admin = UserFactory(school=None, roles=[Role.ADMIN])
    session.commit()
    page = login_as(admin).get("/courriels").get_data(as_text=True)
    assert "Quarantaine" in page and "illisible" in page and "Ouvrir un ticket" not in page


def test_mail_import_and_status_commands(app, session, people, tmp_path):
    path = tmp_path / "message.eml"
    path.write_bytes(bytes(make_mail(subject="Mot de passe oublié", body="connexion impossible")))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["mail", "import", str(path)])
    assert first.exit_code == 0 and "ticket" in first.output, first.output
    again = runner.invoke(args=["mail", "import", str(path)])
    assert again.exit_code == 0
    assert len(session.scalars(select(Ticket)).all()) == 1
    (tmp_path / "bad.eml").write_bytes(b"rien de lisible")
    runner.invoke(args=["mail", "import", str(tmp_path / "bad.eml")])
    status = runner.invoke(args=["mail", "status"])
    assert status.exit_code == 0
    assert "Relève IMAP : désactivée" in status.output and "ticket 1" in status.output and "quarantined 1" in status.output
    assert "Expéditeur absent" in status.output
    off = runner.invoke(args=["mail", "poll"])
    assert off.exit_code != 0 and "MAIL_IMAP_HOST" in off.output


def test_the_agent_reads_that_the_keyword_was_guessed_from_the_mail(session, people, settings, login_as):
    intake.import_one(session, bytes(make_mail(subject="Mot de passe oublié", body="connexion impossible")), settings=settings,
                      source="imap")  # fmt: skip
    ticket = session.scalars(select(Ticket)).one()
    page = login_as(people["n1"]).get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert 'id="mail-keyword-guess"' in page and "Courriel" in page


def test_a_follow_up_ticket_links_to_the_one_it_follows_and_the_mail_facts_are_not_form_answers(session, people, settings,
                                                                                                 login_as):  # fmt: skip
    from datetime import timedelta

    from helpdesk.tickets import lifecycle

    intake.import_one(session, bytes(make_mail(subject="Mot de passe oublié", body="connexion impossible")), settings=settings,
                      source="imap")  # fmt: skip
    old = session.scalars(select(Ticket)).one()
    lifecycle.resolve(session, old, actor=people["n1"], solution="Réinitialisé.", now=old.created_at)
    lifecycle.confirm(session, old, actor=people["teacher"], now=old.created_at)
    old.closed_at = old.created_at - timedelta(days=60)
    session.commit()
    intake.import_one(session, bytes(make_mail(subject=f"Re: {old.reference}", body="De nouveau")), settings=settings,
                      source="imap")  # fmt: skip
    new = session.scalars(select(Ticket).where(Ticket.id != old.id)).one()
    page = login_as(people["n1"]).get(f"/tickets/{new.reference}").get_data(as_text=True)
    assert f'href="/tickets/{old.reference}"' in page and "Suite du ticket" in page
    assert "message_id" not in page and "Informations complémentaires" not in page


def test_the_demo_mail_waits_on_the_triage_page_once(session):
    from helpdesk.mailchannel import seed

    seed.seed_demo(session)
    seed.seed_demo(session)
    (row,) = session.scalars(select(InboundMail)).all()
    assert row.outcome == "triage" and row.sender == "famille.durand@parents.example"


def test_the_apps_reasons_read_in_the_agents_language_a_typed_one_as_typed(session, people, settings, login_as):
    row = _triage_row(session, settings, subject="Accès", body="Bonjour, je n'ai pas de compte.")
    assert row.reason == "Expéditeur inconnu : aucun compte n'a cette adresse."  # French where no reader is known
    big = dataclasses.replace(settings, max_bytes=200)
    intake.import_one(session, bytes(make_mail(subject="Capture", body="x" * 500)), settings=big, source="imap")
    quarantined = session.scalars(select(InboundMail).where(InboundMail.outcome == "quarantined")).one()
    assert quarantined.reason.startswith("Message trop volumineux : ")
    session.commit()
    client = login_as(people["n1"])
    client.post("/compte/langue", data={"locale": "en"})
    refresh()  # the tests' shared app context keeps the locale Flask-Babel chose: forget it, as a new request would
    page = client.get("/courriels").get_data(as_text=True)
    assert "Unknown sender: no account has this address." in page
    assert f"Message too large: {quarantined.size} bytes (limit 200)." in page and "volumineux" not in page
    client.post(f"/courriels/{row.id}/ecarter", data={"reason": "Démarchage : rien à traiter"})
    session.refresh(row)
    assert row.reason == "Démarchage : rien à traiter" and row.app_reason is None  # the agent's words, kept as such


def test_a_quoted_refusal_is_kept_marked_inside_the_reason():
    from helpdesk.platform.i18n import N_, Message

    row = InboundMail()
    row.set_reason(N_("Ticket non ouvert : %(error)s", error=N_("Le texte dépasse %(max)s caractères.", max=5000)))
    assert row.reason == "Ticket non ouvert : Le texte dépasse 5000 caractères."
    again = row.app_reason
    assert isinstance(again, Message) and isinstance(again.params["error"], Message)
    assert again.params["error"].params == {"max": 5000} and str(again) == row.reason
