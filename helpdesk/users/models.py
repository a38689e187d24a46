"""People: profile (what they are in the school), roles (what they may do), EduLAB basins, API tokens,
and the single sign-on identities (provider + subject) that sign them in."""

from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.organisation.models import Basin, School
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.timeutil import utcnow
from helpdesk.platform.types import UTCDateTime


class Role(StrEnum):
    REQUESTER = "requester"
    AGENT_N1 = "agent_n1"
    EDULAB = "edulab"
    PILOTE = "pilote"
    EDITEUR = "editeur"
    ADMIN = "admin"
    DAFPEN = "dafpen"
    FORMATION = "formation"


ROLE_LABELS = {
    Role.REQUESTER: N_("Personnel d'établissement"),
    Role.AGENT_N1: N_("Agent niveau 1"),
    Role.EDULAB: N_("Référent EduLAB"),
    Role.PILOTE: N_("Équipe pilote DRANE/DSI"),
    Role.EDITEUR: N_("Éditeur (Kosmos)"),
    Role.ADMIN: N_("Administrateur de l'outil"),
    Role.DAFPEN: N_("DAFPEN"),
    Role.FORMATION: N_("Coordination des formations"),
}


class Profile(StrEnum):
    ENSEIGNANT = "enseignant"
    CPE = "cpe"
    CHEF_ETABLISSEMENT = "chef_etablissement"
    ADJOINT = "adjoint"
    ADMINISTRATEUR_ENT = "administrateur_ent"
    RUPN = "rupn"
    GESTIONNAIRE = "gestionnaire"
    SECRETARIAT = "secretariat"
    DOCUMENTALISTE = "documentaliste"
    VIE_SCOLAIRE = "vie_scolaire"
    PERSONNEL_ACADEMIQUE = "personnel_academique"
    AUTRE = "autre"


PROFILE_LABELS = {
    Profile.ENSEIGNANT: N_("Enseignant"),
    Profile.CPE: N_("CPE"),
    Profile.CHEF_ETABLISSEMENT: N_("Chef d'établissement"),
    Profile.ADJOINT: N_("Adjoint (direction)"),
    Profile.ADMINISTRATEUR_ENT: N_("Administrateur ENT"),
    Profile.RUPN: N_("RUPN"),
    Profile.GESTIONNAIRE: N_("Gestionnaire"),
    Profile.SECRETARIAT: N_("Secrétariat"),
    Profile.DOCUMENTALISTE: N_("Professeur documentaliste"),
    Profile.VIE_SCOLAIRE: N_("Vie scolaire"),
    Profile.PERSONNEL_ACADEMIQUE: N_("Personnel académique"),
    Profile.AUTRE: N_("Autre"),
}

# Profiles that see every ticket of their own school (head of school, direction, ENT administrator).
SCHOOL_WIDE_PROFILES = frozenset({Profile.CHEF_ETABLISSEMENT, Profile.ADJOINT, Profile.ADMINISTRATEUR_ENT})
HEAD_PROFILES = frozenset({Profile.CHEF_ETABLISSEMENT, Profile.ADJOINT})

referent_basin = Table(
    "referent_basin",
    db.metadata,
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
    Column("basin_id", ForeignKey("basin.id", ondelete="CASCADE"), primary_key=True),
)


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    profile: Mapped[str] = mapped_column(String(40), default=Profile.ENSEIGNANT)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    auth_source: Mapped[str] = mapped_column(String(20), default="local")  # local | sso (provisioned, no password)
    # Part of the login cookie: raising it ends every session of the account on every node (logout,
    # password change, deactivation, single logout from the identity provider).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    school: Mapped[School | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    basins: Mapped[list[Basin]] = relationship(secondary=referent_basin, lazy="selectin")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:  # Flask-Login keeps this in the signed session cookie
        return f"{self.id}:{self.session_version or 1}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        present = {r.role for r in self.role_rows}
        self.role_rows.extend(UserRole(role=r.value) for r in sorted(wanted) if r.value not in present)

    @property
    def basin_ids(self) -> frozenset[int]:
        return frozenset(b.id for b in self.basins)

    @property
    def profile_label(self) -> str:
        try:
            return _(PROFILE_LABELS[Profile(self.profile)])
        except ValueError:
            return self.profile

    @property
    def is_school_wide(self) -> bool:
        return self.profile in SCHOOL_WIDE_PROFILES

    def __str__(self) -> str:
        return self.full_name


# Accounts are found by their address whatever its case (sign-in, a caller, SSO provisioning, the admin's clash
# check: users.services.find_by_email); without this index each of those read the whole table.
Index("ix_user_account_email_lower", func.lower(User.email))


class ApiToken(db.Model):
    """Personal API tokens; only a hash is stored. `scopes` (space-separated, see policy.Scope) narrows what the
    token may do within its owner's rights, empty meaning all of them; past `expires_at` the token no longer signs in."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scopes: Mapped[str] = mapped_column(String(200), default="", server_default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class ExternalIdentity(db.Model):
    """One account at one identity provider (CAS user, OpenID Connect `sub`) signs in as one User."""

    __tablename__ = "user_identity"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
