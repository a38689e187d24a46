"""Outgoing e-mail over SMTP; with no MAIL_SERVER (embedded default) messages land in the data directory's outbox."""

import binascii
import os
import smtplib
import threading
import time
import uuid
from email import policy as email_policy
from email import quoprimime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from pathlib import Path

# Messages are composed with the compat32 machinery: its headers are plain strings, where the modern
# EmailMessage parses every header into a tree on assignment and folds it again when sent (half of a mail job's
# CPU in bench/create_profile.py). The bytes stay those EmailMessage wrote: headers outside ASCII are still
# folded by the modern policy (`_Folded`, a subject with accents), and the body's transfer encoding is chosen
# as `set_content` chooses it.
_POLICY = email_policy.compat32.clone(linesep="\r\n", max_line_length=78)


class _Folded:
    """A header outside ASCII, folded by the modern policy (RFC 2047 words for the non-ASCII words only, as an
    EmailMessage writes it) when the message is written: compat32 asks a header that is not a string for
    `encode()`, as it would an `email.header.Header`."""

    def __init__(self, name: str, value: str):
        self.name, self.value = name, value

    def __str__(self) -> str:
        return self.value

    def encode(self, linesep: str = "\n", maxlinelen: int | None = None, **_) -> str:
        policy = email_policy.default.clone(linesep=linesep, max_line_length=maxlinelen or _POLICY.max_line_length)
        return policy.header_factory(self.name, self.value).fold(policy=policy)[len(self.name) + 2 : -len(linesep)]


def _header_value(name: str, value: str):
    value = str(value)
    return value if value.isascii() else _Folded(name, value)


def _encode_body(body: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, payload): the choice `EmailMessage.set_content` makes for text (7bit or 8bit
    when every line fits in 78 characters, otherwise the shorter of quoted-printable and base64)."""
    lines = body.encode("utf-8").splitlines()
    normal = b"\n".join(lines) + b"\n"
    if max((len(line) for line in lines), default=0) <= _POLICY.max_line_length:
        if normal.isascii():
            return "7bit", normal.decode("ascii")
        return "8bit", normal.decode("ascii", "surrogateescape")
    sniff = b"\n".join(lines[:10]) + b"\n"
    if len(quoprimime.body_encode(sniff.decode("latin-1"), _POLICY.max_line_length)) > len(binascii.b2a_base64(sniff)):
        encoded = binascii.b2a_base64(normal, newline=False).decode("ascii")
        return "base64", "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + "\n"
    return "quoted-printable", quoprimime.body_encode(normal.decode("latin-1"), _POLICY.max_line_length)


def build_message(config: dict, to: str, subject: str, body: str, headers: dict | None = None) -> Message:
    """`headers` adds or replaces headers (a ticket's Message-ID, In-Reply-To, References, Reply-To)."""
    fields = _fields(config, to, subject, headers)
    if not all(address.isascii() for _name, address in getaddresses([fields["From"], fields["To"]])):
        return _international_message(fields, body)
    message = Message(policy=_POLICY)
    for name, value in fields.items():
        message[name] = _header_value(name, value)
    encoding, payload = _encode_body(body)
    message["Content-Type"] = 'text/plain; charset="utf-8"'
    message["Content-Transfer-Encoding"] = encoding
    message["MIME-Version"] = "1.0"
    message.set_payload(payload)
    return message


def _fields(config: dict, to: str, subject: str, headers: dict | None) -> dict[str, str]:
    fields = {
        "From": config["MAIL_FROM"],
        "To": to,
        "Subject": subject,
        "Message-ID": f"<{uuid.uuid4()}@{config.get('MAIL_MESSAGE_ID_DOMAIN') or 'helpdesk-ent'}>",
        # Our mails are automatic: a well-behaved auto-responder does not answer them (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    for name, value in (headers or {}).items():  # a replaced header moves to the end, as `del` then set does
        fields = {key: kept for key, kept in fields.items() if key.lower() != name.lower()} | {name: value}
    return fields


def _international_message(fields: dict[str, str], body: str) -> EmailMessage:
    """An address outside ASCII needs SMTPUTF8, which `send_message` negotiates for an EmailMessage: rare
    enough to pay the modern API's price."""
    message = EmailMessage()
    for name, value in fields.items():
        message[name] = value
    message.set_content(body)
    return message


def _envelope(message: Message) -> tuple[str, list[str]]:
    return parseaddr(str(message["From"]))[1], [address for _name, address in getaddresses([str(message["To"])])]


def send_mail(config: dict, to: str, subject: str, body: str, headers: dict | None = None) -> None:
    """Raises smtplib/OSError errors so that the calling job is retried."""
    send_messages(config, [build_message(config, to, subject, body, headers)])


def send_messages(config: dict, messages: list[Message]) -> int:
    """Send messages over one SMTP connection, kept open for the next call of this process and thread (a mail
    job's connect, EHLO, TLS and login were most of its cost). Stops at the first failure and raises it
    (smtplib/OSError): the messages before it are sent, their count is the exception's `sent` attribute."""
    if not config.get("MAIL_SERVER"):
        outbox = Path(config["HELPDESK_DATA_DIR"]) / "outbox"
        outbox.mkdir(exist_ok=True)
        for message in messages:
            (outbox / f"{uuid.uuid4().hex}.eml").write_bytes(message.as_bytes(policy=message.policy.clone(linesep="\n")))
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


def _send_one(config: dict, message: Message) -> None:
    key = (config["MAIL_SERVER"], config["MAIL_PORT"], config.get("MAIL_USERNAME"), bool(config.get("MAIL_USE_TLS")))
    cached = getattr(_connections, "smtp", None)
    fresh = False
    if cached is not None and (cached[0] != key or cached[1] != os.getpid() or time.monotonic() - cached[3] > IDLE_SECONDS):
        _close(cached[2])
        cached = None
    if cached is None:
        cached, fresh = (key, os.getpid(), _connect(config), time.monotonic()), True
    try:
        _transmit(cached[2], message)
    except smtplib.SMTPServerDisconnected:
        _close(cached[2])
        _connections.smtp = None
        if fresh:
            raise
        # A kept connection the server closed meanwhile: nothing of this message went through, retry it once.
        cached = (key, os.getpid(), _connect(config), time.monotonic())
        _transmit(cached[2], message)
    except (smtplib.SMTPException, OSError):
        _close(cached[2])  # the next mail starts from a clean connection
        _connections.smtp = None
        raise
    _connections.smtp = (key, cached[1], cached[2], time.monotonic())


def _transmit(smtp: smtplib.SMTP, message: Message) -> None:
    if isinstance(message, EmailMessage):
        smtp.send_message(message)
    else:  # the envelope from the plain headers, the message already in its wire form (CRLF lines)
        smtp.sendmail(*_envelope(message), wire_bytes(message))


def wire_bytes(message: Message) -> bytes:
    """What `message.as_bytes()` writes for our single-part text messages, without the generator: a header
    that fits on its line as it is, the others folded by the policy as the generator folds them."""
    room = _POLICY.max_line_length
    head = b"".join(
        f"{name}: {value}\r\n".encode("ascii")
        if isinstance(value, str) and len(name) + 2 + len(value) <= room and value.isascii() and "\n" not in value
        else _POLICY.fold_binary(name, value)
        for name, value in message.raw_items()
    )
    body = message.get_payload().encode("utf-8")  # an 8bit payload reads back decoded from its utf-8 charset
    return head + b"\r\n" + b"\r\n".join(body.split(b"\n"))


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
