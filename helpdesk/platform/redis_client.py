"""The process's Redis clients, one per URL, with short timeouts. Apart from helpdesk.platform.queue (which re-exports
it) so that the processes that only talk to Redis (`python -m worker`'s supervisor, the RQ scheduler) import redis-py
and not Flask or SQLAlchemy."""

import threading

import redis

# A web request never waits long for Redis: a hung server costs at most this much once, then the breaker opens.
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 0.5  # a local Redis answers in well under a millisecond; RQ's worker raises it for its own waits

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def redis_connection(url: str | None = None) -> redis.Redis:
    """The process's client for this URL. redis-py pools are thread-safe and start afresh in a forked child,
    so web threads, workers and forks share it without opening a connection per request."""
    if not url:
        from flask import current_app

        url = current_app.config["REDIS_URL"]
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                client = _clients[url] = redis.Redis.from_url(
                    url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT
                )
    return client
