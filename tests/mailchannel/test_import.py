"""One mail, one effect: a ticket at level 1 with the suggester's keyword, a reply threaded into its ticket (as on
the page: the wait ends, the holder is told), reopening or a linked ticket, the triage list, loops and abuse."""

from datetime import timedelta

from sqlalchemy import func, select

from helpdesk.mailchannel import intake, services
from helpdesk.mailchannel import threading as mailthread
from helpdesk.mailchannel.models import InboundMail
from helpdesk.notifications.models import Notification
from helpdesk.tickets import lifecycle
from helpdesk.tickets.models import Attachment, Message, Ticket
from helpdesk.tickets.states import Status
from tests.mailchannel.conftest import make_mail
from tests.tickets.conftest import png_bytes


def _import(session, settings, mail, source="imap"):
    return intake.import_one(session, bytes(mail), settings=settings, source=source)


def _tickets(session):
    return session.scalars(select(Ticket).order_by(Ticket.id)).all()


def test_a_known_person_gets_a_level1_ticket_with_the_suggested_keyword(session, people, settings):
    mail = make_mail(subject="Mot de passe oublié", body="Bonjour,\nj'ai oublié mon mot de passe ENT, connexion impossible.")
    assert _import(session, settings, mail) == "ticket"
    (ticket,) = _tickets(session)
    assert ticket.tier == "n1" and ticket.channel == "mail" and ticket.requester_id == people["teacher"].id
    assert ticket.keyword.slug == "mot-de-passe-ent"
    assert ticket.extra_fields["mail"]["suggested_keyword"]["slug"] == "mot-de-passe-ent"
    assert "oublié mon mot de passe" in ticket.description


def test_an_edulab_keyword_guessed_from_a_mail_still_enters_at_level1(session, people, settings):
    mail = make_mail(subject="La messagerie ne marche pas", body="Les courriels ne partent pas de ma boîte de réception.")
    assert _import(session, settings, mail) == "ticket"
    (ticket,) = _tickets(session)
    assert ticket.keyword.slug == "parametrage-messagerie" and ticket.tier == "n1"


def test_the_same_message_twice_makes_one_ticket(session, people, settings):
    mail = make_mail(subject="Mot de passe oublié", body="connexion impossible")
    assert _import(session, settings, mail) == "ticket"
    assert _import(session, settings, mail) == "ticket"  # the first import's outcome, nothing done again
    assert len(_tickets(session)) == 1
    assert session.scalar(select(func.count()).select_from(InboundMail)) == 1


def test_an_unknown_sender_goes_to_the_triage_list_and_an_agent_opens_the_ticket(session, people, settings):
    mail = make_mail(sender="parent.inconnu@gmail.com", subject="Mot de passe oublié", body="Je n'arrive plus à me connecter.")
    assert _import(session, settings, mail) == "triage"
    assert _tickets(session) == []
    (row,) = services.triage_list(session, actor=people["n1"])
    assert row.suggested_keyword == "mot-de-passe-ent" and "inconnu" in row.reason
    ticket = services.convert_triage(session, row.id, actor=people["n1"], keyword=people["password"],
                                     school=people["school"], settings=settings, now=row.imported_at)  # fmt: skip
    session.commit()
    assert ticket.channel == "mail" and ticket.contact_email == "parent.inconnu@gmail.com"
    assert "plus à me connecter" in ticket.description
    assert row.outcome == "converted" and row.raw is None and row.handled_by_id == people["n1"].id


def test_a_triage_mail_is_discarded_only_with_a_reason(session, people, settings):
    import pytest

    from helpdesk.platform.errors import NotAllowed, ValidationFailed

    _import(session, settings, make_mail(sender="pub@spam.example", subject="Promo", body="Achetez"))
    (row,) = services.triage_list(session, actor=people["n1"])
    with pytest.raises(ValidationFailed):
        services.discard_triage(session, row.id, actor=people["n1"], reason=" ", now=row.imported_at)
    with pytest.raises(NotAllowed):
        services.discard_triage(session, row.id, actor=people["teacher"], reason="publicité", now=row.imported_at)
    services.discard_triage(session, row.id, actor=people["n1"], reason="Publicité", now=row.imported_at)
    assert row.outcome == "discarded" and row.reason == "Publicité"


def _ticket_of_teacher(session, people, settings):
    _import(session, settings, make_mail(subject="Mot de passe oublié", body="connexion impossible"))
    (ticket,) = _tickets(session)
    return ticket


def test_a_reply_with_the_token_ends_the_wait_and_cuts_the_quoted_french_history(session, people, settings):
    ticket = _ticket_of_teacher(session, people, settings)
    lifecycle.take(session, ticket, actor=people["n1"], now=ticket.created_at)
    lifecycle.wait(session, ticket, "wait_requester", actor=people["n1"], now=ticket.created_at,
                   message="Quel navigateur utilisez-vous ?")  # fmt: skip
    session.commit()
    address = mailthread.reply_address("", settings.mail_from, ticket.reference, settings.secret)
    body = ("J'utilise Firefox 128.\n\nCordialement,\nCamille Martin\n\n"
            "Le mar. 1 déc. 2026 à 10:00, Assistance ENT <assistance-ent@ac-toulouse.example> a écrit :\n"
            "> Quel navigateur utilisez-vous ?\n")  # fmt: skip
    reply = make_mail(to=address, subject="Re: question", body=body)
    assert _import(session, settings, reply) == "reply"
    session.refresh(ticket)
    assert ticket.status == Status.TAKEN  # the requester's answer ended the wait, as on the page
    message = session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())).first()
    assert message.body == "J'utilise Firefox 128." and message.audience == "public"
    told = session.scalars(select(Notification).where(Notification.kind == "requester_replied")).all()
    assert [n.user_id for n in told] == [people["n1"].id]


def test_a_reply_finds_its_ticket_by_our_message_id_or_by_the_subject(session, people, settings):
    ticket = _ticket_of_teacher(session, people, settings)
    root = mailthread.thread_root(ticket.reference)
    assert (
        _import(session, settings, make_mail(subject="Re: hop", body="Par les en-têtes", headers={"In-Reply-To": root}))
        == "reply"
    )
    assert _import(session, settings, make_mail(subject=f"Re: [{ticket.reference}] suite", body="Par l'objet")) == "reply"
    bodies = [m.body for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id))]
    assert "Par les en-têtes" in bodies and "Par l'objet" in bodies


def test_a_reply_from_someone_who_cannot_see_the_ticket_goes_to_triage(session, people, settings):
    ticket = _ticket_of_teacher(session, people, settings)
    forged = make_mail(sender="edulab@ac-toulouse.fr", subject=f"Re: {ticket.reference}", body="Je réponds par courriel")
    assert _import(session, settings, forged) == "triage"
    stranger = make_mail(sender="x@example.org", subject=f"Re: {ticket.reference}", body="Coucou")
    assert _import(session, settings, stranger) == "triage"
    assert session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == ticket.id)) == 0


def test_a_reply_to_a_closed_ticket_reopens_it_within_the_window_or_opens_a_linked_ticket(session, people, settings):
    ticket = _ticket_of_teacher(session, people, settings)
    now = ticket.created_at
    lifecycle.resolve(session, ticket, actor=people["n1"], solution="Mot de passe réinitialisé.", now=now)
    lifecycle.confirm(session, ticket, actor=people["teacher"], now=now)
    session.commit()
    assert _import(session, settings, make_mail(subject=f"Re: {ticket.reference}", body="Ça recommence")) == "reopened"
    session.refresh(ticket)
    assert ticket.is_open and ticket.status in (Status.NEW, Status.TAKEN)
    lifecycle.resolve(session, ticket, actor=people["n1"], solution="Réglé.", now=now)
    lifecycle.confirm(session, ticket, actor=people["teacher"], now=now)
    ticket.closed_at = now - timedelta(days=45)
    session.commit()
    assert _import(session, settings, make_mail(subject=f"Re: {ticket.reference}", body="Encore le mot de passe")) == "follow_up"
    old, new = _tickets(session)
    assert old.status == Status.CLOSED and new.extra_fields["follows"] == old.reference and new.tier == "n1"


def test_attachments_pass_the_web_form_checks(session, people, settings):
    mail = make_mail(subject="Mot de passe oublié", body="capture jointe",
                     attachments=[("capture.png", png_bytes(), "image", "png"),
                                  ("virus.exe", b"MZ\x90\x00binary", "application", "octet-stream")])  # fmt: skip
    assert _import(session, settings, mail) == "ticket"
    (ticket,) = _tickets(session)
    (attachment,) = session.scalars(select(Attachment).where(Attachment.ticket_id == ticket.id)).all()
    assert attachment.original_name == "capture.png" and attachment.content_type == "image/png"
    assert "Pièces jointes non retenues" in ticket.description and "virus.exe" in ticket.description


def test_auto_replies_bulk_and_bounces_are_ignored(session, people, settings):
    auto = make_mail(subject="Absence", body="Je suis absente", headers={"Auto-Submitted": "auto-replied"})
    bulk = make_mail(subject="Lettre", body="Nouvelles", headers={"Precedence": "bulk"})
    xauto = make_mail(subject="Réponse automatique", body="absent", headers={"X-Autoreply": "yes"})
    bounce = make_mail(sender="MAILER-DAEMON@ac-toulouse.fr", subject="Undelivered", body="failed")
    for mail in (auto, bulk, xauto, bounce):
        assert _import(session, settings, mail) == "ignored"
    assert _tickets(session) == [] and services.list_rows(session, "triage") == []
    assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_oversized_malformed_and_flooding_mails_are_quarantined_with_their_reason(session, people, settings):
    from dataclasses import replace

    small = replace(settings, max_bytes=2000, sender_limit_per_hour=3)
    big = make_mail(sender="autre@ac-toulouse.fr", subject="Gros", body="x" * 5000)
    assert _import(session, small, big) == "quarantined"
    assert intake.import_one(session, b"pas un courriel du tout", settings=small, source="imap") == "quarantined"
    outcomes = [_import(session, small, make_mail(subject="Mot de passe oublié", body=f"n°{n}")) for n in range(5)]
    assert outcomes == ["ticket", "ticket", "ticket", "quarantined", "quarantined"]
    reasons = [row.reason for row in services.list_rows(session, "quarantined")]
    assert any("volumineux" in r for r in reasons) and any("Expéditeur" in r for r in reasons)
    assert sum("en une heure" in r for r in reasons) == 2


def test_a_quarantined_mail_is_reinjected_by_the_import_command(session, people, settings):
    from dataclasses import replace

    mail = make_mail(subject="Mot de passe oublié", body="x" * 3000)
    assert _import(session, replace(settings, max_bytes=2000), mail) == "quarantined"
    assert _import(session, replace(settings, max_bytes=2000), mail) == "quarantined"  # the poller: no-op
    assert _import(session, settings, mail, source="file") == "ticket"  # the operator re-injects it
    assert len(_tickets(session)) == 1
