"""The English catalog follows the French texts: every marked text is translated, placeholders intact."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "helpdesk/translations/en/LC_MESSAGES/messages.po"
METHODS = [("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}")


def _catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def test_every_marked_text_has_an_english_translation():
    catalog = _catalog()
    missing = []
    for package in ("helpdesk", "kb", "escalation"):
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}, "**/templates/**.txt": {}}
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            entry = catalog.get(msgid)
            strings = entry.string if entry is not None and isinstance(entry.string, tuple) else (getattr(entry, "string", ""),)
            if entry is None or not all(strings) or entry.fuzzy:
                missing.append(f"{package}/{filename}: {msgid!r}")
    assert not missing, "run `make translations-update` and translate:\n" + "\n".join(sorted(set(missing)))


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in _catalog():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{ids[0]!r} → {text!r}")
    assert not wrong, "\n".join(wrong)
