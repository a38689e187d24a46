"""Outgoing e-mail over SMTP; with no MAIL_SERVER (embedded default) messages land in the data directory's outbox."""

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path


def build_message(config: dict, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@helpdesk-ent>"
    message.set_content(body)
    return message


def send_mail(config: dict, to: str, subject: str, body: str) -> None:
    """Raises smtplib/OSError errors so that the calling job is retried."""
    message = build_message(config, to, subject, body)
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
