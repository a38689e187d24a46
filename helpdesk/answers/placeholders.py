"""The placeholders of a canned reply, checked when it is saved and filled when an agent inserts it: pure text work,
no database, no Flask.

A placeholder is a word between braces, `{demandeur}`, or a link to a FAQ article, `{faq:slug-de-l-article}`.
Anything else between braces that looks like a placeholder is refused at save time, so that a requester never
receives « {demandeur} » left unfilled."""

from __future__ import annotations

import re
from collections.abc import Mapping

from helpdesk.platform.i18n import N_

FAQ = "faq"
# Name → what it becomes (shown to the people who write canned replies).
NAMES = {
    "demandeur": N_("nom du demandeur"),
    "etablissement": N_("nom de l'établissement"),
    "uai": N_("UAI de l'établissement"),
    "reference": N_("référence du ticket"),
    "objet": N_("objet du ticket"),
    "agent": N_("nom de l'agent qui répond"),
}
TOKEN = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*([^{}\s]*)\s*)?\}")


def tokens(body: str) -> list[tuple[str, str | None, str]]:
    """Each placeholder of `body` as (name, argument or None, as written), in order."""
    return [(m.group(1), m.group(2), m.group(0)) for m in TOKEN.finditer(body or "")]


def unknown(body: str) -> list[str]:
    """Placeholders that are not ours, as written (`{faq}` without an article is one of them)."""
    wrong = []
    for name, argument, written in tokens(body):
        if name == FAQ:
            if not argument:
                wrong.append(written)
        elif name not in NAMES or argument is not None:
            wrong.append(written)
    return list(dict.fromkeys(wrong))


def faq_slugs(body: str) -> list[str]:
    """The FAQ articles a body links to, in order, once each."""
    return list(dict.fromkeys(argument for name, argument, _ in tokens(body) if name == FAQ and argument))


def expand(body: str, values: Mapping[str, str], faq_links: Mapping[str, tuple[str, str]]) -> str:
    """The body with each placeholder filled: `values[name]`, and for `{faq:slug}` a Markdown link
    `[title](url)` from `faq_links[slug]`. A placeholder without a value is left as written (saving refuses them)."""

    def fill(match: re.Match) -> str:
        name, argument = match.group(1), match.group(2)
        if name == FAQ and argument in faq_links:
            title, url = faq_links[argument]
            return f"[{title}]({url})"
        if name in NAMES and argument is None and name in values:
            return values[name]
        return match.group(0)

    return TOKEN.sub(fill, body or "")
