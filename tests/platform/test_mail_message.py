"""The mail composer (compat32 headers, for CPU) writes the bytes the modern EmailMessage wrote."""

from email.message import EmailMessage

import pytest

from helpdesk.platform import mail

CONFIG = {"MAIL_FROM": "Assistance ENT – Académie <assistance-ent@ac-toulouse.example>"}
HEADERS = {
    "Message-ID": "<n5.ent-2026-000123@helpdesk-ent>",
    "In-Reply-To": "<ent-2026-000123@helpdesk-ent>",
    "References": "<ent-2026-000123@helpdesk-ent>",
    "Reply-To": "assistance+ent-2026-000123.abcdef@ac-toulouse.example",
}


def _modern(config, to, subject, body, headers):
    message = EmailMessage()
    for name, value in mail._fields(config, to, subject, headers).items():
        message[name] = value
    message.set_content(body)
    return message


@pytest.mark.parametrize(
    "subject, body",
    [
        ("[Assistance ENT] Résumé : 2 notification(s)", "Bonjour,\n\nVotre demande est enregistrée.\n"),
        ("[ENT-2026-000123] Votre demande est enregistrée : Élève sans accès au cahier de textes, un objet long", "Hello\n"),
        ("ASCII only", "é" * 200 + "\nune ligne trop longue pour 8bit\n"),
        ("Deux  espaces é", "a" * 200 + "\n"),
    ],
)
def test_the_bytes_are_those_of_email_message(subject, body):
    ours = mail.build_message(CONFIG, "prof@ac-toulouse.fr", subject, body, HEADERS)
    modern = _modern(CONFIG, "prof@ac-toulouse.fr", subject, body, HEADERS)
    assert ours.as_bytes() == bytes(modern).replace(b"\n", b"\r\n")
    assert mail.wire_bytes(ours) == ours.as_bytes()  # what goes to the SMTP server
    assert mail._envelope(ours) == ("assistance-ent@ac-toulouse.example", ["prof@ac-toulouse.fr"])


def test_an_address_outside_ascii_keeps_the_modern_message_for_smtputf8():
    message = mail.build_message(CONFIG, "élève@ac-toulouse.fr", "Objet", "Texte\n")
    assert isinstance(message, EmailMessage)
