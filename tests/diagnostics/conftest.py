"""Diagnostics fixtures: the keyword catalog as the routing seed would load it, and the reference trees."""

import re
import unicodedata

import pytest
import yaml

from kb.diagnostics.seed import KEYWORD_CATALOG, seed_reference
from tests.factories import KeywordFactory


def slugify(label: str) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")


@pytest.fixture
def seeded(session):
    # Built unsaved and flushed once: a flush per keyword makes every test seconds slower.
    with KEYWORD_CATALOG.open(encoding="utf-8") as handle:
        catalog = yaml.safe_load(handle)
    session.add_all(
        KeywordFactory.build(
            label=item["label"],
            slug=slugify(item["label"]),
            diagnostic_slug=item.get("diagnostic"),
            service=item["service"],
            tier=item["tier"],
            fields=item.get("fields") or [],
        )
        for item in catalog
    )
    session.flush()
    seed_reference(session)
    session.commit()


@pytest.fixture
def catalog(session):
    """The real keyword catalog (synonyms included, as the suggester reads it) and the reference trees."""
    from helpdesk.routing.seed import seed_reference as seed_keywords
    from kb.diagnostics.seed import seed_reference as seed_trees

    seed_keywords(session)
    seed_trees(session)
    session.commit()
