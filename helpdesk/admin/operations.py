"""Queue health for admins and pilots: what is queued, scheduled and failed, when the sweep last ran; retry."""

from __future__ import annotations

import redis
from flask import current_app
from rq.job import Job
from rq.serializers import JSONSerializer

from escalation.jobs import LAST_SWEEP_KEY
from helpdesk import policy
from helpdesk.platform.errors import NotAllowed
from helpdesk.platform.i18n import N_
from helpdesk.platform.queue import get_queue, redis_connection


def _check(actor) -> None:
    if not policy.can(actor, policy.Action.VIEW_OPERATIONS):
        raise NotAllowed(N_("Page réservée aux administrateurs et à l'équipe de pilotage."))


def queue_health(*, actor) -> dict:
    """Counts per queue and the failed jobs (id, function, error's last line). Redis down is reported, not raised."""
    _check(actor)
    try:
        connection = redis_connection()
        rows = []
        for name in current_app.config["RQ_QUEUES"]:
            queue = get_queue(name, connection=connection)
            failed_ids = queue.failed_job_registry.get_job_ids()
            failed = []
            for job in Job.fetch_many(failed_ids[:50], connection=connection, serializer=JSONSerializer):
                if job is not None:
                    result = job.latest_result()
                    info = ((result.exc_string if result else "") or "").strip().splitlines()
                    failed.append({"id": job.id, "func": job.func_name, "error": info[-1] if info else ""})
            rows.append(
                {
                    "name": name,
                    "queued": queue.count,
                    "scheduled": queue.scheduled_job_registry.count,
                    "started": queue.started_job_registry.count,
                    "failed_count": len(failed_ids),
                    "failed": failed,
                }
            )
        last = connection.get(LAST_SWEEP_KEY)
        return {"queues": rows, "last_sweep": last.decode() if last else None, "error": None}
    except (redis.RedisError, OSError) as error:  # the page must say Redis is down rather than crash
        return {"queues": [], "last_sweep": None, "error": str(error)}


def retry_failed(*, actor, queue_name: str) -> int:
    """Requeue every failed job of a queue; returns how many."""
    _check(actor)
    if queue_name not in current_app.config["RQ_QUEUES"]:
        raise NotAllowed(N_("File inconnue."))
    queue = get_queue(queue_name, connection=redis_connection())
    registry = queue.failed_job_registry
    count = 0
    for job_id in registry.get_job_ids():
        registry.requeue(job_id)
        count += 1
    return count
