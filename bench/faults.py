"""Recovery times under faults, against real processes: `python -m bench.faults [--only NAME ...]`.

Each scenario starts what it needs in a throw-away directory: its own Redis server (unix socket), the
database of BENCH_DATABASE_URL (default: a fresh SQLite file; the tables are created, **existing rows are
deleted**), `python -m worker` supervisors. Numbers go to stdout and bench/results/faults.json; docs/sla.md
quotes them. Scenarios: a worker SIGKILLed in the middle of a job, Redis restarted, Redis hung (SIGSTOP)
under logins and ticket creations, mails created while Redis was down."""

import argparse
import json
import os
import signal
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _app(data_dir: Path, redis_url: str, database_url: str | None):
    from helpdesk import create_app
    from helpdesk.platform.extensions import db

    config = {"HELPDESK_DATA_DIR": str(data_dir), "REDIS_URL": redis_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name != "cache_version":
                    connection.execute(table.delete())
    return app


def _worker(app, tmp: Path, redis_url: str):
    from tests.faults.support import env_for, python, start

    return start(python("-m", "worker", "--no-cron"), env_for(app, tmp, redis_url=redis_url), tmp / "worker.log")


def _wait(condition, timeout=300.0):
    from tests.faults.support import wait_for

    return wait_for(condition, timeout, "the scenario")


def worker_killed(app, tmp: Path, redis_url: str) -> dict:
    """SIGKILL of the RQ worker while its job runs: how long until the job runs again, and until it is done."""
    import redis
    from rq import Worker
    from rq.serializers import JSONSerializer

    from helpdesk.platform.queue import DEFAULT_RETRY, get_queue
    from tests.faults.support import stop

    connection = redis.Redis.from_url(redis_url)
    supervisor = _worker(app, tmp, redis_url)
    started, done = tmp / "started", tmp / "done"
    try:
        _wait(lambda: Worker.all(connection=connection))
        get_queue(connection=connection).enqueue(
            "tests.faults.jobs.slow_touch", args=(str(started), str(done), 2), job_id="slow", retry=DEFAULT_RETRY
        )
        _wait(started.exists)
        (victim,) = [w for w in Worker.all(connection=connection, serializer=JSONSerializer) if w.get_current_job_id() == "slow"]
        os.kill(victim.pid, signal.SIGKILL)
        killed = time.monotonic()
        _wait(lambda: len(started.read_text().split()) == 2)
        rerun = time.monotonic() - killed
        _wait(done.exists)
        return {"rerun_after_s": round(rerun, 1), "done_after_s": round(time.monotonic() - killed, 1), "retry_interval_s": 10}
    finally:
        stop(supervisor)


def redis_restart(app, tmp: Path, redis_url: str, server) -> dict:
    """Redis stopped 5 s then started again (append-only file kept): how long until a timer fires again."""
    import redis

    from helpdesk.platform.queue import get_queue
    from helpdesk.platform.timeutil import utcnow
    from tests.faults.support import stop

    supervisor = _worker(app, tmp, redis_url)
    try:
        connection = redis.Redis.from_url(redis_url)
        get_queue(connection=connection).enqueue_at(utcnow(), "tests.faults.jobs.touch", str(tmp / "before"))
        _wait((tmp / "before").exists)
        server.stop()
        time.sleep(5)
        server.start()
        back = time.monotonic()
        get_queue(connection=redis.Redis.from_url(redis_url)).enqueue_at(utcnow(), "tests.faults.jobs.touch", str(tmp / "after"))
        _wait((tmp / "after").exists)
        return {"timer_fires_after_redis_back_s": round(time.monotonic() - back, 1)}
    finally:
        stop(supervisor)


def hung_redis(app, tmp: Path, redis_url: str, server) -> dict:
    """Redis frozen (SIGSTOP): time of three logins and three ticket creations in a row."""
    from escalation import seed
    from helpdesk.platform.extensions import db, limiter
    from helpdesk.tickets import services as tickets
    from tests.factories import KeywordFactory, UserFactory

    limiter.enabled = True
    with app.app_context():
        seed.seed_reference(db.session)
        user = UserFactory(email="bench@ac-toulouse.fr")
        keyword = KeywordFactory(priority="urgent")
        db.session.commit()
        user_id, keyword_id = user.id, keyword.id
    client = app.test_client()

    def three_logins() -> list[float]:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            response = client.post("/connexion", data={"email": "bench@ac-toulouse.fr", "password": "correct-horse-42"})
            timings.append(round(time.perf_counter() - started, 2))
            assert response.status_code in (302, 303), response.status_code
            client.post("/deconnexion")
        return timings

    healthy = three_logins()
    server.pause()
    try:
        logins, creations = three_logins(), []
        with app.app_context():
            from helpdesk.routing.models import Keyword
            from helpdesk.users.models import User

            for n in range(3):
                started = time.perf_counter()
                tickets.open_ticket(
                    db.session,
                    actor=db.session.get(User, user_id),
                    keyword=db.session.get(Keyword, keyword_id),
                    subject=f"Ticket {n}",
                    description="Redis ne répond plus.",
                    now=datetime.now(UTC),
                )
                db.session.commit()
                creations.append(round(time.perf_counter() - started, 2))
        return {"login_healthy_redis_s": healthy, "login_s": logins, "ticket_creation_s": creations}
    finally:
        server.resume()
        limiter.enabled = False


def mails_while_redis_down(app, tmp: Path, redis_url: str, server, count: int = 200) -> dict:
    """`count` notifications created while Redis is stopped; then Redis back, the outbox sweep, one worker."""
    from sqlalchemy import func, select

    from helpdesk.notifications import jobs as mail_jobs
    from helpdesk.notifications.models import Notification
    from helpdesk.notifications.services import notify_many
    from helpdesk.platform import queue as jobqueue
    from helpdesk.platform.extensions import db
    from tests.escalation.workers import run_queued_jobs
    from tests.factories import UserFactory

    with app.app_context():
        ids = [UserFactory().id for _ in range(count)]
        db.session.commit()
        server.stop()
        created = datetime.now(UTC) - timedelta(minutes=5)
        for n, user_id in enumerate(ids):
            notify_many(db.session, [user_id], "incident", dedup_key=f"bench-{n}", now=created, title="Panne", message="x")
            db.session.commit()
        server.start()
        jobqueue.reset_breakers()
        started = time.perf_counter()
        queued = mail_jobs.resend_unsent()
        run_queued_jobs(app)
        unsent = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.emailed_at.is_(None)))
        return {
            "created": count,
            "queued_by_sweep": queued,
            "lost": unsent,
            "sweep_and_send_s": round(time.perf_counter() - started, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=["worker_killed", "redis_restart", "hung_redis", "mails_while_redis_down"])
    args = parser.parse_args()
    from tests.faults.test_redis_faults import PrivateRedis

    results = {}
    for name in args.only:
        tmp = Path(tempfile.mkdtemp(prefix=f"faults-{name}-"))
        server = PrivateRedis(tmp / "redis")
        try:
            app = _app(tmp / "data", server.url, os.environ.get("BENCH_DATABASE_URL"))
            scenario = globals()[name]
            extra = () if name == "worker_killed" else (server,)
            results[name] = scenario(app, tmp, server.url, *extra)
            print(name, results[name], flush=True)
        finally:
            server.resume()
            server.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "faults.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
