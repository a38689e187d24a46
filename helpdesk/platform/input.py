"""Input is checked once, at the edge, before any view runs: text NFC-normalised, NUL characters and unpaired
surrogates refused, JSON bounded in size and depth, integers in URLs bounded to the column range.

Every refusal is an `InputRefused` (400, or 413 for a body over its limit) with a French reason: the API answers
`{"error", "detail"}`, a page answers the app's own error page which re-displays the submitted fields (corrected,
ready to send again) so that nothing typed is lost. Views read `request.form`, `request.args` and
`request.get_json()` as usual and only ever see checked, normalised text."""

import json
import math
import unicodedata

from flask import Flask, Request, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# Column ranges: an `Integer` column on PostgreSQL is 32-bit, a `BigInteger` one 64-bit. A value past them cannot
# name a row, and the database refuses to compare it ("integer out of range") instead of finding nothing.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
URL_MAX_CHARS = 8000  # the app answers 414 itself: servers in front accept request lines up to 8,190 bytes
JSON_MAX_BYTES = 1024 * 1024  # an API body: the longest ticket (20,000 characters, escaped) fits many times
JSON_MAX_DEPTH = 20
JSON_MAX_ITEMS = 10_000


class InputRefused(BadRequest):
    """A request refused at the edge; `detail` says why in French, `field` names the offending input."""

    def __init__(self, message: str, *, detail: str = "", field: str | None = None, code: int = 400, kept=None):
        super().__init__(description=message)
        self.code = code
        self.message = message
        self.detail = detail or message
        self.field = field
        self.kept = kept  # the submitted fields, corrected, for the page that offers to send them again
        self.had_files = False


def format_size(size: int) -> str:
    """A byte count in French units: « 5 Mo », « 500 ko », « 1,5 Mo »."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "Mo"
    elif size >= 1024:
        value, unit = size / 1024, "ko"
    else:
        return f"{size} octets"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unit}"


# --- text --------------------------------------------------------------------------------------------------------


def text_problem(value: str) -> str | None:
    """Why this text cannot be accepted (French), or None."""
    if "\x00" in value:
        return _("contient un caractère nul (U+0000), qui ne peut pas être enregistré")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("contient un caractère invalide (demi-paire de substitution UTF-16 isolée)")
    return None


def clean_text(value: str) -> str:
    """The text without what `text_problem` refuses (shown back to the user so they can send it again)."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value.replace("\x00", ""))


def normalise(value: str) -> str:
    return unicodedata.normalize("NFC", value)


_NEVER_SHOWN = ("password", "mot_de_passe", "secret")  # retyped by the user, never echoed in a page


def _checked_multidict(data, where: str) -> ImmutableMultiDict:
    pairs = []
    for key, value in data.items(multi=True):
        for part, is_name in ((key, True), (value, False)):
            problem = text_problem(part)
            if problem:
                what = _("le nom d'un champ") if is_name else _("le champ « %(name)s »", name=clean_text(key))
                raise InputRefused(
                    _("Saisie refusée : %(what)s de %(where)s %(problem)s.", what=what, where=where, problem=problem),
                    field=clean_text(key),
                    kept=[
                        (normalise(clean_text(k)), normalise(clean_text(v)))
                        for k, v in data.items(multi=True)
                        if not any(secret in k.lower() for secret in _NEVER_SHOWN)
                    ],
                )
        pairs.append((normalise(key), normalise(value)))
    return ImmutableMultiDict(pairs)


# --- JSON ----------------------------------------------------------------------------------------------------------


def _refuse_constant(name: str):
    raise InputRefused(_("JSON refusé : « %(name)s » n'est pas un nombre accepté.", name=name))


def _parse_int(raw: str) -> int:
    if len(raw.lstrip("-")) > 19:
        raise InputRefused(_("JSON refusé : le nombre %(start)s… dépasse les entiers acceptés (64 bits).", start=raw[:12]))
    value = int(raw)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise InputRefused(_("JSON refusé : le nombre %(n)s dépasse les entiers acceptés (64 bits).", n=raw))
    return value


def _parse_float(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise InputRefused(_("JSON refusé : le nombre %(start)s… est hors limites.", start=raw[:12]))
    return value


def check_json(value, *, max_depth: int = JSON_MAX_DEPTH):
    """The parsed document with every string NFC-normalised; InputRefused if it is too deep, too big or holds text
    that cannot be stored. Iterative: a hostile document cannot exhaust the stack here."""
    root = [value]
    stack = [(root, 0, 0)]  # (container, key or index, depth of the value)
    items = 0
    while stack:
        container, key, depth = stack.pop()
        item = container[key]
        items += 1
        if items > JSON_MAX_ITEMS:
            raise InputRefused(_("JSON refusé : plus de %(n)s valeurs.", n=JSON_MAX_ITEMS))
        if depth > max_depth:
            raise InputRefused(_("JSON refusé : imbrication trop profonde (%(n)s niveaux au plus).", n=max_depth))
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                raise InputRefused(_("JSON refusé : une chaîne %(problem)s.", problem=problem))
            container[key] = normalise(item)
        elif isinstance(item, list):
            stack.extend((item, index, depth + 1) for index in range(len(item)))
        elif isinstance(item, dict):
            for name in list(item):
                problem = text_problem(name)
                if problem:
                    raise InputRefused(_("JSON refusé : un nom de champ %(problem)s.", problem=problem))
                if normalise(name) != name:
                    item[normalise(name)] = item.pop(name)
            stack.extend((item, name, depth + 1) for name in item)
    return root[0]


class EdgeJSONProvider(DefaultJSONProvider):
    """The app's JSON (what `request.get_json()` parses with): syntax errors, NaN, huge numbers, deep nesting and
    text that cannot be stored are InputRefused (not ValueError), so that even `get_json(silent=True)` answers a
    precise 400 instead of « not JSON »."""

    def loads(self, s, **kwargs):
        if isinstance(s, bytes):
            try:
                s = s.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputRefused(_("JSON refusé : le corps n'est pas encodé en UTF-8.")) from error
        try:
            parsed = json.loads(s, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float)
        except RecursionError as error:
            raise InputRefused(_("JSON refusé : imbrication trop profonde (%(n)s niveaux au plus).", n=JSON_MAX_DEPTH)) from error
        except json.JSONDecodeError as error:
            raise InputRefused(
                _(
                    "JSON illisible : %(msg)s (ligne %(line)s, colonne %(col)s).",
                    msg=error.msg,
                    line=error.lineno,
                    col=error.colno,
                )
            ) from error
        return check_json(parsed)


class EdgeRequest(Request):
    """Flask's request with a smaller body limit for the JSON API."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.path.startswith("/api/"):
            return current_app.config.get("API_MAX_CONTENT_LENGTH", JSON_MAX_BYTES)
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


# --- numbers -------------------------------------------------------------------------------------------------------


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` accepts only what fits a 32-bit column: a longer number matches no route (404), never reaches
    the database. `<int(max=9223372036854775807):id>` for a 64-bit id."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT32_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def int_arg(raw: str | None, name: str, *, low: int = 0, high: int = INT32_MAX, default: int | None = None) -> int | None:
    """A query-string integer within [low, high]; `default` when absent; InputRefused (French) otherwise."""
    if raw is None or raw.strip() == "":
        return default
    raw = raw.strip()
    digits = raw[1:] if raw[:1] in "+-" else raw
    if not digits.isascii() or not digits.isdigit() or len(digits) > 19 or not low <= int(raw) <= high:
        raise InputRefused(
            _("« %(name)s » doit être un nombre entier entre %(low)s et %(high)s.", name=name, low=low, high=high),
            field=name,
        )
    return int(raw)


# --- the hook ------------------------------------------------------------------------------------------------------


def check_request() -> None:
    """Runs before every other hook (CSRF, rate limits, views): path, query string, then the form fields."""
    if len(request.full_path) > URL_MAX_CHARS:
        raise InputRefused(_("L'adresse demandée est trop longue (%(n)s caractères au plus).", n=URL_MAX_CHARS), code=414)
    if text_problem(request.path):
        raise InputRefused(_("Adresse refusée : elle contient un caractère nul."))
    request.args = _checked_multidict(request.args, _("l'adresse"))
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        try:
            request.form = _checked_multidict(request.form, _("ce formulaire"))
        except InputRefused as refused:
            refused.had_files = any(f.filename for f in request.files.values())
            raise
    request.__dict__.pop("values", None)


def install(app: Flask) -> None:
    """Called once by create_app, before any blueprint is registered (routes bind their converters then)."""
    app.request_class = EdgeRequest
    app.json = EdgeJSONProvider(app)
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
