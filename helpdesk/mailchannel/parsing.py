"""Read one RFC 822 message: who wrote it, what it answers, the new text without quoted history or signature,
its attachments, and whether it is a machine's mail (auto-reply, bulk, bounce) that must never get an answer.

Standard library `email` with `policy.default` for the message, `mail-parser-reply` to cut the quoted history
and signatures (French « Le … a écrit : » included), `html-text` for mails that have only an HTML part."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from helpdesk.platform.i18n import N_

MAX_ATTACHMENTS_READ = 20  # beyond the web form's limit: the rest are reported, not read
REPLY_LANGUAGES = ["fr", "en"]


class MalformedMail(ValueError):
    """The bytes are not a message we can read (reason in French, for the quarantine)."""


@dataclass
class IncomingMail:
    message_id: str  # as written, or a digest of the bytes when the message has none
    message_key: str  # sha256 of the normalised Message-ID: the unique key of the import
    sender: str  # lower-cased address of From (Reply-To is never trusted to decide who wrote)
    sender_name: str
    recipients: list[str]
    subject: str
    in_reply_to: str
    references: str
    text: str  # the new text, quoted history and signature cut
    full_text: str
    is_html_only: bool = False
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    machine_reason: str = ""  # why this is an automatic mail, "" for a person's
    is_bounce: bool = False


def message_key(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


def parse(raw: bytes) -> IncomingMail:
    """Raises MalformedMail when no sender or no readable text can be found."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        sender_name, sender = parseaddr(str(message.get("From", "")))
        message_id = str(message.get("Message-ID", "") or "").strip()
        subject = " ".join(str(message.get("Subject", "") or "").split())
        recipients = [str(message.get(h, "")) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]
        in_reply_to = str(message.get("In-Reply-To", "") or "")
        references = str(message.get("References", "") or "")
    except (TypeError, ValueError, IndexError, LookupError) as error:
        raise MalformedMail(N_("En-têtes illisibles : %(problem)s", problem=str(error))) from error
    if not sender or "@" not in sender:
        raise MalformedMail(N_("Expéditeur absent ou illisible (From)."))
    if not message_id:
        message_id = "<sha256." + hashlib.sha256(raw).hexdigest() + "@sans-message-id>"
    machine_reason, is_bounce = _machine(message, sender)
    try:
        text, is_html_only = _body_text(message)
        attachments = _attachments(message)
    except (TypeError, ValueError, LookupError, AttributeError) as error:
        raise MalformedMail(N_("Corps du message illisible : %(problem)s", problem=str(error))) from error
    return IncomingMail(
        message_id=message_id,
        message_key=message_key(message_id),
        sender=sender.strip().lower(),
        sender_name=sender_name.strip()[:200],
        recipients=[r for r in recipients if r],
        subject=subject[:300],
        in_reply_to=in_reply_to,
        references=references,
        text=latest_reply(text),
        full_text=text,
        is_html_only=is_html_only,
        attachments=attachments,
        machine_reason=machine_reason,
        is_bounce=is_bounce,
    )


def _machine(message, sender: str) -> tuple[str, bool]:
    """RFC 3834 Auto-Submitted, Precedence bulk/list/junk, the X-Autoreply family and delivery reports."""
    content_type = message.get_content_type()
    local = sender.partition("@")[0].lower()
    if (
        content_type == "multipart/report"
        or local in ("mailer-daemon", "postmaster")
        or not (message.get("Return-Path") or "x").strip("<> ")
    ):
        return "Avis de non-remise (bounce)", True
    auto = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}", False
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}", False
    for header in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = str(message.get(header, "") or "").strip()
        if value and not (header == "X-Auto-Response-Suppress" and value.lower() in ("none", "oof")):
            if header != "X-Auto-Response-Suppress" or "all" in value.lower():
                return f"{header}: {value}", False
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return "Liste de diffusion (List-Id)", False
    return "", False


def _body_text(message) -> tuple[str, bool]:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return _clean(part.get_content()), False
    part = message.get_body(preferencelist=("html",))
    if part is None:
        return "", False
    import html_text

    return _clean(html_text.extract_text(_strip_quoted_html(part.get_content()), guess_layout=True)), True


_BLOCKQUOTE = re.compile(r"<blockquote\b.*?</blockquote>", re.IGNORECASE | re.DOTALL)


def _strip_quoted_html(html: str) -> str:
    """HTML clients quote the history in <blockquote>: drop it before converting (the reply parser cuts the rest)."""
    return _BLOCKQUOTE.sub("", html or "")


def _clean(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\x00", "")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def latest_reply(text: str) -> str:
    """The text the person wrote now: quoted history (« Le … a écrit : », « De : … Envoyé : … », « > ») and the
    signature cut by mail-parser-reply; the whole text when cutting leaves nothing."""
    from mailparser_reply import EmailReplyParser

    if not text:
        return ""
    try:
        replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text).replies
    except (re.error, IndexError, ValueError):  # the library's regexes on hostile input: keep the whole text
        return text
    body = replies[0].body.strip() if replies else ""
    body = "\n".join(line for line in body.split("\n") if not line.startswith(">")).strip()
    return body or text


def _attachments(message) -> list[tuple[str, bytes]]:
    found = []
    for part in message.iter_attachments():
        if len(found) >= MAX_ATTACHMENTS_READ:
            break
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True) or b""
        found.append((part.get_filename() or "piece-jointe", payload))
    return found


def addresses(header_values: list[str]) -> list[str]:
    return [address.lower() for _name, address in getaddresses(header_values) if address]
