"""Demo data of the e-mail channel: a mail of a parent without an account, waiting on level 1's « Courriels reçus »
(imported through the same path as the mailbox's, so loading the demo twice changes nothing)."""

from email.message import EmailMessage

DEMO_MAILS = (
    ("<demo-triage-1@parents.example>", "M. Durand <famille.durand@parents.example>", "Mot de passe de mon fils",
     "Bonjour,\nmon fils, élève de 5e au collège, a oublié son mot de passe ENT : il ne peut plus se connecter.\n\n"
     "Cordialement,\nM. Durand"),
)  # fmt: skip


def seed_demo(session) -> None:
    from flask import current_app

    from helpdesk.mailchannel import services
    from helpdesk.platform.timeutil import utcnow

    settings = services.MailSettings.from_config(current_app.config)
    for message_id, sender, subject, body in DEMO_MAILS:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = sender, settings.mail_from, subject, message_id
        mail.set_content(body)
        services.import_message(session, bytes(mail), settings=settings, now=utcnow(), source="file")
