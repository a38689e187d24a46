"""Password hashing (argon2) and reset tokens bound to the current hash, so a token works once."""

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from helpdesk.platform.i18n import N_

_hasher = PasswordHasher()
# Verifying against this keeps the timing of "unknown account" close to "wrong password".
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return N_("Le mot de passe doit contenir au moins %(min)s caractères.", min=MIN_LENGTH)
    if password.isdigit() or password.isalpha():
        return N_("Le mot de passe doit mêler lettres et chiffres ou symboles.")
    return None


def _fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def make_reset_token(secret_key: str, user_id: int, password_hash: str | None) -> str:
    serializer = URLSafeTimedSerializer(secret_key, salt="password-reset")
    return serializer.dumps({"u": user_id, "f": _fingerprint(password_hash)})


def read_reset_token(secret_key: str, token: str, max_age: int) -> dict | None:
    serializer = URLSafeTimedSerializer(secret_key, salt="password-reset")
    try:
        return serializer.loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None


def token_matches(data: dict, password_hash: str | None) -> bool:
    return data.get("f") == _fingerprint(password_hash)
