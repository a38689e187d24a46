"""Outgoing e-mail over SMTP; with no MAIL_SERVER (embedded default) messages land in the data directory's outbox."""

import copy
import os
import smtplib
import threading
import time
import uuid
from email.message import EmailMessage
from pathlib import Path


def build_message(config: dict, to: str, subject: str, body: str, headers: dict | None = None) -> EmailMessage:
    """`headers` adds or replaces headers (a ticket's Message-ID, In-Reply-To, References, Reply-To)."""
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = _message_id(config)
    # Our mails are automatic: a well-behaved auto-responder does not answer them (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    message.set_content(body)
    return message


# Headers that differ from one recipient to the next of the same event's mail.
PERSONAL_HEADERS = ("To", "Message-ID")


def build_messages(config: dict, mails: list[tuple[str, str, str, dict | None]]) -> list[EmailMessage]:
    """The messages of (to, subject, body, headers), in order. Mails of one event differ only by their
    recipient and Message-ID: each such group is composed once by `build_message` (its header parsing and
    content encoding were most of a mail's CPU) and the others are copies of it with their own To and
    Message-ID. A copy is what smtplib's own `send_message` makes to drop a Bcc header: `copy.copy`, then
    `del` and set through the message's API (the copy gets its own header list, the body is shared and never
    changed), so every value still goes through the policy, which refuses line breaks in a header."""
    built: dict[tuple, EmailMessage] = {}
    messages = []
    for to, subject, body, headers in mails:
        headers = headers or {}
        shared = tuple((name, value) for name, value in headers.items() if name not in PERSONAL_HEADERS)
        key = (subject, body, shared)
        first = built.get(key)
        if first is None:
            built[key] = message = build_message(config, to, subject, body, headers)
        else:
            message = copy.copy(first)
            for name, value in (("To", to), ("Message-ID", headers.get("Message-ID") or _message_id(config))):
                del message[name]
                message[name] = value
        messages.append(message)
    return messages


def _message_id(config: dict) -> str:
    return f"<{uuid.uuid4()}@{config.get('MAIL_MESSAGE_ID_DOMAIN') or 'helpdesk-ent'}>"


def send_mail(config: dict, to: str, subject: str, body: str, headers: dict | None = None) -> None:
    """Raises smtplib/OSError errors so that the calling job is retried."""
    send_messages(config, [build_message(config, to, subject, body, headers)])


def send_messages(config: dict, messages: list[EmailMessage]) -> int:
    """Send messages over one SMTP connection, kept open for the next call of this process and thread (a mail
    job's connect, EHLO, TLS and login were most of its cost). Stops at the first failure and raises it
    (smtplib/OSError): the messages before it are sent, their count is the exception's `sent` attribute."""
    if not config.get("MAIL_SERVER"):
        outbox = Path(config["HELPDESK_DATA_DIR"]) / "outbox"
        outbox.mkdir(exist_ok=True)
        for message in messages:
            (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
        return len(messages)
    sent = 0
    try:
        for message in messages:
            _send_one(config, message)
            sent += 1
    except (smtplib.SMTPException, OSError) as error:
        error.sent = sent
        raise
    return sent


_connections = threading.local()
IDLE_SECONDS = 30.0  # servers drop idle clients after a minute or more: reconnect rather than find out


def _send_one(config: dict, message: EmailMessage) -> None:
    key = (config["MAIL_SERVER"], config["MAIL_PORT"], config.get("MAIL_USERNAME"), bool(config.get("MAIL_USE_TLS")))
    cached = getattr(_connections, "smtp", None)
    fresh = False
    if cached is not None and (cached[0] != key or cached[1] != os.getpid() or time.monotonic() - cached[3] > IDLE_SECONDS):
        _close(cached[2])
        cached = None
    if cached is None:
        cached, fresh = (key, os.getpid(), _connect(config), time.monotonic()), True
    try:
        cached[2].send_message(message)
    except smtplib.SMTPServerDisconnected:
        _close(cached[2])
        _connections.smtp = None
        if fresh:
            raise
        # A kept connection the server closed meanwhile: nothing of this message went through, retry it once.
        cached = (key, os.getpid(), _connect(config), time.monotonic())
        cached[2].send_message(message)
    except (smtplib.SMTPException, OSError):
        _close(cached[2])  # the next mail starts from a clean connection
        _connections.smtp = None
        raise
    _connections.smtp = (key, cached[1], cached[2], time.monotonic())


def _connect(config: dict) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def close_connections() -> None:
    """Close this thread's kept SMTP connection (tests, worker shutdown)."""
    cached = getattr(_connections, "smtp", None)
    _connections.smtp = None
    if cached is not None:
        _close(cached[2])
