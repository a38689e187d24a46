"""Ours alone over HTTP, as in production: CPU per created ticket (web workers + job worker) and the web workers' RSS.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/perf_ours BENCH_REDIS_URL=redis://127.0.0.1:6379/14 \
        python bench/web_rss.py [--tree .] [--requests 300] [--port 5340]

The same processes as bench/side_by_side.py runs for ours (gunicorn with 4 sync workers, `python -m worker`, an
SMTP sink), without the peer: for a machine where the peer is not set up. The database must hold `flask seed
--demo` (bench/create_profile.py --reset leaves it so); the Redis database is FLUSHED. One requester opens
--requests tickets from the keyword step, one after the other, through the real form with its CSRF token; the
redirect is not followed, but the cookie from before the POST is put back, as the confirmation page would
have consumed the flashed message. CPU: utime + stime of the web workers, the job worker and its children, read
from /proc before and after, once the queue is empty (mail jobs included; the SLA timers stay scheduled).
RSS: each web worker's, after the run."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from side_by_side import cpu_seconds, descendants, lookup, rss_mb, wait_port  # noqa: E402

PASSWORD = "demo-ENT-2026"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    import redis
    import requests

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=HERE.parent)
    parser.add_argument("--python", type=Path, default=Path(sys.executable))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--port", type=int, default=5340)
    parser.add_argument("--smtp-port", type=int, default=5341)
    parser.add_argument("--label", default="current")
    args = parser.parse_args()

    database_url = os.environ["BENCH_DATABASE_URL"]
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(redis_url).flushdb()
    keyword, _uai = lookup(args.python, args.tree, database_url)
    env = os.environ | {
        "PYTHONPATH": str(args.tree),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="web-rss-"),
        "SECRET_KEY": "web-rss-bench-only",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(args.smtp_port),
        "RATELIMIT_ENABLED": "false",
    }
    processes = []
    try:
        sink = subprocess.Popen([str(args.python), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{args.smtp_port}", "-c",
                                 "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        processes.append(sink)
        worker = subprocess.Popen([str(args.python), "-m", "worker"], cwd=args.tree, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        processes.append(worker)
        web = subprocess.Popen([str(args.python.parent / "gunicorn"), "--chdir", str(args.tree), "--workers", "4",
                                "--worker-class", "sync", "--bind", f"127.0.0.1:{args.port}", "--timeout", "120", "wsgi:app"],
                               cwd=args.tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        processes.append(web)
        wait_port(args.port)
        wait_port(args.smtp_port)
        base = f"http://127.0.0.1:{args.port}"
        client = requests.Session()
        page = client.get(f"{base}/connexion").text
        client.post(f"{base}/connexion", data={"email": "enseignant@demo.ent", "password": PASSWORD,
                                               "csrf_token": _TOKEN.search(page).group(1)}, allow_redirects=False)  # fmt: skip
        path = f"{base}/tickets/nouveau?keyword={keyword}"
        token = _TOKEN.search(client.get(path).text).group(1)
        queue = redis.Redis.from_url(redis_url)

        def post(n: int) -> None:
            kept = client.cookies.copy()
            response = client.post(path, allow_redirects=False, data={
                "subject": f"Élève sans accès au cahier de textes ({n})", "csrf_token": token,
                "description": "Bonjour, depuis la rentrée un élève de 4e ne voit plus le cahier de textes."})  # fmt: skip
            if response.status_code != 302:
                raise SystemExit(f"POST: {response.status_code}")
            client.cookies = kept

        def drained() -> None:
            deadline = time.monotonic() + 120
            while queue.llen("rq:queue:default") and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)  # the job being performed

        def pids() -> list[int]:
            return descendants(web.pid) + descendants(worker.pid)

        for n in range(args.warmup):
            post(-n - 1)
        drained()
        load_before = os.getloadavg()
        cpu_before = cpu_seconds(pids())
        started = time.monotonic()
        for n in range(args.requests):
            post(n)
        drained()
        cpu = cpu_seconds(pids()) - cpu_before
        report = {
            "label": args.label,
            "requests": args.requests,
            "seconds": round(time.monotonic() - started, 1),
            "cpu_ms_per_ticket": round(cpu * 1000 / args.requests, 1),
            "web_worker_rss_mb": [round(rss_mb(pid), 1) for pid in descendants(web.pid)[1:]],
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        }
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"web_rss_{args.label}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
