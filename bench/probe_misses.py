"""Probing loop against a real server on this machine: a signed-in account asks for hundreds of ticket references
that do not exist (or that it may not see) while a second account works normally. Prints how many misses the
prober got before 429, what the server answered afterwards, and the bystander's latency.

    python -m bench.probe_misses [--requests 300]

Starts the embedded web server (devserver.web_command) on BENCH_PORT (5105) with demo data in BENCH_DATA_DIR
(/tmp/bench-probe-data) and Redis BENCH_REDIS_URL (redis://127.0.0.1:6379/5); loopback only, bounded loops."""

import argparse
import http.cookiejar
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, float, str]:
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                body = response.read().decode(errors="replace")
                return response.status, time.perf_counter() - started, body
        except urllib.error.HTTPError as error:
            return error.code, time.perf_counter() - started, error.read().decode(errors="replace")

    def login(self, email: str, password: str) -> None:
        _status, _t, page = self.get("/connexion")
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page).group(0)
        token = re.search(r'value="([^"]+)"', tag).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
        with self.opener.open(self.base + "/connexion", data=data, timeout=10) as response:
            response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    port = int(os.environ.get("BENCH_PORT", "5105"))
    data_dir = Path(os.environ.get("BENCH_DATA_DIR", "/tmp/bench-probe-data"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ, HELPDESK_DATA_DIR=str(data_dir), REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    env.pop("DATABASE_URL", None)
    flask = str(Path(sys.executable).parent / "flask")
    subprocess.run([flask, "--app", "wsgi", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([flask, "--app", "wsgi", "seed", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    from devserver import web_command
    from helpdesk.users.seed import DEMO_PASSWORD

    server = subprocess.Popen(
        web_command("127.0.0.1", str(port)), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        prober, bystander = Browser(base), Browser(base)
        prober.login("enseignant@demo.ent", DEMO_PASSWORD)
        bystander.login("principal@demo.ent", DEMO_PASSWORD)
        statuses, first_429, retry_after, bystander_times = [], None, None, []
        started = time.perf_counter()
        for n in range(args.requests):
            status, _t, body = prober.get(f"/tickets/ENT-2026-{900000 + n:06d}")
            statuses.append(status)
            if status == 429 and first_429 is None:
                first_429 = n
                retry_after = re.search(r"Réessayez dans (\d+) secondes", body)
            if n % 10 == 0:
                status_b, latency, _ = bystander.get("/tickets/mes-tickets")
                bystander_times.append((status_b, latency))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=15)
    counts = Counter(statuses)
    print(f"prober: {args.requests} requests for unknown references in {elapsed:.1f} s: {dict(counts)}")
    print(
        f"first 429 at request #{first_429 + 1 if first_429 is not None else '—'}"
        f"{f', Retry-After {retry_after.group(1)} s' if retry_after else ''}: at most {counts[404]} references probed"
    )
    times = [t for s, t in bystander_times if s == 200]
    print(
        f"bystander (another account, /tickets/mes-tickets every 10 probes): {len(times)}/{len(bystander_times)} answered 200, "
        f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
