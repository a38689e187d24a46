"""The only code that enqueues: jobs by dotted path, JSON-serialised, sent after the database commit.

It imports no domain code. Enqueuing never fails a request: if Redis is down the job is
dropped with a log line, and the periodic sweeps rebuild whatever the database says is due.

Round trips: one Redis client (hence one connection pool) per URL and process, and every job a
transaction registered goes out in a single pipeline after its commit. A hung or dead Redis costs a request at
most SOCKET_TIMEOUT once: the breaker then skips Redis for BREAKER_SECONDS (the jobs are dropped with a log
line and the sweeps, which read the database, send them later). Only RQ's public API is used.

The session listeners are registered once, when this module is imported (by the models that enqueue)."""

import logging
import time
from collections.abc import Iterable
from datetime import datetime

import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.platform.redis_client import redis_connection

log = logging.getLogger(__name__)

DEFAULT_RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])
JOB_OPTIONS = {"retry": DEFAULT_RETRY, "result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}
LIMITER_TIMEOUT = 0.25  # the rate limiter fails open: it may give up sooner still
BREAKER_SECONDS = 15.0

_open_until: dict[str, float] = {}  # URL → until when enqueuing skips Redis (circuit breaker)


class RedisUnavailable(redis.ConnectionError):
    """Redis failed less than BREAKER_SECONDS ago: enqueuing does not try again yet."""


def _url_of(connection: redis.Redis) -> str:
    kwargs = connection.connection_pool.connection_kwargs
    return str(kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db')}")


def _guarded(connection: redis.Redis, send):
    """Run `send()` unless the breaker of this server is open; a Redis failure opens it for BREAKER_SECONDS."""
    key = _url_of(connection)
    if time.monotonic() < _open_until.get(key, 0.0):
        raise RedisUnavailable(f"Redis en échec il y a moins de {BREAKER_SECONDS:.0f} s")
    try:
        result = send()
    except (redis.RedisError, OSError):
        _open_until[key] = time.monotonic() + BREAKER_SECONDS
        raise
    _open_until.pop(key, None)
    return result


def reset_breakers() -> None:
    _open_until.clear()


def get_queue(name: str = "default", connection: redis.Redis | None = None) -> Queue:
    return Queue(name, connection=connection or redis_connection(), serializer=JSONSerializer)


def _add_to_pipeline(pipe, q: Queue, func_path: str, args, kwargs, job_id: str | None, at: datetime | None) -> Job:
    """Queue the commands of one job on `pipe` (no round trip). A timer with a deterministic id replaces the
    previous one with the same id, as cancel-then-schedule would, without reading it first."""
    job = q.create_job(
        func_path,
        args=args or None,
        kwargs=kwargs or None,
        job_id=job_id,
        status=JobStatus.SCHEDULED if at is not None else JobStatus.QUEUED,
        **JOB_OPTIONS,
    )
    _ = job.data  # serialise now: a job that cannot be serialised fails before any of its commands is queued
    if at is not None:
        if job_id:
            q.remove(job_id, pipeline=pipe)
            q.scheduled_job_registry.remove(job_id, pipeline=pipe)
        return q.schedule_job(job, at, pipeline=pipe)
    return q.enqueue_job(job, pipeline=pipe)


def enqueue_many(specs: Iterable[tuple], connection: redis.Redis | None = None) -> list[Job]:
    """Send jobs in one pipeline. Each spec is (func_path, args, kwargs, options) with options among
    `queue`, `job_id`, `at`. Raises redis.RedisError / OSError when Redis is unreachable (RedisUnavailable,
    without trying, while the breaker is open)."""
    connection = connection or redis_connection()
    queues: dict[str, Queue] = {}
    jobs = []

    def send():
        with connection.pipeline() as pipe:
            pipe.multi()  # MULTI/EXEC, one round trip; RQ expects a pipeline already in transaction mode
            for func_path, args, kwargs, options in specs:
                name = options.get("queue", "default")
                q = queues.get(name) or queues.setdefault(name, get_queue(name, connection=connection))
                try:
                    jobs.append(_add_to_pipeline(pipe, q, func_path, args, kwargs, options.get("job_id"), options.get("at")))
                except (redis.RedisError, OSError):
                    raise
                except Exception:  # a malformed job must not stop the others; the sweeps repair timers
                    log.exception("job %s not enqueued", func_path)
            pipe.execute()

    _guarded(connection, send)
    return jobs


def enqueue_now(func_path: str, *args, queue: str = "default", job_id: str | None = None, at: datetime | None = None, **kwargs):
    """Enqueue immediately (outside a transaction); returns the job or None when Redis is unreachable."""
    try:
        jobs = enqueue_many([(func_path, args, kwargs, {"queue": queue, "job_id": job_id, "at": at})])
        return jobs[0] if jobs else None
    except (redis.RedisError, OSError) as error:
        log.warning("job %s not enqueued (Redis unreachable: %s); the sweep will catch up", func_path, error)
        return None


_ACTIVE = {JobStatus.QUEUED, JobStatus.STARTED}


def fan_out(
    func_path: str, calls: Iterable[tuple[str, dict]], queue: str = "default", connection: redis.Redis | None = None
) -> int:
    """Enqueue one job per (job_id, kwargs); a job whose id is already queued or running is not enqueued twice,
    a scheduled timer with that id is queued now, a finished or failed run is queued again. Two round trips
    (read the jobs, then one pipeline of writes), through RQ's public API. Returns how many were enqueued.
    Raises redis.RedisError / OSError. Two sweeps racing may both queue an id: the jobs are idempotent."""
    connection = connection or redis_connection()
    calls = list(calls)
    if not calls:
        return 0
    q = get_queue(queue, connection=connection)

    def send() -> int:
        existing = Job.fetch_many([job_id for job_id, _kwargs in calls], connection=connection, serializer=JSONSerializer)
        wanted = []
        with connection.pipeline() as pipe:
            pipe.multi()
            for (job_id, kwargs), job in zip(calls, existing, strict=True):
                status = job.get_status(refresh=False) if job is not None else None
                if status in _ACTIVE:
                    continue
                if status == JobStatus.SCHEDULED:
                    q.scheduled_job_registry.remove(job_id, pipeline=pipe)
                elif status == JobStatus.FAILED:
                    q.failed_job_registry.remove(job_id, pipeline=pipe)
                elif status == JobStatus.FINISHED:
                    q.finished_job_registry.remove(job_id, pipeline=pipe)
                wanted.append(
                    Queue.prepare_data(
                        func_path,
                        kwargs=kwargs,
                        job_id=job_id,
                        retry=DEFAULT_RETRY,
                        result_ttl=JOB_OPTIONS["result_ttl"],
                        failure_ttl=JOB_OPTIONS["failure_ttl"],
                    )
                )
            if wanted:
                q.enqueue_many(wanted, pipeline=pipe)
                pipe.execute()
        return len(wanted)

    return _guarded(connection, send)


def enqueue_after_commit(session: Session, func_path: str, *args, **options) -> None:
    """Register a job to be sent once the session commits; a rollback drops it. A later registration with the
    same `job_id` replaces an earlier one of the same transaction (a training moved twice sends one reminder)."""
    pending = session.info.setdefault("pending_jobs", [])
    job_id = options.get("job_id")
    if job_id:
        pending[:] = [entry for entry in pending if entry[2].get("job_id") != job_id]
    pending.append((func_path, args, options))


def transaction_state(session: Session) -> dict:
    """A dict kept until this transaction commits or rolls back: what a service gathers over several calls for
    the one job it registers (the mails of a commit)."""
    return session.info.setdefault("pending_state", {})


def run_after_commit(session: Session, callback) -> None:
    """Register a plain callable (index update, cache bust) to run after the commit."""
    session.info.setdefault("pending_callbacks", []).append(callback)


def _send_pending(jobs) -> None:
    specs = []
    for func_path, args, options in jobs:
        options = dict(options)
        queue_options = {name: options.pop(name) for name in ("queue", "job_id", "at") if name in options}
        specs.append((func_path, args, options, queue_options))
    try:
        enqueue_many(specs)
    except (redis.RedisError, OSError) as error:
        log.warning("%d job(s) not enqueued (Redis error: %s); the sweeps will catch up", len(specs), error)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    """Send what the committed transaction registered (registered once, for every session of the process)."""
    jobs = session.info.pop("pending_jobs", [])
    callbacks = session.info.pop("pending_callbacks", [])
    session.info.pop("pending_state", None)
    if jobs:
        try:
            _send_pending(jobs)
        except Exception:  # a malformed job must not break the committed request; the sweeps repair timers
            log.exception("jobs not enqueued")
    for callback in callbacks:
        try:
            callback()
        except Exception:  # an after-commit side effect must never undo a committed request
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("pending_jobs", None)
    session.info.pop("pending_callbacks", None)
    session.info.pop("pending_state", None)
