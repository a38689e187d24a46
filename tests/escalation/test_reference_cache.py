"""The SLA reference tables are cached per process and reloaded as soon as anyone, on any node, edits them."""

from datetime import UTC, date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from escalation import seed, services
from escalation.models import Closure, SlaPolicy
from helpdesk.platform.refcache import CacheVersion
from helpdesk.users.models import Role
from tests.factories import UserFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def _builds():
    return services.REFERENCE.builds


def _urgent_n1(session):
    return services.find_policy(session, tier="n1", priority="urgent")


def test_reference_is_read_once_then_served_from_the_process_cache(session):
    seed.seed_reference(session)
    session.commit()
    before = _builds()
    assert _urgent_n1(session).resolution_minutes == 480
    session.commit()
    for _ in range(3):  # later transactions (requests, jobs) only read the token
        assert _urgent_n1(session).resolution_minutes == 480
        services.load_calendar(session, "n1")
        session.commit()
    assert _builds() == before + 1


def test_an_edit_committed_by_another_node_is_seen_by_the_next_transaction(app, session, db):
    seed.seed_reference(session)
    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    assert _urgent_n1(session).resolution_minutes == 480
    session.commit()
    cached = _builds()
    policy_id, pilot_id = _urgent_n1(session).id, pilot.id
    session.commit()
    assert _builds() == cached  # served from this process's cache
    with Session(db.engine) as other:  # another web node: its own connection and transaction
        services.update_policy(
            other,
            policy_id,
            actor=other.get(type(pilot), pilot_id),
            first_response_minutes=30,
            resolution_minutes=120,
            warning_ratio=0.5,
            on_breach="notify",
            now=NOW,
        )
        other.commit()
    terms = _urgent_n1(session)
    assert (terms.resolution_minutes, terms.on_breach) == (120, "notify")


def test_a_transaction_sees_its_own_edit_and_a_rollback_brings_the_old_values_back(session):
    seed.seed_reference(session)
    pilot = UserFactory(roles=[Role.PILOTE])
    session.commit()
    services.add_closure(session, actor=pilot, label="Pont", first_day=date(2026, 11, 16), last_day=date(2026, 11, 16), tier="n1")
    assert date(2026, 11, 16) in services.load_calendar(session, "n1").closures
    session.rollback()
    assert date(2026, 11, 16) not in services.load_calendar(session, "n1").closures


def test_raw_sql_edits_are_seen_after_bump_and_emptied_tables_never_bring_back_old_data(session, db):
    from helpdesk.platform.refcache import bump

    seed.seed_reference(session)
    session.commit()
    assert _urgent_n1(session).resolution_minutes == 480
    session.commit()
    session.execute(text("UPDATE sla_policy SET resolution_minutes = 600 WHERE tier = 'n1' AND priority = 'urgent'"))
    bump(session, "sla")  # a bulk statement bypasses the ORM hook: say so
    session.commit()
    assert _urgent_n1(session).resolution_minutes == 600
    session.commit()
    # Everything deleted (as between two tests) then seeded again: a new random token, never the old one.
    for table in ("sla_policy", "sla_closure", "cache_version"):
        session.execute(text(f"DELETE FROM {table}"))
    session.commit()
    assert _urgent_n1(session) is None
    seed.seed_reference(session)
    session.commit()
    assert _urgent_n1(session).resolution_minutes == 480


def test_without_a_token_nothing_is_cached(session):
    seed.seed_reference(session)
    session.execute(text("DELETE FROM cache_version"))
    session.commit()
    before = _builds()
    for _ in range(2):
        _urgent_n1(session)
        session.commit()
    assert _builds() == before + 2


def test_orm_edits_of_each_reference_table_change_the_token(session):
    seed.seed_reference(session)
    session.commit()

    def token():
        return session.scalar(select(CacheVersion.token).where(CacheVersion.scope == "sla"))

    seen = {token()}
    session.scalars(select(SlaPolicy)).first().warning_ratio = 0.5
    session.commit()
    seen.add(token())
    session.delete(session.scalars(select(Closure)).first())
    session.commit()
    seen.add(token())
    assert len(seen) == 3


def test_a_table_created_by_create_all_starts_with_a_token_per_scope(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    CacheVersion.__table__.create(engine)
    with engine.connect() as connection:
        rows = connection.execute(select(CacheVersion.scope, CacheVersion.token)).all()
    engine.dispose()
    assert sorted(scope for scope, _token in rows) == ["routing", "sla"] and all(len(token) == 32 for _scope, token in rows)


def test_a_session_closed_and_reused_reads_the_token_again(session, db):
    seed.seed_reference(session)
    session.commit()
    reader = Session(db.engine)
    assert _urgent_n1(reader).resolution_minutes == 480
    reader.close()  # neither commit nor rollback: the transaction ends with the close
    policy_id = session.scalar(select(SlaPolicy.id).where(SlaPolicy.tier == "n1", SlaPolicy.priority == "urgent"))
    session.get(SlaPolicy, policy_id).resolution_minutes = 300
    session.commit()
    assert _urgent_n1(reader).resolution_minutes == 300
    reader.close()
