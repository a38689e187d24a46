"""Probing costs: past MISS_LIMIT answers « introuvable » (404: a ticket, session, request or file that does not exist
or is not visible) in the window, the same account — or, signed out, the same address — gets 429 with Retry-After
on every request until the window ends. Legitimate use almost never meets a 404; enumeration meets little else.

Counted in the rate-limit storage (Redis) through Flask-Limiter's limiter; like the login limits it fails open when
Redis is down, and `limiter.enabled = False` (tests) switches it off."""

import hashlib
import math
import time

from flask import Flask, current_app, request
from flask_login import current_user
from limits import parse
from werkzeug.exceptions import TooManyRequests

from helpdesk.platform.extensions import limiter


class TooManyMisses(TooManyRequests):
    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def _who() -> str:
    """The API's bearer token (hashed: the key never holds a secret), else the signed-in account, else the address."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:24]
    if current_user and getattr(current_user, "is_authenticated", False):
        return f"user:{current_user.id}"
    return f"addr:{request.remote_addr or '-'}"


def _counted() -> bool:
    return limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True) and not request.path.startswith("/static/")


def _limit():
    return parse(current_app.config.get("MISS_LIMIT", "60 per 10 minutes"))


def refuse_probers() -> None:
    if not _counted():
        return
    try:
        item, who = _limit(), _who()
        if limiter.limiter.test(item, "miss", who):
            return
        reset_at = limiter.limiter.get_window_stats(item, "miss", who).reset_time
    except Exception:  # storage down: fail open, as the login limits do
        current_app.logger.warning("miss limiter unavailable", exc_info=True)
        return
    raise TooManyMisses(max(1, math.ceil(reset_at - time.time())))


def count_miss(response):
    if response.status_code == 404 and _counted():
        try:
            limiter.limiter.hit(_limit(), "miss", _who())
        except Exception:
            current_app.logger.warning("miss limiter unavailable", exc_info=True)
    return response


def install(app: Flask) -> None:
    app.before_request(refuse_probers)
    app.after_request(count_miss)
