"""Per-process caches of small reference tables (SLA policies, calendars...), safe on any number of nodes.

Each cache has a *scope* whose token lives in the `cache_version` table. Any ORM insert, update or delete of
one of the scope's models rewrites the token in the same transaction (an `after_flush` hook), so the change
and the new token commit together. A reader reads the token once per transaction (one primary-key lookup)
and reuses what this process built for that token; otherwise it rebuilds. A process therefore never serves
data older than what its own transaction can see, whichever node made the edit. The tokens of every scope are
read together, in the one statement of the transaction's first cache read: a request that opens a ticket
reads the keyword catalog and the SLA reference for that one statement.

Tokens are random, never counters: a table emptied and refilled cannot bring back an old token. Without a
token row nothing is cached (the migration and `create_all` write one per scope). Bulk UPDATE or
DELETE statements bypass the ORM hook: call `bump()` after them. As a last safety net an entry is also
rebuilt after `MAX_AGE` seconds."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy import String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from helpdesk.platform.extensions import db

MAX_AGE = 600.0


class CacheVersion(db.Model):
    __tablename__ = "cache_version"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


def new_token() -> str:
    return uuid.uuid4().hex


@event.listens_for(CacheVersion.__table__, "after_create")
def _first_tokens(table, connection, **_):
    """`create_all` (tests, benchmarks) starts with a token per known scope, as the migration does."""
    if _caches:
        connection.execute(table.insert(), [{"scope": scope, "token": new_token()} for scope in _caches])


def bump(session, scope: str) -> None:
    """Give the scope a new token inside the current transaction (insert the row if it is missing)."""
    connection = session.connection()
    token = new_token()
    done = connection.execute(update(CacheVersion.__table__).where(CacheVersion.__table__.c.scope == scope).values(token=token))
    if done.rowcount == 0:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - the app runs on PostgreSQL and SQLite only
            raise RuntimeError(f"unsupported dialect {dialect}")
        connection.execute(
            insert(CacheVersion.__table__)
            .values(scope=scope, token=token)
            .on_conflict_do_update(index_elements=["scope"], set_={"token": token})
        )
    session.info.pop(_memo_key(scope), None)
    tokens = session.info.get(_TOKENS)
    if tokens is not None:
        tokens[scope] = token


_TOKENS = "refcache:tokens"
_ALL_TOKENS = select(CacheVersion.__table__.c.scope, CacheVersion.__table__.c.token)


def _tokens(session) -> dict[str, str]:
    """Every scope's token as this transaction first read it (one statement per transaction)."""
    tokens = session.info.get(_TOKENS)
    if tokens is None:
        # Core on the session's connection: the same transaction, without the ORM's per-statement work.
        tokens = session.info[_TOKENS] = dict(session.connection().execute(_ALL_TOKENS).all())
    return tokens


def _memo_key(scope: str) -> str:
    return f"refcache:{scope}"


class VersionedCache:
    """`get(session)` returns the value `loader(session)` built for the scope's current token."""

    def __init__(self, scope: str, models: tuple[type, ...], loader: Callable):
        self.scope = scope
        self.models = models
        self.loader = loader
        self._entry: tuple[str, float, object] | None = None
        self._lock = threading.Lock()
        self.builds = 0  # how many times this process loaded the tables (tests and benchmarks read it)
        _caches[scope] = self

    def get(self, session):
        key = _memo_key(self.scope)
        memo = session.info.get(key)
        if memo is not None:
            return memo
        if self.scope in _touched_scopes(session):
            session.flush()  # unflushed edits of this scope: write them (and the new token) first
        # Nothing else pending matters here: no autoflush, so a caller can read the reference while it prepares
        # rows that should be inserted complete (a new ticket and its deadlines).
        with session.no_autoflush:
            token = _tokens(session).get(self.scope)
            entry = self._entry
            if token is not None and entry is not None and entry[0] == token and time.monotonic() - entry[1] < MAX_AGE:
                value = entry[2]
            else:
                value = self.loader(session)
                with self._lock:
                    self.builds += 1
                    if token is not None:
                        self._entry = (token, time.monotonic(), value)
        session.info[key] = value
        return value

    def clear(self) -> None:
        self._entry = None


_caches: dict[str, VersionedCache] = {}


def _touched_scopes(session) -> set[str]:
    scopes = set()
    for instances in (session.new, session.dirty, session.deleted):
        for instance in instances:
            for scope, cache in _caches.items():
                if isinstance(instance, cache.models):
                    scopes.add(scope)
    return scopes


@event.listens_for(Session, "after_flush")
def _bump_touched(session, _flush_context):
    if not _caches:
        return
    for scope in _touched_scopes(session):
        bump(session, scope)


@event.listens_for(Session, "after_transaction_end")
def _drop_memos(session, transaction) -> None:
    """A memo lives for one transaction (commit, rollback or close): the next one reads the token again and
    sees what was committed meanwhile."""
    if transaction.parent is None:
        session.info.pop(_TOKENS, None)
        for scope in _caches:
            session.info.pop(_memo_key(scope), None)
