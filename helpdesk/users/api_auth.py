"""API plumbing: bearer-token authentication and JSON errors. Cookies never authenticate the API,
so it needs no CSRF token and a browser session cannot be abused to call it."""

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow


def api_user():
    """The user behind the request's bearer token, or None (public endpoints)."""
    if "api_user" not in g:
        from helpdesk.users.services import user_for_token

        header = request.headers.get("Authorization", "")
        raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
        g.api_user = user_for_token(db.session, raw) if raw else None
    return g.api_user


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = api_user()
        if user is None:
            return jsonify(error=_("Authentification requise : fournissez un jeton « Authorization: Bearer … ».")), 401
        return view(*args, **kwargs)

    return wrapper


def json_error(message: str, status: int = 400, **details):
    return jsonify(error=message, **details), status


def touch_token_usage():
    g.api_token_used_at = utcnow()
