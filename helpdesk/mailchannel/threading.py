"""How a mail finds its ticket: the signed reply token, our Message-IDs and the reference in the subject.

Pure module (standard library only). Outgoing ticket mails carry all three (`outgoing_headers`); an incoming mail
is matched by the first that is found, in that order (`find_reference`)."""

from __future__ import annotations

import hashlib
import hmac
import re
from email.utils import getaddresses

from helpdesk.platform.i18n import N_

# A ticket reference as helpdesk.tickets.services.ticket_reference writes it.
REFERENCE = re.compile(r"\bENT-(\d{4})-(\d{6,})\b", re.IGNORECASE)
# The reply token: the reference, a dot and 10 hexadecimal characters of an HMAC of it (lower case, as mail
# systems may fold the local part's case).
TOKEN = re.compile(r"\b(ent-\d{4}-\d{6,})\.([0-9a-f]{10})\b", re.IGNORECASE)
TOKEN_LENGTH = 10
DEFAULT_DOMAIN = "helpdesk-ent"


def reply_token(reference: str, secret: str) -> str:
    reference = reference.lower()
    digest = hmac.new(secret.encode(), b"mail-reply:" + reference.encode(), hashlib.sha256).hexdigest()
    return f"{reference}.{digest[:TOKEN_LENGTH]}"


def check_token(token_reference: str, signature: str, secret: str) -> bool:
    return hmac.compare_digest(reply_token(token_reference, secret), f"{token_reference.lower()}.{signature.lower()}")


def reply_address(template: str, mail_from: str, reference: str, secret: str) -> str:
    """The address replies go to. `template` holds `{token}` (plus-addressing `assistance+{token}@…` or a
    per-ticket address `reponse-{token}@…` on a catch-all domain); empty: plus-addressing of MAIL_FROM."""
    token = reply_token(reference, secret)
    if template:
        return template.replace("{token}", token)
    local, _, domain = mail_from.rpartition("@")
    return f"{local}+{token}@{domain}" if local else mail_from


def thread_root(reference: str, domain: str = DEFAULT_DOMAIN) -> str:
    """The Message-ID every mail of one ticket answers, so mail clients show one conversation."""
    return f"<ticket.{reference.lower()}@{domain}>"


def message_id(reference: str, unique: str, domain: str = DEFAULT_DOMAIN) -> str:
    return f"<{unique}.{reference.lower()}@{domain}>"


def ticket_subject(title: str, reference: str) -> str:
    """« [Assistance ENT] <title> », with the reference in brackets when the title does not already name it."""
    if reference.lower() in title.lower():
        return f"[Assistance ENT] {title}"
    return f"[Assistance ENT] [{reference}] {title}"


def outgoing_headers(reference: str, unique: str, *, reply_to: str, domain: str = DEFAULT_DOMAIN) -> dict[str, str]:
    root = thread_root(reference, domain)
    return {
        "Message-ID": message_id(reference, unique, domain),
        "In-Reply-To": root,
        "References": root,
        "Reply-To": reply_to,
        "X-Helpdesk-Ticket": reference,
    }


# How a mail was tied to its ticket (`find_reference`), as agents read it in a triage reason.
FOUND_BY_LABELS = {
    "token": N_("par l'adresse de réponse du ticket"),
    "header": N_("par les en-têtes de réponse"),
    "subject": N_("par la référence dans l'objet"),
}


def find_reference(*, recipients: list[str], in_reply_to: str, references: str, subject: str, secret: str,
                   domain: str = DEFAULT_DOMAIN) -> tuple[str | None, str]:  # fmt: skip
    """(reference, how) for an incoming mail; how is "token", "header", "subject" or "" when none matched.

    A token with a wrong signature is ignored (someone typed an address by hand); the headers count only when
    they carry one of our own Message-IDs."""
    for _name, address in getaddresses(recipients):
        found = TOKEN.search(address)
        if found and check_token(found.group(1), found.group(2), secret):
            return found.group(1).upper(), "token"
    ours = re.compile(r"<[^<>@\s]*\.(ent-\d{4}-\d{6,})@" + re.escape(domain) + ">", re.IGNORECASE)
    for header in (in_reply_to, references):
        found = ours.search(header or "")
        if found:
            return found.group(1).upper(), "header"
    found = REFERENCE.search(subject or "")
    if found:
        return found.group(0).upper(), "subject"
    return None, ""
