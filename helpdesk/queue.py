"""The only code that enqueues: jobs by dotted path, JSON-serialised, sent after the database commit.

It imports no domain code. Enqueuing never fails a request: if Redis is down the job is
dropped with a log line, and the periodic sweeps rebuild whatever the database says is due."""

import logging
from datetime import datetime

import redis
from flask import current_app, g, has_app_context
from rq import Queue, Retry
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

DEFAULT_RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])


def redis_connection(url: str | None = None) -> redis.Redis:
    url = url or current_app.config["REDIS_URL"]
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def get_queue(name: str = "default", connection: redis.Redis | None = None) -> Queue:
    if connection is None:
        if has_app_context():
            if "_redis" not in g:
                g._redis = redis_connection()
            connection = g._redis
        else:
            connection = redis_connection()
    return Queue(name, connection=connection, serializer=JSONSerializer)


def enqueue_now(func_path: str, *args, queue: str = "default", job_id: str | None = None, at: datetime | None = None, **kwargs):
    """Enqueue immediately (outside a transaction); returns the job or None when Redis is unreachable."""
    try:
        q = get_queue(queue)
        options = {"job_id": job_id, "retry": DEFAULT_RETRY, "result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}
        if at is not None:
            if job_id:
                _cancel(q, job_id)
            return q.enqueue_at(at, func_path, args=args, kwargs=kwargs or None, **options)
        return q.enqueue(func_path, args=args, kwargs=kwargs or None, **options)
    except (redis.RedisError, OSError) as error:
        log.warning("job %s not enqueued (Redis unreachable: %s); the sweep will catch up", func_path, error)
        return None


def _cancel(q: Queue, job_id: str) -> None:
    """A rescheduled timer replaces the previous one with the same deterministic id."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=q.connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return
    job.cancel()
    job.delete()


def enqueue_after_commit(session: Session, func_path: str, *args, **options) -> None:
    """Register a job to be sent once the session commits; a rollback drops it."""
    pending = session.info.setdefault("pending_jobs", [])
    pending.append((func_path, args, options))


def run_after_commit(session: Session, callback) -> None:
    """Register a plain callable (index update, cache bust) to run after the commit."""
    session.info.setdefault("pending_callbacks", []).append(callback)


def install(db) -> None:
    """Hook the pending-job list to the session lifecycle (called once by create_app)."""

    @event.listens_for(db.session.__class__ if isinstance(db.session, type) else Session, "after_commit")
    def _after_commit(session):
        jobs = session.info.pop("pending_jobs", [])
        callbacks = session.info.pop("pending_callbacks", [])
        for func_path, args, options in jobs:
            try:
                enqueue_now(func_path, *args, **options)
            except Exception:  # a malformed job must not break the committed request; the sweeps repair timers
                log.exception("job %s not enqueued", func_path)
        for callback in callbacks:
            try:
                callback()
            except Exception:  # an after-commit side effect must never undo a committed request
                log.exception("after-commit callback failed")

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session):
        session.info.pop("pending_jobs", None)
        session.info.pop("pending_callbacks", None)
