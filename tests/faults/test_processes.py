"""Every process dies with its parent, and a supervised worker survives the jobs that kill it.

Real processes: the devserver (web, worker, embedded Redis) started and stopped five times; `python -m worker`
SIGKILLed; an RQ worker SIGKILLed in the middle of a job; a job that ends its worker process."""

import os
import signal
import urllib.error
import urllib.request

import pytest
from rq import Retry, Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from helpdesk.platform.queue import get_queue, redis_connection
from tests.conftest import _free_port, processes_of
from tests.faults.support import alive, env_for, family_of, python, start, stop, wait_for

pytestmark = pytest.mark.slow


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 600
    except urllib.error.HTTPError:
        return True  # the app answered (503 while degraded is an answer)
    except OSError:
        return False


def _workers(app) -> list[Worker]:
    return Worker.all(connection=redis_connection(app.config["REDIS_URL"]), serializer=JSONSerializer)


@pytest.mark.timeout(1200)  # five full start-ups: about a minute alone, far more on a loaded machine
@pytest.mark.parametrize("cycle_signals", [[signal.SIGINT, signal.SIGTERM, signal.SIGKILL, signal.SIGTERM, signal.SIGKILL]])
def test_the_embedded_default_started_and_stopped_five_times_leaves_nothing(app, tmp_path, cycle_signals):
    data_dir = tmp_path / "devserver-data"
    log = tmp_path / "devserver.log"
    for number, stop_signal in enumerate(cycle_signals, start=1):
        port = _free_port()
        env = env_for(app, data_dir, embedded_redis=True) | {"PORT": str(port)}
        devserver = start(python("-m", "devserver"), env, log)
        try:
            wait_for(lambda port=port: _answers(f"http://127.0.0.1:{port}/healthz"), 300, f"devserver #{number}", log)
            # waitress (one process), worker supervisor + RQ worker, scheduler, cron, embedded Redis
            family = wait_for(lambda devserver=devserver: family_of(devserver.pid, 6), 120, "children", log)
        except AssertionError:
            stop(devserver)
            raise
        devserver.send_signal(stop_signal)
        devserver.wait(timeout=120)
        wait_for(
            lambda family=family: not alive(family) and not processes_of(data_dir), 60, f"stop #{number} ({stop_signal!r})", log
        )


def test_a_sigkilled_worker_leaves_no_child(app, tmp_path):
    log = tmp_path / "worker.log"
    supervisor = start(python("-m", "worker"), env_for(app, tmp_path), log)
    try:
        family = wait_for(lambda: family_of(supervisor.pid, 3), 90, "children", log)
        wait_for(lambda: _workers(app), 90, "the RQ worker's registration", log)
        supervisor.send_signal(signal.SIGKILL)
        supervisor.wait(timeout=10)
        wait_for(lambda: not alive(family) and not processes_of(tmp_path), 60, "the children to stop", log)
    finally:
        stop(supervisor)


def _enqueue(func_path, *args, job_id, retry):
    return get_queue().enqueue(func_path, args=args, job_id=job_id, retry=retry)


def test_a_job_that_ends_its_worker_fails_alone_and_the_jobs_behind_it_run(app, tmp_path):
    log = tmp_path / "worker.log"
    marker, done = tmp_path / "runs", tmp_path / "behind"
    supervisor = start(python("-m", "worker", "--no-cron"), env_for(app, tmp_path), log)
    try:
        wait_for(lambda: _workers(app), 90, "the RQ worker", log)
        _enqueue("tests.faults.jobs.exit_process", str(marker), job_id="killer", retry=Retry(max=1, interval=1))
        _enqueue("tests.faults.jobs.touch", str(done), job_id="behind", retry=None)
        wait_for(done.exists, 90, "the job queued behind the killer", log)
        connection = redis_connection(app.config["REDIS_URL"])
        # Retried once (the worker died: RQ's abandoned-job handling, at once), then failed; never a third run.
        wait_for(
            lambda: Job.fetch("killer", connection=connection, serializer=JSONSerializer).get_status() == "failed",
            90,
            "the killer job to fail",
            log,
        )
        assert marker.read_text().count("run") == 2
        _enqueue("tests.faults.jobs.touch", str(tmp_path / "after"), job_id="after", retry=None)
        wait_for((tmp_path / "after").exists, 90, "a job after the failure", log)
    finally:
        stop(supervisor)
    assert not processes_of(tmp_path)


def test_the_job_of_a_sigkilled_worker_is_retried_at_once(app, tmp_path):
    log = tmp_path / "worker.log"
    started, done = tmp_path / "started", tmp_path / "done"
    supervisor = start(python("-m", "worker", "--no-cron"), env_for(app, tmp_path), log)
    try:
        wait_for(lambda: _workers(app), 90, "the RQ worker", log)
        _enqueue("tests.faults.jobs.slow_touch", str(started), str(done), 3, job_id="slow", retry=Retry(max=2, interval=1))
        wait_for(started.exists, 90, "the job to start", log)
        (victim,) = [w for w in _workers(app) if w.get_current_job_id() == "slow"]
        os.kill(victim.pid, signal.SIGKILL)
        wait_for(done.exists, 90, "the retried job to finish", log)
        connection = redis_connection(app.config["REDIS_URL"])
        job = Job.fetch("slow", connection=connection, serializer=JSONSerializer)
        assert job.get_status() == "finished" and job.retries_left == 1
        assert len(started.read_text().split()) == 2  # killed once, run again once
    finally:
        stop(supervisor)
    assert not processes_of(tmp_path)
