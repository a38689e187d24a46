"""Dates and figures read as the reader's language writes them, in Paris time (pure functions, literal values)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jinja2 import nodes

from helpdesk.platform.formatting import STYLES, format_bytes, format_moment, format_number, format_share

ROOT = Path(__file__).resolve().parents[2]
WINTER = datetime(2026, 12, 3, 7, 13, tzinfo=UTC)  # 08:13 in Paris (UTC+1)
SUMMER = datetime(2026, 7, 3, 7, 13)  # naive means UTC, as SQLite hands it back: 09:13 in Paris (UTC+2)


@pytest.mark.parametrize(
    ("style", "french", "english"),
    [
        ("long", "3 déc. 2026, 08:13", "Dec 3, 2026, 8:13\u202fAM"),
        ("short", "03/12/2026 08:13", "12/3/26, 8:13\u202fAM"),
        ("date", "3 déc. 2026", "Dec 3, 2026"),
        ("date_long", "3 décembre 2026", "December 3, 2026"),
        ("day", "jeudi 3 décembre 2026, 08:13", "Thursday, December 3, 2026, 8:13\u202fAM"),
        ("day_short", "jeu. 3 déc. 2026, 08:13", "Thu, Dec 3, 2026, 8:13\u202fAM"),
        ("time", "08:13", "8:13\u202fAM"),
        ("month", "décembre 2026", "December 2026"),
        ("sentence", "3 déc. 2026 à 08:13", "Dec 3, 2026 at 8:13\u202fAM"),
    ],
)
def test_each_style_reads_naturally_in_both_languages(style, french, english):
    assert format_moment(WINTER, style, "fr") == french
    assert format_moment(WINTER, style, "en") == english


def test_moments_are_read_in_paris_time_across_the_clock_change():
    assert format_moment(SUMMER, "time", "fr") == "09:13"
    assert format_moment(WINTER, "time", "fr") == "08:13"


def test_a_date_shows_no_time_and_nothing_shows_nothing():
    assert format_moment(date(2026, 12, 3), "long", "fr") == "3 déc. 2026"
    assert format_moment(None, "long", "en") == ""


def test_an_unknown_style_is_an_error_not_a_pattern():
    with pytest.raises(KeyError):
        format_moment(WINTER, "d MMM yyyy", "en")


def test_figures_and_sizes_use_the_locale_separators_and_units():
    assert format_number(12345.5, "fr", 1) == "12\u202f345,5"
    assert format_number(12345.5, "en", 1) == "12,345.5"
    assert format_number(3, "en", 1) == "3.0"
    assert format_share(0.425, "fr", 1) == "42,5\u00a0%"
    assert format_share(0.4, "en") == "40%"
    assert format_bytes(1536 * 1024, "fr") == "1,5\u202fMo"
    assert format_bytes(1536 * 1024, "en") == "1.5 MB"
    assert format_bytes(12, "en") == "12 bytes"


def _paris_arguments(tree):
    for node in tree.find_all((nodes.Filter, nodes.Call)):
        name = node.name if isinstance(node, nodes.Filter) else getattr(node.node, "name", None)
        if name in ("paris", "due"):
            for arg in node.args:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    yield arg.value


def test_page_templates_name_a_style_never_a_pattern(app):
    wrong = []
    for path in sorted([*ROOT.glob("*/**/templates/**/*.html"), *ROOT.glob("*/**/templates/**/*.txt")]):
        if {".venv", "node_modules"} & set(path.parts):
            continue
        tree = app.jinja_env.parse(path.read_text(encoding="utf-8"))
        wrong += [f"{path.relative_to(ROOT)}: {v!r}" for v in _paris_arguments(tree) if v not in STYLES]
    assert not wrong, "\n".join(wrong)
