"""FIL use cases: a head of school requests a local-initiative training, then the DAFPEN, the DRANE and the
head move it through the table of trainings.states; every move is recorded (FilEvent) and notified by mail."""

from datetime import date, datetime

from sqlalchemy import select

from helpdesk import policy
from helpdesk.organisation.models import School
from helpdesk.platform.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.queue import enqueue_after_commit
from helpdesk.platform.timeutil import to_paris
from helpdesk.trainings import states
from helpdesk.trainings.models import FilEvent, FilRequest, FilSlot, TrainingModule
from helpdesk.trainings.rules import Audience, FilFormat, Period, period_problems, too_far_ahead

DEFAULT_MAX_TRAINEES = 30


def submit_fil_request(
    session,
    *,
    actor,
    now: datetime,
    school_uai: str,
    audience: str,
    expected_trainees: int,
    format: str,
    periods: list[Period],
    topic_ids: list[int],
    needs: str,
    max_trainees: int = DEFAULT_MAX_TRAINEES,
) -> FilRequest:
    """Record a head of school's FIL request. Raises NotAllowed, ValidationFailed(field=...)."""
    if not policy.can(actor, policy.Action.REQUEST_FIL):
        raise NotAllowed(N_("Seuls les personnels de direction d'un établissement peuvent demander une FIL."))
    school = session.scalar(select(School).where(School.uai == (school_uai or "").strip().upper()))
    if school is None or school.id != actor.school_id:
        raise ValidationFailed(
            N_("Vous ne pouvez demander une FIL que pour votre établissement (UAI %(uai)s).", uai=actor.school.uai),
            field="school_uai",
        )
    if audience not in set(Audience):
        raise ValidationFailed(N_("Choisissez le public de la formation."), field="audience")
    if not 1 <= expected_trainees <= max_trainees:
        raise ValidationFailed(
            N_(
                "Le nombre de stagiaires doit être compris entre 1 et %(max)s (une FIL accueille une vingtaine de personnes).",
                max=max_trainees,
            ),
            field="expected_trainees",
        )
    if format not in set(FilFormat):
        raise ValidationFailed(N_("Choisissez le format : deux demi-journées ou une journée."), field="format")
    check_periods(periods, to_paris(now).date())
    topics = list(session.scalars(select(TrainingModule).where(TrainingModule.id.in_(topic_ids or []))))
    if not topics or len(topics) != len(set(topic_ids)):
        raise ValidationFailed(N_("Choisissez au moins un thème parmi les modules proposés."), field="topics")
    fil = FilRequest(
        school=school,
        requester=actor,
        audience=audience,
        expected_trainees=expected_trainees,
        format=format,
        preferred_periods=[p.as_dict() for p in periods],
        needs=(needs or "").strip(),
        topics=topics,
        state=states.FilState.SUBMITTED,
        created_at=now,
        updated_at=now,
    )
    session.add(fil)
    session.flush()
    _record(session, fil, actor=actor, now=now, from_state="", to_state=states.FilState.SUBMITTED)
    return fil


def check_periods(periods: list[Period], today: date) -> None:
    if not periods:
        raise ValidationFailed(N_("Proposez au moins une période."), field="period1_start")
    for index, message in period_problems(periods, today):
        raise ValidationFailed(message, field=f"period{index + 1}_start")


def move_fil(session, fil: FilRequest, target: str, *, actor, now: datetime, reason: str = "") -> FilEvent:
    """Apply one transition of the table (not scheduling, which needs dates: see schedule_fil).
    Raises InvalidTransition, NotAllowed, ValidationFailed."""
    if states.FilState(target) == states.FilState.SCHEDULED:
        raise ValidationFailed(N_("La planification demande des dates et des formateurs."))
    return _transition(session, fil, target, actor=actor, now=now, reason=reason)


def schedule_fil(
    session, fil: FilRequest, *, actor, now: datetime, trainers: str, slots: list[tuple[datetime, datetime]]
) -> FilEvent:
    """The DRANE sets the trainer(s) and the dates. Raises InvalidTransition, NotAllowed, ValidationFailed."""
    trainers = (trainers or "").strip()
    if not trainers:
        raise ValidationFailed(N_("Indiquez le ou les formateurs."), field="trainers")
    if not slots:
        raise ValidationFailed(N_("Indiquez au moins une date."), field="slot1_date")
    for index, (starts_at, ends_at) in enumerate(slots):
        if starts_at <= now:
            raise ValidationFailed(N_("Cette date est passée."), field=f"slot{index + 1}_date")
        if too_far_ahead(to_paris(ends_at).date(), to_paris(now).date()):
            raise ValidationFailed(too_far_ahead(to_paris(ends_at).date(), to_paris(now).date()), field=f"slot{index + 1}_date")
        if ends_at <= starts_at:
            raise ValidationFailed(N_("L'heure de fin doit suivre l'heure de début."), field=f"slot{index + 1}_end")
    ordered = sorted(slots)
    for (_s1, end1), (start2, _e2) in zip(ordered, ordered[1:], strict=False):
        if start2 < end1:
            raise ValidationFailed(N_("Deux créneaux se chevauchent."), field="slot2_date")
    event = _transition(session, fil, states.FilState.SCHEDULED, actor=actor, now=now)
    fil.trainers = trainers
    fil.slots = [FilSlot(starts_at=s, ends_at=e) for s, e in ordered]
    session.flush()
    return event


def _transition(session, fil: FilRequest, target: str, *, actor, now: datetime, reason: str = "") -> FilEvent:
    try:
        mover = states.mover_of(fil.state, target)
    except states.TransitionRefused as refused:
        raise InvalidTransition(refused.args[0]) from refused
    if not policy.can_move_fil(actor, fil, mover):
        raise NotAllowed(N_("Cette étape revient à un autre service : vous ne pouvez pas l'effectuer."))
    reason = (reason or "").strip()
    if states.FilState(target) in states.REASON_REQUIRED and not reason:
        raise ValidationFailed(N_("Indiquez le motif du refus : il sera transmis au demandeur."), field="reason")
    previous = fil.state
    fil.state, fil.updated_at = states.FilState(target), now
    if states.FilState(target) == states.FilState.REFUSED:
        fil.refusal_reason = reason
    return _record(session, fil, actor=actor, now=now, from_state=previous, to_state=target, reason=reason)


def _record(session, fil: FilRequest, *, actor, now, from_state: str, to_state: str, reason: str = "") -> FilEvent:
    event = FilEvent(
        fil_request=fil, actor=actor, from_state=str(from_state), to_state=str(to_state), reason=reason, created_at=now
    )
    session.add(event)
    session.flush()
    enqueue_after_commit(session, "helpdesk.trainings.jobs.notify_fil_event", event.id)
    return event


def get_visible_fil_or_404(session, fil_id: int, *, actor) -> FilRequest:
    fil = session.get(FilRequest, fil_id)
    if fil is None or not policy.can_view_fil(actor, fil):
        raise NotFound(N_("Demande de FIL introuvable."))
    return fil


def visible_fils(session, *, actor, state: str | None = None) -> list[FilRequest]:
    query = select(FilRequest).where(policy.fil_scope(actor, FilRequest)).order_by(FilRequest.created_at.desc())
    if state:
        query = query.where(FilRequest.state == state)
    return list(session.scalars(query))


def available_moves(fil: FilRequest, actor) -> list[states.FilState]:
    return [t for t, mover in states.TRANSITIONS[states.FilState(fil.state)].items() if policy.can_move_fil(actor, fil, mover)]
