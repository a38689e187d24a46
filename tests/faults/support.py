"""Real processes for the fault tests: environments pointing at the test database, start, wait, inspect, stop."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def env_for(app, data_dir, *, redis_url: str | None = None, embedded_redis: bool = False) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "HELPDESK_DATA_DIR": str(data_dir),
        "SECRET_KEY": "tests-only-secret",
        "RATELIMIT_ENABLED": "false",
    }
    if not embedded_redis:
        env["REDIS_URL"] = redis_url or app.config["REDIS_URL"]
    return env


def start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A process in its own session (signals to it never reach the test runner), output in `log`."""
    handle = open(log, "ab")
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def wait_for(condition: Callable[[], object], timeout: float, what: str, log: Path | None = None):
    """Poll until `condition()` is truthy; fail with the log's tail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.2)


def children_of(pid: int) -> set[int]:
    """Every live descendant of `pid`."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def family_of(pid: int, at_least: int) -> set[int] | None:
    """The descendants of `pid` once there are at least `at_least` of them (None before)."""
    found = children_of(pid)
    return found if len(found) >= at_least else None
