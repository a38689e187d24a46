"""Reference keyword catalog: loaded from data/keywords.yaml, validated, created once per label (never overwritten)."""

from pathlib import Path

import yaml
from sqlalchemy import select

from helpdesk.platform import audit
from helpdesk.platform.errors import ValidationFailed
from helpdesk.routing import catalog
from helpdesk.routing.models import Keyword

CATALOG_FILE = Path(__file__).parent / "data" / "keywords.yaml"
SEED_COMMENT = "Chargement du catalogue de référence"


def load_catalog(path: Path = CATALOG_FILE) -> list[dict]:
    """Parse and validate the YAML catalog; raise ValidationFailed naming every faulty keyword."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValidationFailed(f"{path.name} : le catalogue doit être une liste de mots-clés.")
    problems: list[str] = []
    seen_labels: set[str] = set()
    seen_slugs: set[str] = set()
    keywords = []
    for position, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"entrée n° {position} : un mot-clé se décrit par un dictionnaire.")
            continue
        data = {name: entry.get(key, catalog.DEFAULTS.get(name)) for key, name in catalog.FILE_KEYS.items()}
        for flag in ("is_mass_incident", "is_active"):
            data[flag] = bool(data[flag])
        for listed in ("synonyms", "fields"):
            data[listed] = data[listed] or []
        data["description"] = data["description"] or ""
        name = f"« {data['label']} »" if data["label"] else f"entrée n° {position}"
        unknown = set(entry) - set(catalog.FILE_KEYS)
        errors = catalog.keyword_errors(data)
        if unknown:
            errors.append(f"clés inconnues : {', '.join(sorted(map(str, unknown)))}.")
        if isinstance(data["label"], str):
            slug = catalog.slugify(data["label"])
            if data["label"] in seen_labels or slug in seen_slugs:
                errors.append("libellé en double dans le catalogue.")
            seen_labels.add(data["label"])
            seen_slugs.add(slug)
        problems.extend(f"{name} : {error}" for error in errors)
        keywords.append(data)
    if problems:
        raise ValidationFailed(f"{path.name} contient des mots-clés invalides :\n- " + "\n- ".join(problems))
    return keywords


def seed_reference(session, path: Path = CATALOG_FILE) -> int:
    """Create the catalog's missing keywords (by label); pilots' later edits are never overwritten. Returns how many."""
    existing = set(session.scalars(select(Keyword.label)))
    created = 0
    for data in load_catalog(path):
        if data["label"] in existing:
            continue
        keyword = Keyword(slug=catalog.slugify(data["label"]), version=1, **data)
        session.add(keyword)
        created += 1
    audit.note(session, SEED_COMMENT)
    session.flush()
    return created
