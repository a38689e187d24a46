"""Authentication backends: the seam where CAS or SAML single sign-on plugs in.

A backend turns credentials into a User or None. The login view only talks to
`authenticate()`; an SSO backend would add its own redirect views and map the
identity provider's attributes (UAI, profile) to a User, without touching the rest."""

from typing import Protocol

from sqlalchemy import func, select

from helpdesk.users.models import User
from helpdesk.users.passwords import verify_password


class AuthBackend(Protocol):
    name: str

    def authenticate(self, session, credentials: dict) -> User | None: ...


class LocalPasswordBackend:
    name = "local"

    def authenticate(self, session, credentials: dict) -> User | None:
        email = (credentials.get("email") or "").strip().lower()
        password = credentials.get("password") or ""
        user = session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
        hash_ = user.password_hash if user and user.auth_source == "local" else None
        if not verify_password(hash_, password):  # always runs argon2: no timing hint of unknown accounts
            return None
        return user if user and user.is_active_account else None


BACKENDS: list[AuthBackend] = [LocalPasswordBackend()]


def authenticate(session, credentials: dict) -> User | None:
    for backend in BACKENDS:
        user = backend.authenticate(session, credentials)
        if user is not None:
            return user
    return None
