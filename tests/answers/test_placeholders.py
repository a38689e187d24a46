"""The pure placeholder rules of canned replies: what is known, what is refused, how it is filled."""

from helpdesk.answers import placeholders

VALUES = {"demandeur": "Camille Martin", "etablissement": "Collège Jean Jaurès", "uai": "0310001A", "reference": "ENT-2026-000042",
          "objet": "Agenda vide", "agent": "Morgan"}  # fmt: skip


def test_known_placeholders_are_filled_and_faq_links_become_markdown_links():
    body = "Bonjour {demandeur},\nVotre demande {reference} ({ etablissement }) : voir {faq:vider-le-cache}."
    text = placeholders.expand(body, VALUES, {"vider-le-cache": ("Vider le cache", "https://x/faq/vider-le-cache")})
    assert text == (
        "Bonjour Camille Martin,\nVotre demande ENT-2026-000042 (Collège Jean Jaurès) : voir "
        "[Vider le cache](https://x/faq/vider-le-cache)."
    )


def test_unknown_placeholders_are_listed_once_each_as_written():
    body = "Bonjour {nom}, {demandeur:x} {faq} {nom} {faq:ok} {uai}"
    assert placeholders.unknown(body) == ["{nom}", "{demandeur:x}", "{faq}"]
    assert placeholders.faq_slugs(body) == ["ok"]


def test_text_without_placeholders_and_stray_braces_are_left_alone():
    assert placeholders.unknown('Un JSON { "a": 1 } ou une accolade {') == []
    assert placeholders.expand("Rien {à} faire", VALUES, {}) == "Rien {à} faire"


def test_a_placeholder_without_value_stays_as_written():
    assert placeholders.expand("{faq:absent} {demandeur}", {}, {}) == "{faq:absent} {demandeur}"
