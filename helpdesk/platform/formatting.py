"""Dates, figures and sizes as the reader's language writes them: named styles over Babel's locale data, in Paris time.

Templates name a style (« long », « short », « date »…), never a pattern: a French pattern such as
« d MMM yyyy 'à' HH:mm » read « 2 Dec 2026 à 08:13 » to an English reader. Each style is a date part and a time part,
each a CLDR width or skeleton, joined by the locale's own date-time pattern, so French reads « 3 déc. 2026, 08:13 »
and English « Dec 3, 2026, 8:13 AM ». Pure functions of a value and a locale; the Jinja filters that pass the active
locale live in helpdesk/web/templating.py."""

import re
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from helpdesk.platform.timeutil import to_paris

WIDTHS = ("short", "medium", "long", "full")

# style: (date part, time part), each a CLDR width, a skeleton, or None when the style leaves that part out.
STYLES: dict[str, tuple[str | None, str | None]] = {
    "long": ("medium", "short"),  # 3 déc. 2026, 08:13 · Dec 3, 2026, 8:13 AM — a moment in a page
    "short": ("short", "short"),  # 03/12/2026 08:13 · 12/3/26, 8:13 AM — a cell of a table
    "date": ("medium", None),  # 3 déc. 2026 · Dec 3, 2026
    "date_long": ("long", None),  # 3 décembre 2026 · December 3, 2026
    "date_short": ("short", None),  # 03/12/2026 · 12/3/26
    "day": ("full", "short"),  # jeudi 3 décembre 2026, 08:13 · Thursday, December 3, 2026, 8:13 AM — a session's start
    "day_short": ("yMMMEd", "short"),  # jeu. 3 déc. 2026, 08:13 · Thu, Dec 3, 2026, 8:13 AM
    "time": (None, "short"),  # 08:13 · 8:13 AM
    "month": ("yMMMM", None),  # décembre 2026 · December 2026
    "sentence": ("medium", "short"),  # 3 déc. 2026 à 08:13 · Dec 3, 2026 at 8:13 AM — a moment inside a sentence
}
# Styles whose date and time are joined by the language's own « à » / « at » (CLDR's atTime pattern).
JOINED_AT = {"sentence"}


def _part(value, part: str, locale: Locale, *, is_time: bool) -> str:
    if part in WIDTHS:
        return format_time(value, part, locale=locale) if is_time else format_date(value, part, locale=locale)
    return format_skeleton(part, value, locale=locale)


def format_moment(value: datetime | date | None, style: str = "long", locale: Locale | str = "fr") -> str:
    """A datetime (read in Paris time; naive means UTC, as stored) or a date, in one of STYLES; "" for None.

    Raises KeyError for a style that is not in STYLES (a template typo must fail its test, not print a pattern)."""
    if value is None:
        return ""
    date_part, time_part = STYLES[style]
    locale = Locale.parse(locale)
    if isinstance(value, datetime):
        value = to_paris(value).replace(tzinfo=None)  # already Paris time: Babel must not shift it again
    elif time_part:  # a bare date has no time to show
        time_part = None
        date_part = date_part or "medium"
    texts = []
    if date_part:
        texts.append(_part(value, date_part, locale, is_time=False))
    if time_part:
        texts.append(_part(value, time_part, locale, is_time=True))
    if len(texts) == 1:
        return texts[0]
    width = date_part if date_part in WIDTHS else "medium"
    # CLDR gives atTime for the long widths only (English's medium one has a comma): take the long one.
    pattern = locale.datetime_formats_relative.get("long") if style in JOINED_AT else None
    pattern = pattern or locale.datetime_formats[width]
    pattern = re.sub(r"'([^']*)'", lambda quoted: quoted.group(1) or "'", pattern)  # CLDR quotes its literal words
    return pattern.replace("{1}", texts[0]).replace("{0}", texts[1])


def format_number(value, locale: Locale | str = "fr", digits: int | None = None) -> str:
    """A count or a measure with the locale's separators (« 1 234,5 » · « 1,234.5 »); `digits` fixes the decimals."""
    if value is None:
        return ""
    if digits is None:
        return format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=locale)


def format_share(value, locale: Locale | str = "fr", digits: int = 0) -> str:
    """A ratio (0.425) as the locale writes a percentage (« 42,5 % » · « 42.5% »), rounded to `digits` decimals."""
    if value is None:
        return ""
    return format_percent(round(float(value), digits + 2), locale=locale, decimal_quantization=False)


def format_bytes(size: int, locale: Locale | str = "fr") -> str:
    """A file size in the locale's units: « 1,5 Mo », « 500 ko », « 12 octets » · « 1.5 MB », « 500 kB », « 12 bytes »."""
    if size >= 1024 * 1024:
        return format_unit(size / (1024 * 1024), "digital-megabyte", length="short", format="#,##0.#", locale=locale)
    if size >= 1024:
        return format_unit(size / 1024, "digital-kilobyte", length="short", format="#,##0.#", locale=locale)
    return format_unit(size, "digital-byte", length="long", locale=locale)


def weekday_names(locale: Locale | str = "fr") -> list[str]:
    """The seven day names, Monday first, in lower case as they are written in a line of text (« lundi », « monday »)."""
    names = Locale.parse(locale).days["format"]["wide"]
    return [names[day].lower() for day in range(7)]
