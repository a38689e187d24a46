"""Outgoing e-mail over SMTP; with no MAIL_SERVER (embedded default) messages land in the data directory's outbox."""

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path


def build_message(config: dict, to: str, subject: str, body: str, headers: dict | None = None) -> EmailMessage:
    """`headers` adds or replaces headers (a ticket's Message-ID, In-Reply-To, References, Reply-To)."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@{config.get('MAIL_MESSAGE_ID_DOMAIN') or 'helpdesk-ent'}>"
    # Our mails are automatic: a well-behaved auto-responder does not answer them (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    message.set_content(body)
    return message


def send_mail(config: dict, to: str, subject: str, body: str, headers: dict | None = None) -> None:
    """Raises smtplib/OSError errors so that the calling job is retried."""
    message = build_message(config, to, subject, body, headers)
    if not config.get("MAIL_SERVER"):
        outbox = Path(config["HELPDESK_DATA_DIR"]) / "outbox"
        outbox.mkdir(exist_ok=True)
        (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
