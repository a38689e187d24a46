"""Ours alone over HTTP, as in production: CPU per created ticket (web workers + job worker) and the web workers' RSS.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/perf_ours \
        python bench/web_rss.py [--tree .] [--requests 300] [--port 5340]

The same processes as bench/side_by_side.py runs for ours (its `Ours`: gunicorn with 4 sync workers, `python -m
worker`, its own redis-server; an SMTP sink), without the peer: for a machine where the peer is not set up. The
database must hold `flask seed --demo` (bench/create_profile.py --reset leaves it so). One requester opens
--requests tickets from the keyword step, one after the other, through the real form with its CSRF token; the
redirect is not followed, but the cookie from before the POST is put back, as the confirmation page would
have consumed the flashed message. CPU: utime + stime of the web workers, the job worker and its children, read
from /proc before and after, once the queue is empty (mail jobs included; the SLA timers stay scheduled).
RSS: each web worker's, after the run, with PSS and USS; and the job processes' (supervisor, RQ worker, scheduler, cron)."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from side_by_side import Ours, lookup, wait_port  # noqa: E402

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
    keyword, uai = lookup(args.python, args.tree, database_url)
    app = Ours(args.label, args.port, args.tree, args.python, database_url, args.port + 2, args.smtp_port, keyword, uai,
               env={"SECRET_KEY": "web-rss-bench-only", "RATELIMIT_ENABLED": "false"})  # fmt: skip
    sink = subprocess.Popen([str(args.python), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{args.smtp_port}", "-c",
                             "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_port(args.smtp_port)
        app.start(Path(tempfile.mkdtemp(prefix="web-rss-logs-")))
        base = f"http://127.0.0.1:{args.port}"
        client = requests.Session()
        page = client.get(f"{base}/connexion").text
        client.post(f"{base}/connexion", data={"email": "enseignant@demo.ent", "password": PASSWORD,
                                               "csrf_token": _TOKEN.search(page).group(1)}, allow_redirects=False)  # fmt: skip
        path = f"{base}/tickets/nouveau?keyword={keyword}"
        token = _TOKEN.search(client.get(path).text).group(1)
        queue = redis.Redis(port=app.redis_port)

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

        for n in range(args.warmup):
            post(-n - 1)
        drained()
        load_before = os.getloadavg()
        cpu_before = app.cpu()
        started = time.monotonic()
        for n in range(args.requests):
            post(n)
        drained()
        cpu = app.cpu() - cpu_before
        report = {
            "label": args.label,
            "requests": args.requests,
            "seconds": round(time.monotonic() - started, 1),
            "cpu_ms_per_ticket": round(cpu * 1000 / args.requests, 1),
            "web_worker_rss_mb": app.worker_rss(),
            "web_worker_memory_mb": app.worker_memory(),
            "job_processes_memory_mb": app.job_memory(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        }
    finally:
        app.stop()
        sink.terminate()
        sink.wait(timeout=10)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"web_rss_{args.label}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
