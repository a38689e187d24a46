"""The two things RQ 3.0 does not offer, each done with RQ's public API; tests/platform/test_rq_compat.py
pins the behaviour they rely on and fails on an upgrade that changes it.

1. `CronScheduler` enqueues with RQ's default (pickle) serializer: `CronJob.enqueue` builds
   `Queue(queue_name, connection)` without one, and our workers read JSON only. `JsonCronScheduler.register`
   gives each registered job an `enqueue` that uses our serializer, with one deterministic job id per interval
   enqueued `unique=True`: with a cron process on several machines, the first one of each interval wins.
2. The jobs of a worker that died (SIGKILL, out of memory, a job that ended the process) stay « started » until
   their heartbeat runs out (the job timeout plus a minute with SimpleWorker) and the next registry cleanup
   (every ten minutes by default). `abandon_jobs_of` marks that worker's executions as expired now and lets
   RQ's own `StartedJobRegistry.cleanup` handle them as abandoned: retried with the job's backoff while
   retries are left, failed afterwards."""

from __future__ import annotations

import logging
import os
import socket
import time

from redis import Redis
from rq import Queue, Worker
from rq.cron import CronJob, CronScheduler
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)


def _enqueue_json(cron_job: CronJob, connection: Redis):
    interval = cron_job.interval or 60
    bucket = int(time.time() // interval)
    queue = Queue(cron_job.queue_name, connection=connection, serializer=JSONSerializer)
    try:
        return queue.enqueue(
            cron_job.func_name,
            args=cron_job.args,
            kwargs=cron_job.kwargs,
            job_id=f"cron-{cron_job.name.replace('.', '_')}-{bucket}",  # RQ ids: letters, digits, _ and -
            unique=True,
            **cron_job.job_options,
        )
    except DuplicateJobError:  # another machine's cron process enqueued this interval's run
        return None


class JsonCronScheduler(CronScheduler):
    """RQ's cron scheduler whose jobs are JSON-serialised and enqueued once per interval across machines."""

    def register(self, func, queue_name, *args, **kwargs) -> CronJob:
        cron_job = super().register(func, queue_name, *args, **kwargs)
        cron_job.enqueue = lambda connection, _job=cron_job: _enqueue_json(_job, connection)
        return cron_job


def abandon_jobs_of(connection: Redis, worker: Worker) -> list[str]:
    """Hand the jobs `worker` was running (it is dead) to RQ's abandoned-job handling; returns their ids."""
    executions = worker.get_current_executions(refresh=True)
    handled = []
    registries = {}
    for execution in executions:
        try:
            job = Job.fetch(execution.job_id, connection=connection, serializer=JSONSerializer)
        except NoSuchJobError:  # the job hash expired: nothing to retry
            continue
        registry = registries.setdefault(
            job.origin, StartedJobRegistry(job.origin, connection=connection, serializer=JSONSerializer)
        )
        with connection.pipeline() as pipe:
            registry.add_execution(execution, pipe, ttl=0, xx=True)  # expires now
            pipe.execute()
        handled.append(job.id)
    for registry in registries.values():
        registry.cleanup()
    worker.register_death()
    if handled:
        log.warning("worker %s is dead: its job(s) %s are retried", worker.name, ", ".join(handled))
    return handled


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def abandon_dead_local_workers(connection: Redis, hostname: str | None = None) -> list[str]:
    """Workers registered from this machine whose process no longer exists: retry their jobs now."""
    hostname = hostname or socket.gethostname()
    handled = []
    for worker in Worker.all(connection=connection, serializer=JSONSerializer):
        if worker.hostname == hostname and worker.pid and not _pid_alive(worker.pid):
            handled += abandon_jobs_of(connection, worker)
    return handled
