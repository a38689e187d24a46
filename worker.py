"""Worker entry point: `python -m worker` supervises an RQ worker, the RQ scheduler and the cron process
(periodic jobs, `CRON_JOBS`). Any number of these may run on any number of machines.

`python -m worker` itself only supervises (`helpdesk.platform.processes`): it starts its three children, which
die with it however it ends (SIGKILL included), restarts one that exits abnormally (1 s, 2 s, 4 s … 30 s
apart), and when the RQ worker died the job it was running is retried at once (`rq_compat.abandon_jobs_of`),
not ten minutes later. A job that ends its process (a crash, `os._exit`) therefore costs one restart, and after
its retries it fails instead of taking the worker down again. A Redis outage makes the scheduler and the cron
process exit: they are started again and reconnect by themselves once Redis answers.

Jobs run in the RQ worker's own process (RQ's SimpleWorker): they reuse its database and Redis connections,
its compiled SQL statements, templates and reference caches. RQ's default Worker forks a fresh process per
job and starts all of that again each time: on the SLA benchmark a breach check took about 440 ms that way
instead of 30-40 ms. `--fork` restores it (isolation of each job, at that price)."""

import argparse
import importlib
import logging
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field

from redis import RedisError
from rq import SimpleWorker, Worker
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer

from helpdesk.platform.config import load_settings, redis_url
from helpdesk.platform.processes import Child, Supervisor, python_module
from helpdesk.platform.redis_client import redis_connection
from helpdesk.platform.rq_compat import JsonCronScheduler, abandon_dead_local_workers, abandon_jobs_of

log = logging.getLogger("worker")

# Periodic jobs of every area: (dotted function path, queue, interval in seconds), registered by the cron process.
CRON_JOBS = [
    ("escalation.jobs.sweep", "default", 60),
    ("escalation.jobs.auto_close", "default", 3600),
    ("escalation.jobs.detect_incidents", "default", 300),
    # Next years' public and school holidays, as soon as the libraries have them.
    ("escalation.jobs.import_holidays", "default", 24 * 3600),
    ("helpdesk.notifications.jobs.send_digests", "default", 3600),
    # Mails whose job Redis never took or lost (the notification table is the outbox).
    ("helpdesk.notifications.jobs.resend_unsent", "default", 300),
    # Dashboard figures: the days whose tickets changed in the last minute.
    ("helpdesk.reports.jobs.refresh_rollups", "default", 60),
    # Training reminders and summaries whose timers Redis may have lost.
    ("helpdesk.trainings.jobs.sweep_session_mails", "default", 900),
    # The assistance mailbox (off while MAIL_IMAP_HOST is unset): each mail imported once, by Message-ID.
    ("helpdesk.mailchannel.jobs.poll_mailbox", "default", 60),
]

# The RQ worker heartbeats at least every WORKER_TTL - 15 s (it blocks that long waiting for a job) and cleans
# the registries every MAINTENANCE_SECONDS; Redis reconnection attempts are at most RECONNECT_SECONDS apart.
WORKER_TTL = 60
MAINTENANCE_SECONDS = 60
RECONNECT_SECONDS = 5.0
HOUSEKEEPING_SECONDS = 10.0


def _function(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def build_cron(connection) -> JsonCronScheduler:
    cron = JsonCronScheduler(connection=connection)
    for func_path, queue_name, interval in CRON_JOBS:
        cron.register(_function(func_path), queue_name, interval=interval)
    return cron


def run_worker(app, name: str, fork: bool, burst: bool = False) -> None:
    from helpdesk.platform import jobcontext

    jobcontext.set_app(app)
    worker_class = Worker if fork else SimpleWorker
    worker = worker_class(
        app.config["RQ_QUEUES"],
        name=name,
        connection=redis_connection(app.config["REDIS_URL"]),
        serializer=JSONSerializer,
        worker_ttl=WORKER_TTL,
        maintenance_interval=MAINTENANCE_SECONDS,
    )
    worker.max_connection_wait_time = RECONNECT_SECONDS
    # In burst mode the scheduler's due jobs are moved in this process before the queue is drained.
    worker.work(with_scheduler=burst, burst=burst)


def run_scheduler(settings: dict, name: str | None) -> None:
    """RQ's scheduler (timers, retry backoffs): one per machine, the lock makes one active per queue. Its name
    stays the same across restarts by its supervisor, so a restarted scheduler takes its own lock back at once
    instead of waiting for it to expire."""
    scheduler = RQScheduler(
        settings["RQ_QUEUES"], connection=redis_connection(settings["REDIS_URL"]), serializer=JSONSerializer, name=name
    )
    scheduler.work()


def run_cron(settings: dict) -> None:
    """Enqueues only: the jobs run in the RQ worker, so this process imports their modules, not the app."""
    build_cron(redis_connection(settings["REDIS_URL"])).start()


@dataclass
class RqWorkerChild(Child):
    """The RQ worker child, under a fresh worker name at each start (the name its jobs are found by)."""

    prefix: str = "helpdesk"
    extra: list[str] = field(default_factory=list)
    worker_name: str = ""

    def start(self) -> None:
        self.worker_name = f"{self.prefix}.{uuid.uuid4().hex[:8]}"
        self.argv = python_module("worker", "--role", "worker", "--name", self.worker_name, *self.extra)
        super().start()


def supervise(settings: dict, args) -> int:
    """Start the three children and keep them running; see the module docstring."""
    connection = redis_connection(settings["REDIS_URL"])
    env = dict(os.environ, REDIS_URL=settings["REDIS_URL"], HELPDESK_DATA_DIR=settings["HELPDESK_DATA_DIR"])
    prefix = f"helpdesk.{socket.gethostname()}.{os.getpid()}"
    fork = ["--fork"] if args.fork else []

    def worker_died(child: "RqWorkerChild", status: int) -> None:
        found = Worker.find_by_key(Worker.redis_worker_namespace_prefix + child.worker_name, connection=connection)
        if found is not None:
            abandon_jobs_of(connection, found)

    children = [
        RqWorkerChild("rq-worker", [], env=env, on_exit=worker_died, prefix=prefix, extra=fork),
        Child("rq-scheduler", python_module("worker", "--role", "scheduler", "--name", f"{prefix}.scheduler"), env=env),
    ]
    if not args.no_cron and CRON_JOBS:
        children.append(Child("cron", python_module("worker", "--role", "cron"), env=env))

    last = [0.0]

    def housekeeping() -> None:
        if time.monotonic() - last[0] >= HOUSEKEEPING_SECONDS:
            last[0] = time.monotonic()
            try:
                abandon_dead_local_workers(connection)  # workers of this machine killed while nobody supervised them
            except (RedisError, OSError) as error:
                log.warning("Redis unreachable (%s): the children reconnect by themselves", error)

    return Supervisor(children, on_tick=housekeeping, max_failures=None).run()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Worker RQ de l'assistance ENT")
    parser.add_argument("--burst", action="store_true", help="traite les tâches présentes puis s'arrête")
    parser.add_argument("--no-cron", action="store_true", help="ne lance pas le planificateur périodique")
    parser.add_argument(
        "--fork",
        action="store_true",
        help="chaque tâche dans un processus fils (Worker d'RQ), au prix de connexions et caches neufs",
    )
    parser.add_argument("--role", choices=["worker", "scheduler", "cron"], help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if args.burst or args.role == "worker":
        from helpdesk import create_app

        app = create_app({"MIGRATIONS": False})  # a job never migrates: Alembic stays out of its memory
        name = f"helpdesk.{socket.gethostname()}.{os.getpid()}.burst" if args.burst else args.name
        run_worker(app, name=name, fork=args.fork, burst=args.burst)
        return
    # The supervisor, the scheduler and the cron never run a job: the settings are enough, and the app (Flask,
    # its pages, SQLAlchemy's mappers, pydantic) stays out of their memory.
    settings = load_settings()
    settings["REDIS_URL"] = redis_url(settings)
    if args.role == "scheduler":
        run_scheduler(settings, args.name)
    elif args.role == "cron":
        run_cron(settings)
    else:
        sys.exit(supervise(settings, args))


if __name__ == "__main__":
    main()
