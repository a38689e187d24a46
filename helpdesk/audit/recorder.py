"""Recording configuration changes as they are flushed, whoever flushes them (a page, a command, a job, a seed).

After each flush, while the session still knows each row's values before the flush, one audit row per created,
changed or deleted tracked row is inserted on the flush's own connection: it commits or rolls back with the
change it describes."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from flask import has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from helpdesk.audit.models import AuditEntry
from helpdesk.audit.tracked import TRACKED
from helpdesk.platform import audit as seam
from helpdesk.platform.timeutil import utcnow

CHANGED_SECRET = "(modifié)"
_WRITTEN = "audit_written"  # rows written in the current transaction: (entity, id) → (row id, action, changes)


def _plain(value):
    """A JSON-storable form of a column value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _collection(state, name: str, value_of) -> tuple[list, list]:
    history = state.attrs[name].history
    before = [*history.unchanged, *history.deleted]
    after = [*history.unchanged, *history.added]
    return sorted(str(value_of(i)) for i in before), sorted(str(value_of(i)) for i in after)


def _changes(obj, spec, action: str) -> dict:
    state = inspect(obj)
    changes = {}
    for name in spec.fields:
        if action == "updated":
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else getattr(obj, name)
            if _plain(before) == _plain(after):
                continue
        else:
            value = getattr(obj, name)
            before, after = (None, value) if action == "created" else (value, None)
            if value in (None, "", [], {}):
                continue
        if name in spec.secret:
            before, after = (CHANGED_SECRET if before else None), CHANGED_SECRET if after else None
        changes[name] = [_plain(before), _plain(after)]
    for name, (_label, value_of) in spec.collections.items():
        before, after = _collection(state, name, value_of)
        if action == "created":
            before = []
        if action == "deleted":
            after = []
        if before != after:
            changes[name] = [before, after]
    return changes


def _actor(session):
    """(id, name, source) of whoever makes the changes: what the code said, else the signed-in person."""
    if seam.ACTOR in session.info:
        actor = session.info[seam.ACTOR]
        return getattr(actor, "id", None), getattr(actor, "full_name", "") or "", session.info.get(seam.SOURCE, "command")
    if has_request_context():
        from flask_login import current_user

        if current_user and getattr(current_user, "is_authenticated", False):
            return current_user.id, current_user.full_name, "web"
        return None, "", "web"
    return None, "", "job"


def _entries(session) -> list[dict]:
    found = []
    for action, objects in (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            spec = TRACKED.get(type(obj))
            if spec is None:
                continue
            if action == "updated" and not session.is_modified(obj, include_collections=True):
                continue
            changes = _changes(obj, spec, action)
            if action == "updated" and not changes:
                continue
            found.append((obj, spec, action, changes))
    return found


def _merge(first: dict, then: dict) -> dict:
    """Changes of one row over several flushes of a transaction: each field from its first before to its last after."""
    merged = {name: list(values) for name, values in first.items()}
    for name, (before, after) in then.items():
        merged[name] = [merged[name][0], after] if name in merged else [before, after]
    return {name: values for name, values in merged.items() if values[0] != values[1]}


@event.listens_for(Session, "after_flush")
def _record(session, _flush_context) -> None:
    """One journal row per row changed and transaction: a later flush of the same transaction (a form that flushes
    the account, then its basins) completes the row written by the first."""
    with session.no_autoflush:
        found = _entries(session)
        if not found:
            return
        actor_id, actor_name, source = _actor(session)
        comment = session.info.pop(seam.COMMENT, "")
        now = utcnow()
        written = session.info.setdefault(_WRITTEN, {})
        table = AuditEntry.__table__
        fresh, keys = [], []
        for obj, spec, action, changes in found:
            key = (spec.entity, "-".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj)))
            label = str(spec.describe(obj))[:200]
            if key in written:
                row_id, first_action, first_changes = written[key]
                merged = _merge(first_changes, changes)
                action = "deleted" if action == "deleted" else first_action
                written[key] = (row_id, action, merged)
                values = {"changes": merged, "action": action, "entity_label": label}
                if comment:
                    values["comment"] = comment
                session.connection().execute(table.update().where(table.c.id == row_id).values(**values))
                continue
            keys.append((key, action, changes))
            fresh.append(
                {
                    "created_at": now,
                    "actor_id": actor_id,
                    "actor_name": actor_name[:200],
                    "source": source,
                    "entity": spec.entity,
                    "entity_id": key[1],
                    "entity_label": label,
                    "action": action,
                    "changes": changes,
                    "comment": comment,
                }
            )
    if fresh:
        ids = session.connection().execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), fresh).scalars()
        for (key, action, changes), row_id in zip(keys, ids, strict=True):
            written[key] = (row_id, action, changes)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one starts new journal rows
        session.info.pop(_WRITTEN, None)


def _keep_old_values() -> None:
    """Load a tracked field's old value when it is set while expired (after a commit): the journal's « before »
    is then always the value that was stored, never unknown."""
    for model, spec in TRACKED.items():
        for name in spec.fields:
            event.listen(getattr(model, name), "set", _noop, active_history=True)


def _noop(target, value, oldvalue, initiator):
    return value


_keep_old_values()
