"""Benchmark the SLA sweep on PostgreSQL: 1,000,000 open tickets, 1,000 of them due.

Plain script (not a test): BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_sla python bench/sla_sweep.py
It DROPS and recreates every table of that database. Prints EXPLAIN of the selection and timings."""

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from escalation import seed  # noqa: E402
from escalation.clocks import apply_due, due_ticket_ids  # noqa: E402
from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from tests.factories import KeywordFactory, SchoolFactory, UserFactory  # noqa: E402

TOTAL = int(os.environ.get("BENCH_TICKETS", 1_000_000))
DUE = int(os.environ.get("BENCH_DUE", 1_000))
NOW = datetime(2026, 11, 18, 12, tzinfo=UTC)  # a Wednesday


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_sla")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "HELPDESK_DATA_DIR": os.environ.get("BENCH_DATA_DIR", "/tmp/sla-bench")})
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed.seed_reference(db.session)
        school = SchoolFactory()
        user = UserFactory(school=school)
        keyword = KeywordFactory(priority="normal", tier="n1")
        db.session.commit()
        started = time.perf_counter()
        params = {"total": TOTAL, "due": DUE, "kw": keyword.id, "school": school.id, "basin": school.basin_id,
                  "user": user.id, "now": NOW, "created": NOW - timedelta(days=10)}
        db.session.execute(text("""
            INSERT INTO ticket (id, reference, type, status, is_open, tier, entry_tier, service, keyword_id, priority,
                subject, description, extra_fields, channel, school_id, basin_id, requester_id, created_by_id,
                contact_name, contact_email, contact_phone, is_major_incident, has_reached_vendor, vendor_reference,
                evolution_status, created_at, updated_at, version, resolution_due_at)
            SELECT g, 'B-' || g, 'incident', 'taken', true, 'n1', 'n1', 'messagerie', :kw, 'normal',
                'Bench', 'Bench', '{}', 'web', :school, :basin, :user, :user, '', '', '', false, false, '', '',
                :created, :created, 1,
                CASE WHEN g <= :due THEN CAST(:now AS timestamptz) - interval '1 minute'
                     ELSE CAST(:now AS timestamptz) + (g || ' minutes')::interval END
            FROM generate_series(1, :total) AS g"""), params)
        db.session.execute(text("""
            INSERT INTO sla_clock (ticket_id, tier, tier_entered_at, warning_at, next_check_at, due_locked, on_breach)
            SELECT id, 'n1', created_at, resolution_due_at, resolution_due_at, false, 'escalate' FROM ticket"""))
        db.session.execute(text("INSERT INTO sla_tier_stint (ticket_id, tier, entered_at) "
                                "SELECT id, 'n1', created_at FROM ticket WHERE id <= :due"), params)
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), :total)"), params)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"inserted {TOTAL:,} tickets in {time.perf_counter() - started:.1f} s")

        plan = db.session.execute(text(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT ticket_id FROM sla_clock WHERE next_check_at <= :now "
            "ORDER BY next_check_at LIMIT 500"), {"now": NOW}).scalars().all()
        print("\n".join(plan))

        started = time.perf_counter()
        ids = due_ticket_ids(db.session, now=NOW, batch=DUE)
        selection = time.perf_counter() - started
        started = time.perf_counter()
        for ticket_id in ids:
            apply_due(db.session, ticket_id, now=NOW)
            db.session.commit()
        processing = time.perf_counter() - started
        escalated = db.session.scalar(text("SELECT count(*) FROM sla_breach WHERE kind = 'resolution'"))
        print(f"selection of {len(ids)} due rows: {selection * 1000:.1f} ms")
        print(f"processing (breach row + escalation + new clock, one commit each): {processing:.2f} s "
              f"({processing / max(len(ids), 1) * 1000:.1f} ms per ticket); breaches recorded: {escalated}")
        started = time.perf_counter()
        again = due_ticket_ids(db.session, now=NOW, batch=DUE)
        print(f"second sweep selection: {len(again)} rows in {(time.perf_counter() - started) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
