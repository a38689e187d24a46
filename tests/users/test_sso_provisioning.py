"""Accounts from single sign-on: created at the first login, updated at the next, joined to an existing
account only through a verified and configured attribute; roles never widened unless configured."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from helpdesk.users.models import ExternalIdentity, Role, User
from helpdesk.users.provisioning import SsoRefused, sign_in_external
from helpdesk.users.sso_claims import read_claims
from tests.factories import SchoolFactory, UserFactory
from tests.users.test_sso_mapping import CAS, OIDC, parse

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def provider(base=CAS, **settings):
    prefix = "HELPDESK_SSO_ACADEMIE_" if base is CAS else "HELPDESK_SSO_EDU_OIDC_"
    return parse({**base, **{prefix + key: value for key, value in settings.items()}})[0]


def cas_attributes(school, **changes):
    attributes = {
        "mail": ["camille.martin@ac-toulouse.fr"],
        "displayName": ["Camille Martin"],
        "title": ["ENS"],
        "FrEduRne": [f"{school.uai}$UAJ$PU$N$T3$CLG$340"],
    }
    attributes.update(changes)
    return attributes


def sign_in(session, config, subject, attributes):
    user = sign_in_external(session, config, read_claims(config, subject, attributes), now=NOW)
    session.commit()
    return user


def test_first_login_creates_a_requester_from_the_attributes(session):
    school = SchoolFactory()
    user = sign_in(session, provider(), "cmartin", cas_attributes(school))
    assert (user.email, user.full_name, user.profile, user.school) == (
        "camille.martin@ac-toulouse.fr",
        "Camille Martin",
        "enseignant",
        school,
    )
    assert user.roles == {Role.REQUESTER} and user.auth_source == "sso" and user.password_hash is None
    identity = session.scalar(select(ExternalIdentity))
    assert (identity.provider, identity.subject, identity.user_id) == ("academie", "cmartin", user.id)
    assert user.last_login_at == identity.last_login_at == NOW


def test_a_later_login_updates_the_account(session):
    first, second = SchoolFactory(), SchoolFactory()
    config = provider(PROFILE_MAP="ENS=enseignant,DOC=documentaliste")
    user = sign_in(session, config, "cmartin", cas_attributes(first))
    again = sign_in(
        session,
        config,
        "cmartin",
        cas_attributes(second, mail=["c.martin@ac-toulouse.fr"], displayName=["Camille Martin-Durand"], title=["DOC"]),
    )
    assert again.id == user.id and session.scalar(select(func.count(User.id))) == 1
    assert (again.email, again.full_name, again.profile, again.school) == (
        "c.martin@ac-toulouse.fr",
        "Camille Martin-Durand",
        "documentaliste",
        second,
    )


def test_missing_attributes_are_refused_and_nothing_is_created(session):
    school = SchoolFactory()
    attributes = cas_attributes(school)
    del attributes["FrEduRne"], attributes["mail"]
    with pytest.raises(SsoRefused) as refused:
        sign_in(session, provider(), "cmartin", attributes)
    assert refused.value.reason == "missing_attributes" and refused.value.details["missing"] == ["email", "uai"]
    session.rollback()
    assert session.scalar(select(func.count(User.id))) == 0


def test_an_unknown_school_is_refused_by_default(session):
    SchoolFactory()
    attributes = cas_attributes(SchoolFactory.build(uai="0310036W"))
    with pytest.raises(SsoRefused) as refused:
        sign_in(session, provider(), "cmartin", attributes)
    assert refused.value.reason == "unknown_school" and refused.value.details["uais"] == ["0310036W"]


def test_an_unknown_school_can_be_allowed_to_sign_in_without_a_school(session):
    user = sign_in(
        session, provider(UNKNOWN_SCHOOL="without_school"), "cmartin", cas_attributes(SchoolFactory.build(uai="0310036W"))
    )
    assert user.school is None


def test_the_first_known_school_of_several_is_kept(session):
    known = SchoolFactory()
    attributes = cas_attributes(known, FrEduRne=["0310036W$UAJ", f"{known.uai}$UAJ"])
    assert sign_in(session, provider(), "cmartin", attributes).school == known


def test_an_existing_account_is_never_joined_without_a_configured_link(session):
    school = SchoolFactory()
    local = UserFactory(email="camille.martin@ac-toulouse.fr", roles=[Role.AGENT_N1])
    session.commit()
    with pytest.raises(SsoRefused) as refused:
        sign_in(session, provider(), "cmartin", cas_attributes(school))
    assert refused.value.reason == "account_exists"
    session.rollback()
    assert session.get(User, local.id).roles == {Role.AGENT_N1}
    assert session.scalar(select(func.count(ExternalIdentity.id))) == 0


def test_a_configured_link_joins_the_account_on_a_verified_email_and_keeps_its_roles_and_password(session):
    school = SchoolFactory()
    local = UserFactory(email="camille.martin@ac-toulouse.fr", roles=[Role.AGENT_N1])
    user = sign_in(session, provider(LINK_BY="email"), "cmartin", cas_attributes(school))
    assert user.id == local.id and user.roles == {Role.AGENT_N1}
    assert user.auth_source == "local" and user.password_hash


def test_an_unverified_oidc_email_never_joins_an_existing_account(session):
    school = SchoolFactory()
    UserFactory(email="camille.martin@ac-toulouse.fr")
    session.commit()
    config = provider(OIDC, LINK_BY="email")
    claims = {"email": "camille.martin@ac-toulouse.fr", "name": "Camille Martin", "FrEduRne": school.uai}
    with pytest.raises(SsoRefused) as refused:
        sign_in(session, config, "sub-1", {**claims, "email_verified": False})
    assert refused.value.reason == "account_exists"
    session.rollback()
    assert sign_in(session, config, "sub-1", {**claims, "email_verified": True}).email == "camille.martin@ac-toulouse.fr"


def test_a_deactivated_account_is_refused(session):
    school = SchoolFactory()
    user = sign_in(session, provider(), "cmartin", cas_attributes(school))
    user.is_active_account = False
    session.commit()
    with pytest.raises(SsoRefused) as refused:
        sign_in(session, provider(), "cmartin", cas_attributes(school))
    assert refused.value.reason == "inactive"


def test_a_school_wide_profile_comes_only_from_a_configured_profile_map(session):
    school = SchoolFactory()
    head = cas_attributes(school, title=["DIR"])
    assert sign_in(session, provider(), "head", head).profile == "autre"
    assert sign_in(session, provider(PROFILE_MAP="DIR=chef_etablissement"), "head", head).profile == "chef_etablissement"


def test_a_role_map_grants_and_withdraws_only_its_own_roles(session):
    school = SchoolFactory()
    config = provider(ATTR_ROLES="groups", ROLE_MAP="assistance-n1=agent_n1")
    user = sign_in(session, config, "agent", cas_attributes(school, groups=["assistance-n1", "other"]))
    assert user.roles == {Role.REQUESTER, Role.AGENT_N1}
    user.set_roles([*user.roles, Role.FORMATION])  # granted by an administrator
    session.commit()
    user = sign_in(session, config, "agent", cas_attributes(school, groups=[]))
    assert user.roles == {Role.REQUESTER, Role.FORMATION}


def test_an_email_taken_by_another_account_is_not_moved_to_this_one(session):
    school = SchoolFactory()
    user = sign_in(session, provider(), "cmartin", cas_attributes(school))
    UserFactory(email="someone.else@ac-toulouse.fr")
    again = sign_in(session, provider(), "cmartin", cas_attributes(school, mail=["someone.else@ac-toulouse.fr"]))
    assert again.id == user.id and again.email == "camille.martin@ac-toulouse.fr"


def test_a_caller_recorded_by_level_one_takes_over_the_record_on_a_verified_email(session):
    """The caller's tickets follow them into their account; an unverified e-mail never takes a caller record."""
    school = SchoolFactory()
    caller = UserFactory(email="camille.martin@ac-toulouse.fr", roles=[], auth_source="caller", password_hash=None)
    session.commit()
    config = provider(OIDC)
    claims = {"email": "camille.martin@ac-toulouse.fr", "name": "Camille Martin", "FrEduRne": school.uai}
    with pytest.raises(SsoRefused):
        sign_in(session, config, "sub-2", {**claims, "email_verified": False})
    session.rollback()
    user = sign_in(session, config, "sub-2", {**claims, "email_verified": True})
    assert user.id == caller.id and user.auth_source == "sso" and user.roles == {Role.REQUESTER}
