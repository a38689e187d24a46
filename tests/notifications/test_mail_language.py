"""Mails and notifications go out in the recipient's language: the account's choice, else French."""

import email
from datetime import UTC, datetime

from sqlalchemy import select

from helpdesk.notifications import jobs as notif_jobs
from helpdesk.notifications import services
from helpdesk.notifications.models import Notification
from helpdesk.tickets import services as tickets
from helpdesk.users.models import Role
from tests.factories import KeywordFactory, UserFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def _ticket(session, requester):
    ticket = tickets.open_ticket(
        session, actor=requester, keyword=KeywordFactory(), subject="Pas de messagerie", description="Depuis lundi.", now=NOW
    )
    session.commit()
    return ticket


def _body(raw: str) -> str:
    return email.message_from_string(raw).get_payload(decode=True).decode("utf-8")


def test_the_acknowledgement_reaches_an_english_speaker_in_english_and_a_french_one_in_french(session, smtp):
    english = UserFactory(email="teacher@ac-toulouse.fr", locale="en")
    french = UserFactory(email="prof@ac-toulouse.fr", locale="fr")
    for requester in (english, french):
        _ticket(session, requester)
    rows = {row.user_id: row for row in session.scalars(select(Notification).where(Notification.kind == "ticket_created"))}
    assert rows[english.id].title.startswith("Your request ") and rows[english.id].title.endswith(" is recorded")
    assert rows[french.id].title.startswith("Votre demande ") and rows[french.id].title.endswith(" est enregistrée")
    for row in rows.values():
        assert notif_jobs.send_email(row.id) is True
    mails = {to[0]: content for to, content in smtp.messages}
    english_mail, french_mail = _body(mails["teacher@ac-toulouse.fr"]), _body(mails["prof@ac-toulouse.fr"])
    assert english_mail.startswith("Hello,") and "Follow the request" in english_mail
    assert "Bonjour" not in english_mail and "demande" not in english_mail
    assert french_mail.startswith("Bonjour,") and "Suivre la demande" in french_mail


def test_one_event_is_rendered_once_per_language_not_once_per_recipient(session, monkeypatch):
    requester = UserFactory()
    ticket = _ticket(session, requester)
    agents = [UserFactory(roles=[Role.AGENT_N1], locale=locale) for locale in ("fr", "en", "fr", "en", "fr")]
    rendered = []
    real_render = services.render_template
    monkeypatch.setattr(services, "render_template", lambda *a, **k: rendered.append(a[0]) or real_render(*a, **k))
    rows = services.notify_many(session, [a.id for a in agents], "requester_replied", ticket=ticket, message=None,
                                dedup_key="replied:1", now=NOW)  # fmt: skip
    assert rendered == ["notifications/mail/requester_replied.txt"] * 2
    titles = {row.user_id: row.title for row in rows}
    assert {titles[a.id].startswith("The requester replied on") for a in agents if a.locale == "en"} == {True}
    assert {titles[a.id].startswith("Le demandeur a répondu sur") for a in agents if a.locale == "fr"} == {True}


def test_an_account_in_a_language_the_product_does_not_speak_reads_french(session):
    unknown = UserFactory(locale="de")
    ticket = _ticket(session, unknown)
    row = session.scalar(select(Notification).where(Notification.user_id == unknown.id))
    assert row.title == f"Votre demande {ticket.reference} est enregistrée"


def test_dates_in_a_mail_follow_its_language(session):
    ticket = _ticket(session, UserFactory())
    english, french = UserFactory(roles=[Role.AGENT_N1], locale="en"), UserFactory(roles=[Role.AGENT_N1], locale="fr")
    rows = services.notify_many(session, [english.id, french.id], "sla_warning", ticket=ticket, tier=None, due_at=NOW,
                                dedup_key="warn:1", now=NOW)  # fmt: skip
    bodies = {row.user_id: row.body for row in rows}
    assert "due on Nov 16, 2026 at 10:00\u202fAM" in bodies[english.id]  # Paris time (UTC+1 in November), English words
    assert "échéance le 16 nov. 2026 à 10:00" in bodies[french.id]
