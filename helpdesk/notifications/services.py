"""Notify people of ticket events, once per event; read, mark read, choose immediate mail or a daily digest."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template
from sqlalchemy import String, func, literal_column, select, update

from helpdesk.notifications.models import KINDS, MODES, Notification, NotificationPreference
from helpdesk.platform.errors import NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.locale import DEFAULT_LOCALE, in_locale, known_locale
from helpdesk.platform.queue import enqueue_after_commit, transaction_state


def notify(
    session, user_id: int | None, kind: str, *, ticket=None, dedup_key: str, now: datetime, **context
) -> Notification | None:
    """Record one notification (None when this event already notified this person, or nobody to notify).

    Title and body come from the French template of the kind; mail goes out after commit unless the person
    prefers the daily digest."""
    rows = notify_many(
        session, [user_id] if user_id is not None else [], kind, ticket=ticket, dedup_key=dedup_key, now=now, **context
    )
    return rows[0] if rows else None


def notify_many(session, user_ids, kind: str, *, ticket=None, dedup_key: str, now: datetime, link: str | None = None,
                **context) -> list[Notification]:  # fmt: skip
    """Notify several people of one event: says what happened, quotes the message if any and links to the ticket
    (or to `link`, a path in the app). The template is rendered once per language among the recipients (each
    reads the bell and the mail in the language of their account), the rows of each language inserted by one
    INSERT ... ON CONFLICT (dedup_key) DO NOTHING (no savepoint) that also returns each person's preference.
    Returns the rows created; people this event already notified are skipped."""
    user_ids = list(dict.fromkeys(u for u in user_ids if u is not None))
    if not user_ids:
        return []
    if link is None:
        link = f"/tickets/{ticket.reference}" if ticket is not None else ""
    url = current_app.config["PUBLIC_URL"].rstrip("/") + link

    def render(locale: str) -> tuple[str, str]:
        with in_locale(locale):
            text = render_template(f"notifications/mail/{kind}.txt", ticket=ticket, url=url, **context)
        title, _, body = text.strip().partition("\n")
        return title, body

    # Written in French, the language of nearly everyone; the INSERT returns each person's language, and only the
    # rows of people who read another one are rewritten (no query for the languages when everyone reads French).
    title, body = render(DEFAULT_LOCALE)
    created = _insert(session, user_ids, kind, ticket_id=getattr(ticket, "id", None), title=title, body=body, link=link,
                      dedup_key=dedup_key, now=now, with_locale=True)  # fmt: skip
    others: dict[str, list[Notification]] = {}
    for row, locale in created:
        if known_locale(locale) != DEFAULT_LOCALE:
            others.setdefault(known_locale(locale), []).append(row)
    for locale, rows in others.items():
        title, body = render(locale)
        for row in rows:
            row.title, row.body = title.strip()[:200], body.strip()
    return [row for row, _locale in created]


def notify_written(session, user_id: int, kind: str, *, title: str, body: str, link: str, dedup_key: str, now: datetime,
                   ticket_id: int | None = None) -> Notification | None:  # fmt: skip
    """A notification whose text its area wrote for this one person (the trainings greet each participant by
    name); the same row, bell, preference and mail job as every other. None when already sent."""
    rows = _insert(session, [user_id], kind, ticket_id=ticket_id, title=title, body=body, link=link, dedup_key=dedup_key,
                   now=now, per_person_key=False)  # fmt: skip
    return rows[0] if rows else None


def _insert(session, user_ids, kind: str, *, ticket_id, title: str, body: str, link: str, dedup_key: str, now: datetime,
            per_person_key: bool = True, with_locale: bool = False) -> list:  # fmt: skip
    """One INSERT ... ON CONFLICT (dedup_key) DO NOTHING (no savepoint) that also returns each person's preference
    (and, `with_locale`, their language: then (row, locale) pairs are returned); the mail job of every created row
    goes out after commit unless its person chose the daily digest. The mail job reads the rows after the commit,
    so a text rewritten in the person's language before it is what they receive."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind}")
    title, body = title.strip()[:200], body.strip()
    values = [
        dict(user_id=user_id, kind=kind, ticket_id=ticket_id, title=title, body=body, link=link,
             dedup_key=(f"{dedup_key}:{user_id}" if per_person_key else dedup_key)[:200], created_at=now)
        for user_id in user_ids
    ]  # fmt: skip
    if session.get_bind(mapper=Notification.__mapper__).dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # The person's delivery preference comes back with each created row (no second query).
    mode = literal_column(
        "(SELECT notification_preference.mode FROM notification_preference "
        "WHERE notification_preference.user_id = notification.user_id)",
        String,
    )
    # Parameters as a list (one statement through "insertmanyvalues"): unlike .values([...]) it is cached.
    locale = literal_column("(SELECT user_account.locale FROM user_account WHERE user_account.id = notification.user_id)", String)
    statement = insert(Notification).on_conflict_do_nothing(index_elements=["dedup_key"]).returning(Notification, mode, locale)
    created = sorted(session.execute(statement, values).all(), key=lambda found: found[0].id)
    _mail_after_commit(session, [row.id for row, chosen, _locale in created if chosen != "digest"])
    if with_locale:
        return [(row, person_locale) for row, _chosen, person_locale in created]
    return [row for row, _chosen, _locale in created]


def mail_job_id(notification_id: int) -> str:
    """The RQ job id of a mail (the outbox sweep and the commit's batch agree on it, so a queued mail is not queued
    twice)."""
    return f"notif-mail-{notification_id}"


def _mail_after_commit(session, notification_ids: list[int]) -> None:
    """One mail job per commit, carrying every mail the transaction created (jobs.send_emails: one SMTP
    connection, three statements): each call re-registers the same job with the longer list. Its id is the
    first mail's own (mail_job_id), so the outbox sweep sees it queued; the sweep may still queue a later
    mail of a batch that waits over two minutes, which costs a job, never a second mail (send_emails)."""
    if not notification_ids:
        return
    ids = transaction_state(session).setdefault("mail_ids", [])
    ids += notification_ids
    enqueue_after_commit(session, "helpdesk.notifications.jobs.send_emails", notification_ids=list(ids),
                         job_id=mail_job_id(ids[0]))  # fmt: skip


def preference(session, user_id: int) -> str:
    row = session.get(NotificationPreference, user_id)
    return row.mode if row else "immediate"


def set_preference(session, *, actor, mode: str) -> NotificationPreference:
    if mode not in MODES:
        raise ValidationFailed(N_("Choisissez « immédiatement » ou « résumé quotidien »."))
    row = session.get(NotificationPreference, actor.id) or NotificationPreference(user_id=actor.id)
    row.mode = mode
    session.add(row)
    session.flush()
    return row


def list_for(session, *, actor, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == actor.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session, *, actor) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session, notification_id: int, *, actor, now: datetime) -> Notification:
    """Raises NotFound for someone else's notification (its existence is not revealed)."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != actor.id:
        raise NotFound(N_("Notification introuvable."))
    if row.read_at is None:
        row.read_at = now
    session.flush()
    return row


def mark_all_read(session, *, actor, now: datetime) -> None:
    session.execute(
        update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=now)
    )
    session.flush()
