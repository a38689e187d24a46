"""Who is told what about trainings. Each message is a notification like any other (bell, preference, mail job,
digest: helpdesk.notifications), written here for its one reader; its deterministic key makes every job
exactly-once per person, and the jobs in trainings.jobs may be retried freely."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from helpdesk.notifications.services import notify_written
from helpdesk.platform.locale import in_locale, locale_of
from helpdesk.platform.timeutil import as_utc
from helpdesk.trainings.models import FilEvent, Registration, RegistrationStatus, TrainingSession
from helpdesk.trainings.services import change_key
from helpdesk.trainings.states import STATE_LABELS, FilState
from helpdesk.users.models import HEAD_PROFILES, Role, User, UserRole

# Which offices hear about a FIL entering each state (the requester and the school's heads always do).
OFFICES_TOLD = {
    FilState.SUBMITTED: {Role.DAFPEN},
    FilState.VALIDATED: {Role.PILOTE, Role.FORMATION},
    FilState.SCHEDULED: {Role.DAFPEN},
    FilState.CONFIRMED: {Role.PILOTE, Role.FORMATION, Role.DAFPEN},
}


@dataclass
class Delivery:
    key: str
    user: User
    subject: str
    body: str
    kind: str
    link: str


def _link(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _users_with_roles(session, roles) -> list[User]:
    query = select(User).join(UserRole).where(UserRole.role.in_([str(r) for r in roles]), User.is_active_account.is_(True))
    return list(session.scalars(query.distinct().order_by(User.id)))


def fil_event_deliveries(session, event_id: int) -> list[Delivery]:
    event = session.get(FilEvent, event_id)
    if event is None:
        return []
    fil = event.fil_request
    people = {fil.requester_id: fil.requester}
    for head in session.scalars(select(User).where(User.school_id == fil.school_id, User.profile.in_(list(HEAD_PROFILES)))):
        people.setdefault(head.id, head)
    for office_user in _users_with_roles(session, OFFICES_TOLD.get(FilState(event.to_state), set())):
        people.setdefault(office_user.id, office_user)
    deliveries = []
    for user in people.values():
        if event.actor_id == user.id and event.to_state != FilState.SUBMITTED:
            continue  # nobody needs a mail about what they just did (except the acknowledgement of a request)
        with in_locale(locale_of(user)):
            state_label = _(STATE_LABELS[FilState(event.to_state)])
            subject = _(
                "[%(ref)s] FIL %(school)s : %(state)s", ref=fil.reference, school=fil.school.name, state=state_label.lower()
            )
            body = render_template(
                "trainings/mail/fil_event.txt",
                fil=fil,
                event=event,
                user=user,
                state_label=state_label,
                link=_link(f"/formations/fil/{fil.id}"),
            )
        deliveries.append(
            Delivery(f"fil-event:{event.id}:{user.id}", user, subject, body, "fil_event", f"/formations/fil/{fil.id}")
        )
    return deliveries


def reminder_deliveries(session, training_session_id: int, expected_starts_at: str, now: datetime) -> list[Delivery]:
    """Nothing when the session moved since the job was planned (its new timer will run) or is already over."""
    ts = session.get(TrainingSession, training_session_id)
    if ts is None or as_utc(ts.starts_at).isoformat() != expected_starts_at or ts.starts_at <= now:
        return []
    deliveries = []
    for r in ts.registrations:
        if r.status != RegistrationStatus.REGISTERED:
            continue
        with in_locale(locale_of(r.user)):
            subject = _("Rappel : formation « %(title)s »", title=ts.module.title)
            body = render_template("trainings/mail/reminder.txt", ts=ts, user=r.user, link=_link(f"/formations/sessions/{ts.id}"))
        deliveries.append(
            Delivery(
                f"reminder:{ts.id}:{r.user_id}:{expected_starts_at}",
                r.user,
                subject,
                body,
                "training_reminder",
                f"/formations/sessions/{ts.id}",
            )  # fmt: skip
        )
    return deliveries


def summary_deliveries(session, training_session_id: int, expected_ends_at: str, now: datetime) -> list[Delivery]:
    """After the session: a thank-you to the registered people, a count to the coordinators."""
    ts = session.get(TrainingSession, training_session_id)
    if ts is None or as_utc(ts.ends_at).isoformat() != expected_ends_at or ts.ends_at > now:
        return []
    registered = [r for r in ts.registrations if r.status == RegistrationStatus.REGISTERED]
    waiting = [r for r in ts.registrations if r.status == RegistrationStatus.WAITING]
    deliveries = []
    for r in registered:
        with in_locale(locale_of(r.user)):
            subject = _("Après la formation « %(title)s »", title=ts.module.title)
            body = render_template("trainings/mail/summary_participant.txt", ts=ts, user=r.user)
        deliveries.append(
            Delivery(
                f"summary:{ts.id}:{r.user_id}:{expected_ends_at}",
                r.user,
                subject,
                body,
                "training_summary",
                f"/formations/sessions/{ts.id}",
            )  # fmt: skip
        )
    for coordinator in _users_with_roles(session, {Role.FORMATION}):
        with in_locale(locale_of(coordinator)):
            subject = _("Bilan de la session « %(title)s »", title=ts.module.title)
            body = render_template(
                "trainings/mail/summary_coordinator.txt",
                ts=ts,
                registered=registered,
                waiting=waiting,
                attended=[r for r in registered if r.attended],
                link=_link(f"/formations/sessions/{ts.id}"),
            )
        deliveries.append(
            Delivery(
                f"summary:{ts.id}:{coordinator.id}:{expected_ends_at}",
                coordinator,
                subject,
                body,
                "training_summary",
                f"/formations/sessions/{ts.id}",
            )
        )
    return deliveries


def change_deliveries(session, training_session_id: int, expected_key: str) -> list[Delivery]:
    """The date or place changed: tell the registered and waiting people (nothing if it changed again since)."""
    ts = session.get(TrainingSession, training_session_id)
    if ts is None or change_key(ts) != expected_key:
        return []
    deliveries = []
    for r in ts.registrations:
        if r.status not in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING):
            continue
        with in_locale(locale_of(r.user)):
            subject = _("Changement : formation « %(title)s »", title=ts.module.title)
            body = render_template(
                "trainings/mail/change.txt", ts=ts, user=r.user, registration=r, link=_link(f"/formations/sessions/{ts.id}")
            )
        deliveries.append(
            Delivery(
                f"change:{ts.id}:{r.user_id}:{expected_key}",
                r.user,
                subject,
                body,
                "training_change",
                f"/formations/sessions/{ts.id}",
            )  # fmt: skip
        )
    return deliveries


def promotion_deliveries(session, registration_id: int) -> list[Delivery]:
    registration = session.get(Registration, registration_id)
    if registration is None or registration.status != RegistrationStatus.REGISTERED or registration.promoted_at is None:
        return []
    ts = registration.training_session
    with in_locale(locale_of(registration.user)):
        subject = _("Une place s'est libérée : « %(title)s »", title=ts.module.title)
        body = render_template(
            "trainings/mail/promotion.txt", ts=ts, user=registration.user, link=_link(f"/formations/sessions/{ts.id}")
        )
    key = f"promotion:{registration.id}:{as_utc(registration.promoted_at).isoformat()}"
    return [Delivery(key, registration.user, subject, body, "training_promotion", f"/formations/sessions/{ts.id}")]


REMINDER_WINDOW = timedelta(days=2)
SUMMARY_DELAY, SUMMARY_WINDOW = timedelta(hours=2), timedelta(days=7)


def sessions_due_for_reminder(session, now: datetime) -> list[tuple[int, str]]:
    query = select(TrainingSession.id, TrainingSession.starts_at).where(
        TrainingSession.starts_at > now, TrainingSession.starts_at <= now + REMINDER_WINDOW
    )
    return [(ts_id, as_utc(starts_at).isoformat()) for ts_id, starts_at in session.execute(query)]


def sessions_due_for_summary(session, now: datetime) -> list[tuple[int, str]]:
    query = select(TrainingSession.id, TrainingSession.ends_at).where(
        TrainingSession.ends_at <= now - SUMMARY_DELAY, TrainingSession.ends_at > now - SUMMARY_WINDOW
    )
    return [(ts_id, as_utc(ends_at).isoformat()) for ts_id, ends_at in session.execute(query)]


def deliver(session, delivery: Delivery, now: datetime) -> bool:
    """Record the notification (its mail goes out after commit); False when this one was already sent."""
    return notify_written(session, delivery.user.id, delivery.kind, title=delivery.subject, body=delivery.body,
                          link=delivery.link, dedup_key=delivery.key, now=now) is not None  # fmt: skip
