"""Worker entry point: `python -m worker` runs an RQ worker with its scheduler, and the cron
scheduler for periodic jobs (sweeps). Any number of these may run on any number of machines.

Jobs run in the worker's own process (RQ's SimpleWorker): they reuse its database and Redis connections,
its compiled SQL statements, templates and reference caches. RQ's default Worker forks a fresh process per
job and starts all of that again each time: on the SLA benchmark a breach check took about 440 ms that way
instead of 30-40 ms. `--fork` restores it (isolation of each job, at that price)."""

import argparse
import logging
import multiprocessing
import time

from rq import Queue, SimpleWorker, Worker
from rq.cron import CronJob, CronScheduler
from rq.serializers import JSONSerializer

from helpdesk import create_app
from helpdesk.platform import jobcontext
from helpdesk.platform.queue import redis_connection

# Periodic jobs of every area: (dotted function path, queue, interval in seconds), registered by the cron process.
CRON_JOBS = [
    ("escalation.jobs.sweep", "default", 60),
    ("escalation.jobs.auto_close", "default", 3600),
    ("escalation.jobs.detect_incidents", "default", 300),
    ("helpdesk.notifications.jobs.send_digests", "default", 3600),
    # Dashboard figures: the days whose tickets changed in the last minute.
    ("helpdesk.reports.jobs.refresh_rollups", "default", 60),
    # Training reminders and summaries whose timers Redis may have lost.
    ("helpdesk.trainings.jobs.sweep_session_mails", "default", 900),
]


class JsonCronJob(CronJob):
    """RQ's cron enqueues with the default (pickle) serializer; ours must stay JSON like every other job."""

    def enqueue(self, connection):
        # Several cron processes (one per machine) share the work: the first one in each interval wins.
        bucket = int(time.time() // (self.interval or 60))
        if not connection.set(f"helpdesk:cron:{self.name}:{bucket}", "1", nx=True, ex=(self.interval or 60) * 2):
            return None
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        return queue.enqueue(self.func_name, args=self.args, kwargs=self.kwargs, **self.job_options)


def build_cron(connection) -> CronScheduler:
    cron = CronScheduler(connection=connection)
    for func_path, queue_name, interval in CRON_JOBS:
        job = JsonCronJob(queue_name=queue_name, func_name=func_path, interval=interval)
        cron._cron_jobs.append(job)
    return cron


def run_cron(redis_url: str) -> None:
    app = create_app({"REDIS_URL": redis_url})
    jobcontext.set_app(app)
    build_cron(redis_connection(redis_url)).start()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Worker RQ de l'assistance ENT")
    parser.add_argument("--burst", action="store_true", help="traite les tâches présentes puis s'arrête")
    parser.add_argument("--no-cron", action="store_true", help="ne lance pas le planificateur périodique")
    parser.add_argument(
        "--fork",
        action="store_true",
        help="chaque tâche dans un processus fils (Worker d'RQ), au prix de connexions et caches neufs",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    app = create_app()
    jobcontext.set_app(app)
    redis_url = app.config["REDIS_URL"]
    cron_process = None
    if not args.no_cron and not args.burst and CRON_JOBS:
        cron_process = multiprocessing.get_context("spawn").Process(target=run_cron, args=(redis_url,), daemon=True)
        cron_process.start()
    connection = redis_connection(redis_url)
    with app.app_context():
        queues = app.config["RQ_QUEUES"]
    worker_class = Worker if args.fork else SimpleWorker
    worker = worker_class(queues, connection=connection, serializer=JSONSerializer)
    try:
        worker.work(with_scheduler=True, burst=args.burst)
    finally:
        if cron_process is not None:
            cron_process.terminate()


if __name__ == "__main__":
    main()
