"""Entry-tier rules: pure functions, table-driven."""

import pytest

from helpdesk.routing import entry
from helpdesk.routing.entry import Nature


@pytest.mark.parametrize(
    ("nature", "required"),
    [
        (Nature("messagerie", "incident", is_mass_incident=True), "n1"),
        (Nature("rubriques", "incident", is_mass_incident=True), "n1"),  # mass wins over an EduLAB service
        (Nature("cahier_de_textes", "evolution"), "pilote"),
        (Nature("navigateur_acces", "evolution"), "pilote"),  # an evolution request starts at the pilot team
        (Nature("navigateur_acces", "incident"), "n1"),
        (Nature("comptes_annuaire", "incident", is_password=True), "n1"),
        (Nature("rubriques", "demande"), None),
        (Nature("mediacentre_gar", "incident"), None),
    ],
)
def test_required_entry_tier_follows_the_nature_of_the_request(nature, required):
    assert entry.required_entry_tier(nature) == required


@pytest.mark.parametrize(
    ("nature", "tier", "fragment"),
    [
        (Nature("messagerie"), "editeur", "jamais un niveau d'entrée"),
        (Nature("messagerie"), "n3", "inconnu"),
        (Nature("messagerie", is_mass_incident=True), "edulab", "incident de masse"),
        (Nature("pix", "evolution"), "edulab", "évolution"),
        (Nature("navigateur_acces"), "pilote", "navigateur"),
        (Nature("comptes_annuaire", is_password=True), "edulab", "mot de passe"),
    ],
)
def test_wrong_entry_tier_is_explained_in_french(nature, tier, fragment):
    errors = entry.entry_tier_errors(nature, tier)
    assert len(errors) == 1 and fragment in errors[0]


@pytest.mark.parametrize("tier", ["n1", "edulab", "pilote"])
def test_any_entry_tier_is_fine_for_an_ordinary_school_request(tier):
    assert entry.entry_tier_errors(Nature("rubriques", "demande"), tier) == []


@pytest.mark.parametrize(
    ("keyword_tier", "ticket_type", "mass", "expected"),
    [
        ("edulab", "incident", False, "edulab"),
        ("edulab", "evolution", False, "pilote"),
        ("edulab", "incident", True, "n1"),
        ("editeur", "bug", False, "pilote"),  # never enter at the vendor, even from a broken catalog row: its pilot decides
    ],
)
def test_ticket_entry_tier(keyword_tier, ticket_type, mass, expected):
    assert entry.ticket_entry_tier(keyword_tier, ticket_type, mass) == expected


def test_default_entry_tier_is_the_basin_edulab_for_configuration_and_usage():
    assert entry.default_entry_tier(Nature("rubriques", "demande")) == "edulab"
    assert entry.default_entry_tier(Nature("formulaires", "evolution")) == "pilote"
