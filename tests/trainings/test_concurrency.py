"""Two cancellations at the same moment, in two real transactions: the session never holds more than its capacity
and both freed seats go to the first two waiting people. Needs PostgreSQL (SQLite serialises writers anyway)."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.trainings import services
from helpdesk.trainings.models import Registration
from helpdesk.users.models import User
from tests.factories import TrainingSessionFactory, UserFactory


def test_two_concurrent_cancellations_never_over_fill(app, session):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; run with TEST_DATABASE_URL")
    ts = TrainingSessionFactory(capacity=2)
    people = [UserFactory() for _ in range(5)]
    now = utcnow()
    regs = [services.register(session, ts, u, actor=u, now=now + timedelta(seconds=i)) for i, u in enumerate(people)]
    session.commit()
    ids = [(r.id, r.user_id, index) for index, r in enumerate(regs[:2])]
    first_done, errors = threading.Event(), []

    def cancel(registration_id, user_id, index):
        with app.app_context():
            try:
                registration = db.session.get(Registration, registration_id)
                actor = db.session.get(User, user_id)
                if index == 1:
                    first_done.wait(timeout=10)  # start while the first cancellation is still uncommitted
                services.cancel_registration(db.session, registration, actor=actor, now=utcnow())
                if index == 0:
                    first_done.set()
                    time.sleep(0.5)  # keep the transaction open: the second one must wait for it, not read stale seats
                db.session.commit()
            except Exception as error:  # reported to the main thread
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=cancel, args=pair) for pair in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    session.expire_all()
    statuses = {r.user_id: r.status for r in session.scalars(select(Registration))}
    assert [statuses[u.id] for u in people] == ["cancelled", "cancelled", "registered", "registered", "waiting"]
