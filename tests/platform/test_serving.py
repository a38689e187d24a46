"""The embedded default web server (devserver.web_command, waitress) stays available while more slow uploads than
it has threads trickle their bodies: /healthz still answers. The same attack takes gunicorn alone down
(bench/slow_clients.py measures both, and nginx in front of gunicorn, the production setup)."""

import os
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from devserver import web_command

ROOT = Path(__file__).resolve().parents[2]
SLOW_UPLOADS = 16  # twice the server's 8 threads


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthz(port: int, timeout: float) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as response:
        return response.status


@pytest.mark.slow
def test_slow_uploads_do_not_take_the_embedded_server_down(app):
    port = _free_port()
    env = dict(
        os.environ,
        HELPDESK_DATA_DIR=app.config["HELPDESK_DATA_DIR"],
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        SECRET_KEY="tests-only-secret",
    )
    server = subprocess.Popen(
        web_command("127.0.0.1", str(port)), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stop, sockets = threading.Event(), []
    try:
        for _ in range(150):
            try:
                _healthz(port, 1)
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(SLOW_UPLOADS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(
                b"POST /tickets/nouveau HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=z\r\n"
                b"Content-Length: 1000000\r\n\r\n--z\r\n"
            )
            sockets.append(sock)

        def trickle():
            while not stop.wait(1):
                for sock in sockets:
                    try:
                        sock.sendall(b"x")
                    except OSError:
                        pass

        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(1)
        # Every slow upload is still open (none finished), yet the server answers: no thread is held by them.
        assert [_healthz(port, 20) for _ in range(3)] == [200, 200, 200]
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
        server.terminate()
        server.wait(timeout=15)
