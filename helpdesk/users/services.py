"""Account use cases: create users, reset passwords, issue API tokens, load and end login sessions."""

import hashlib
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from helpdesk.organisation.models import Basin, School
from helpdesk.platform.errors import NotFound, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import PARIS, as_utc
from helpdesk.users.models import ApiToken, Profile, Role, User
from helpdesk.users.passwords import hash_password, password_problem


def find_by_email(session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def create_user(
    session,
    *,
    email: str,
    full_name: str,
    password: str | None,
    roles=(Role.REQUESTER,),
    profile: str = Profile.ENSEIGNANT,
    school_uai: str | None = None,
    basin_names=(),
    check_password: bool = True,
) -> User:
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed(N_("Adresse e-mail invalide."))
    if find_by_email(session, email):
        raise ValidationFailed(N_("Un compte existe déjà pour %(email)s."), params={"email": email})
    if password and check_password and (problem := password_problem(password)):
        raise ValidationFailed(problem)
    try:
        Profile(profile)
        roles = [Role(r) for r in roles]
    except ValueError as error:
        raise ValidationFailed(str(error)) from error
    user = User(email=email, full_name=full_name.strip(), profile=profile)
    user.password_hash = hash_password(password) if password else None
    if school_uai:
        school = session.scalar(select(School).where(School.uai == school_uai.upper()))
        if school is None:
            raise NotFound(N_("Établissement %(uai)s inconnu."), params={"uai": school_uai})
        user.school = school
    if basin_names:
        user.basins = list(session.scalars(select(Basin).where(Basin.name.in_(list(basin_names)))))
    user.set_roles(roles)
    session.add(user)
    session.flush()
    return user


CALLER = "caller"  # User.auth_source of a caller recorded by level 1: no password, no role, never signs in


def requester_for_call(session, *, actor, email: str, caller_name: str = "", caller_school: str = "",
                       phone: str = "") -> User:  # fmt: skip
    """Whom an agent opens a ticket for, named by e-mail (the form's « pour le compte de », the API's
    `requester_email`), in one lookup by e-mail. An existing account with that address is used as it is. Otherwise
    it is the person a level-1 agent records on the phone, who has no account: a caller (auth_source "caller": no
    password, no role, cannot sign in nor reset a password), created from the name and school (UAI) given, or
    brought up to date when already recorded, so that their ticket follows them by e-mail and every reader rule
    treats them as its requester. Raises NotAllowed, ValidationFailed (among others: no account, and nothing to
    record a caller with)."""
    from helpdesk import policy
    from helpdesk.platform.errors import NotAllowed

    if not policy.can(actor, policy.Action.CREATE_TICKET_ON_BEHALF):
        raise NotAllowed(N_("Seuls les agents du niveau 1 et l'équipe pilote enregistrent un appelant."))
    found = find_by_email(session, email)
    if found is not None and found.auth_source != CALLER:
        return found
    name, uai = (caller_name or "").strip(), (caller_school or "").strip().upper()
    if found is None and not name and not uai:
        raise ValidationFailed(
            N_(
                "Aucun compte ne correspond au courriel du demandeur. Pour un appelant sans compte, "
                "indiquez aussi son nom et son établissement : le ticket le suivra par courriel."
            ),
            fields=["requester_email"],
        )
    school = session.scalar(select(School).where(School.uai == uai)) if uai else None
    if uai and school is None:
        raise ValidationFailed(N_("Aucun établissement ne porte l'UAI « %(uai)s »."), params={"uai": uai[:8]},
                               fields=["caller_school"])  # fmt: skip
    return _record_caller(session, email=email, full_name=name, school=school, phone=phone, found=found)


def _record_caller(session, *, email: str, full_name: str, school, phone: str, found: User | None) -> User:
    """The caller's record, checked and written; `found`: the caller already recorded with that address (None: a
    new one), whose name and school stay when none is given."""
    email, full_name, phone = (email or "").strip().lower(), (full_name or "").strip(), (phone or "").strip()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise ValidationFailed(N_("Indiquez l'adresse électronique de l'appelant : c'est par elle que le ticket le suit."),
                               field="requester_email")  # fmt: skip
    full_name = full_name or (found.full_name if found else "")
    school = school or (found.school if found else None)
    if not full_name or len(full_name) > 200:
        raise ValidationFailed(N_("Indiquez le nom de l'appelant (200 caractères au plus)."), field="caller_name")
    if school is None:
        raise ValidationFailed(N_("Indiquez l'établissement de l'appelant (UAI)."), field="caller_school")
    if len(phone) > 40:
        raise ValidationFailed(N_("Le téléphone compte au plus 40 caractères."), field="contact_phone")
    caller = found or User(email=email, auth_source=CALLER, password_hash=None, profile=Profile.AUTRE, is_active_account=True)
    caller.full_name, caller.school = full_name, school
    if phone:
        caller.phone = phone
    session.add(caller)
    session.flush()
    return caller


def set_locale(session, user: User, locale: str, *, supported) -> None:
    """The language the person reads the interface and their mails in (`supported`: the app's languages)."""
    if locale not in supported:
        raise ValidationFailed(N_("Langue inconnue."), field="locale")
    user.locale = locale
    session.flush()


def set_password(session, user: User, password: str) -> None:
    if problem := password_problem(password):
        raise ValidationFailed(problem)
    user.password_hash = hash_password(password)
    end_sessions(session, user)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(session, user: User, name: str, *, scopes=(), expires_at=None) -> str:
    """Returns the raw token once; only its hash is stored. No `scopes`: every right of its owner."""
    raw = "hdk_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name[:100] or "API", token_hash=_hash_token(raw),
                         scopes=" ".join(sorted({str(s) for s in scopes})), expires_at=expires_at))  # fmt: skip
    session.flush()
    return raw


# « Last used » is written at most once a minute per token: an API client polling every second costs no write each time.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def token_for(session, raw: str, *, now) -> ApiToken | None:
    """The live token whose raw value is `raw` (not revoked, not expired, owner active), its « last used » recorded;
    None otherwise."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw or "")))
    if token is None or token.revoked_at is not None or not token.user.is_active_account:
        return None
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        return None
    if token.last_used_at is None or as_utc(token.last_used_at) <= now - LAST_USED_GRANULARITY:
        token.last_used_at = now
    return token


def user_for_token(session, raw: str, *, now) -> User | None:
    token = token_for(session, raw, now=now)
    return token.user if token is not None else None


def token_expiry(day, *, now):
    """When a token chosen to expire on `day` (Paris date) stops working: at the end of that day; None without a day;
    False when the day is already past."""
    if day is None:
        return None
    end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=PARIS)
    return False if end <= now else end


def live_tokens(session, user: User, *, now) -> list[ApiToken]:
    """`user`'s tokens that still work, newest first."""
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id.desc())
    )
    return [t for t in tokens if t.expires_at is None or as_utc(t.expires_at) > now]


def revoke_api_token(session, user: User, token_id: int, *, now) -> bool:
    """Revokes one of `user`'s own tokens; False when it is not theirs (or already revoked)."""
    token = session.get(ApiToken, token_id) if 0 < token_id <= _MAX_ID else None
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = now
    return True


# Ids beyond this cannot exist (INTEGER column): refused before they reach the database.
_MAX_ID = 2**31 - 1


# The school too: opening a ticket, the pages of one's school and the policy read it on most requests. Built once
# per process: every request runs it, and building it (three eager loads) cost more than running its cached SQL.
_SESSION_USER = (
    select(User)
    .options(joinedload(User.role_rows), joinedload(User.basins), joinedload(User.school))
    .where(User.id == bindparam("user_id"))
)


def load_session_user(session, session_id: str) -> User | None:
    """The user of a login cookie ("<id>:<session version>") with roles, basins and school, in one query; None once
    that session ended.

    A session ends when the account's session version moves on (logout, password change, single logout)
    or when the account is deactivated: a copy of the cookie taken before then no longer signs anyone in."""
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > _MAX_ID:
        return None
    user = session.execute(_SESSION_USER, {"user_id": int(user_id)}).unique().scalar_one_or_none()
    if user is None or not user.is_active_account or user.session_version != int(version):
        return None
    return user


def end_sessions(session, user: User) -> None:
    """Every login session of the account stops working, on every node (the cookie carries the version)."""
    session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    session.expire(user, ["session_version"])
    session.flush()
