"""PRAF use cases: edit the catalogue, plan sessions, register (or queue), cancel and promote, record attendance.

Seats are counted with the session row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
writers) and a waiting person is promoted by a conditional UPDATE that re-checks the free seats, so two
concurrent cancellations can never put more people on a session than its capacity."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update

from helpdesk import policy
from helpdesk.platform.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.queue import enqueue_after_commit
from helpdesk.platform.timeutil import as_utc, to_paris
from helpdesk.trainings.models import CalendarToken, Registration, RegistrationStatus, TrainingModule, TrainingSession
from helpdesk.trainings.rules import (
    AUDIENCE_LABELS,
    Audience,
    Level,
    can_still_cancel,
    cancellation_deadline,
    may_attend,
    too_far_ahead,
)
from helpdesk.users.models import User

REMINDER_BEFORE = timedelta(days=2)
SUMMARY_AFTER = timedelta(hours=2)
REGISTERED, WAITING, CANCELLED = RegistrationStatus.REGISTERED, RegistrationStatus.WAITING, RegistrationStatus.CANCELLED


def _require(actor, action) -> None:
    if not policy.can(actor, action):
        raise NotAllowed(N_("Vous n'avez pas les droits nécessaires pour cette action."))


# --- catalogue -------------------------------------------------------------------------------------------


def save_module(
    session,
    module: TrainingModule | None,
    *,
    actor,
    now: datetime,
    title: str,
    audience: str,
    level: str,
    description: str,
    duration_hours: int,
    prerequisites: str,
    is_active: bool = True,
) -> TrainingModule:
    """Create (module=None) or update a catalogue module. Raises NotAllowed, ValidationFailed."""
    _require(actor, policy.Action.MANAGE_TRAININGS)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(N_("Donnez un titre au module."), field="title")
    if audience not in set(Audience) or level not in set(Level):
        raise ValidationFailed(N_("Choisissez un public et un niveau dans les listes."), field="audience")
    if not 1 <= int(duration_hours) <= 30:
        raise ValidationFailed(N_("La durée doit être comprise entre 1 et 30 heures."), field="duration_hours")
    clash = session.scalar(select(TrainingModule.id).where(TrainingModule.title == title))
    if clash and (module is None or clash != module.id):
        raise ValidationFailed(N_("Un module porte déjà ce titre."), field="title")
    if module is None:
        module = TrainingModule()
        session.add(module)
    module.title, module.audience, module.level = title, audience, level
    module.description, module.duration_hours = description.strip(), int(duration_hours)
    module.prerequisites, module.is_active, module.updated_at = prerequisites.strip(), is_active, now
    session.flush()
    return module


def catalogue(session, *, include_inactive: bool = False) -> list[TrainingModule]:
    query = select(TrainingModule).order_by(TrainingModule.audience, TrainingModule.level, TrainingModule.title)
    if not include_inactive:
        query = query.where(TrainingModule.is_active.is_(True))
    return list(session.scalars(query))


# --- sessions --------------------------------------------------------------------------------------------


def seats_taken(session, training_session_id: int) -> int:
    return session.scalar(
        select(func.count(Registration.id)).where(
            Registration.session_id == training_session_id, Registration.status == REGISTERED
        )
    )


def save_training_session(
    session,
    training_session: TrainingSession | None,
    *,
    actor,
    now: datetime,
    module: TrainingModule,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    remote_url: str,
    trainer: str,
    capacity: int,
    cancel_deadline_hours: int,
) -> TrainingSession:
    """Plan or change a session; (re)schedules its reminder and summary jobs. Raises NotAllowed, ValidationFailed."""
    _require(actor, policy.Action.MANAGE_TRAININGS)
    if ends_at <= starts_at:
        raise ValidationFailed(N_("L'heure de fin doit suivre l'heure de début."), field="end_time")
    if training_session is None and starts_at <= now:
        raise ValidationFailed(N_("Cette date est passée : choisissez une date à venir."), field="starts_on")
    far = too_far_ahead(to_paris(ends_at).date(), to_paris(now).date())
    if far:
        raise ValidationFailed(far, field="starts_on")
    if not (place or "").strip() and not (remote_url or "").strip():
        raise ValidationFailed(N_("Indiquez un lieu ou un lien de classe virtuelle."), field="place")
    if not 1 <= capacity <= 500:
        raise ValidationFailed(N_("La capacité doit être comprise entre 1 et 500 places."), field="capacity")
    if training_session is None:
        training_session = TrainingSession(module=module, created_at=now, seat_version=0)
        session.add(training_session)
    else:
        training_session = lock_session(session, training_session.id)
        taken = seats_taken(session, training_session.id)
        if capacity < taken:
            raise ValidationFailed(
                N_("La capacité ne peut pas descendre sous le nombre d'inscrits (%(n)s).", n=taken), field="capacity"
            )
    before = _practical_details(training_session) if training_session.id else None
    training_session.module = module
    training_session.starts_at, training_session.ends_at = starts_at, ends_at
    training_session.place, training_session.remote_url = place.strip(), remote_url.strip()
    training_session.trainer, training_session.capacity = trainer.strip(), capacity
    training_session.cancel_deadline_hours = cancel_deadline_hours
    training_session.seat_version += 1
    session.flush()
    _promote_waiting(session, training_session, now)  # more seats may have opened
    _schedule_session_jobs(session, training_session)
    if before is not None and before != _practical_details(training_session):
        # People already registered must hear that the date or place changed.
        enqueue_after_commit(
            session, "helpdesk.trainings.jobs.notify_session_change", training_session.id, change_key(training_session)
        )
    return training_session


def _practical_details(ts: TrainingSession) -> tuple:
    return (as_utc(ts.starts_at), as_utc(ts.ends_at), ts.place or "", ts.remote_url or "")


def change_key(ts: TrainingSession) -> str:
    """Identifies one version of a session's date and place (part of the unique key of change notifications)."""
    starts_at, ends_at, place, remote_url = _practical_details(ts)
    digest = hashlib.sha256(f"{place}|{remote_url}".encode()).hexdigest()[:12]
    return f"{starts_at.isoformat()}/{ends_at.isoformat()}/{digest}"


def _schedule_session_jobs(session, training_session: TrainingSession) -> None:
    """Deterministic ids: a changed session replaces its timers instead of adding new ones."""
    sid = training_session.id
    enqueue_after_commit(
        session,
        "helpdesk.trainings.jobs.send_session_reminders",
        sid,
        training_session.starts_at.isoformat(),
        job_id=f"training-reminder-{sid}",
        at=training_session.starts_at - REMINDER_BEFORE,
    )
    enqueue_after_commit(
        session,
        "helpdesk.trainings.jobs.send_session_summary",
        sid,
        training_session.ends_at.isoformat(),
        job_id=f"training-summary-{sid}",
        at=training_session.ends_at + SUMMARY_AFTER,
    )


def lock_session(session, training_session_id: int) -> TrainingSession:
    """The session row, locked until the transaction ends: every seat count made after this call is exact.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite ignores FOR UPDATE and its reads take no lock, so two registrations
    could both count the last free seat; a first UPDATE of the row takes SQLite's single write lock at once (as
    BEGIN IMMEDIATE would), and the other writers wait for the commit (busy_timeout) before counting."""
    connection = session.connection(bind_arguments={"mapper": TrainingSession.__mapper__})
    if connection.dialect.name == "sqlite":
        session.execute(
            update(TrainingSession)
            .where(TrainingSession.id == training_session_id)
            .values(seat_version=TrainingSession.seat_version)
            .execution_options(synchronize_session=False)
        )
    found = session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == training_session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(N_("Session introuvable."))
    return found


def upcoming_sessions(session, now: datetime, limit: int = 50) -> list[TrainingSession]:
    query = select(TrainingSession).where(TrainingSession.starts_at > now).order_by(TrainingSession.starts_at).limit(limit)
    return list(session.scalars(query))


def seats_by_session(session, session_ids) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = session.execute(
        select(Registration.session_id, func.count(Registration.id))
        .where(Registration.session_id.in_(list(session_ids)), Registration.status == REGISTERED)
        .group_by(Registration.session_id)
    )
    return {sid: count for sid, count in rows}


# --- registrations ---------------------------------------------------------------------------------------


def register(
    session, training_session: TrainingSession, user: User, *, actor, now: datetime, allow_other_audience: bool = False
) -> Registration:
    """Register `user` (a seat, or the waiting list when full). Only coordinators register someone else
    or let a person in outside the module's audience. Raises NotAllowed, Conflict, ValidationFailed."""
    on_behalf = actor.id != user.id
    if on_behalf or allow_other_audience:
        _require(actor, policy.Action.MANAGE_TRAININGS)
    else:
        _require(actor, policy.Action.REGISTER_TRAINING)
    training_session = lock_session(session, training_session.id)
    module = training_session.module
    if training_session.starts_at <= now:
        raise ValidationFailed(N_("Cette session a déjà commencé : les inscriptions sont closes."))
    if not on_behalf and not can_still_cancel(training_session.starts_at, training_session.cancel_deadline_hours, now):
        # A seat taken now could not be given back: registering closes with the cancellation deadline.
        raise ValidationFailed(
            N_(
                "Les inscriptions en ligne sont closes depuis le %(deadline)s (%(hours)s heures avant le début, délai "
                "d'annulation). Contactez la coordination des formations.",
                deadline=to_paris(cancellation_deadline_of(training_session)).strftime("%d/%m/%Y à %H:%M"),
                hours=training_session.cancel_deadline_hours,
            )
        )
    if not allow_other_audience and not may_attend(user.profile, module.audience):
        raise NotAllowed(
            N_(
                "Ce module est réservé au public « %(audience)s ». Si vous pensez devoir y participer, demandez une "
                "dérogation à la coordination des formations.",
                audience=AUDIENCE_LABELS[Audience(module.audience)],
            )
        )
    registration = session.scalar(
        select(Registration).where(Registration.session_id == training_session.id, Registration.user_id == user.id)
    )
    if registration is not None and registration.status != CANCELLED:
        raise Conflict(
            N_("Vous êtes déjà inscrit à cette session ou sur sa liste d'attente.")
            if not on_behalf
            else N_("Cette personne est déjà inscrite à cette session ou sur sa liste d'attente.")
        )
    has_seat = seats_taken(session, training_session.id) < training_session.capacity
    if registration is None:
        registration = Registration(session_id=training_session.id, user_id=user.id)
        session.add(registration)
    registration.status = REGISTERED if has_seat else WAITING
    registration.waiting_since_at = None if has_seat else now
    registration.registered_at, registration.cancelled_at, registration.promoted_at = now, None, None
    registration.exception_granted_by_id = (
        actor.id if allow_other_audience and not may_attend(user.profile, module.audience) else None
    )
    training_session.seat_version += 1
    session.flush()
    return registration


def cancel_registration(session, registration: Registration, *, actor, now: datetime) -> Registration | None:
    """Cancel a seat or leave the waiting list, up to the session's deadline (coordinators: any time before it
    starts); the first waiting person takes a freed seat. Returns the promoted registration, if any."""
    is_coordinator = policy.can(actor, policy.Action.MANAGE_TRAININGS)
    if registration.user_id != actor.id and not is_coordinator:
        raise NotAllowed(N_("Vous ne pouvez annuler que vos propres inscriptions."))
    training_session = lock_session(session, registration.session_id)
    session.refresh(registration)
    if registration.status == CANCELLED:
        raise Conflict(N_("Cette inscription est déjà annulée."))
    if training_session.starts_at <= now:
        raise ValidationFailed(N_("La session a commencé : l'inscription ne peut plus être annulée."))
    if (
        registration.status == REGISTERED
        and not is_coordinator
        and not can_still_cancel(training_session.starts_at, training_session.cancel_deadline_hours, now)
    ):
        raise ValidationFailed(
            N_(
                "Le délai d'annulation est dépassé (%(hours)s heures avant le début). Contactez la coordination des formations.",
                hours=training_session.cancel_deadline_hours,
            )
        )
    registration.status, registration.cancelled_at, registration.waiting_since_at = CANCELLED, now, None
    training_session.seat_version += 1
    session.flush()
    promoted = _promote_waiting(session, training_session, now)
    return promoted[0] if promoted else None


def _promote_waiting(session, training_session: TrainingSession, now: datetime) -> list[Registration]:
    """Give free seats to the waiting list in order; each UPDATE re-checks that a seat is still free."""
    promoted = []
    while True:
        first = session.scalar(
            select(Registration)
            .where(Registration.session_id == training_session.id, Registration.status == WAITING)
            .order_by(Registration.waiting_since_at, Registration.id)
            .limit(1)
        )
        if first is None:
            break
        taken = (
            select(func.count(Registration.id))
            .where(Registration.session_id == training_session.id, Registration.status == REGISTERED)
            .scalar_subquery()
        )
        result = session.execute(
            update(Registration)
            .where(and_(Registration.id == first.id, Registration.status == WAITING, taken < training_session.capacity))
            .values(status=REGISTERED, promoted_at=now, waiting_since_at=None)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            break
        session.refresh(first)
        promoted.append(first)
        enqueue_after_commit(session, "helpdesk.trainings.jobs.notify_promotion", first.id)
    return promoted


def waiting_position(session, registration: Registration) -> int | None:
    if registration.status != WAITING:
        return None
    ahead = session.scalar(
        select(func.count(Registration.id)).where(
            Registration.session_id == registration.session_id,
            Registration.status == WAITING,
            (Registration.waiting_since_at < registration.waiting_since_at)
            | ((Registration.waiting_since_at == registration.waiting_since_at) & (Registration.id < registration.id)),
        )
    )
    return ahead + 1


def my_registrations(session, user, now: datetime) -> list[tuple[Registration, int | None]]:
    query = (
        select(Registration)
        .join(TrainingSession)
        .where(Registration.user_id == user.id, Registration.status != CANCELLED, TrainingSession.ends_at > now)
        .order_by(TrainingSession.starts_at)
    )
    return [(r, waiting_position(session, r)) for r in session.scalars(query)]


def record_attendance(session, training_session: TrainingSession, present_ids: set[int], *, actor, now: datetime) -> int:
    """Mark who attended among the registered people; returns how many were present."""
    _require(actor, policy.Action.MANAGE_TRAININGS)
    if training_session.starts_at > now:
        raise ValidationFailed(N_("Les présences se saisissent une fois la session commencée."))
    count = 0
    for registration in training_session.registrations:
        if registration.status == REGISTERED:
            registration.attended = registration.id in present_ids
            count += registration.attended
    session.flush()
    return count


def cancellation_deadline_of(training_session: TrainingSession) -> datetime:
    return cancellation_deadline(training_session.starts_at, training_session.cancel_deadline_hours)


def calendar_token(session, user, *, renew: bool = False) -> CalendarToken:
    """The user's feed secret, created on first use; renewing it invalidates the old address."""
    token = session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))
    if token is None:
        token = CalendarToken(user_id=user.id, token=secrets.token_urlsafe(32))
        session.add(token)
    elif renew:
        token.token = secrets.token_urlsafe(32)
    session.flush()
    return token


def user_of_token(session, raw: str) -> User | None:
    token = session.scalar(select(CalendarToken).where(CalendarToken.token == raw))
    return token.user if token and token.user.is_active_account else None


def get_session_or_404(session, training_session_id: int) -> TrainingSession:
    found = session.get(TrainingSession, training_session_id)
    if found is None:
        raise NotFound(N_("Session introuvable."))
    return found
