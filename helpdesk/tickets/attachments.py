"""Attachments are accepted by what their bytes are (magic numbers), never by their name, and kept outside the web root.

Limits, each refused with a French reason that states it: the size (ATTACHMENT_MAX_BYTES), the number of files sent
at once (ATTACHMENT_MAX_FILES), the pixels an image declares (MAX_PIXELS, Pillow's decompression-bomb guard: a tiny
file can declare a picture that takes gigabytes to open) and the length of the name (NAME_MAX_CHARS). Names lose
their directory, their control, bidirectional and invisible characters (a right-to-left override makes
« facture<U+202E>fdp.exe » look like « facture.exe.pdf »); a name left blank becomes « piece-jointe.<ext> »."""

import io
import secrets
import unicodedata
import warnings
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
ACCEPTED_LABEL = N_("PNG, JPEG, GIF, WebP ou PDF")
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp", "application/pdf": ".pdf"}
MAX_FILES = 5  # per message or form; the server's body limit (MAX_CONTENT_LENGTH) leaves room for them all
MAX_PIXELS = 40_000_000  # 40 mégapixels: an 8K screenshot is 33
NAME_MAX_CHARS = 200
# Invisible yet not "format" characters: Hangul fillers and the braille blank render as nothing.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def sniff(data: bytes) -> str | None:
    head = data[:16]
    for test, mime in _SIGNATURES:
        if test(head):
            return mime
    return None


def check_count(count: int, max_files: int) -> None:
    if count > max_files:
        raise ValidationFailed(
            N_("Vous avez joint %(n)s fichiers : %(max)s au plus par envoi."), params={"n": count, "max": max_files}
        )


def check_upload(name: str, data: bytes, max_bytes: int, max_pixels: int = MAX_PIXELS) -> str:
    """The MIME type of an acceptable file; ValidationFailed with a French reason otherwise."""
    from helpdesk.platform.input import format_size

    shown = _shown(name)
    if not data:
        raise ValidationFailed(N_("Le fichier « %(name)s » est vide."), params={"name": shown})
    if len(data) > max_bytes:
        raise ValidationFailed(
            N_("Le fichier « %(name)s » dépasse la taille maximale de %(max)s par fichier."),
            params={"name": shown, "max": format_size(max_bytes)},
        )
    if len(clean_name(name)) > NAME_MAX_CHARS:
        raise ValidationFailed(
            N_("Le nom du fichier « %(name)s » fait %(length)s caractères : renommez-le (%(max)s au plus)."),
            params={"name": shown, "length": len(clean_name(name)), "max": NAME_MAX_CHARS},
        )
    mime = sniff(data)
    if mime is None:
        raise ValidationFailed(
            N_("Le fichier « %(name)s » n'est pas une image (%(formats)s) : son contenu ne correspond à aucun format accepté."),
            params={"name": shown, "formats": ACCEPTED_LABEL},
        )
    if mime in _PILLOW_FORMATS:
        _check_pixels(shown, data, _PILLOW_FORMATS[mime], max_pixels)
    return mime


def _check_pixels(shown: str, data: bytes, pillow_format: str, max_pixels: int) -> None:
    """Reads the header only: the declared size is refused before anything is decoded."""
    from PIL import Image, UnidentifiedImageError  # loaded by the first image uploaded, not by every worker

    too_big = ValidationFailed(
        N_("L'image « %(name)s » est trop grande : %(n)s millions de pixels au plus (par exemple 8 000 × 5 000)."),
        params={"name": shown, "n": max_pixels // 1_000_000},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_big from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationFailed(
            N_("L'image « %(name)s » est illisible ou abîmée : enregistrez-la de nouveau puis joignez-la."),
            params={"name": shown},
        ) from error
    if width * height > max_pixels:
        raise too_big


# Who may add a file of each audience: whoever may write a message of that audience.
WRITE_ACTION = {
    Audience.PUBLIC: Action.REPLY_TICKET,
    Audience.INTERNAL: Action.ADD_INTERNAL_NOTE,
    Audience.VENDOR: Action.POST_VENDOR_MESSAGE,
}


def add_attachments(session, ticket, files, *, actor, now, upload_dir: str, max_bytes: int, message=None,
                    audience: Audience = Audience.PUBLIC, max_files: int = MAX_FILES):  # fmt: skip
    """Check every file first (all or nothing), then store each under a random name, with the audience of
    the message it comes with (public, internal, vendor exchange).

    `files` is a list of (original name, bytes). A file written for a transaction that later rolls back
    stays orphaned on disk: harmless, as nothing points to it and its name cannot be guessed."""
    audience = Audience(audience)
    if not policy.can(actor, WRITE_ACTION[audience], ticket):
        raise NotAllowed(N_("Vous ne pouvez pas ajouter cette pièce jointe à ce ticket."))
    check_count(len(files), max_files)
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
            original_name=display_name(name, mime),
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


def clean_name(name: str) -> str:
    """The name as shown: last path part (either separator), NFC, without control, bidi or invisible characters,
    runs of spaces collapsed."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp") or char in _INVISIBLE:
            continue
        kept.append(" " if category == "Zs" else char)
    return " ".join("".join(kept).split())


def display_name(name: str, mime: str) -> str:
    """The stored name: `clean_name`, or « piece-jointe.<ext> » when nothing visible is left but an extension."""
    cleaned = clean_name(name)
    if not cleaned.strip(". ") or (cleaned.startswith(".") and "." not in cleaned[1:]):
        return "piece-jointe" + _EXTENSIONS.get(mime, "")
    return cleaned


def _shown(name: str) -> str:
    """A name echoed in a message: cleaned and cut to 60 characters (an error never repeats a whole hostile name)."""
    cleaned = clean_name(name)
    return cleaned if len(cleaned) <= 60 else cleaned[:57] + "…"


def can_download(actor, attachment) -> bool:
    return policy.can_read_attachment(actor, attachment)


def stored_path(upload_dir: str, attachment) -> Path:
    return Path(upload_dir) / attachment.storage_name
