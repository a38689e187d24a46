"""No French interface text in a page template outside the catalogue: an English reader would see it untranslated.

Each template is parsed with Jinja's own parser. Its literal HTML (TemplateData), with every expression replaced by
a blank, is read by an HTML parser for the texts a reader meets: text nodes and the title, aria-label, placeholder,
alt and label attributes (and a button's value). String constants in expressions count too, except those handed to _() / gettext
(`{% trans %}` compiles to the same call). Each must not look French (tests.frenchtext). <script> and <style>
bodies are code."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import nodes

from tests.frenchtext import french_evidence

ROOT = Path(__file__).resolve().parents[2]
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
CODE = re.compile(r"[a-z0-9_.:/%{}#-]*")  # a lowercase token is a code, a parameter, a URL or a format, not text
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "label", "data-confirm"}

ALLOWED = {"Français"}  # the language switch names the other language in that language (lang="fr")


def _templates():
    """Every page template (mails are .txt templates, rendered in the recipient's language by their own code)."""
    for path in sorted(ROOT.glob("*/**/templates/**/*.html")):
        rel = path.relative_to(ROOT)
        if not {".venv", "node_modules"} & set(rel.parts):
            yield rel


class _Reader(HTMLParser):
    """Collects the texts of an HTML skeleton that a reader sees or hears."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        self.texts += [value for name, value in attrs.items() if name in READ_ATTRIBUTES and value]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.texts.append(attrs["value"])  # the value of any other field is data, not text

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def _skeleton(node) -> str:
    """The template's literal HTML in order, each expression replaced by a blank."""
    parts = []

    def walk(n):
        if isinstance(n, nodes.TemplateData):
            parts.append(n.data)
        elif isinstance(n, nodes.Expr):
            parts.append(" ")
        else:
            for child in n.iter_child_nodes():
                walk(child)

    walk(node)
    return "".join(parts)


def _loose_constants(node, inside_gettext=False):
    """String constants of expressions, except the texts handed to the catalogue."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str) and not inside_gettext:
        if not CODE.fullmatch(node.value):
            yield node.value
    marked = isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT
    for child in node.iter_child_nodes():
        yield from _loose_constants(child, inside_gettext or marked)


def unmarked_french(env, source: str) -> list[str]:
    tree = env.parse(source)
    reader = _Reader()
    reader.feed(re.sub(r"<br\s*/?>", " ", _skeleton(tree)))  # « Académie<br>de Toulouse » reads as one text
    reader.close()
    texts = [" ".join(t.split()) for t in reader.texts] + list(_loose_constants(tree))
    return [t for t in texts if t and t not in ALLOWED and french_evidence(t)]


@pytest.mark.parametrize("rel", [str(p) for p in _templates()])
def test_template_has_no_unmarked_french(app, rel):
    found = unmarked_french(app.jinja_env, (ROOT / rel).read_text(encoding="utf-8"))
    assert not found, f"{rel}: mark these for translation ({{% trans %}} or _()):\n" + "\n".join(found)


def test_the_scan_sees_text_attributes_and_constants_but_not_marked_text(app):
    source = (
        '<p>Aucun ticket</p><a title="Retour à l’accueil" href="{{ url }}">{{ _("Votre compte") }}</a>'
        '{% set label = "Mes établissements" %}{% trans %}Déjà fait{% endtrans %}'
        '<script>const état = 1;</script><p class="fr-mb-2w">{{ "fr-btn" }} Your tickets</p>'
    )
    assert unmarked_french(app.jinja_env, source) == ["Aucun ticket", "Retour à l’accueil", "Mes établissements"]


def test_a_french_space_before_a_colon_is_french_typography():
    from tests.frenchtext import french_evidence

    assert french_evidence("Reason : network") and french_evidence("See also :") and french_evidence("Done ; next")
    assert not french_evidence("Reason: network") and not french_evidence("Time left: 3 h; overdue? no!")
