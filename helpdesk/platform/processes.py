"""Child processes that die with their parent, and a small supervisor that restarts the ones that crash.

Every long-running process the app starts (the embedded Redis, the devserver's web and worker, the worker's
RQ worker, scheduler and cron) is a child that the kernel signals when its parent ends, however it ends —
SIGKILL included (Linux `PR_SET_PDEATHSIG`). A supervisor restarts a child that exits abnormally, with a
growing pause, and stops them all (SIGTERM, then SIGKILL after a grace period) when it is asked to stop."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before any fork: nothing to load in the child
except (OSError, AttributeError):  # pragma: no cover - not Linux
    _prctl = None


def _die_with(parent_pid: int, sig: int) -> Callable[[], None]:
    def preexec() -> None:
        os.setpgrp()  # its own group: a Ctrl-C in the terminal reaches the parent, which stops the children in order
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, sig)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), sig)

    return preexec


def spawn(argv: Sequence[str], *, env: dict | None = None, sig: int = signal.SIGTERM, **popen) -> subprocess.Popen:
    """Start `argv` as a child that receives `sig` when this process (strictly: the calling thread) ends."""
    return subprocess.Popen(list(argv), env=env, preexec_fn=_die_with(os.getpid(), sig), **popen)


def stop(process: subprocess.Popen, grace: float = 10.0) -> int | None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL; returns the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


@dataclass
class Child:
    """One supervised command. `on_exit(child, status)` runs after each exit (e.g. re-queue a dead worker's job)."""

    name: str
    argv: list[str]
    env: dict | None = None
    restart: bool = True
    on_exit: Callable[[Child, int], None] | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    next_start: float = 0.0
    waiting: bool = False  # exited, to be started again at next_start
    history: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.process = spawn(self.argv, env=self.env)
        self.started_at = time.monotonic()
        log.info("%s started (pid %s)", self.name, self.process.pid)


MAX_PAUSE = 30.0
STABLE_AFTER = 60.0  # a child that ran this long before crashing starts again at once
MAX_FAILURES = 8  # crashes in a row, each within STABLE_AFTER of its start, before the supervisor gives up


class Supervisor:
    """Runs children until SIGTERM/SIGINT; restarts any that exits (at once after a minute of work, otherwise after
    1 s, 2 s, 4 s … 30 s), and gives up after `max_failures` quick crashes in a row (None: never, as a worker
    waiting out a Redis outage must not)."""

    def __init__(
        self,
        children: list[Child],
        *,
        poll: float = 0.5,
        on_tick: Callable[[], None] | None = None,
        max_failures: int | None = MAX_FAILURES,
    ):
        self.children = children
        self.max_failures = max_failures
        self.poll = poll
        self.on_tick = on_tick
        self._stopping = False
        self.status = 0

    def request_stop(self, *_) -> None:
        self._stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        for child in self.children:
            child.start()
        try:
            while not self._stopping:
                if not self._step():
                    break
                if self.on_tick is not None:
                    try:
                        self.on_tick()
                    except Exception:  # noqa: BLE001 — a failed housekeeping pass must not stop the supervision
                        log.exception("supervisor housekeeping failed")
                time.sleep(self.poll)
        finally:
            self.stop_all()
        return self.status

    def _step(self) -> bool:
        """Reap and restart; False when the supervision must end."""
        now = time.monotonic()
        for child in self.children:
            if child.process is not None:
                status = child.process.poll()
                if status is None:
                    continue
                child.history.append(status)
                child.process = None
                log.warning("%s exited with status %s", child.name, status)
                if child.on_exit is not None:
                    try:
                        child.on_exit(child, status)
                    except Exception:  # noqa: BLE001
                        log.exception("%s: exit handler failed", child.name)
                if not child.restart:
                    continue
                # Any exit the supervisor did not ask for is a failure (RQ's worker returns 0 when Redis vanishes).
                child.failures = 0 if now - child.started_at > STABLE_AFTER else child.failures + 1
                if self.max_failures is not None and child.failures >= self.max_failures:
                    log.error("%s keeps failing (%d times in a row): stopping everything", child.name, child.failures)
                    self.status = 1
                    return False
                child.next_start = now + min(MAX_PAUSE, 2 ** (child.failures - 1)) if child.failures else now
                child.waiting = True
            if child.waiting and now >= child.next_start and not self._stopping:
                child.waiting = False
                child.start()
        return any(child.process is not None or child.waiting for child in self.children)

    def stop_all(self, grace: float = 30.0) -> None:
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            child.process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        deadline = started + grace
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s: killed", child.name, grace)
                child.process.kill()
                child.process.wait()
            log.info("%s stopped after %.1f s", child.name, time.monotonic() - started)
