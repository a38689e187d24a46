"""Ticket volume benchmark on PostgreSQL: bulk-load N tickets with COPY, then measure creation through
services.open_ticket and queue listing latency (first page and a deep keyset page), saving EXPLAIN ANALYZE.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_tickets python bench/tickets_bench.py --n 100000

The target database is emptied and rebuilt: never point it at real data."""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402

from helpdesk import create_app  # noqa: E402
from helpdesk.extensions import db  # noqa: E402
from helpdesk.organisation.models import Academie, Basin, School  # noqa: E402
from helpdesk.tickets import queries, services  # noqa: E402
from helpdesk.tickets.models import Ticket  # noqa: E402
from helpdesk.tickets.search import install_search  # noqa: E402
from helpdesk.tickets.seed import _ensure_keywords  # noqa: E402
from helpdesk.timeutil import utcnow  # noqa: E402
from helpdesk.users.models import Role, User  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
TIERS = ["n1"] * 25 + ["edulab"] * 50 + ["pilote"] * 20 + ["editeur"] * 5
STATUSES_OPEN = ["new", "taken", "waiting_requester", "taken"]
WORDS = ("messagerie agenda rubrique cahier textes élèves parents sondage import emploi temps compte mot passe "
         "classeur médiacentre manuel connexion lenteur erreur affichage formulaire page accueil").split()


def build_reference_data(session, basins=10, schools_per_basin=50):
    academie = Academie(code="bench", name="Académie de Toulouse")
    session.add(academie)
    basin_rows = [Basin(academie=academie, name=f"Bassin {b}", department="031") for b in range(basins)]
    session.add_all(basin_rows)
    session.flush()
    schools = []
    for basin in basin_rows:
        for s in range(schools_per_basin):
            schools.append(School(uai=f"{9000000 + len(schools):07d}A", name=f"Collège {basin.name} {s}", type="college",
                                  town="Toulouse", basin=basin))
    session.add_all(schools)
    session.flush()
    requesters = []
    for school in schools:
        user = User(email=f"prof{school.id}@bench.example", full_name=f"Prof {school.id}", profile="enseignant",
                    password_hash="x", school=school)
        user.set_roles([Role.REQUESTER])
        requesters.append(user)
    session.add_all(requesters)
    agents = {}
    for role, basins_followed in ((Role.AGENT_N1, []), (Role.EDULAB, basin_rows[:2]), (Role.PILOTE, []), (Role.EDITEUR, [])):
        user = User(email=f"{role}@bench.example", full_name=str(role), profile="autre", password_hash="x")
        user.set_roles([role])
        user.basins = list(basins_followed)
        session.add(user)
        agents[role] = user
    session.flush()
    keywords = _ensure_keywords(session)
    session.commit()
    return schools, requesters, agents, keywords


def bulk_load(session, n, schools, requesters, keywords):
    """COPY n tickets: ~30 % open, due dates spread over ±10 days (10 % without one)."""
    rng = random.Random(42)
    now = utcnow()
    columns = ("id", "reference", "type", "status", "is_open", "tier", "entry_tier", "service", "keyword_id", "priority",
               "subject", "description", "extra_fields", "channel", "school_id", "basin_id", "requester_id", "created_by_id",
               "contact_name", "contact_email", "contact_phone", "is_major_incident", "has_reached_vendor", "vendor_reference",
               "evolution_status", "created_at", "updated_at", "resolution_due_at", "version")
    start_id = (session.scalar(select(db.func.max(Ticket.id))) or 0) + 1
    # Plain values read before COPY starts: a lazy load during COPY would wait on the busy connection forever.
    people = [(u.id, u.full_name, u.email, u.school.id, u.school.basin_id) for u in requesters]
    kws = [(k.id, k.ticket_type, k.service, k.priority, k.label) for k in keywords]
    session.commit()
    raw = session.connection().connection.driver_connection
    started = time.perf_counter()
    with raw.cursor() as cursor, cursor.copy(f"COPY ticket ({', '.join(columns)}) FROM STDIN") as copy:
        for offset in range(n):
            ticket_id = start_id + offset
            person_id, person_name, person_email, school_id, basin_id = people[rng.randrange(len(people))]
            keyword_id, ticket_type, service, priority, label = kws[rng.randrange(len(kws))]
            tier = TIERS[rng.randrange(len(TIERS))]
            is_open = rng.random() < 0.3
            created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
            due = None if rng.random() < 0.1 else now + timedelta(minutes=rng.randrange(-60 * 24 * 10, 60 * 24 * 10))
            words = " ".join(rng.choice(WORDS) for _ in range(6))
            copy.write_row((ticket_id, f"ENT-{created.year}-{ticket_id:06d}", ticket_type,
                            rng.choice(STATUSES_OPEN) if is_open else "closed", is_open, tier, tier, service, keyword_id,
                            priority, f"{label} : {words[:60]}", f"Bonjour, {words}. Merci.", "{}", "web",
                            school_id, basin_id, person_id, person_id, person_name, person_email, "",
                            False, tier == "editeur", "", "", created, created, due, 1))
    raw.commit()
    session.execute(text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), (SELECT max(id) FROM ticket))"))
    session.commit()
    elapsed = time.perf_counter() - started
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE ticket"))
    return elapsed


def measure_creation(session, requesters, keywords, count):
    """One web request per ticket: a fresh session loads the requester and the keyword, opens, commits."""
    from helpdesk.routing.models import Keyword
    from helpdesk.users.models import User

    rng = random.Random(7)
    requester_ids, keyword_ids = [u.id for u in requesters], [k.id for k in keywords]
    db.session.remove()
    started = time.perf_counter()
    for i in range(count):
        session = db.session
        requester = session.get(User, requester_ids[rng.randrange(len(requester_ids))])
        keyword = session.get(Keyword, keyword_ids[rng.randrange(len(keyword_ids))])
        services.open_ticket(session, actor=requester, keyword=keyword, subject=f"Création mesurée {i}",
                             description="Le cahier de textes n'affiche plus les séances.", now=utcnow())
        session.commit()  # one transaction per ticket, as in the web form
        db.session.remove()
    return count / (time.perf_counter() - started)


def _timed(session, user, filters, cursor=None, runs=15):
    stmt = queries.filtered(session, user, filters, now=utcnow())
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        rows, _next = queries.page(session, stmt, cursor=cursor)
        durations.append((time.perf_counter() - started) * 1000)
        session.rollback()
    return statistics.median(durations), len(rows)


def _explain(session, user, filters, cursor, name):
    stmt = queries.filtered(session, user, filters, now=utcnow())
    position = queries.decode_cursor(cursor)
    if position is not None:  # the first of page()'s two seeks (the dated rows after the cursor)
        stmt = stmt.where(queries._after(position))
    stmt = stmt.order_by(Ticket.resolution_due_at.asc().nulls_last(), Ticket.id.asc()).limit(queries.PAGE_SIZE + 1)
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.txt").write_text(f"{compiled}\n\n{plan}\n", encoding="utf-8")
    session.rollback()
    return plan


def deep_cursor(session, user, filters, depth):
    """The cursor a user would hold after paging `depth` rows (computed directly, for the benchmark only)."""
    stmt = queries.filtered(session, user, filters, now=utcnow()).order_by(
        Ticket.resolution_due_at.asc().nulls_last(), Ticket.id.asc()).offset(depth).limit(1)
    ticket = session.scalars(stmt).first()
    return queries.encode_cursor(ticket.resolution_due_at, ticket.id) if ticket else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets to bulk-load (default 100000)")
    parser.add_argument("--create", type=int, default=2000, help="tickets to create through services.open_ticket")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/h_tickets")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "HELPDESK_DATA_DIR": tempfile.mkdtemp(prefix="tickets-bench-"), "SECRET_KEY": "bench",
                      "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")})
    report = {"n": args.n}
    with app.app_context():
        session = db.session
        started = time.perf_counter()
        db.drop_all()
        db.create_all()
        install_search(db.engine)
        print(f"schema rebuilt in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        schools, requesters, agents, keywords = build_reference_data(session)
        report["keywords"] = len(keywords)
        report["bulk_load_seconds"] = round(bulk_load(session, args.n, schools, requesters, keywords), 1)
        agent_ids = {role: user.id for role, user in agents.items()}
        report["creation_tickets_per_second"] = round(measure_creation(session, requesters, keywords, args.create), 1)
        session = db.session
        agents = {role: session.get(User, user_id) for role, user_id in agent_ids.items()}
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE ticket"))
        cases = {
            "n1": (agents[Role.AGENT_N1], queries.Filters(tier="n1")),
            "edulab_two_basins": (agents[Role.EDULAB], queries.Filters(tier="edulab")),
            "pilote_service": (agents[Role.PILOTE], queries.Filters(tier="pilote", service="messagerie")),
            "n1_search": (agents[Role.AGENT_N1], queries.Filters(tier="n1", q="cahier textes")),
        }
        for name, (user, filters) in cases.items():
            user = session.get(User, user.id)
            first_ms, _rows = _timed(session, user, filters)
            _explain(session, user, filters, None, f"{name}_first_page")
            count, capped = queries.capped_count(session, queries.filtered(session, user, filters, now=utcnow()))
            entry = {"first_page_ms": round(first_ms, 2), "open_count": f"{count}{'+' if capped else ''}"}
            exact = session.scalar(select(db.func.count()).select_from(
                queries.filtered(session, user, filters, now=utcnow()).subquery()))
            entry["open_count_exact"] = exact
            depth = min(5000, max(exact - 30, 0))
            cursor = deep_cursor(session, user, filters, depth) if depth else None
            if cursor:
                deep_ms, _rows = _timed(session, user, filters, cursor)
                _explain(session, user, filters, cursor, f"{name}_deep_page")
                entry.update(deep_page_ms=round(deep_ms, 2), deep_page_position=depth)
            report[name] = entry
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"report_{args.n}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
