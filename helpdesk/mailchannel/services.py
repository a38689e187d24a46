"""Turn one incoming mail into what it asks for, exactly once: a ticket, a public message on its ticket (a reply,
a reopening, a new linked ticket), a row of the level-1 triage list, or a quarantine row with its reason.

`import_message` is the one path: the IMAP poller and `flask mail import` both call it. It adds the mail's row
(unique by Message-ID) in the same transaction as its effect, so a mail read again, delivered twice or read by
two pollers at once changes nothing the second time; the caller commits, then marks the mail on the server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy as email_policy
from email.parser import BytesHeaderParser

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from helpdesk import policy
from helpdesk.mailchannel import parsing
from helpdesk.mailchannel import threading as mailthread
from helpdesk.mailchannel.models import InboundMail, MailboxPoll
from helpdesk.platform.errors import DomainError, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.policy import Action
from helpdesk.routing.models import Keyword
from helpdesk.routing.suggest import suggest_keywords
from helpdesk.tickets import attachments as files
from helpdesk.tickets import conversation, lifecycle
from helpdesk.tickets import services as tickets
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import Status
from helpdesk.users.models import User

NO_TEXT = N_("(courriel sans texte)")
NO_SUBJECT = N_("(sans objet)")


@dataclass(frozen=True)
class MailSettings:
    """The e-mail channel's settings, read from the app config (helpdesk.platform.config, MAIL_*)."""

    secret: str
    mail_from: str
    reply_address: str = ""
    message_id_domain: str = mailthread.DEFAULT_DOMAIN
    max_bytes: int = 25 * 1024 * 1024
    sender_limit_per_hour: int = 20
    default_keyword: str = ""
    upload_dir: str = ""
    attachment_max_bytes: int = 5 * 1024 * 1024

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(
            secret=config["SECRET_KEY"],
            mail_from=config.get("MAIL_FROM", ""),
            reply_address=config.get("MAIL_REPLY_ADDRESS", ""),
            message_id_domain=config.get("MAIL_MESSAGE_ID_DOMAIN") or mailthread.DEFAULT_DOMAIN,
            max_bytes=int(config.get("MAIL_INBOUND_MAX_BYTES", cls.max_bytes)),
            sender_limit_per_hour=int(config.get("MAIL_SENDER_LIMIT_PER_HOUR", cls.sender_limit_per_hour)),
            default_keyword=config.get("MAIL_DEFAULT_KEYWORD", ""),
            upload_dir=config.get("UPLOAD_DIR", ""),
            attachment_max_bytes=int(config.get("ATTACHMENT_MAX_BYTES", cls.attachment_max_bytes)),
        )


@dataclass(frozen=True)
class ImportResult:
    outcome: str
    inbound_id: int | None
    ticket_reference: str = ""
    is_duplicate: bool = False
    reason: str = ""


# --- the one import path ---------------------------------------------------------------------------------------


def import_message(session, raw: bytes, *, settings: MailSettings, now: datetime, source: str = "imap") -> ImportResult:
    """Import one RFC 822 message (see the module's docstring). Never raises for what a mail contains: what cannot
    be read goes to the quarantine with its reason. A message whose Message-ID was imported already is a no-op,
    except a quarantined one given again through `flask mail import` (source "file"): the operator re-injects it."""
    message_id, sender, subject = _headers_only(raw)
    known = session.scalar(select(InboundMail).where(InboundMail.message_key == parsing.message_key(message_id)))
    if known is not None and not (source == "file" and known.outcome == "quarantined"):
        return _duplicate(session, known.message_key)  # read again: the headers are enough to know it
    if len(raw) > settings.max_bytes:
        return _record(session, raw=None, key=parsing.message_key(message_id), message_id=message_id, sender=sender,
                       subject=subject, size=len(raw), source=source, outcome="quarantined", now=now,
                       reason=N_("Message trop volumineux : %(size)s octets (limite %(limit)s).", size=len(raw), limit=settings.max_bytes))  # fmt: skip
    try:
        mail = parsing.parse(raw)
    except parsing.MalformedMail as error:
        return _record(session, raw=raw, key=parsing.message_key(message_id), message_id=message_id, sender=sender,
                       subject=subject, size=len(raw), source=source, outcome="quarantined", now=now,
                       reason=N_("Message illisible : %(error)s", error=str(error)))  # fmt: skip
    base = dict(key=mail.message_key, message_id=mail.message_id, sender=mail.sender, sender_name=mail.sender_name,
                subject=mail.subject, size=len(raw), source=source, now=now)  # fmt: skip
    if mail.machine_reason:  # never answered, never a ticket: an auto-reply answering ours would loop
        return _record(session, raw=None, outcome="ignored", reason=N_("Courriel automatique ignoré (%(why)s).", why=mail.machine_reason),
                       **base)  # fmt: skip
    if _sent_lately(session, mail.sender, now) >= settings.sender_limit_per_hour:
        # Not kept in the database (a flood must not fill it): the mail stays in the mailbox's quarantine folder.
        return _record(session, raw=None, outcome="quarantined", **base,
                       reason=N_("Plus de %(n)s courriels en une heure de %(sender)s.", n=settings.sender_limit_per_hour, sender=mail.sender))  # fmt: skip
    row = _claim(session, raw=None, outcome="triage", **base)
    if row is None:
        return _duplicate(session, mail.message_key)
    _apply(session, row, mail, raw, settings=settings, now=now)
    session.flush()
    return ImportResult(row.outcome, row.id, row.ticket.reference if row.ticket else "", reason=row.reason)


def _apply(session, row: InboundMail, mail: parsing.IncomingMail, raw: bytes, *, settings: MailSettings, now: datetime):
    """Decide and do: reply on its ticket, new ticket for a known person, or the triage list."""
    user = find_user(session, mail.sender)
    reference, how = mailthread.find_reference(recipients=mail.recipients, in_reply_to=mail.in_reply_to,
                                               references=mail.references, subject=mail.subject, secret=settings.secret,
                                               domain=settings.message_id_domain)  # fmt: skip
    ticket = session.scalar(select(Ticket).where(Ticket.reference == reference)) if reference else None
    if ticket is not None:
        if user is not None and not policy.is_agent(user) and policy.can_view_ticket(user, ticket):
            try:
                _thread_in(session, row, ticket, user, mail, settings=settings, now=now)
                return
            except DomainError as error:
                return _to_triage(session, row, mail, raw, now=now,
                                  reason=N_("Réponse au ticket %(ref)s non enregistrée : %(error)s", ref=ticket.reference, error=_marked(error)))  # fmt: skip
        return _to_triage(session, row, mail, raw, now=now,
                          reason=N_("Réponse au ticket %(ref)s (%(how)s) d'une adresse qui ne peut pas y répondre.", ref=ticket.reference, how=mailthread.FOUND_BY_LABELS[how]))  # fmt: skip
    if user is None:
        return _to_triage(session, row, mail, raw, now=now, reason=N_("Expéditeur inconnu : aucun compte n'a cette adresse."))
    if not policy.can(user, Action.CREATE_TICKET) or user.school is None:
        return _to_triage(session, row, mail, raw, now=now,
                          reason=N_("Ce compte ne peut pas ouvrir de ticket lui-même (rôle ou établissement)."))  # fmt: skip
    keyword, suggestion = _keyword_for(session, mail, settings)
    if keyword is None:
        return _to_triage(session, row, mail, raw, now=now, reason=N_("Aucun mot-clé ne correspond au courriel."))
    try:
        _open(session, row, user, keyword, suggestion, mail, settings=settings, now=now)
    except DomainError as error:
        _to_triage(session, row, mail, raw, now=now, reason=N_("Ticket non ouvert : %(error)s", error=_marked(error)))


def _open(session, row, user, keyword, suggestion, mail, *, settings, now, follows: Ticket | None = None):
    accepted, refused = _checked_files(mail.attachments, settings)
    description = _with_refusals(mail.text or NO_TEXT, refused)
    extra = {"mail": {"message_id": mail.message_id, "suggested_keyword": suggestion}}
    if follows is not None:
        extra["follows"] = follows.reference
        description = (
            f"Suite du ticket {follows.reference}, clos depuis plus longtemps que le délai de réouverture.\n\n" + description
        )
    with session.begin_nested():
        ticket = tickets.open_ticket(session, actor=user, requester=user, keyword=keyword,
                                     subject=(mail.subject or NO_SUBJECT)[: tickets.SUBJECT_MAX],
                                     description=description[: tickets.DESCRIPTION_MAX], now=now, channel="mail",
                                     extra_fields=extra, suggested_keyword=True)  # fmt: skip
        if accepted:
            files.add_attachments(session, ticket, accepted, actor=user, now=now, upload_dir=settings.upload_dir,
                                  max_bytes=settings.attachment_max_bytes)  # fmt: skip
    row.ticket = ticket
    row.outcome = "follow_up" if follows is not None else "ticket"
    row.suggested_keyword = keyword.slug
    row.set_reason(N_("Mot-clé proposé : %(keyword)s", keyword=keyword.label) if suggestion
                   else N_("Mot-clé par défaut : %(keyword)s", keyword=keyword.label))  # fmt: skip
    if follows is not None:
        tickets.record_event(session, follows, "follow_up_opened", actor=user, now=now, to_value=ticket.reference)
    return ticket


def _thread_in(session, row, ticket: Ticket, user: User, mail, *, settings, now):
    """A reply as on the page: a public message (ending a wait for the requester), a reopening of a closed ticket
    within the reopen window, or after it a new ticket that follows it."""
    accepted, refused = _checked_files(mail.attachments, settings)
    body = _with_refusals(mail.text or NO_TEXT, refused)[: conversation.MAX_LENGTH]
    if ticket.status == Status.CLOSED:
        try:
            with session.begin_nested():
                message = lifecycle.reopen(session, ticket, actor=user, reason=body, now=now)
                _attach(session, ticket, accepted, user, message, settings, now)
        except InvalidTransition as error:
            if "reopen_window_days" not in error.details:
                raise
            keyword, suggestion = _keyword_for(session, mail, settings)
            _open(session, row, user, keyword or ticket.keyword, suggestion, mail, settings=settings, now=now, follows=ticket)
            return
        row.outcome = "reopened"
    else:
        with session.begin_nested():
            message = conversation.post_message(session, ticket, MessageKind.REPLY, actor=user, body=body, now=now)
            _attach(session, ticket, accepted, user, message, settings, now)
        row.outcome = "reply"
    row.ticket = ticket
    row.set_reason("")


def _attach(session, ticket, accepted, user, message, settings, now):
    if accepted:
        files.add_attachments(session, ticket, accepted, actor=user, now=now, message=message,
                              upload_dir=settings.upload_dir, max_bytes=settings.attachment_max_bytes)  # fmt: skip


def _checked_files(attachments, settings) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The web form's checks, file by file (a mail cannot be sent back to fix one file): the acceptable ones, at
    most the form's number, and the reasons for the others."""
    accepted, refused = [], []
    for name, data in attachments:
        if len(accepted) >= files.MAX_FILES:
            refused.append(f"« {files.clean_name(name)[:60]} » : {files.MAX_FILES} fichiers au plus par message.")
            continue
        try:
            files.check_upload(name, data, settings.attachment_max_bytes)
        except ValidationFailed as error:
            refused.append(error.message)
            continue
        accepted.append((name, data))
    return accepted, refused


def _with_refusals(text: str, refused: list[str]) -> str:
    if not refused:
        return text
    return text + "\n\n" + "Pièces jointes non retenues :\n" + "\n".join(f"- {reason}" for reason in refused)


def _keyword_for(session, mail, settings) -> tuple[Keyword | None, dict | None]:
    """The routing suggester's best keyword for the mail (proposed to the agent), else the configured default."""
    found = suggest_keywords(session, f"{mail.subject}\n{mail.text}"[:2000], limit=1)
    if found:
        doc = found[0].doc
        keyword = session.get(Keyword, doc.id)
        if keyword is not None and keyword.is_active:
            return keyword, {"slug": doc.slug, "label": doc.label, "score": round(float(found[0].score), 3)}
    if settings.default_keyword:
        keyword = session.scalar(select(Keyword).where(Keyword.slug == settings.default_keyword, Keyword.is_active.is_(True)))
        return keyword, None
    return None, None


def _marked(error: DomainError) -> str:
    """A refusal as a marked text, so that the reason quoting it is translated with it."""
    return N_(error.template, **error.params)


def _to_triage(session, row, mail, raw, *, now, reason):
    row.outcome = "triage"
    row.set_reason(reason)
    row.raw = raw
    found = suggest_keywords(session, f"{mail.subject}\n{mail.text}"[:2000], limit=1)
    row.suggested_keyword = found[0].doc.slug if found else ""


def find_user(session, address: str) -> User | None:
    if not address:
        return None
    return session.scalar(select(User).where(func.lower(User.email) == address.lower(), User.is_active_account.is_(True)))


def _sent_lately(session, sender: str, now: datetime) -> int:
    return session.scalar(
        select(func.count()).select_from(InboundMail)
        .where(InboundMail.sender == sender, InboundMail.imported_at >= now - timedelta(hours=1),
               InboundMail.outcome != "ignored")
    ) or 0  # fmt: skip


def _headers_only(raw: bytes) -> tuple[str, str, str]:
    """Message-ID (or a digest of the bytes), sender and subject of a mail that is not read further."""
    import hashlib

    try:
        headers = BytesHeaderParser(policy=email_policy.default).parsebytes(raw[: 256 * 1024])
        message_id = str(headers.get("Message-ID", "") or "").strip()
        sender = parsing.addresses([str(headers.get("From", "") or "")])
        subject = " ".join(str(headers.get("Subject", "") or "").split())[:300]
    except (TypeError, ValueError, IndexError, LookupError):
        message_id, sender, subject = "", [], ""
    if not message_id:
        message_id = "<sha256." + hashlib.sha256(raw).hexdigest() + "@sans-message-id>"
    return message_id, (sender[0] if sender else "")[:254], subject


def _claim(session, *, key, message_id, sender, subject, size, source, outcome, now, raw, sender_name="", reason=""):
    """Insert the mail's row; None when another import of the same Message-ID holds it already."""
    row = InboundMail(message_key=key, message_id=message_id[:500], sender=sender, sender_name=sender_name, subject=subject,
                      size=size, source=source, outcome=outcome, raw=raw, imported_at=now)  # fmt: skip
    row.set_reason(reason)
    existing = session.scalar(select(InboundMail).where(InboundMail.message_key == key))
    if existing is not None:
        if not (source == "file" and existing.outcome == "quarantined"):
            return None
        session.delete(existing)  # the operator re-injects a quarantined mail: it is read afresh
        session.flush()
    # The row is the transaction's first write, flushed without a savepoint: on SQLite (pysqlite) a SAVEPOINT
    # that opens the transaction commits it when released, which would commit the claim before its effect.
    # A concurrent import of the same message fails here, before anything else was written: roll it all back.
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another poller inserted it meanwhile
        session.rollback()
        return None
    return row


def _record(session, *, key, **values) -> ImportResult:
    row = _claim(session, key=key, **values)
    if row is None:
        return _duplicate(session, key)
    return ImportResult(row.outcome, row.id, reason=row.reason)


def _duplicate(session, key: str) -> ImportResult:
    existing = session.scalar(select(InboundMail).where(InboundMail.message_key == key))
    return ImportResult(
        existing.outcome if existing else "duplicate",
        getattr(existing, "id", None),
        existing.ticket.reference if existing is not None and existing.ticket else "",
        is_duplicate=True,
    )


def _technical(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1900]


def quarantine_failure(session, raw: bytes, error: Exception, *, now: datetime, source: str = "imap") -> ImportResult:
    """A mail whose import failed unexpectedly: kept in the quarantine with the error instead of being retried for
    ever (the caller rolled the failed transaction back)."""
    message_id, sender, subject = _headers_only(raw)
    return _record(session, raw=raw if len(raw) <= 25 * 1024 * 1024 else None, key=parsing.message_key(message_id),
                   message_id=message_id, sender=sender, subject=subject, size=len(raw), source=source,
                   outcome="quarantined", now=now, reason=N_("Erreur pendant l'import : %(error)s", error=_technical(error)))  # fmt: skip


# --- the poller's state ----------------------------------------------------------------------------------------


def record_poll(session, *, now: datetime, fetched: int, error: str = "") -> MailboxPoll:
    state = session.get(MailboxPoll, 1) or MailboxPoll(id=1)
    state.last_poll_at = now
    state.last_fetched = fetched
    state.last_error = error[:2000]
    if not error:
        state.last_success_at = now
    session.add(state)
    session.flush()
    return state


# The poller runs every minute (worker.py); ten minutes without a good read means mail is piling up unread.
MAILBOX_STALE_AFTER = timedelta(minutes=10)


def mailbox_warning(poll: MailboxPoll | None, *, now: datetime, started_at: datetime) -> str | None:
    """What /healthz says about a configured mailbox, or None while it is read normally. `started_at` (this
    process's start) keeps a freshly deployed node quiet until the poller has had its chance."""
    if poll is None or poll.last_poll_at is None:
        return None if now - started_at < MAILBOX_STALE_AFTER else "La boîte d'assistance n'a encore jamais été relevée."
    last_good = poll.last_success_at
    if last_good is not None and now - last_good < MAILBOX_STALE_AFTER:
        return None
    since = f"depuis le {last_good:%d/%m/%Y %H:%M} UTC" if last_good else "depuis sa mise en service"
    reason = f" : {poll.last_error}" if poll.last_error else ""
    return f"La boîte d'assistance n'est plus relevée {since}{reason}"[:500]


def status(session, *, quarantine_limit: int = 20) -> dict:
    counts = dict(session.execute(select(InboundMail.outcome, func.count()).group_by(InboundMail.outcome)).all())
    return {
        "poll": session.get(MailboxPoll, 1),
        "counts": {outcome: counts.get(outcome, 0) for outcome in counts},
        "quarantine": list_rows(session, "quarantined", limit=quarantine_limit),
    }


def list_rows(session, outcome: str, *, limit: int = 200) -> list[InboundMail]:
    return list(
        session.scalars(
            select(InboundMail).where(InboundMail.outcome == outcome).order_by(InboundMail.imported_at.desc(), InboundMail.id.desc())
            .limit(limit)
        )
    )  # fmt: skip


# --- the level-1 triage list -----------------------------------------------------------------------------------


def triage_list(session, *, actor) -> list[InboundMail]:
    if not policy.can(actor, Action.TRIAGE_MAIL):
        raise NotAllowed(N_("La liste des courriels à trier est réservée au niveau 1."))
    return list_rows(session, "triage")


def quarantine_list(session, *, actor, limit: int = 50) -> list[InboundMail]:
    if not policy.can(actor, Action.VIEW_MAIL_QUARANTINE):
        return []
    return list_rows(session, "quarantined", limit=limit)


def mail_page(session, *, actor) -> tuple[list[InboundMail], list[InboundMail]]:
    """The triage list (level 1) and the quarantine (level 1 and operators); NotAllowed for anyone else."""
    may_triage = policy.can(actor, Action.TRIAGE_MAIL)
    if not may_triage and not policy.can(actor, Action.VIEW_MAIL_QUARANTINE):
        raise NotAllowed(N_("Les courriels reçus sont réservés au niveau 1 et aux opérateurs."))
    return (triage_list(session, actor=actor) if may_triage else []), quarantine_list(session, actor=actor)


def get_triage(session, inbound_id: int, *, actor) -> InboundMail:
    if not policy.can(actor, Action.TRIAGE_MAIL):
        raise NotAllowed(N_("La liste des courriels à trier est réservée au niveau 1."))
    row = session.get(InboundMail, inbound_id)
    if row is None or row.outcome != "triage":
        raise NotFound(N_("Ce courriel n'est plus dans la liste à trier."))
    return row


def triage_text(row: InboundMail) -> parsing.IncomingMail | None:
    try:
        return parsing.parse(row.raw) if row.raw else None
    except parsing.MalformedMail:
        return None


def convert_triage(session, inbound_id: int, *, actor, keyword: Keyword, requester_email: str = "", school=None,
                   subject: str = "", description: str = "", settings: MailSettings, now: datetime) -> Ticket:  # fmt: skip
    """A level-1 agent turns a triage mail into a ticket for the caller, recorded by e-mail: for the account of
    `requester_email` when given, else in the agent's name with the sender as contact (a school is then needed)."""
    row = get_triage(session, inbound_id, actor=actor)
    mail = triage_text(row)
    requester = None
    if requester_email.strip():
        requester = find_user(session, requester_email.strip())
        if requester is None:
            raise ValidationFailed(N_("Aucun compte ne correspond au courriel du demandeur."), field="requester_email")
    accepted, refused = _checked_files(mail.attachments if mail else [], settings)
    text = description.strip() or _with_refusals((mail.text if mail else "") or NO_TEXT, refused)
    ticket = tickets.open_ticket(session, actor=actor, requester=requester or actor, keyword=keyword,
                                 subject=(subject.strip() or row.subject or NO_SUBJECT)[: tickets.SUBJECT_MAX],
                                 description=text[: tickets.DESCRIPTION_MAX], now=now, channel="mail", school=school,
                                 contact_name=row.sender_name if requester is None else "",
                                 contact_email=row.sender if requester is None else "",
                                 extra_fields={"mail": {"message_id": row.message_id, "triaged_by": actor.id}})  # fmt: skip
    if accepted:
        files.add_attachments(session, ticket, accepted, actor=actor, now=now, upload_dir=settings.upload_dir,
                              max_bytes=settings.attachment_max_bytes)  # fmt: skip
    _handled(
        row,
        "converted",
        actor=actor,
        now=now,
        reason=N_("Ticket %(ref)s ouvert par %(name)s.", ref=ticket.reference, name=actor.full_name),
    )
    row.ticket = ticket
    session.flush()
    return ticket


def discard_triage(session, inbound_id: int, *, actor, reason: str, now: datetime) -> InboundMail:
    row = get_triage(session, inbound_id, actor=actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(N_("Indiquez pourquoi ce courriel est écarté."), field="reason")
    if len(reason) > 2000:
        raise ValidationFailed(N_("Le motif dépasse %(max)s caractères."), params={"max": 2000}, field="reason")
    _handled(row, "discarded", actor=actor, now=now, reason=reason, typed=True)
    session.flush()
    return row


def _handled(row: InboundMail, outcome: str, *, actor, now, reason: str, typed: bool = False) -> None:
    row.outcome = outcome
    row.set_reason(reason, typed=typed)
    row.raw = None
    row.handled_at = now
    row.handled_by_id = actor.id
