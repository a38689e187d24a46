"""Domain errors raised by services, and how the web and the API render them."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _


class DomainError(Exception):
    """A refused operation, with a message fit for the user.

    Services raise it with a French template marked `N_()` and its `params`, so that it is translated in the
    reader's language where it is shown (`error.text()`); `message` is the French text. `details` go into the
    JSON body of API errors."""

    status = 400

    def __init__(self, message: str, params: dict | None = None, **details):
        self.template = message
        self.params = params or {}
        self.details = details
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    def text(self) -> str:
        """The message in the current locale (labels among the params are translated too)."""
        params = {key: _(value) if isinstance(value, str) and value else value for key, value in self.params.items()}
        return _(self.template) % params if params else _(self.template)


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


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_json():
            return jsonify(error=error.text(), **error.details), error.status
        return render_template("errors/error.html", code=error.status, message=error.text()), error.status

    for code, text in {
        400: "La requête est invalide.",
        403: "Vous n'avez pas accès à cette page.",
        404: "Page introuvable.",
        405: "Méthode non autorisée.",
        413: "Le fichier envoyé est trop volumineux.",
        429: "Trop de tentatives : réessayez dans quelques minutes.",
        500: "Une erreur inattendue est survenue. L'équipe technique a été prévenue.",
    }.items():
        app.register_error_handler(code, _make_handler(code, text))


def _make_handler(code: int, text: str):
    def handler(error):
        message = _(text)
        description = getattr(error, "description", None)
        if code == 400 and isinstance(description, str) and "CSRF" in description:
            message = _("Le formulaire a expiré. Rechargez la page : votre saisie n'a pas été perdue si vous revenez en arrière.")
        if wants_json():
            return jsonify(error=message), code
        return render_template("errors/error.html", code=code, message=message), code

    return handler
