"""Administration use cases: edit accounts (roles, profile, school, basins) and schools."""

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.organisation.models import Basin, School
from helpdesk.organisation.uai import normalise, validation_error
from helpdesk.platform.errors import NotAllowed, ValidationFailed
from helpdesk.platform.i18n import N_
from helpdesk.users.models import Role, User
from helpdesk.users.services import end_sessions


def _require(actor, action):
    if not policy.can(actor, action):
        raise NotAllowed(N_("Cette page est réservée aux administrateurs de l'outil."))


def save_user(session, user: User | None, *, actor, full_name, email, profile, school_uai, roles, basin_ids, is_active) -> User:
    _require(actor, policy.Action.MANAGE_USERS)
    email = email.strip().lower()
    clash = session.scalar(select(User).where(func.lower(User.email) == email))
    if clash is not None and clash is not user:
        raise ValidationFailed(N_("Un compte existe déjà pour %(email)s."), params={"email": email})
    school = None
    if school_uai:
        school = session.scalar(select(School).where(School.uai == normalise(school_uai)))
        if school is None:
            raise ValidationFailed(N_("Aucun établissement ne porte le code UAI %(uai)s."), params={"uai": normalise(school_uai)})
    roles = {Role(r) for r in roles}
    if not roles:
        raise ValidationFailed(N_("Choisissez au moins un rôle."))
    if Role.EDULAB in roles and not basin_ids:
        raise ValidationFailed(N_("Un référent EduLAB suit au moins un bassin."))
    if user is not None and user.id == actor.id and Role.ADMIN not in roles:
        raise ValidationFailed(N_("Vous ne pouvez pas retirer votre propre rôle d'administrateur."))
    if user is None:
        user = User(email=email, full_name=full_name, password_hash=None)
        session.add(user)
    user.email, user.full_name, user.profile, user.school = email, full_name.strip(), profile, school
    if user.id is not None and user.is_active_account and not is_active:
        end_sessions(session, user)  # a deactivated account's sessions end, and stay ended if reactivated
    user.is_active_account = bool(is_active)
    user.set_roles(roles)
    user.basins = list(session.scalars(select(Basin).where(Basin.id.in_(basin_ids or [])))) if Role.EDULAB in roles else []
    session.flush()
    return user


def save_school(session, *, actor, uai, name, type, town, basin_id) -> School:
    _require(actor, policy.Action.MANAGE_USERS)
    uai = normalise(uai)
    if problem := validation_error(uai):
        raise ValidationFailed(problem)
    if session.scalar(select(School.id).where(School.uai == uai)):
        raise ValidationFailed(N_("L'établissement %(uai)s existe déjà."), params={"uai": uai})
    basin = session.get(Basin, basin_id)
    if basin is None:
        raise ValidationFailed(N_("Bassin inconnu."))
    school = School(uai=uai, name=name.strip(), type=type, town=town.strip(), basin=basin)
    session.add(school)
    session.flush()
    return school
