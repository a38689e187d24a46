"""Mail pushed over LMTP (`flask mail lmtp`): a real LMTP conversation (Python's smtplib.LMTP client against the
aiosmtpd listener) imports through the same path as the IMAP poller — a ticket, the duplicate recognised, a reply
threaded, an oversized mail refused by the protocol so the sender's MTA bounces it."""

import smtplib

import pytest
from sqlalchemy import select

from helpdesk.mailchannel import lmtp
from helpdesk.mailchannel.models import InboundMail
from helpdesk.tickets.models import Message, Ticket
from tests.mailchannel.conftest import free_port, make_mail

PORTS = range(21100, 21200)


@pytest.fixture
def listener(app, people):
    port = free_port(PORTS)
    controller = lmtp.start(app, host="127.0.0.1", port=port)
    yield port
    controller.stop()


def _deliver(port, mail) -> dict:
    with smtplib.LMTP("127.0.0.1", port) as client:
        return client.send_message(mail)


def test_a_pushed_mail_becomes_a_ticket_once_and_its_reply_threads_in(app, session, people, listener):
    first = make_mail(subject="Mot de passe oublié", body="Je ne peux plus me connecter à l'ENT depuis ce matin.")
    assert _deliver(listener, first) == {}  # accepted for every recipient
    assert _deliver(listener, first) == {}  # the MTA's retry: accepted, recognised as the same message
    session.expire_all()
    rows = session.scalars(select(InboundMail)).all()
    assert [row.source for row in rows] == ["lmtp"] and rows[0].outcome == "ticket"
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.channel == "mail" and ticket.requester_id == people["teacher"].id

    reply = make_mail(subject=f"Re: [{ticket.reference}] Mot de passe oublié", body="Merci, c'est réglé.\n",
                      headers={"In-Reply-To": first["Message-ID"], "References": first["Message-ID"]})  # fmt: skip
    assert _deliver(listener, reply) == {}
    session.expire_all()
    assert session.scalars(select(Ticket)).one().id == ticket.id
    assert "Merci, c'est réglé." in [
        m.body.strip() for m in session.scalars(select(Message).where(Message.ticket_id == ticket.id))
    ]


def test_an_oversized_pushed_mail_is_refused_by_the_protocol(app, people):
    saved = app.config.get("MAIL_INBOUND_MAX_BYTES")
    app.config["MAIL_INBOUND_MAX_BYTES"] = 2000
    port = free_port(PORTS)
    controller = lmtp.start(app, host="127.0.0.1", port=port)
    try:
        with pytest.raises(smtplib.SMTPException) as refused:
            _deliver(port, make_mail(body="x" * 5000))
    finally:
        controller.stop()
        app.config.pop("MAIL_INBOUND_MAX_BYTES")
        if saved is not None:
            app.config["MAIL_INBOUND_MAX_BYTES"] = saved
    assert "552" in str(refused.value)
