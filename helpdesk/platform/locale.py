"""The language a person reads the product in: the one chosen on their account, else French.

French is the default everywhere a person has no say: visitors until they switch, callers recorded without an
account, unknown mail addresses, and the jobs' own texts."""

from flask import current_app, has_app_context
from flask_babel import force_locale

DEFAULT_LOCALE = "fr"


def supported_locales() -> list[str]:
    return list(current_app.config.get("LANGUAGES") or [DEFAULT_LOCALE]) if has_app_context() else [DEFAULT_LOCALE]


def known_locale(code: str | None) -> str:
    """The locale itself when the product speaks it, else French."""
    return code if code in supported_locales() else DEFAULT_LOCALE


def locale_of(person) -> str:
    """The locale of an account (None, or a caller without one, reads French)."""
    return known_locale(getattr(person, "locale", None))


def in_locale(locale: str | None):
    """Render inside this locale (a mail to one person, or to everyone of one language)."""
    return force_locale(known_locale(locale))


LANGUAGE_COOKIE = "lang"  # the header switch's choice in this browser (a visitor's only way to say it)


def remember_in_browser(response, locale: str) -> None:
    """Keep the choice in this browser for a year, so that the pages before and after login agree."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def chosen_in_browser(request) -> str | None:
    """The language the switch left in this browser, None when it was never used (or names an unknown one)."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in supported_locales() else None
