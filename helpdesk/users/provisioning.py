"""Accounts from single sign-on: the first login creates the account from the provider's attributes, later
logins bring it up to date; an existing account is joined only through a verified, configured attribute.

Roles: a new account is a requester; other roles come from attributes only through a configured role map,
and only the roles of that map are ever granted or withdrawn by it."""

import logging

from sqlalchemy import func, select

from helpdesk.organisation.models import School
from helpdesk.platform.errors import DomainError
from helpdesk.platform.i18n import N_
from helpdesk.users.models import ExternalIdentity, Profile, Role, User
from helpdesk.users.sso_claims import Claims
from helpdesk.users.sso_config import ProviderConfig

log = logging.getLogger(__name__)


class SsoRefused(DomainError):
    """The provider vouched for someone we cannot sign in; `reason` says why (the page explains it)."""

    status = 403

    def __init__(self, reason: str, message: str, **details):
        super().__init__(message, reason=reason, **details)
        self.reason = reason


def sign_in_external(session, provider: ProviderConfig, claims: Claims, *, now) -> User:
    """The account behind `claims`, created or updated. Raises SsoRefused; flushes, the caller commits."""
    if claims.missing:
        raise SsoRefused(
            "missing_attributes",
            N_("Le fournisseur d'identité n'a pas transmis : %(missing)s.", missing=", ".join(claims.missing)),
            missing=list(claims.missing),
        )
    school = _school(session, provider, claims)
    identity = session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.provider == provider.name, ExternalIdentity.subject == claims.subject)
    )
    if identity is not None:
        user = identity.user
    else:
        user = _linked_account(session, provider, claims) or _new_account(session, provider, claims)
        identity = ExternalIdentity(user=user, provider=provider.name, subject=claims.subject)
        session.add(identity)
    if not user.is_active_account:
        raise SsoRefused("inactive", N_("Ce compte est désactivé."))
    _update(session, user, provider, claims, school)
    identity.last_login_at = user.last_login_at = now
    session.flush()
    return user


def _school(session, provider: ProviderConfig, claims: Claims) -> School | None | bool:
    """The first of the person's schools that the helpdesk knows; False when no UAI was sent (keep as is)."""
    if not claims.uais:
        return False
    known = {s.uai: s for s in session.scalars(select(School).where(School.uai.in_(claims.uais)))}
    school = next((known[uai] for uai in claims.uais if uai in known), None)
    if school is None and provider.unknown_school == "refuse":
        raise SsoRefused(
            "unknown_school",
            N_("Établissement inconnu de l'outil d'assistance : %(uais)s.", uais=", ".join(claims.uais)),
            uais=list(claims.uais),
        )
    return school


def _linked_account(session, provider: ProviderConfig, claims: Claims) -> User | None:
    clash = session.scalar(select(User).where(func.lower(User.email) == claims.email))
    if clash is None:
        return None
    if clash.auth_source == "caller" and claims.email_verified:
        # A caller level 1 recorded without an account signs in for the first time: the record becomes their
        # account (their tickets with it), as a new single sign-on account would be.
        log.info("sso %s: subject %s takes over caller record %s", provider.name, claims.subject, clash.id)
        clash.auth_source = "sso"
        clash.set_roles([Role.REQUESTER, *claims.roles])
        return clash
    if provider.link_by == "email" and claims.email_verified:
        log.info("sso %s: subject %s linked to existing account %s", provider.name, claims.subject, clash.id)
        return clash
    # Never on an e-mail the provider does not vouch for: anyone could claim someone else's address.
    raise SsoRefused("account_exists", N_("Un compte existe déjà pour %(email)s.", email=claims.email), email=claims.email)


def _new_account(session, provider: ProviderConfig, claims: Claims) -> User:
    user = User(
        email=claims.email,
        full_name=claims.name,
        password_hash=None,
        auth_source="sso",
        profile=Profile.AUTRE,
        is_active_account=True,
    )
    user.set_roles([Role.REQUESTER, *claims.roles])
    session.add(user)
    log.info("sso %s: account provisioned for subject %s", provider.name, claims.subject)
    return user


def _update(session, user: User, provider: ProviderConfig, claims: Claims, school) -> None:
    if claims.email != user.email:
        taken = session.scalar(select(User.id).where(func.lower(User.email) == claims.email, User.id != user.id))
        if taken is None:
            user.email = claims.email
        else:
            log.warning(
                "sso %s: e-mail of account %s not changed, %s belongs to another account", provider.name, user.id, claims.email
            )
    user.full_name = claims.name
    if claims.profile:
        user.profile = claims.profile
    if school is not False:
        user.school = school
    if provider.managed_roles:
        roles = (set(user.roles) - {Role(r) for r in provider.managed_roles}) | {Role(r) for r in claims.roles}
        user.set_roles(roles or [Role.REQUESTER])
