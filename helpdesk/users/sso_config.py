"""Single sign-on providers, read from the HELPDESK_SSO_* variables: protocol, endpoints and the mapping
that turns an identity provider's attributes into an account. Pure: standard library only.

No HELPDESK_SSO_PROVIDERS, no provider: the login page then offers the local form alone."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

PREFIX = "HELPDESK_SSO_"
PROTOCOLS = ("cas", "oidc")
UNKNOWN_SCHOOL = ("refuse", "without_school")
EMAIL_TRUST = ("claim", "trusted")
# Account fields a provider may require; email and name are always required (an account needs both).
FIELDS = ("email", "name", "profile", "uai")
ALWAYS_REQUIRED = frozenset({"email", "name"})
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")

# Attribute names by protocol. CAS: the académie directory's names (FrEduRne holds one UAI per school,
# e.g. "0310036W$UAJ$PU$N$T3$LYC$340"; title holds the function code). OIDC: the standard claims, the
# directory's names for what OIDC does not standardise.
DEFAULT_ATTRIBUTES = {
    "cas": {
        "email": "mail",
        "name": "displayName",
        "given_name": "givenName",
        "family_name": "sn",
        "profile": "title",
        "uai": "FrEduRne",
        "roles": "",
    },
    "oidc": {
        "email": "email",
        "name": "name",
        "given_name": "given_name",
        "family_name": "family_name",
        "profile": "title",
        "uai": "FrEduRne",
        "roles": "",
    },
}
# Function codes → profiles. Only profiles that widen nothing: a profile that sees every ticket of its
# school (head of school, deputy, ENT administrator) is granted from an attribute only when the operator
# writes it into HELPDESK_SSO_<NAME>_PROFILE_MAP (e.g. "DIR=chef_etablissement").
DEFAULT_PROFILE_MAP = {
    "ENS": "enseignant",
    "DOC": "documentaliste",
    "EDU": "cpe",
    "National_ENS": "enseignant",
    "National_DOC": "documentaliste",
    "National_EVS": "vie_scolaire",
}


class SsoConfigError(ValueError):
    """A HELPDESK_SSO_* variable that cannot be used; the message names it."""


@dataclass(frozen=True)
class AttributeMapping:
    email: str
    name: str
    given_name: str
    family_name: str
    profile: str
    uai: str
    roles: str
    profile_map: Mapping[str, str]
    role_map: Mapping[str, str]
    required: frozenset[str]


@dataclass(frozen=True)
class ProviderConfig:
    name: str
    protocol: str
    label: str
    mapping: AttributeMapping
    # CAS: base URL of the server (…/login, …/p3/serviceValidate, …/logout).
    cas_url: str = ""
    # OIDC: discovery document, client credentials, scopes.
    metadata_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    scope: str = "openid email profile"
    # Link a first login to an existing account whose e-mail matches ("email"), or never ("").
    link_by: str = ""
    # "claim": an e-mail counts as verified only with email_verified=true; "trusted": the provider's
    # directory asserts every e-mail it releases (the académie's CAS).
    email_trust: str = "claim"
    unknown_school: str = "refuse"
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def managed_roles(self) -> frozenset[str]:
        """Roles that this provider's attributes grant and withdraw; every other role is left alone."""
        return frozenset(self.mapping.role_map.values())


def parse_providers(env: Mapping[str, str], *, profiles: set[str], roles: set[str]) -> list[ProviderConfig]:
    """Every provider named in HELPDESK_SSO_PROVIDERS, in that order (the order of the login buttons).

    Raises SsoConfigError naming the variable at fault."""
    names = _list(env.get(PREFIX + "PROVIDERS", ""))
    providers = []
    for name in names:
        if not _NAME.match(name):
            raise SsoConfigError(
                f"{PREFIX}PROVIDERS : « {name} » n'est pas un nom de fournisseur valide "
                "(minuscules, chiffres et tirets, 20 caractères au plus)."
            )
        if name in (p.name for p in providers):
            raise SsoConfigError(f"{PREFIX}PROVIDERS : le fournisseur « {name} » est cité deux fois.")
        providers.append(_provider(env, name, profiles=profiles, roles=roles))
    return providers


def _provider(env: Mapping[str, str], name: str, *, profiles: set[str], roles: set[str]) -> ProviderConfig:
    prefix = PREFIX + name.upper().replace("-", "_") + "_"

    def get(key: str, default: str = "") -> str:
        return (env.get(prefix + key) or default).strip()

    protocol = get("PROTOCOL").lower()
    if protocol not in PROTOCOLS:
        raise SsoConfigError(f"{prefix}PROTOCOL doit valoir « cas » ou « oidc ».")
    attributes = {key: get("ATTR_" + key.upper(), default) for key, default in DEFAULT_ATTRIBUTES[protocol].items()}
    profile_map = (
        _pairs(get("PROFILE_MAP"), prefix + "PROFILE_MAP", allowed=profiles) if get("PROFILE_MAP") else DEFAULT_PROFILE_MAP
    )
    role_map = _pairs(get("ROLE_MAP"), prefix + "ROLE_MAP", allowed=roles)
    if role_map and not attributes["roles"]:
        raise SsoConfigError(f"{prefix}ROLE_MAP demande {prefix}ATTR_ROLES (l'attribut qui porte les rôles).")
    required = frozenset(_list(get("REQUIRED", "email,name,uai"))) | ALWAYS_REQUIRED
    if unknown := required - set(FIELDS):
        raise SsoConfigError(f"{prefix}REQUIRED : champ inconnu {', '.join(sorted(unknown))} (possibles : {', '.join(FIELDS)}).")
    mapping = AttributeMapping(**attributes, profile_map=profile_map, role_map=role_map, required=required)
    config = {
        "name": name,
        "protocol": protocol,
        "label": get("LABEL", name),
        "mapping": mapping,
        "link_by": _choice(get("LINK_BY"), prefix + "LINK_BY", ("", "email")),
        "email_trust": _choice(
            get("EMAIL_TRUST", "trusted" if protocol == "cas" else "claim"), prefix + "EMAIL_TRUST", EMAIL_TRUST
        ),
        "unknown_school": _choice(get("UNKNOWN_SCHOOL", "refuse"), prefix + "UNKNOWN_SCHOOL", UNKNOWN_SCHOOL),
    }
    if protocol == "cas":
        config["cas_url"] = _url(get("CAS_URL"), prefix + "CAS_URL").rstrip("/")
    else:
        issuer = get("ISSUER")
        metadata_url = get("METADATA_URL") or (issuer.rstrip("/") + "/.well-known/openid-configuration" if issuer else "")
        config["metadata_url"] = _url(metadata_url, prefix + "ISSUER (ou METADATA_URL)")
        config["client_id"] = get("CLIENT_ID")
        config["client_secret"] = get("CLIENT_SECRET")
        if not config["client_id"]:
            raise SsoConfigError(f"{prefix}CLIENT_ID est obligatoire pour un fournisseur OpenID Connect.")
        config["scope"] = get("SCOPE", "openid email profile")
        if "openid" not in config["scope"].split():
            raise SsoConfigError(f"{prefix}SCOPE doit contenir « openid ».")
    return ProviderConfig(**config)


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _pairs(raw: str, variable: str, *, allowed: set[str]) -> dict[str, str]:
    """'ENS=enseignant,DIR=chef_etablissement' → {'ENS': 'enseignant', 'DIR': 'chef_etablissement'}."""
    pairs = {}
    for item in _list(raw):
        value, sep, target = item.partition("=")
        value, target = value.strip(), target.strip()
        if not sep or not value or target not in allowed:
            raise SsoConfigError(
                f"{variable} : « {item} » doit s'écrire VALEUR=code, avec un code parmi {', '.join(sorted(allowed))}."
            )
        pairs[value] = target
    return pairs


def _choice(value: str, variable: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        named = " ou ".join(f"« {c} »" for c in choices if c)
        raise SsoConfigError(f"{variable} doit valoir {named}{' (ou rester vide)' if '' in choices else ''}.")
    return value


def _url(value: str, variable: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value or ""):
        raise SsoConfigError(f"{variable} doit être une adresse http(s):// complète.")
    return value
