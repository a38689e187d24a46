"""Contract of helpdesk.platform.rq_compat with the installed RQ: what it relies on, and why it still exists.

A failure here after an RQ upgrade means: read the upgrade's changes, then adapt or delete rq_compat."""

import importlib.metadata
import os
import signal
import subprocess
import sys

import pytest
from rq import Retry, SimpleWorker, Worker
from rq.cron import CronJob
from rq.exceptions import DeserializationError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from helpdesk.platform.queue import get_queue, redis_connection
from helpdesk.platform.rq_compat import JsonCronScheduler, abandon_dead_local_workers, abandon_jobs_of

PINNED_RQ = "3.0.0"


def test_the_pinned_rq_is_the_one_installed():
    assert importlib.metadata.version("rq") == PINNED_RQ  # bump this, then check every test below


def test_rq_cron_still_enqueues_with_pickle_which_is_why_json_cron_exists(app):
    connection = redis_connection()
    job = CronJob(queue_name="default", func=test_the_pinned_rq_is_the_one_installed, interval=60).enqueue(connection)
    # Pickled, so our JSON workers cannot read it: if RQ's cron learns serializers, drop JsonCronScheduler.
    with pytest.raises(DeserializationError):
        _ = Job.fetch(job.id, connection=connection, serializer=JSONSerializer).func_name


def test_json_cron_enqueues_json_once_per_interval(app):
    connection = redis_connection()
    cron = JsonCronScheduler(connection=connection)
    cron.register(test_the_pinned_rq_is_the_one_installed, "default", interval=60)
    assert [job.func_name for job in cron.enqueue_jobs()] == [f"{__name__}.test_the_pinned_rq_is_the_one_installed"]
    queue = get_queue()
    (job_id,) = queue.job_ids
    assert job_id.startswith("cron-tests_platform_test_rq_compat_test_the_pinned_rq_is_the_one_installed-")
    job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    assert job.func_name.endswith("test_the_pinned_rq_is_the_one_installed")  # readable by our JSON workers
    # Another machine's cron process in the same interval: RQ's `unique` refuses the same id, nothing is added.
    other = JsonCronScheduler(connection=connection)
    other.register(test_the_pinned_rq_is_the_one_installed, "default", interval=60)
    other.enqueue_jobs()
    assert queue.job_ids == [job_id]


def _running_job_of_a_dead_worker(app, retry):
    """A job marked started by a real worker process that was then SIGKILLed (the job itself sleeps)."""
    connection = redis_connection()
    queue = get_queue()
    job = queue.enqueue("time.sleep", args=(30,), job_id="victim", retry=retry)
    code = (
        "import sys, redis; from rq import SimpleWorker; from rq.serializers import JSONSerializer;"
        "c = redis.Redis.from_url(sys.argv[1]);"
        "SimpleWorker(['default'], connection=c, serializer=JSONSerializer, name='doomed').work(burst=True)"
    )
    process = subprocess.Popen([sys.executable, "-c", code, app.config["REDIS_URL"]])
    try:
        for _ in range(300):
            if job.get_status(refresh=True) == JobStatus.STARTED:
                break
            process.wait(timeout=0.1) if process.poll() is not None else __import__("time").sleep(0.1)
        assert job.get_status(refresh=True) == JobStatus.STARTED
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + "doomed", connection=connection, serializer=JSONSerializer)
    assert worker is not None and [e.job_id for e in worker.get_current_executions()] == ["victim"]
    return connection, queue, worker


def test_the_job_of_a_dead_worker_is_retried_by_rq_itself(app):
    connection, queue, worker = _running_job_of_a_dead_worker(app, Retry(max=2))
    assert abandon_jobs_of(connection, worker) == ["victim"]
    job = Job.fetch("victim", connection=connection, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.QUEUED and job.retries_left == 1  # RQ's retry: one attempt used
    assert queue.started_job_registry.get_job_ids() == [] and queue.job_ids == ["victim"]
    assert Worker.find_by_key(worker.key, connection=connection) is None or worker.key not in Worker.all_keys(connection)


def test_without_retries_left_it_fails(app):
    connection, queue, worker = _running_job_of_a_dead_worker(app, None)
    abandon_jobs_of(connection, worker)
    assert Job.fetch("victim", connection=connection, serializer=JSONSerializer).get_status() == JobStatus.FAILED
    assert queue.failed_job_registry.get_job_ids() == ["victim"]


def test_dead_workers_of_this_machine_are_found_by_their_pid(app):
    connection, queue, _worker = _running_job_of_a_dead_worker(app, Retry(max=1))
    live = SimpleWorker(["default"], connection=connection, serializer=JSONSerializer, name="alive-here")
    live.register_birth()  # this very process: alive, untouched
    try:
        assert abandon_dead_local_workers(connection) == ["victim"]
        assert "rq:worker:alive-here" in Worker.all_keys(connection)
    finally:
        live.register_death()
