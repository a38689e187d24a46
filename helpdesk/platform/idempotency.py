"""Safe retries of API writes: the same `Idempotency-Key` from the same person gives the same answer, once.

The key is recorded in the same transaction as the write it protects, so either both commit or neither does;
a retry after a lost answer finds the record and gets the stored response instead of a second write. A key
reused for a different request is refused (422), as the IETF draft « The Idempotency-Key HTTP Header Field »
recommends. Records older than `KEEP_DAYS` may be purged."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.platform.errors import DomainError
from helpdesk.platform.extensions import db
from helpdesk.platform.i18n import N_
from helpdesk.platform.types import UTCDateTime

KEEP_DAYS = 7
MAX_KEY_LENGTH = 200


class IdempotentRequest(db.Model):
    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotent_request_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeyReused(DomainError):
    status = 422


def fingerprint(method: str, path: str, body) -> str:
    payload = json.dumps([method, path, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise KeyReused(
            N_("« Idempotency-Key » doit être un texte imprimable de 1 à %(max)s caractères."), params={"max": MAX_KEY_LENGTH}
        )
    return key


def replay(session, *, user_id: int, key: str, fingerprint_: str) -> tuple[dict, int] | None:
    """The stored (response, status) of an earlier request with this key, or None for a first request.
    Raises KeyReused when the key was used for another request."""
    found = session.scalar(select(IdempotentRequest).where(IdempotentRequest.user_id == user_id, IdempotentRequest.key == key))
    if found is None:
        return None
    if found.fingerprint != fingerprint_:
        raise KeyReused(N_("Cette « Idempotency-Key » a déjà servi pour une autre requête : utilisez une nouvelle clé."))
    return found.response, found.status_code


def record(session, *, user_id: int, key: str, fingerprint_: str, response: dict, status_code: int, now: datetime) -> None:
    """Store the answer in the caller's transaction (flushed now: a concurrent twin fails on the unique key)."""
    session.add(
        IdempotentRequest(
            user_id=user_id, key=key, fingerprint=fingerprint_, response=response, status_code=status_code, created_at=now
        )
    )
    session.flush()


def respond_once(session, *, user_id: int, body, run, conflict: str):
    """Run an API write and commit it. With an `Idempotency-Key` header the answer is stored in the same
    transaction: a retry (same key, same request) gets it back and nothing is written twice; a concurrent
    write of the same row is a 409, never an overwrite. `run()` returns (JSON payload, status)."""
    from flask import jsonify, request
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from helpdesk.platform.timeutil import utcnow

    key = request.headers.get("Idempotency-Key")
    fingerprint_ = fingerprint(request.method, request.path, body)
    if key is not None:
        key = check_key(key)
        stored = replay(session, user_id=user_id, key=key, fingerprint_=fingerprint_)
        if stored is not None:
            return jsonify(stored[0]), stored[1]
    try:
        payload, status = run()
        if key is not None:
            record(session, user_id=user_id, key=key, fingerprint_=fingerprint_, response=payload, status_code=status,
                   now=utcnow())  # fmt: skip
        session.commit()
    except (StaleDataError, IntegrityError):
        session.rollback()
        if key is not None:  # a twin request with the same key committed first
            stored = replay(session, user_id=user_id, key=key, fingerprint_=fingerprint_)
            if stored is not None:
                return jsonify(stored[0]), stored[1]
        return jsonify(error=conflict), 409
    except DomainError:
        session.rollback()
        raise
    return jsonify(payload), status
