"""The only code that enqueues: jobs by dotted path, JSON-serialised, sent after the database commit.

It imports no domain code. Enqueuing never fails a request: if Redis is down the job is
dropped with a log line, and the periodic sweeps rebuild whatever the database says is due.

Round trips: one Redis client (hence one connection pool) per URL and process, and every job a
transaction registered goes out in a single pipeline after its commit."""

import logging
import threading
from collections.abc import Iterable
from datetime import datetime

import redis
from flask import current_app
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from rq.utils import now as rq_now
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

DEFAULT_RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])
JOB_OPTIONS = {"retry": DEFAULT_RETRY, "result_ttl": 3600, "failure_ttl": 7 * 24 * 3600}

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def redis_connection(url: str | None = None) -> redis.Redis:
    """The process's client for this URL. redis-py pools are thread-safe and start afresh in a forked child,
    so web threads, workers and forks share it without opening a connection per request."""
    url = url or current_app.config["REDIS_URL"]
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return client


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
            pipe.lrem(q.key, 0, job_id)
            pipe.zrem(q.scheduled_job_registry.key, job_id)
            pipe.delete(job.key)
        return q.schedule_job(job, at, pipeline=pipe)
    return q.enqueue_job(job, pipeline=pipe)


def enqueue_many(specs: Iterable[tuple], connection: redis.Redis | None = None) -> list[Job]:
    """Send jobs in one pipeline. Each spec is (func_path, args, kwargs, options) with options among
    `queue`, `job_id`, `at`. Raises redis.RedisError / OSError when Redis is unreachable."""
    connection = connection or redis_connection()
    queues: dict[str, Queue] = {}
    jobs = []
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
    return jobs


def enqueue_now(func_path: str, *args, queue: str = "default", job_id: str | None = None, at: datetime | None = None, **kwargs):
    """Enqueue immediately (outside a transaction); returns the job or None when Redis is unreachable."""
    try:
        jobs = enqueue_many([(func_path, args, kwargs, {"queue": queue, "job_id": job_id, "at": at})])
        return jobs[0] if jobs else None
    except (redis.RedisError, OSError) as error:
        log.warning("job %s not enqueued (Redis unreachable: %s); the sweep will catch up", func_path, error)
        return None


# Enqueue a job unless the same id is already waiting in the queue or running; a due timer (scheduled) or a
# finished / failed run with that id is replaced and queued now. Check and write are atomic in Redis.
_FAN_OUT_SCRIPT = """
local status = redis.call("HGET", KEYS[1], "status")
if status == "queued" or status == "started" then
    return 0
end
redis.call("ZREM", KEYS[3], ARGV[1])
redis.call("ZREM", KEYS[4], ARGV[1])
redis.call("DEL", KEYS[1])
redis.call("HSET", KEYS[1], unpack(ARGV, 2))
redis.call("RPUSH", KEYS[2], ARGV[1])
return 1
"""


def fan_out(
    func_path: str, calls: Iterable[tuple[str, dict]], queue: str = "default", connection: redis.Redis | None = None
) -> int:
    """Enqueue one job per (job_id, kwargs) in a single pipeline; a job whose id is already queued or running
    is not enqueued twice. Returns how many were enqueued. Raises redis.RedisError / OSError."""
    connection = connection or redis_connection()
    q = get_queue(queue, connection=connection)
    keys_tail = [q.key, q.scheduled_job_registry.key, q.failed_job_registry.key]
    with connection.pipeline() as pipe:
        pipe.multi()
        pipe.sadd(q.redis_queues_keys, q.key)
        count = 0
        for job_id, kwargs in calls:
            job = q.create_job(func_path, kwargs=kwargs, job_id=job_id, status=JobStatus.QUEUED, **JOB_OPTIONS)
            job.enqueued_at = rq_now()
            fields = []
            for key, value in job.to_dict().items():
                if value is not None:
                    fields += [key, value]
            # EVAL with the text (Redis caches it by digest): no SCRIPT EXISTS / LOAD round trip before the pipeline.
            pipe.eval(_FAN_OUT_SCRIPT, 4, job.key, *keys_tail, job.id, *fields)
            count += 1
        if not count:
            return 0
        results = pipe.execute()
    return sum(int(result) for result in results[1:])


def enqueue_after_commit(session: Session, func_path: str, *args, **options) -> None:
    """Register a job to be sent once the session commits; a rollback drops it. A later registration with the
    same `job_id` replaces an earlier one of the same transaction (a clock recomputed twice sends one timer)."""
    pending = session.info.setdefault("pending_jobs", [])
    job_id = options.get("job_id")
    if job_id:
        pending[:] = [entry for entry in pending if entry[2].get("job_id") != job_id]
    pending.append((func_path, args, options))


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


def install(db) -> None:
    """Hook the pending-job list to the session lifecycle (called once by create_app)."""

    @event.listens_for(db.session.__class__ if isinstance(db.session, type) else Session, "after_commit")
    def _after_commit(session):
        jobs = session.info.pop("pending_jobs", [])
        callbacks = session.info.pop("pending_callbacks", [])
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
