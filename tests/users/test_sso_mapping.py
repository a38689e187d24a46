"""Provider settings (HELPDESK_SSO_*) and the reading of a provider's attributes: pure, no app."""

import pytest

from helpdesk.users.models import Profile, Role
from helpdesk.users.sso_claims import read_claims, uai_of
from helpdesk.users.sso_config import SsoConfigError, parse_providers

PROFILES = {p.value for p in Profile}
ROLES = {r.value for r in Role}
CAS = {
    "HELPDESK_SSO_PROVIDERS": "academie",
    "HELPDESK_SSO_ACADEMIE_PROTOCOL": "cas",
    "HELPDESK_SSO_ACADEMIE_CAS_URL": "https://cas.example/cas/",
}
OIDC = {
    "HELPDESK_SSO_PROVIDERS": "edu-oidc",
    "HELPDESK_SSO_EDU_OIDC_PROTOCOL": "oidc",
    "HELPDESK_SSO_EDU_OIDC_ISSUER": "https://idp.example/",
    "HELPDESK_SSO_EDU_OIDC_CLIENT_ID": "helpdesk",
}


def parse(env):
    return parse_providers(env, profiles=PROFILES, roles=ROLES)


def test_no_providers_variable_means_single_sign_on_is_off():
    assert parse({}) == []


def test_cas_provider_gets_the_academie_directory_defaults():
    (provider,) = parse(CAS)
    assert provider.cas_url == "https://cas.example/cas"
    assert (provider.mapping.email, provider.mapping.uai, provider.mapping.profile) == ("mail", "FrEduRne", "title")
    assert provider.mapping.required == {"email", "name", "uai"}
    assert provider.email_trust == "trusted" and provider.link_by == "" and provider.unknown_school == "refuse"
    assert provider.mapping.role_map == {} and provider.managed_roles == frozenset()


def test_oidc_provider_finds_its_discovery_document_from_the_issuer():
    (provider,) = parse(OIDC)
    assert provider.metadata_url == "https://idp.example/.well-known/openid-configuration"
    assert provider.email_trust == "claim" and provider.scope == "openid email profile"


def test_several_providers_keep_their_order():
    env = {**CAS, **OIDC, "HELPDESK_SSO_PROVIDERS": "edu-oidc, academie"}
    assert [p.name for p in parse(env)] == ["edu-oidc", "academie"]


@pytest.mark.parametrize(
    "change,named",
    [
        ({"HELPDESK_SSO_ACADEMIE_PROTOCOL": "saml"}, "HELPDESK_SSO_ACADEMIE_PROTOCOL"),
        ({"HELPDESK_SSO_ACADEMIE_CAS_URL": "cas.example"}, "HELPDESK_SSO_ACADEMIE_CAS_URL"),
        ({"HELPDESK_SSO_ACADEMIE_PROFILE_MAP": "DIR=proviseur"}, "HELPDESK_SSO_ACADEMIE_PROFILE_MAP"),
        ({"HELPDESK_SSO_ACADEMIE_ROLE_MAP": "n1=agent_n1"}, "HELPDESK_SSO_ACADEMIE_ATTR_ROLES"),
        ({"HELPDESK_SSO_ACADEMIE_REQUIRED": "email,phone"}, "HELPDESK_SSO_ACADEMIE_REQUIRED"),
        ({"HELPDESK_SSO_ACADEMIE_UNKNOWN_SCHOOL": "create"}, "HELPDESK_SSO_ACADEMIE_UNKNOWN_SCHOOL"),
        ({"HELPDESK_SSO_ACADEMIE_LINK_BY": "name"}, "HELPDESK_SSO_ACADEMIE_LINK_BY"),
        ({"HELPDESK_SSO_PROVIDERS": "Académie"}, "HELPDESK_SSO_PROVIDERS"),
        ({"HELPDESK_SSO_PROVIDERS": "academie,academie"}, "HELPDESK_SSO_PROVIDERS"),
    ],
)
def test_a_wrong_setting_is_refused_naming_the_variable(change, named):
    with pytest.raises(SsoConfigError, match=named):
        parse({**CAS, **change})


def test_oidc_needs_a_client_id_and_the_openid_scope():
    with pytest.raises(SsoConfigError, match="CLIENT_ID"):
        parse({**OIDC, "HELPDESK_SSO_EDU_OIDC_CLIENT_ID": ""})
    with pytest.raises(SsoConfigError, match="SCOPE"):
        parse({**OIDC, "HELPDESK_SSO_EDU_OIDC_SCOPE": "email profile"})


def test_email_and_name_stay_required_whatever_the_setting():
    (provider,) = parse({**CAS, "HELPDESK_SSO_ACADEMIE_REQUIRED": "uai"})
    assert provider.mapping.required == {"email", "name", "uai"}


@pytest.mark.parametrize(
    "raw,uai",
    [("0310036W$UAJ$PU$N$T3$LYC$340", "0310036W"), (" 0310036w ", "0310036W"), ("0310036X$UAJ", None), ("", None)],
)
def test_uai_is_read_from_a_fredurne_value_and_its_check_letter_verified(raw, uai):
    assert uai_of(raw) == uai


def test_multi_valued_attributes_are_read_in_order():
    (provider,) = parse({**CAS, "HELPDESK_SSO_ACADEMIE_PROFILE_MAP": "DIR=chef_etablissement,ENS=enseignant"})
    claims = read_claims(
        provider,
        "cmartin",
        {
            "mail": ["Camille.Martin@AC-Toulouse.fr"],
            "givenName": "Camille",
            "sn": "Martin",
            "title": ["XYZ", "ENS", "DIR"],
            "FrEduRne": ["0310036W$UAJ$PU$N$T3$LYC$340", "not-a-uai", "0311234Y$UAJ", "0310036W$UAJ"],
        },
    )
    assert claims.email == "camille.martin@ac-toulouse.fr" and claims.email_verified
    assert claims.name == "Camille Martin"
    assert claims.profile == "enseignant"  # the first value that the map knows
    assert claims.uais == ("0310036W", "0311234Y")  # each school once, invalid codes dropped
    assert claims.missing == ()


def test_missing_and_unusable_attributes_are_listed():
    (provider,) = parse(CAS)
    claims = read_claims(provider, "x", {"mail": ["not an address"], "FrEduRne": ["1234"]})
    assert claims.missing == ("email", "name", "uai")


def test_an_oidc_email_is_verified_only_when_the_provider_says_so():
    (provider,) = parse(OIDC)
    base = {"email": "a@b.fr", "name": "A B", "FrEduRne": "0310036W"}
    assert not read_claims(provider, "s", base).email_verified
    assert not read_claims(provider, "s", {**base, "email_verified": False}).email_verified
    assert read_claims(provider, "s", {**base, "email_verified": True}).email_verified


def test_roles_come_only_from_a_configured_role_map():
    (plain,) = parse(CAS)
    attributes = {"mail": "a@b.fr", "displayName": "A B", "FrEduRne": "0310036W", "groups": ["assistance-n1"]}
    assert read_claims(plain, "s", attributes).roles == frozenset()
    (mapped,) = parse(
        {**CAS, "HELPDESK_SSO_ACADEMIE_ATTR_ROLES": "groups", "HELPDESK_SSO_ACADEMIE_ROLE_MAP": "assistance-n1=agent_n1"}
    )
    assert read_claims(mapped, "s", attributes).roles == {"agent_n1"}


def test_the_default_profile_map_grants_no_school_wide_profile():
    from helpdesk.users.models import SCHOOL_WIDE_PROFILES

    (provider,) = parse(CAS)
    assert not set(provider.mapping.profile_map.values()) & set(SCHOOL_WIDE_PROFILES)
    claims = read_claims(provider, "s", {"mail": "a@b.fr", "displayName": "A B", "FrEduRne": "0310036W", "title": "DIR"})
    assert claims.profile is None and claims.has_profile_value


def test_control_characters_are_dropped_and_text_is_nfc():
    (provider,) = parse(CAS)
    claims = read_claims(provider, "c\x00m", {"mail": "a@b.fr", "displayName": "Ame\u0301lie\x00 Roy", "FrEduRne": "0310036W"})
    assert claims.name == "Amélie Roy" and claims.subject == "cm"
