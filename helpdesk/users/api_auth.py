"""API plumbing: bearer-token authentication (with the token's scopes, checked by `policy.token_allows`) and JSON
errors. Cookies never authenticate the API, so it needs no CSRF token and a browser session cannot be abused to
call it."""

from functools import wraps

from flask import g, jsonify, request
from flask_babel import gettext as _

from helpdesk import policy
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Scope


def api_token():
    """The live token of the request's `Authorization: Bearer …` header, or None. Its « last used » is committed here,
    before the view runs, so that a refused request still counts as a use."""
    if "api_token" not in g:
        from helpdesk.users.services import token_for

        header = request.headers.get("Authorization", "")
        raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
        g.api_token = token_for(db.session, raw, now=utcnow()) if raw else None
        if g.api_token is not None and db.session.dirty:
            db.session.commit()
    return g.api_token


def api_user(scope: Scope | None = None):
    """The user behind the request's bearer token, or None (public endpoints, or a token lacking `scope`)."""
    token = api_token()
    if token is None or (scope is not None and not policy.token_allows(token.scope_list, scope)):
        return None
    return token.user


def token_required(scope: Scope):
    """The view needs a live bearer token holding `scope`: 401 without one, 403 when its scopes leave `scope` out."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = api_token()
            if token is None:
                message = _("Authentification requise : fournissez un jeton « Authorization: Bearer … » valide.")
                return json_error(message, 401)
            if not policy.token_allows(token.scope_list, scope):
                return json_error(_("Ce jeton n'a pas la portée « %(scope)s ».", scope=str(scope)), 403, scope=str(scope))
            return view(*args, **kwargs)

        wrapper.required_scope = scope  # read by the OpenAPI document (helpdesk.platform.openapi)
        return wrapper

    return decorate


def json_error(message: str, status: int = 400, **details):
    """The API's one error shape: {"error": message, "detail": text, ...details}, in the reader's language (a message
    marked with N_ is translated here; one already translated has no catalogue entry and stays as it is)."""
    message = _(message)
    return jsonify(error=message, detail=details.pop("detail", message), **details), status
