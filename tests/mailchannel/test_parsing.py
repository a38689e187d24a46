"""Reading a mail without a database: the new text (French and English quoted history, signatures), HTML-only
mail, automatic mail, and the signed reply token."""

import pytest

from helpdesk.mailchannel import parsing
from helpdesk.mailchannel import threading as mailthread
from tests.mailchannel.conftest import make_mail

SECRET = "tests-only-secret"


@pytest.mark.parametrize(
    "body",
    [
        "Toujours en panne.\n\nLe mar. 1 déc. 2026 à 10:00, Assistance ENT <a@ac.fr> a écrit :\n> Bonjour\n",
        "Toujours en panne.\n\nLe 01/12/2026 à 10:00, assistance-ent@ac-toulouse.fr a écrit :\n> Bonjour\n",
        "Toujours en panne.\n\nDe : Assistance ENT\nEnvoyé : mardi 1 décembre 2026 10:00\nÀ : Camille\nObjet : Re: demande\n\nBonjour",
        "Toujours en panne.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Assistance ENT <a@ac.fr> wrote:\n> Hello\n",
        "Toujours en panne.\n\nCordialement,\nCamille Martin\nCollège Jean Jaurès",
        "Toujours en panne.\n-- \nCamille Martin\nTél. 05 61 00 00 00",
        "Toujours en panne.\n\nEnvoyé depuis mon iPhone",
    ],
)
def test_the_new_text_loses_quoted_history_and_signature(body):
    assert parsing.parse(bytes(make_mail(body=body))).text == "Toujours en panne."


def test_a_text_that_is_only_a_quote_is_kept_whole():
    mail = parsing.parse(bytes(make_mail(body="> seulement une citation")))
    assert mail.text == "> seulement une citation"


def test_an_html_only_mail_is_read_as_text_without_its_quoted_blocks():
    html = "<p>Bonjour,</p><p>La page <i>Cahier de textes</i> reste vide.</p><blockquote><p>Ancien</p></blockquote>"
    mail = parsing.parse(bytes(make_mail(body=None, html=html)))
    assert mail.is_html_only and "La page Cahier de textes reste vide." in mail.text and "Ancien" not in mail.text


@pytest.mark.parametrize(
    "headers, bounce",
    [
        ({"Auto-Submitted": "auto-replied"}, False),
        ({"Precedence": "bulk"}, False),
        ({"Precedence": "list"}, False),
        ({"X-Autoreply": "yes"}, False),
        ({"X-Autorespond": "Absent"}, False),
        ({"List-Id": "<annonces.ac-toulouse.fr>"}, False),
        ({"Return-Path": "<>"}, True),
    ],
)
def test_automatic_mail_is_recognised(headers, bounce):
    mail = parsing.parse(bytes(make_mail(headers=headers)))
    assert mail.machine_reason and mail.is_bounce is bounce


def test_a_person_s_mail_is_not_automatic():
    mail = parsing.parse(bytes(make_mail(headers={"Auto-Submitted": "no", "X-Auto-Response-Suppress": "OOF"})))
    assert mail.machine_reason == ""


def test_a_mail_without_sender_is_malformed_and_one_without_message_id_gets_a_stable_key():
    with pytest.raises(parsing.MalformedMail):
        parsing.parse(b"Subject: rien\r\n\r\ncorps")
    raw = b"From: a@b.fr\r\nSubject: x\r\n\r\ncorps\r\n"
    assert parsing.parse(raw).message_key == parsing.parse(raw).message_key
    assert parsing.parse(raw).message_id.startswith("<sha256.")


def test_the_message_id_key_ignores_case_and_brackets():
    assert parsing.message_key("<ABC@x.fr>") == parsing.message_key("abc@x.fr")


def test_the_reply_token_is_signed():
    address = mailthread.reply_address("", "assistance-ent@ac-toulouse.fr", "ENT-2026-000042", SECRET)
    assert address.startswith("assistance-ent+ent-2026-000042.") and address.endswith("@ac-toulouse.fr")
    found = mailthread.find_reference(recipients=[address], in_reply_to="", references="", subject="", secret=SECRET)
    assert found == ("ENT-2026-000042", "token")
    forged = address.replace("000042", "000043")
    assert mailthread.find_reference(recipients=[forged], in_reply_to="", references="", subject="", secret=SECRET) == (None, "")
    per_ticket = mailthread.reply_address("reponse-{token}@assistance.ac-toulouse.fr", "x@y", "ENT-2026-000042", SECRET)
    assert per_ticket.startswith("reponse-ent-2026-000042.")


def test_headers_and_subject_find_the_ticket_only_with_our_own_message_ids():
    ours = mailthread.message_id("ENT-2026-000007", "n12")
    assert (
        mailthread.find_reference(recipients=[], in_reply_to=ours, references="", subject="", secret=SECRET)[0]
        == "ENT-2026-000007"
    )
    theirs = "<n12.ent-2026-000007@gmail.com>"
    assert mailthread.find_reference(recipients=[], in_reply_to=theirs, references="", subject="", secret=SECRET) == (None, "")
    by_subject = mailthread.find_reference(recipients=[], in_reply_to="", references="", subject="RE: [ENT-2026-000007] x",
                                           secret=SECRET)  # fmt: skip
    assert by_subject == ("ENT-2026-000007", "subject")


def test_the_subject_names_the_reference_once():
    assert mailthread.ticket_subject("Votre demande ENT-2026-000001 est enregistrée", "ENT-2026-000001") == (
        "[Assistance ENT] Votre demande ENT-2026-000001 est enregistrée"
    )
    assert mailthread.ticket_subject("Échéance proche", "ENT-2026-000001") == "[Assistance ENT] [ENT-2026-000001] Échéance proche"
