"""Redis stopped, restarted or hung under a real worker: timers fire again by themselves, requests wait at most
one short timeout and then skip Redis (circuit breaker) while the database keeps everything."""

import os
import signal
import time
from datetime import timedelta

import pytest
import redis

from helpdesk.platform import queue as jobqueue
from helpdesk.platform.redis_embedded import embedded_redis_url, server_pids, stop_embedded
from helpdesk.platform.timeutil import utcnow
from tests.faults.support import env_for, python, start, stop, wait_for

pytestmark = pytest.mark.slow


class PrivateRedis:
    """A Redis server of this test alone (a unix socket under tmp_path), to stop, restart and hang at will."""

    def __init__(self, directory):
        self.directory = directory
        self.url = embedded_redis_url(directory)

    def stop(self):
        stop_embedded(self.directory)

    def start(self):
        assert embedded_redis_url(self.directory) == self.url

    def pause(self):
        for pid in server_pids(self.directory):
            os.kill(pid, signal.SIGSTOP)

    def resume(self):
        for pid in server_pids(self.directory):
            os.kill(pid, signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis")
    yield server
    server.resume()
    server.stop()


def _timer(url: str, path) -> None:
    queue = jobqueue.get_queue(connection=redis.Redis.from_url(url))
    queue.enqueue_at(utcnow() + timedelta(seconds=1), "tests.faults.jobs.touch", str(path))


def test_timers_fire_again_after_redis_restarts(app, tmp_path, private_redis):
    log = tmp_path / "worker.log"
    supervisor = start(python("-m", "worker", "--no-cron"), env_for(app, tmp_path, redis_url=private_redis.url), log)
    try:
        _timer(private_redis.url, tmp_path / "before")
        wait_for((tmp_path / "before").exists, 90, "a timer before the outage", log)
        private_redis.stop()
        time.sleep(3)  # the outage: the scheduler and the cron exit, the worker retries its connection
        private_redis.start()
        _timer(private_redis.url, tmp_path / "after")
        wait_for((tmp_path / "after").exists, 120, "a timer after the outage", log)
    finally:
        stop(supervisor)


def test_a_hung_redis_costs_one_short_timeout_then_nothing(app, session, private_redis, monkeypatch):
    from tests.escalation.workers import open_urgent_ticket

    sends = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sends.append(self)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    monkeypatch.setitem(app.config, "REDIS_URL", private_redis.url)
    private_redis.pause()
    first = open_urgent_ticket(session)  # its timer and mail cannot be sent: one timeout, the breaker opens
    assert sends, "the first commit tried Redis"
    sends.clear()
    from helpdesk.tickets import services as tickets
    from tests.factories import KeywordFactory, UserFactory

    second = tickets.open_ticket(
        session,
        actor=UserFactory(),
        keyword=KeywordFactory(priority="urgent"),
        subject="Deuxième ticket",
        description="Redis ne répond plus.",
        now=first.created_at,
    )
    session.commit()
    assert sends == []  # the breaker is open: nothing waited for Redis
    assert second.id and first.id
    with pytest.raises(jobqueue.RedisUnavailable):
        jobqueue.enqueue_many([("helpdesk.notifications.jobs.send_email", (), {"notification_id": 1}, {})])
    private_redis.resume()
    jobqueue.reset_breakers()
    assert jobqueue.enqueue_now("helpdesk.notifications.jobs.send_email", notification_id=1) is not None
