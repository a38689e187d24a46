"""Slow-client attack against a real server on this machine: N uploads trickle one byte every few seconds while
/healthz is probed; prints /healthz latency before and during the attack, and how many probes failed.

    python -m bench.slow_clients --server waitress      # the embedded default (devserver.web_command)
    python -m bench.slow_clients --server gunicorn      # gunicorn facing the clients (2 workers × 4 threads)
    python -m bench.slow_clients --server nginx         # nginx (buffering, timeouts) in front of that gunicorn

Only loopback addresses; every loop is bounded in count and time and every process started is stopped.
Environment: BENCH_PORT (5105), BENCH_REDIS_URL (redis://127.0.0.1:6379/5), BENCH_DATA_DIR (/tmp/bench-slow-data)."""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NGINX_CONF = """
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{body}
}}
"""


def _gunicorn(bind: str) -> list[str]:
    return [str(Path(sys.executable).parent / "gunicorn"), "--bind", bind, "--workers", "2", "--threads", "4", "wsgi:app"]


def _start(kind: str, port: int, env: dict, tmp: Path) -> list[subprocess.Popen]:
    log = open(tmp / f"{kind}.log", "w")  # noqa: SIM115 — closed with the process group at exit
    if kind == "waitress":
        from devserver import web_command

        return [subprocess.Popen(web_command("127.0.0.1", str(port)), env=env, cwd=ROOT, stdout=log, stderr=log)]
    if kind == "gunicorn":
        return [subprocess.Popen(_gunicorn(f"127.0.0.1:{port}"), env=env, cwd=ROOT, stdout=log, stderr=log)]
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx is not installed (apt-get install nginx-light)")
    sock = tmp / "gunicorn.sock"
    app = subprocess.Popen(_gunicorn(f"unix:{sock}"), env=env, cwd=ROOT, stdout=log, stderr=log)
    body = (ROOT / "deploy" / "nginx-site.conf").read_text()
    body = body.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};").replace(
        "unix:/run/helpdesk/gunicorn.sock", f"unix:{sock}"
    )
    body = body.replace("/var/www/helpdesk-errors", str(ROOT / "deploy" / "errors"))
    body = "\n".join(line for line in body.splitlines() if "ssl_" not in line and "server_name" not in line)
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, body=body))
    front = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"], stdout=log, stderr=log)
    return [app, front]


def _probe(url: str, timeout: float) -> float | None:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
        return time.perf_counter() - started
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
        return None


def _trickle(port: int, stop: threading.Event, interval: float, opened: list) -> None:
    """A multipart upload announcing 1 MB that sends one byte per `interval` seconds until `stop`."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return
    opened.append(1)
    head = (
        "POST /tickets/nouveau?keyword=x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: multipart/form-data; boundary=zzz\r\nContent-Length: 1000000\r\n\r\n--zzz\r\n"
    )
    try:
        sock.sendall(head.encode())
        while not stop.wait(interval):
            sock.sendall(b"x")
    except OSError:
        pass  # the server closed the stalled upload: that is the defence working
    finally:
        sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=("waitress", "gunicorn", "nginx"), default="waitress")
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between two bytes of each slow upload")
    args = parser.parse_args()
    port = int(os.environ.get("BENCH_PORT", "5105"))
    data_dir = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench-slow-data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        HELPDESK_DATA_DIR=str(data_dir),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        SECRET_KEY="bench-only",
    )
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-slow-"))
    processes = _start(args.server, port, env, tmp)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        for _ in range(100):  # up to 20 s for the server to answer
            if _probe(url, 1) is not None:
                break
            time.sleep(0.2)
        else:
            logs = "".join(path.read_text(errors="replace")[-2000:] for path in tmp.glob("*.log"))
            sys.exit(f"{args.server} did not start:\n{logs}")
        before = [t for t in (_probe(url, 5) for _ in range(20)) if t is not None]
        stop, opened = threading.Event(), []
        attackers = [
            threading.Thread(target=_trickle, args=(port, stop, args.interval, opened), daemon=True) for _ in range(args.clients)
        ]
        for thread in attackers:
            thread.start()
        time.sleep(2)
        during, failed, deadline = [], 0, time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            latency = _probe(url, 5)
            if latency is None:
                failed += 1
            else:
                during.append(latency)
            time.sleep(0.5)
        stop.set()
        for thread in attackers:
            thread.join(timeout=10)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    def ms(values):
        return f"median {statistics.median(values) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms" if values else "no answer"

    print(f"server: {args.server}; {len(opened)}/{args.clients} slow uploads open, one byte every {args.interval:g} s")
    print(f"/healthz before: {ms(before)} ({len(before)}/20 answered)")
    print(f"/healthz during {args.seconds:g} s: {ms(during)}; {failed} of {failed + len(during)} probes failed (5 s timeout)")


if __name__ == "__main__":
    main()
