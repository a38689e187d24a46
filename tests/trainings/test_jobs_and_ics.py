"""Training notifications are exactly-once (their unique keys) and go out as mails like every other; ICS files are
valid iCalendar with escaping and UTC times."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from helpdesk.notifications.models import Notification
from helpdesk.platform.timeutil import utcnow
from helpdesk.trainings import fil as fil_services
from helpdesk.trainings import jobs, services
from helpdesk.trainings.ics import IcsEvent, build_calendar, escape_text, fold
from helpdesk.users.models import Role, User
from tests.escalation.workers import run_queued_jobs
from tests.factories import FilRequestFactory, RegistrationFactory, TrainingModuleFactory, TrainingSessionFactory, UserFactory


def _outbox(app) -> list[Path]:
    outbox = Path(app.config["HELPDESK_DATA_DIR"]) / "outbox"
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


def _mail_count(session) -> int:
    return session.scalar(select(func.count(Notification.id)))


def _recipients(session) -> set[str]:
    return set(session.scalars(select(User.email).join(Notification, Notification.user_id == User.id)))


def test_fil_event_job_mails_each_recipient_once_even_when_run_twice(app, session):
    dafpen = UserFactory(roles=[Role.DAFPEN], school=None, profile="personnel_academique")
    fil = FilRequestFactory(topics=[TrainingModuleFactory()])
    event = fil_services.move_fil(session, fil, "validated", actor=dafpen, now=utcnow())
    pilote = UserFactory(roles=[Role.PILOTE], school=None)
    session.commit()
    before = len(_outbox(app))
    assert jobs.notify_fil_event(event.id) == 2  # the requester and the DRANE (not the DAFPEN who acted)
    assert jobs.notify_fil_event(event.id) == 0
    run_queued_jobs(app)  # the notifications' mail jobs, as a worker runs them
    assert len(_outbox(app)) - before == 2
    assert _recipients(session) == {fil.requester.email, pilote.email}
    assert {n.kind for n in session.scalars(select(Notification))} == {"fil_event"}  # in the bell too
    body = max(_outbox(app), key=lambda p: p.stat().st_mtime).read_text()
    assert fil.reference in body


def test_reminder_job_is_idempotent_and_skips_a_moved_session(app, session):
    ts = TrainingSessionFactory()
    RegistrationFactory(training_session=ts)
    RegistrationFactory(training_session=ts, status="waiting")
    session.commit()
    planned = ts.starts_at.isoformat()
    assert jobs.send_session_reminders(ts.id, planned) == 1
    assert jobs.send_session_reminders(ts.id, planned) == 0
    assert jobs.send_session_reminders(ts.id, (ts.starts_at - timedelta(days=1)).isoformat()) == 0  # stale timer
    assert _mail_count(session) == 1


def test_summary_job_runs_only_after_the_session_and_tells_coordinators(app, session):
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    past = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    ts = TrainingSessionFactory(starts_at=past - timedelta(hours=3), ends_at=past)
    RegistrationFactory(training_session=ts, attended=True)
    future = TrainingSessionFactory()
    session.commit()
    assert jobs.send_session_summary(future.id, future.ends_at.isoformat()) == 0
    assert jobs.send_session_summary(ts.id, ts.ends_at.isoformat()) == 2
    assert jobs.send_session_summary(ts.id, ts.ends_at.isoformat()) == 0
    assert coordinator.email in _recipients(session)


def test_promotion_job_tells_the_promoted_person_once(app, session):
    ts = TrainingSessionFactory(capacity=1)
    a, b = UserFactory(), UserFactory()
    first = services.register(session, ts, a, actor=a, now=utcnow())
    services.register(session, ts, b, actor=b, now=utcnow())
    promoted = services.cancel_registration(session, first, actor=a, now=utcnow())
    session.commit()
    assert jobs.notify_promotion(promoted.id) == 1
    assert jobs.notify_promotion(promoted.id) == 0
    assert _recipients(session) == {b.email}


def test_saving_a_session_schedules_reminder_and_summary_with_deterministic_ids(session):
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    starts = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    ts = services.save_training_session(
        session,
        None,
        actor=coordinator,
        now=utcnow(),
        module=TrainingModuleFactory(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        place="Toulouse",
        remote_url="",
        trainer="",
        capacity=10,
        cancel_deadline_hours=48,
    )
    jobs_ = {path: options for path, _args, options in session.info["pending_jobs"]}
    reminder = jobs_["helpdesk.trainings.jobs.send_session_reminders"]
    assert reminder == {"job_id": f"training-reminder-{ts.id}", "at": starts - timedelta(days=2)}
    assert jobs_["helpdesk.trainings.jobs.send_session_summary"]["job_id"] == f"training-summary-{ts.id}"


def test_ics_escapes_folds_and_uses_utc():
    event = IcsEvent(
        uid="training-session-7@assistance-ent",
        starts_at=datetime(2026, 12, 3, 13, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 16, 0, tzinfo=UTC),
        summary="ENT ; messagerie, agenda",
        description="Ligne 1\nLigne 2 \\ fin " + "é" * 80,
        location="Salle 3, DRANE",
    )
    text = build_calendar([event], name="Formations", now=datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261203T130000Z\r\n" in text and "DTEND:20261203T160000Z\r\n" in text
    assert "SUMMARY:ENT \\; messagerie\\, agenda\r\n" in text
    assert "LOCATION:Salle 3\\, DRANE" in text
    assert "UID:training-session-7@assistance-ent" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:Ligne 1\\nLigne 2 \\\\ fin " + "é" * 80 in unfolded
    assert escape_text("a\r\nb") == "a\\nb" and fold("x" * 10) == "x" * 10


def test_session_ics_endpoint(client, session):
    ts = TrainingSessionFactory(place="Atelier Canopé, Toulouse")
    session.commit()
    response = client.get(f"/formations/sessions/{ts.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in text and f"UID:training-session-{ts.id}@assistance-ent" in text
    assert "LOCATION:Atelier Canopé\\, Toulouse" in text


def test_personal_feed_lists_my_seats_only_and_needs_the_secret(client, login_as, session):
    me = UserFactory()
    seat = RegistrationFactory(user=me)
    RegistrationFactory(user=me, status="waiting")
    RegistrationFactory()  # someone else's
    token = services.calendar_token(session, me)
    session.commit()
    text = client.get(f"/formations/calendrier/{token.token}.ics").get_data(as_text=True)
    assert text.count("BEGIN:VEVENT") == 1 and f"training-session-{seat.session_id}@" in text
    assert client.get("/formations/calendrier/wrong-token.ics").status_code == 404
    old = token.token
    login_as(me)
    client.post("/formations/calendrier/jeton", data={"renew": "1"})
    assert client.get(f"/formations/calendrier/{old}.ics").status_code == 404


def test_the_sweep_catches_up_forgotten_timers_once(app, session):
    soon = (utcnow() + timedelta(hours=30)).replace(microsecond=0)
    upcoming = TrainingSessionFactory(starts_at=soon, ends_at=soon + timedelta(hours=3))
    RegistrationFactory(training_session=upcoming)
    ended = (utcnow() - timedelta(hours=5)).replace(microsecond=0)
    past = TrainingSessionFactory(starts_at=ended - timedelta(hours=3), ends_at=ended)
    RegistrationFactory(training_session=past)
    TrainingSessionFactory()  # in ten days: not yet
    session.commit()
    assert jobs.sweep_session_mails() == 2
    assert jobs.sweep_session_mails() == 0
    kinds = sorted(session.scalars(select(Notification.kind)))
    assert kinds == ["training_reminder", "training_summary"]


def test_moving_a_session_tells_registered_and_waiting_people_once(app, session):
    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    ts = TrainingSessionFactory(capacity=1)
    RegistrationFactory(training_session=ts)
    RegistrationFactory(training_session=ts, status="waiting")
    RegistrationFactory(training_session=ts, status="cancelled")
    session.commit()
    fields = dict(
        module=ts.module,
        ends_at=ts.ends_at + timedelta(days=1),
        place=ts.place,
        remote_url="",
        trainer="",
        capacity=1,
        cancel_deadline_hours=48,
    )
    services.save_training_session(
        session, ts, actor=coordinator, now=utcnow(), starts_at=ts.starts_at + timedelta(days=1), **fields
    )
    (change,) = [args for path, args, _o in session.info["pending_jobs"] if path.endswith("notify_session_change")]
    session.commit()
    assert jobs.notify_session_change(*change) == 2
    assert jobs.notify_session_change(*change) == 0
    # Saving again without any change sends nothing new.
    services.save_training_session(session, ts, actor=coordinator, now=utcnow(), starts_at=ts.starts_at, **fields)
    assert not [p for p, _a, _o in session.info.get("pending_jobs", []) if p.endswith("notify_session_change")]


def test_changing_a_session_replaces_its_scheduled_timers_in_redis(app, session):
    from rq.job import Job

    from helpdesk.platform.queue import get_queue

    coordinator = UserFactory(roles=[Role.FORMATION], school=None)
    starts = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    fields = dict(
        module=TrainingModuleFactory(), place="Toulouse", remote_url="", trainer="", capacity=10, cancel_deadline_hours=48
    )
    ts = services.save_training_session(
        session, None, actor=coordinator, now=utcnow(), starts_at=starts, ends_at=starts + timedelta(hours=3), **fields
    )
    session.commit()
    later = starts + timedelta(days=1)
    services.save_training_session(
        session, ts, actor=coordinator, now=utcnow(), starts_at=later, ends_at=later + timedelta(hours=3), **fields
    )
    session.commit()
    queue = get_queue()
    # Only this session's timers: a request still finishing in a previous browser test may schedule others.
    scheduled = [job_id for job_id in queue.scheduled_job_registry.get_job_ids() if job_id.startswith("training-")]
    assert sorted(scheduled) == sorted([f"training-reminder-{ts.id}", f"training-summary-{ts.id}"])
    job = Job.fetch(f"training-reminder-{ts.id}", connection=queue.connection, serializer=queue.serializer)
    assert job.args == [ts.id, later.isoformat()] or job.args == (ts.id, later.isoformat())


def test_a_heads_feed_includes_the_schools_scheduled_fil_dates(client, session):
    from tests.factories import FilSlotFactory

    slot = FilSlotFactory(fil_request__state="confirmed")
    FilSlotFactory(fil_request__state="submitted", fil_request__requester=slot.fil_request.requester)
    token = services.calendar_token(session, slot.fil_request.requester)
    session.commit()
    text = client.get(f"/formations/calendrier/{token.token}.ics").get_data(as_text=True)
    assert text.count("BEGIN:VEVENT") == 1 and f"UID:fil-slot-{slot.id}@assistance-ent" in text
