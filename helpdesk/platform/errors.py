"""Domain errors raised by services, and how the web and the API render them."""

import math
import time

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from helpdesk.platform.i18n import N_, Message
from helpdesk.platform.input import InputRefused, format_size


def translate(text):
    """A marked French text (`N_`, with or without parameters) in the current locale; anything else as it is.

    Text parameters are translated too: they are labels from the code tables (a plain name or an UAI has no
    entry in the catalogue and comes back unchanged)."""
    if isinstance(text, Message):
        params = {key: translate(value) if isinstance(value, str) and value else value for key, value in text.params.items()}
        return _(text.template, **params)
    if isinstance(text, str) and text:
        return _(text)
    return text


def translate_all(messages):
    """A list of messages, or a dict of field → message, in the current locale."""
    if isinstance(messages, dict):
        return {key: translate_all(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [translate_all(value) for value in messages]
    return translate(messages)


class DomainError(Exception):
    """A refused operation, with a message fit for the user.

    Services raise it with a French template marked `N_()` and its `params` (or `N_(template, **params)`, or a
    list of such messages shown one after the other), so that it is translated in the reader's language where it
    is shown (`error.text()`, `error.texts()`); `message` is the French text. `details` go into the JSON body of
    API errors; the messages among them (`errors`, dicts of field → message) are translated there too."""

    status = 400

    def __init__(self, message, params: dict | None = None, **details):
        self.parts = None
        if isinstance(message, (list, tuple)):
            self.parts = list(message)
            message = " ".join(self.parts)
        elif isinstance(message, Message):
            params = {**message.params, **(params or {})}
            message = message.template
        self.template = message
        self.params = params or {}
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def text(self) -> str:
        """The message in the current locale (labels among the params are translated too)."""
        if self.parts is not None:
            return " ".join(translate(part) for part in self.parts)
        return translate(Message(self.template, self.params)) if self.params else _(self.template)

    def texts(self, key: str = "errors"):
        """The detailed messages under `key` (a list, or a dict of field → message) in the current locale, else
        the message alone in a list."""
        detailed = self.details.get(key)
        return translate_all(detailed) if detailed else [self.text()]

    def json_details(self) -> dict:
        """The details for an API body: codes as they are, messages in the reader's language."""
        return {
            key: translate_all(value) if key == "errors" or isinstance(value, (dict, Message)) else value
            for key, value in self.details.items()
        }


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class InvalidTransition(DomainError):
    status = 409


class Conflict(DomainError):
    status = 409


class ValidationFailed(DomainError):
    status = 400


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# The app's own page for every error status a client can meet, in French (translated through the catalog).
ERROR_TEXTS = {
    400: N_("La requête est invalide."),
    403: N_("Vous n'avez pas accès à cette page."),
    404: N_("Page introuvable."),
    405: N_("Méthode non autorisée."),
    413: N_("La requête est trop volumineuse."),
    414: N_("L'adresse demandée est trop longue."),
    429: N_("Trop de tentatives : réessayez dans quelques minutes."),
    431: N_("Les en-têtes de la requête sont trop volumineux."),
    500: N_("Une erreur inattendue est survenue. L'équipe technique a été prévenue."),
    502: N_("Le service est momentanément indisponible : réessayez dans une minute."),
    503: N_("Le service est momentanément indisponible : réessayez dans une minute."),
    504: N_("Le service a mis trop de temps à répondre : réessayez dans une minute."),
}


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_json():
            text, details = error.text(), error.json_details()
            return jsonify(error=text, detail=details.pop("detail", text), **details), error.status
        return render_template("errors/error.html", code=error.status, message=error.text()), error.status

    @app.errorhandler(InputRefused)
    def input_refused(error: InputRefused):
        if wants_json():
            body = {"error": error.message, "detail": error.detail}
            if error.field:
                body["field"] = error.field
            return jsonify(body), error.code
        resend = error.kept if request.method == "POST" and error.kept else None
        title = _(ERROR_TEXTS[error.code]) if error.code in ERROR_TEXTS and error.code != 400 else _("Saisie refusée")
        return render_template(
            "errors/error.html",
            code=error.code,
            message=title,
            detail=error.message,
            resend=resend,
            refused_field=error.field,
            had_files=bool(error.had_files),
        ), error.code

    for code in ERROR_TEXTS:
        if code < 502:
            app.register_error_handler(code, _make_handler(code))

    # For the reverse proxy: `error_page 413 502 503 504 /erreurs/$status;` shows the app's page instead of its own.
    @app.get("/erreurs/<int:code>")
    def error_page(code: int):
        if code not in ERROR_TEXTS:
            code = 404
        return render_template("errors/error.html", code=code, message=_(ERROR_TEXTS[code])), code


def retry_after_seconds(reset_at: float | None = None) -> int | None:
    """Seconds until the rate limit breached by this request lets it through again (None: unknown)."""
    if reset_at is None:
        from helpdesk.platform.extensions import limiter

        try:
            current = limiter.current_limit
            reset_at = current.reset_at if current is not None and current.breached else None
        except Exception:  # the limiter's storage is gone: no figure rather than an error page
            reset_at = None
    if reset_at is None:
        return None
    return max(1, math.ceil(reset_at - time.time()))


def wait_message(seconds: int | None) -> str:
    if not seconds:
        return _("Trop de tentatives : réessayez dans quelques minutes.")
    minutes = max(1, round(seconds / 60))  # limits rounds the window end up: 301 s still reads « 5 minutes »
    return ngettext(
        "Trop de tentatives : réessayez dans %(num)d minute.", "Trop de tentatives : réessayez dans %(num)d minutes.", minutes
    )


def _make_handler(code: int):
    def handler(error):
        if code == 429 and getattr(error, "response", None) is not None:
            return error.response  # a page of its own (the login form keeps what was typed)
        message = _(ERROR_TEXTS[code])
        description = getattr(error, "description", None)
        detail = None
        if code == 400 and isinstance(description, str) and "CSRF" in description:
            message = _("Le formulaire a expiré. Rechargez la page : votre saisie n'a pas été perdue si vous revenez en arrière.")
        if code == 413:
            limit, length, field_limit = request.max_content_length, request.content_length, request.max_form_memory_size
            if length is not None and limit and length <= limit and field_limit:  # the whole fits: one text field is too big
                detail = _("Un champ de texte dépasse %(limit)s : raccourcissez-le.", limit=format_size(field_limit))
            elif limit:
                detail = _("La taille maximale d'une requête est de %(limit)s.", limit=format_size(limit))
        retry_after = getattr(error, "retry_after", None)  # the miss limiter's own figure, else Flask-Limiter's
        if code == 429:
            retry_after = retry_after or retry_after_seconds()
            message = wait_message(retry_after)
            if retry_after:
                detail = _("Réessayez dans %(n)s secondes.", n=retry_after)
        if wants_json():
            response = jsonify(error=message, detail=detail or message)
        else:
            response = make_response(render_template("errors/error.html", code=code, message=message, detail=detail))
        response.status_code = code
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    return handler
