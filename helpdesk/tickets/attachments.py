"""Attachments are accepted by what their bytes are (magic numbers), never by their name, and kept outside the web root."""

import secrets
from pathlib import Path

from helpdesk import policy
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.tickets.audiences import Audience
from helpdesk.tickets.models import Attachment

# (signature test, MIME type): screenshots and PDF only.
_SIGNATURES = (
    (lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"), "image/png"),
    (lambda h: h.startswith(b"\xff\xd8\xff"), "image/jpeg"),
    (lambda h: h[:6] in (b"GIF87a", b"GIF89a"), "image/gif"),
    (lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP", "image/webp"),
    (lambda h: h.startswith(b"%PDF-"), "application/pdf"),
)
ACCEPTED_LABEL = "PNG, JPEG, GIF, WebP ou PDF"


def sniff(data: bytes) -> str | None:
    head = data[:16]
    for test, mime in _SIGNATURES:
        if test(head):
            return mime
    return None


def check_upload(name: str, data: bytes, max_bytes: int) -> str:
    """The MIME type of an acceptable file; ValidationFailed with a French reason otherwise."""
    if not data:
        raise ValidationFailed(f"Le fichier « {name} » est vide.")
    if len(data) > max_bytes:
        raise ValidationFailed(f"Le fichier « {name} » dépasse la taille maximale de {max_bytes // (1024 * 1024) or 1} Mo.")
    mime = sniff(data)
    if mime is None:
        raise ValidationFailed(
            f"Le fichier « {name} » n'est pas une image ({ACCEPTED_LABEL}) : son contenu ne correspond à aucun format accepté."
        )
    return mime


# Who may add a file of each audience: whoever may write a message of that audience.
WRITE_ACTION = {
    Audience.PUBLIC: Action.REPLY_TICKET,
    Audience.INTERNAL: Action.ADD_INTERNAL_NOTE,
    Audience.VENDOR: Action.POST_VENDOR_MESSAGE,
}


def add_attachments(session, ticket, files, *, actor, now, upload_dir: str, max_bytes: int, message=None,
                    audience: Audience = Audience.PUBLIC):  # fmt: skip
    """Check every file first (all or nothing), then store each under a random name, with the audience of
    the message it comes with (public, internal, vendor exchange).

    `files` is a list of (original name, bytes). A file written for a transaction that later rolls back
    stays orphaned on disk: harmless, as nothing points to it and its name cannot be guessed."""
    audience = Audience(audience)
    if not policy.can(actor, WRITE_ACTION[audience], ticket):
        raise NotAllowed(N_("Vous ne pouvez pas ajouter cette pièce jointe à ce ticket."))
    checked = [(name, data, check_upload(name, data, max_bytes)) for name, data in files]
    directory = Path(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stored = []
    for name, data, mime in checked:
        storage_name = secrets.token_hex(24)
        (directory / storage_name).write_bytes(data)
        attachment = Attachment(
            ticket=ticket,
            message_id=getattr(message, "id", None),
            uploader_id=actor.id,
            original_name=_safe_name(name),
            storage_name=storage_name,
            content_type=mime,
            size=len(data),
            audience=audience,
            created_at=now,
        )
        session.add(attachment)
        stored.append(attachment)
    if stored:
        from helpdesk.tickets.services import record_event

        ticket.updated_at = now
        record_event(
            session,
            ticket,
            "attachment_added",
            actor=actor,
            now=now,
            to_value=", ".join(a.original_name for a in stored)[:200],
            audience=audience,
        )
        session.flush()
    return stored


def _safe_name(name: str) -> str:
    name = Path(name or "fichier").name.replace("\x00", "")
    return name[:255] or "fichier"


def can_download(actor, attachment) -> bool:
    return policy.can_read_attachment(actor, attachment)


def stored_path(upload_dir: str, attachment) -> Path:
    return Path(upload_dir) / attachment.storage_name
