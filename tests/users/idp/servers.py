"""Start and stop the real identity providers of the tests: the `oidc-provider` npm package and
django-cas-server, each in its own process on its own port (5204-5299), stopped when the block ends."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.ports import free_port_in

ROOT = Path(__file__).resolve().parents[3]
PORTS = range(5204, 5300)
OIDC_CLIENT_ID = "helpdesk-tests"
OIDC_CLIENT_SECRET = "tests-only-client-secret"


def free_port() -> int:
    return free_port_in(PORTS)


def write_accounts(path: Path, accounts: dict) -> None:
    """The servers read this file at each login: rewrite it to change what they say about someone."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(accounts), encoding="utf-8")
    temporary.replace(path)


@contextlib.contextmanager
def _process(command: list[str], env: dict, ready_url: str, log_path: Path):
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_ready(process, ready_url, log_path)
            yield process
        finally:
            _stop(process)


def _wait_ready(process, url: str, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited ({process.returncode}):\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}: server not ready after {timeout:.0f} s:\n{log_path.read_text(errors='replace')}")


def _stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def oidc_provider(workdir: Path, *, redirect_uris: list[str], post_logout_uris: list[str], accounts: dict):
    """Yields (issuer URL, accounts file)."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("node and node_modules/oidc-provider are needed: run the README's test command (make test)")
    port = free_port()
    accounts_file = workdir / "oidc-accounts.json"
    write_accounts(accounts_file, accounts)
    env = {
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": OIDC_CLIENT_ID,
        "OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_POST_LOGOUT_URIS": ",".join(post_logout_uris),
        "OIDC_ACCOUNTS": str(accounts_file),
    }
    issuer = f"http://127.0.0.1:{port}"
    script = str(ROOT / "tests" / "users" / "idp" / "oidc_provider.mjs")
    with _process([node, script], env, issuer + "/.well-known/openid-configuration", workdir / "oidc.log"):
        yield issuer, accounts_file


@contextlib.contextmanager
def cas_server(workdir: Path, *, service_pattern: str, accounts: dict):
    """Yields (CAS base URL, accounts file)."""
    port = free_port()
    data = workdir / "cas"
    data.mkdir(exist_ok=True)
    accounts_file = workdir / "cas-accounts.json"
    write_accounts(accounts_file, accounts)
    env = {
        "CAS_PORT": str(port),
        "CAS_DATA_DIR": str(data),
        "CAS_ACCOUNTS": str(accounts_file),
        "CAS_SERVICE_PATTERN": service_pattern,
        "PYTHONPATH": str(ROOT),
    }
    base = f"http://127.0.0.1:{port}/cas"
    with _process([sys.executable, "-m", "tests.users.idp.cas_server.serve"], env, base + "/login", workdir / "cas.log"):
        yield base, accounts_file
