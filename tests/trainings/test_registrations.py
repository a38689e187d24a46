"""PRAF registrations: audience rule, waiting list by time, cancellation deadline, automatic promotion."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.platform.errors import Conflict, NotAllowed, ValidationFailed
from helpdesk.platform.timeutil import utcnow
from helpdesk.trainings import services
from helpdesk.trainings.models import Registration
from helpdesk.users.models import Role
from tests.factories import TrainingModuleFactory, TrainingSessionFactory, UserFactory


def _teachers(n):
    return [UserFactory(profile="enseignant") for _ in range(n)]


def test_register_takes_a_seat_then_the_waiting_list_in_time_order(session):
    ts = TrainingSessionFactory(capacity=2)
    a, b, c, d = _teachers(4)
    now = utcnow()
    statuses = [
        services.register(session, ts, u, actor=u, now=now + timedelta(seconds=i)).status for i, u in enumerate([a, b, c, d])
    ]
    assert statuses == ["registered", "registered", "waiting", "waiting"]
    regs = {r.user_id: r for r in session.scalars(select(Registration))}
    assert services.waiting_position(session, regs[c.id]) == 1
    assert services.waiting_position(session, regs[d.id]) == 2
    assert services.seats_taken(session, ts.id) == 2


def test_registering_twice_is_a_conflict(session):
    ts = TrainingSessionFactory()
    (teacher,) = _teachers(1)
    services.register(session, ts, teacher, actor=teacher, now=utcnow())
    with pytest.raises(Conflict, match="déjà inscrit"):
        services.register(session, ts, teacher, actor=teacher, now=utcnow())


def test_staff_register_only_for_their_own_audience(session):
    ts = TrainingSessionFactory(module=TrainingModuleFactory(audience="direction"))
    (teacher,) = _teachers(1)
    with pytest.raises(NotAllowed, match="Personnels de direction"):
        services.register(session, ts, teacher, actor=teacher, now=utcnow())
    head = UserFactory(profile="chef_etablissement")
    assert services.register(session, ts, head, actor=head, now=utcnow()).status == "registered"


def test_a_coordinator_may_grant_an_audience_exception_but_a_teacher_may_not(session):
    ts = TrainingSessionFactory(module=TrainingModuleFactory(audience="administrateurs"))
    (teacher,) = _teachers(1)
    with pytest.raises(NotAllowed):
        services.register(session, ts, teacher, actor=teacher, now=utcnow(), allow_other_audience=True)
    coordinator = UserFactory(roles=[Role.FORMATION], school=None, profile="personnel_academique")
    registration = services.register(session, ts, teacher, actor=coordinator, now=utcnow(), allow_other_audience=True)
    assert registration.status == "registered" and registration.exception_granted_by_id == coordinator.id


def test_cancelling_a_seat_promotes_the_first_waiting_person(session):
    ts = TrainingSessionFactory(capacity=1)
    a, b, c = _teachers(3)
    now = utcnow()
    first = services.register(session, ts, a, actor=a, now=now)
    services.register(session, ts, b, actor=b, now=now + timedelta(seconds=1))
    services.register(session, ts, c, actor=c, now=now + timedelta(seconds=2))
    promoted = services.cancel_registration(session, first, actor=a, now=now + timedelta(minutes=1))
    assert promoted.user_id == b.id and promoted.status == "registered" and promoted.promoted_at is not None
    assert first.status == "cancelled"
    assert services.seats_taken(session, ts.id) == 1
    jobs = session.info["pending_jobs"]
    assert ("helpdesk.trainings.jobs.notify_promotion", (promoted.id,), {}) in jobs


def test_two_cancellations_promote_two_people_and_never_over_fill(session):
    ts = TrainingSessionFactory(capacity=2)
    people = _teachers(5)
    now = utcnow()
    regs = [services.register(session, ts, u, actor=u, now=now + timedelta(seconds=i)) for i, u in enumerate(people)]
    services.cancel_registration(session, regs[0], actor=people[0], now=now + timedelta(minutes=1))
    services.cancel_registration(session, regs[1], actor=people[1], now=now + timedelta(minutes=2))
    by_user = {r.user_id: r.status for r in session.scalars(select(Registration))}
    assert [by_user[u.id] for u in people] == ["cancelled", "cancelled", "registered", "registered", "waiting"]
    assert services.seats_taken(session, ts.id) == 2
    # Leaving the waiting list frees no seat and promotes nobody.
    assert services.cancel_registration(session, regs[4], actor=people[4], now=now + timedelta(minutes=3)) is None
    assert services.seats_taken(session, ts.id) == 2


def test_cancelling_after_the_deadline_is_refused_for_staff_but_not_for_coordinators(session):
    ts = TrainingSessionFactory(starts_at=(utcnow() + timedelta(hours=24)).replace(microsecond=0), cancel_deadline_hours=48)
    (teacher,) = _teachers(1)
    registration = services.register(
        session, ts, teacher, actor=teacher, now=utcnow() - timedelta(days=2)
    )  # registered before the deadline
    with pytest.raises(ValidationFailed, match="délai d'annulation est dépassé"):
        services.cancel_registration(session, registration, actor=teacher, now=utcnow())
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    services.cancel_registration(session, registration, actor=coordinator, now=utcnow())
    assert registration.status == "cancelled"


def test_someone_else_cannot_cancel_my_registration(session):
    ts = TrainingSessionFactory()
    mine, other = _teachers(2)
    registration = services.register(session, ts, mine, actor=mine, now=utcnow())
    with pytest.raises(NotAllowed):
        services.cancel_registration(session, registration, actor=other, now=utcnow())


def test_a_cancelled_person_can_register_again_at_the_end_of_the_queue(session):
    ts = TrainingSessionFactory(capacity=1)
    a, b = _teachers(2)
    now = utcnow()
    reg_a = services.register(session, ts, a, actor=a, now=now)
    services.register(session, ts, b, actor=b, now=now + timedelta(seconds=1))
    services.cancel_registration(session, reg_a, actor=a, now=now + timedelta(seconds=2))
    again = services.register(session, ts, a, actor=a, now=now + timedelta(seconds=3))
    assert again.id == reg_a.id and again.status == "waiting"


def test_raising_the_capacity_promotes_waiting_people_and_lowering_below_registered_is_refused(session):
    ts = TrainingSessionFactory(capacity=1)
    a, b = _teachers(2)
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    now = utcnow()
    services.register(session, ts, a, actor=a, now=now)
    services.register(session, ts, b, actor=b, now=now)
    fields = dict(
        module=ts.module,
        starts_at=ts.starts_at,
        ends_at=ts.ends_at,
        place=ts.place,
        remote_url="",
        trainer="",
        cancel_deadline_hours=48,
    )
    services.save_training_session(session, ts, actor=coordinator, now=now, capacity=2, **fields)
    assert services.seats_taken(session, ts.id) == 2
    with pytest.raises(ValidationFailed, match="nombre d'inscrits"):
        services.save_training_session(session, ts, actor=coordinator, now=now, capacity=1, **fields)


def test_attendance_is_recorded_by_coordinators_after_the_start(session):
    ts = TrainingSessionFactory()
    a, b = _teachers(2)
    ra = services.register(session, ts, a, actor=a, now=utcnow())
    rb = services.register(session, ts, b, actor=b, now=utcnow())
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    with pytest.raises(ValidationFailed):
        services.record_attendance(session, ts, {ra.id}, actor=coordinator, now=utcnow())
    with pytest.raises(NotAllowed):
        services.record_attendance(session, ts, {ra.id}, actor=a, now=ts.starts_at + timedelta(hours=1))
    assert services.record_attendance(session, ts, {ra.id}, actor=coordinator, now=ts.starts_at + timedelta(hours=1)) == 1
    assert ra.attended is True and rb.attended is False
