"""Gives RQ jobs an application context without importing the app factory.

The state is explicit and per process: nothing is registered at import. Each entry point that runs jobs
calls `set_app(app)` once with the app it built (worker.py's RQ worker and cron roles, the tests' burst
workers); `app_context()` reuses the caller's context when there is one (tests, CLI) and otherwise refuses to
run rather than build an app of its own."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from helpdesk.platform.extensions import db

_app: Flask | None = None
_pid: int | None = None


def set_app(app: Flask) -> None:
    """Register the app whose context jobs run in (this process only; the last call wins)."""
    global _app
    _app = app


@contextmanager
def app_context() -> Iterator[Flask]:
    """Reuse the caller's context (tests, CLI) or the worker's app; fresh DB connections after a fork."""
    global _pid
    if has_app_context():
        yield current_app._get_current_object()
        return
    if _app is None:
        raise RuntimeError("no application registered: start jobs through worker")
    with _app.app_context():
        if _pid != os.getpid():
            db.engine.dispose(close=False)  # connections inherited from the parent must not be shared
            _pid = os.getpid()
        try:
            yield _app
        finally:
            db.session.remove()
