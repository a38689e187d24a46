"""« At most N seats » under real concurrency, on the default store (SQLite) as on PostgreSQL: simultaneous
registrations to the last seat, each in its own thread, connection and transaction; exactly one gets it."""

import threading
from datetime import timedelta

from sqlalchemy import select

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.trainings import services
from helpdesk.trainings.models import Registration, TrainingSession
from helpdesk.users.models import User
from tests.factories import TrainingSessionFactory, UserFactory

RACERS = 6


def _race(app, session_id: int, user_ids: list[int]) -> list[Exception]:
    start, errors = threading.Barrier(len(user_ids)), []

    def register(user_id):
        with app.app_context():
            try:
                ts = db.session.get(TrainingSession, session_id)
                user = db.session.get(User, user_id)
                start.wait(timeout=10)  # every thread has read the session: they all count seats at once
                services.register(db.session, ts, user, actor=user, now=utcnow())
                db.session.commit()
            except Exception as error:  # reported to the main thread
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_simultaneous_registrations_never_oversell_the_last_seat(app, session):
    for capacity in (1, 2, 1):  # a few rounds: a race that is lost once in three must show
        ts = TrainingSessionFactory(capacity=capacity, starts_at=utcnow() + timedelta(days=10))
        users = [UserFactory() for _ in range(RACERS)]
        session.commit()
        errors = _race(app, ts.id, [u.id for u in users])
        assert errors == []
        session.expire_all()
        statuses = list(session.scalars(select(Registration.status).where(Registration.session_id == ts.id)))
        assert statuses.count("registered") == capacity
        assert statuses.count("waiting") == RACERS - capacity
