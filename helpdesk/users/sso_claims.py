"""What an identity provider says about a person, read through the provider's attribute mapping:
e-mail (and whether it is verified), name, profile, schools (UAI) and roles. Pure: standard library only.

Attributes arrive multi-valued (CAS repeats an element, OIDC may send a list): every value is a string."""

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from helpdesk.organisation.uai import is_valid_uai, normalise
from helpdesk.users.sso_config import ProviderConfig

MAX_SUBJECT = 255
MAX_EMAIL = 254
MAX_NAME = 200


@dataclass(frozen=True)
class Claims:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    profile: str | None  # mapped profile code, None when no value maps
    has_profile_value: bool
    uais: tuple[str, ...]  # valid UAIs, in the provider's order
    roles: frozenset[str]  # roles granted by the role map
    missing: tuple[str, ...]  # required fields that are absent or unusable, in FIELDS order


def _clean(value: object) -> str:
    """NFC text without control characters (a NUL cannot even be stored by PostgreSQL)."""
    text = unicodedata.normalize("NFC", str(value))
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c in " \t").strip()


def values(attributes: Mapping[str, object], name: str) -> list[str]:
    """The non-empty string values of one attribute (absent: [])."""
    if not name or name not in attributes:
        return []
    raw = attributes[name]
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [text for text in (_clean(item) for item in items if item is not None) if text]


def uai_of(value: str) -> str | None:
    """'0310036W$UAJ$PU$N$T3$LYC$340' (FrEduRne) or '0310036W' → '0310036W'; None when not a valid UAI."""
    code = normalise(value.split("$", 1)[0])
    return code if is_valid_uai(code) else None


def read_claims(provider: ProviderConfig, subject: str, attributes: Mapping[str, object]) -> Claims:
    mapping = provider.mapping
    email = next(iter(values(attributes, mapping.email)), "").lower()
    if "@" not in email or len(email) > MAX_EMAIL or any(c.isspace() for c in email):
        email = ""
    verified_claim = next(iter(values(attributes, "email_verified")), "").lower() == "true"
    name = next(iter(values(attributes, mapping.name)), "")
    if not name:
        parts = [next(iter(values(attributes, key)), "") for key in (mapping.given_name, mapping.family_name)]
        name = " ".join(part for part in parts if part)
    name = " ".join(name.split())[:MAX_NAME]
    profile_values = values(attributes, mapping.profile)
    profile = next((mapping.profile_map[v] for v in profile_values if v in mapping.profile_map), None)
    uais = tuple(dict.fromkeys(code for code in map(uai_of, values(attributes, mapping.uai)) if code))
    roles = frozenset(mapping.role_map[v] for v in values(attributes, mapping.roles) if v in mapping.role_map)
    present = {"email": bool(email), "name": bool(name), "profile": bool(profile_values), "uai": bool(uais)}
    subject = _clean(subject or "")
    missing = tuple(f for f in ("email", "name", "profile", "uai") if f in mapping.required and not present[f])
    if not subject or len(subject) > MAX_SUBJECT:
        missing = ("subject", *missing)
    return Claims(
        provider=provider.name,
        subject=subject,
        email=email or None,
        email_verified=bool(email) and (provider.email_trust == "trusted" or verified_claim),
        name=name or None,
        profile=profile,
        has_profile_value=bool(profile_values),
        uais=uais,
        roles=roles,
        missing=missing,
    )
