"""Jobs that misbehave on purpose, run by real workers in the fault tests (importable by the worker process)."""

import os
import time
from pathlib import Path


def exit_process(marker: str) -> None:
    """Ends the worker process from inside a job, as a crash in a C extension or a stray os._exit would."""
    with open(marker, "a") as runs:
        runs.write("run\n")
    os._exit(3)


def touch(path: str) -> str:
    Path(path).write_text("done")
    return path


def slow_touch(started: str, done: str, seconds: float) -> str:
    """Marks its start, works for `seconds`, marks its end: a job to kill in the middle."""
    with open(started, "a") as runs:
        runs.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    Path(done).write_text("done")
    return done
