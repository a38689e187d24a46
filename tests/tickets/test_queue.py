"""Agent queues: scoped by policy and tier, filtered, ordered by SLA due date with keyset pages; full-text search."""

import html
from datetime import timedelta

import pytest

from helpdesk.platform.errors import ValidationFailed
from helpdesk.platform.extensions import db
from helpdesk.platform.timeutil import utcnow
from helpdesk.tickets import queries, services
from tests.factories import KeywordFactory, SchoolFactory, TicketFactory, UserFactory


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_keyset_pages_cover_every_ticket_once_in_due_order(chain, session):
    now = utcnow()
    for i in range(23):
        due = None if i % 4 == 0 else now + timedelta(hours=i % 5)  # ties and missing due dates on purpose
        TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], resolution_due_at=due)
    session.commit()
    stmt = queries.filtered(session, chain["edulab"], queries.Filters(tier="edulab"), now=now)
    seen, cursor = [], None
    while True:
        rows, cursor = queries.page(session, stmt, cursor=cursor, limit=5)
        seen += rows
        if cursor is None:
            break
    assert len(seen) == 23 and len({t.id for t in seen}) == 23
    keys = [(t.resolution_due_at is None, t.resolution_due_at or now, t.id) for t in seen]
    assert keys == sorted(keys)


def test_tampered_cursor_is_a_clear_error(chain, session):
    with pytest.raises(ValidationFailed):
        queries.decode_cursor("n'importe quoi")


def test_filters_and_count(chain, session, login_as, client):
    other_school = SchoolFactory(basin=chain["basin"])
    pronote = KeywordFactory(service="pronote", tier="edulab", slug="pronote-synchro")
    old = TicketFactory(
        requester=chain["teacher"], keyword=chain["keyword"], subject="Ancien", created_at=utcnow() - timedelta(days=10)
    )
    TicketFactory(requester=chain["teacher"], keyword=pronote, subject="Synchro Pronote")
    TicketFactory(requester=UserFactory(school=other_school), keyword=chain["keyword"], subject="Autre collège")
    TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject="Déjà résolu", status="resolved", is_open=False)
    session.commit()
    login_as(chain["edulab"])
    page = text(client.get("/tickets/file?niveau=edulab"))
    assert "3 tickets" in page and "Déjà résolu" not in page
    assert "Synchro Pronote" in text(client.get("/tickets/file?service=pronote")) and "Ancien" not in text(
        client.get("/tickets/file?service=pronote")
    )
    assert "Ancien" not in text(client.get("/tickets/file?mot_cle=pronote-synchro"))
    by_school = text(client.get(f"/tickets/file?uai={other_school.uai}"))
    assert "Autre collège" in by_school and "Ancien" not in by_school
    aged = text(client.get("/tickets/file?age=5"))
    assert old.reference in aged and "Synchro Pronote" not in aged
    assert "Déjà résolu" in text(client.get("/tickets/file?statut=resolved"))


def test_queue_pages_by_cursor_in_the_ui(chain, session, login_as, client):
    for i in range(30):
        TicketFactory(requester=chain["teacher"], keyword=chain["keyword"], subject=f"Sujet {i:02d}")
    session.commit()
    login_as(chain["edulab"])
    first = text(client.get("/tickets/file"))
    assert "Page suivante" in first and "30 tickets" in first
    cursor = first.split("apres=")[1].split('"')[0].split("&")[0]
    second = text(client.get(f"/tickets/file?niveau=edulab&apres={cursor}"))
    subjects = lambda p: {f"Sujet {i:02d}" for i in range(30) if f"Sujet {i:02d}<" in p}  # noqa: E731
    assert len(subjects(first)) == 25 and len(subjects(second)) == 5 and not subjects(first) & subjects(second)


def test_agents_only_for_queues(chain, login_as, client):
    login_as(chain["teacher"])
    assert client.get("/tickets/file").status_code == 403


def test_full_text_search_ignores_accents_and_case(chain, session, login_as, client):
    now = utcnow()
    for subject, description in [
        ("Messagerie très lente", "Les élèves attendent l'ouverture des messages"),
        ("Agenda vide", "Les dates de la rubrique sport ont disparu"),
        ("Cahier de textes", "Séances absentes en 4e B"),
    ]:
        services.open_ticket(
            session, actor=chain["teacher"], keyword=chain["keyword"], subject=subject, description=description, now=now
        )
    session.commit()
    stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab", q="ELEVES messagerie"), now=now)
    assert [t.subject for t in session.scalars(stmt)] == ["Messagerie très lente"]
    stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab", q="seances"), now=now)
    assert [t.subject for t in session.scalars(stmt)] == ["Cahier de textes"]
    # The index follows updates (trigger on SQLite, expression index on PostgreSQL).
    ticket = session.scalars(stmt).one()
    ticket.subject = "Emploi du temps"
    session.commit()
    stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab", q="emploi"), now=now)
    assert [t.subject for t in session.scalars(stmt)] == ["Emploi du temps"]
    login_as(chain["edulab"])
    page = text(client.get("/tickets/file?q=rubrique+sport"))
    assert "Agenda vide" in page and "Messagerie très lente" not in page


def test_decomposed_accents_find_what_precomposed_accents_find(chain, session):
    now = utcnow()
    services.open_ticket(
        session, actor=chain["teacher"], keyword=chain["keyword"], subject="Séance absente", description="Élève", now=now
    )
    session.commit()
    for query in ("Se\u0301ance", "Séance", "seance"):  # "e" + combining acute accent, then the precomposed "é"
        stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab", q=query), now=now)
        assert [t.subject for t in session.scalars(stmt)] == ["Séance absente"], query


def test_search_with_only_punctuation_lists_everything(chain, session):
    TicketFactory(requester=chain["teacher"], keyword=chain["keyword"])
    session.commit()
    stmt = queries.filtered(session, chain["pilote"], queries.Filters(tier="edulab", q="\"*' -"), now=utcnow())
    assert len(session.scalars(stmt).all()) == 1


def test_postgres_queue_query_uses_the_queue_indexes(chain, session):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    from sqlalchemy import text as sql

    stmt = queries.filtered(session, chain["n1"], queries.Filters(tier="n1"), now=utcnow())
    stmt = stmt.order_by(queries.Ticket.resolution_due_at.asc().nulls_last(), queries.Ticket.id).limit(26)
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    session.execute(sql("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in session.execute(sql(f"EXPLAIN {compiled}")))
    assert "ix_ticket_queue" in plan, plan
    stmt = queries.filtered(session, chain["edulab"], queries.Filters(tier="edulab"), now=utcnow())
    stmt = stmt.order_by(queries.Ticket.resolution_due_at.asc().nulls_last(), queries.Ticket.id).limit(26)
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    plan = "\n".join(row[0] for row in session.execute(sql(f"EXPLAIN {compiled}")))
    assert "ix_ticket_basin_queue" in plan or "ix_ticket_queue" in plan, plan


@pytest.mark.parametrize(
    ("name", "index"),
    [("echeance", "ix_ticket_queue"), ("age", "ix_ticket_queue_created"), ("activite", "ix_ticket_queue_updated")],
)
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_postgres_keyset_sorts_read_their_index_in_order_both_ways(chain, session, name, direction, index):
    """Every page of the indexed sorts — first, after a cursor, before a cursor — is an index read in the sort's
    order that stops at the page size: no Sort node, whatever the direction."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    from sqlalchemy import text as sql

    from helpdesk.tickets import keyset

    now = utcnow()
    sort = keyset.Sort.parse(name, direction)
    stmt = queries.filtered(session, chain["n1"], queries.Filters(tier="n1", status="open"), now=now)
    stmt = stmt.add_columns(sort.key.expression().label("sort_value"))
    # On the test's near-empty table every plan costs nothing; without seq scans and sorts, the planner must find
    # an index that gives the order (at scale it chooses it by itself: bench/queue_bench.py, docs/tickets.md).
    session.execute(sql("SET LOCAL enable_seqscan = off"))
    session.execute(sql("SET LOCAL enable_sort = off"))
    positions = [None, (now, 12345)] + ([(None, 12345)] if sort.key.nullable else [])
    for position in positions:
        for backwards in (False, True):
            for statement in keyset._statements(stmt, sort.key, position, backwards):
                compiled = statement.limit(26).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
                plan = "\n".join(row[0] for row in session.execute(sql(f"EXPLAIN {compiled}")))
                assert index in plan and "Sort Key" not in plan, (position, backwards, plan)


@pytest.mark.parametrize(
    ("name", "index"),
    [("priorite", "ix_ticket_queue_priority"), ("porteur", "ix_ticket_queue_holder"),
     ("etablissement", "ix_ticket_queue_school"), ("bassin", "ix_ticket_queue_basin")],
)  # fmt: skip
def test_postgres_grouped_sorts_seek_each_group_in_id_order(chain, session, name, index):
    """The sorts read group by group: each group's probe is a seek on its index, in id order, with no Sort."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    from sqlalchemy import text as sql

    from helpdesk.tickets import keyset

    key = keyset.SORT_KEYS[name]
    stmt = queries.filtered(session, chain["n1"], queries.Filters(tier="n1", status="open"), now=utcnow())
    session.execute(sql("SET LOCAL enable_seqscan = off"))
    session.execute(sql("SET LOCAL enable_sort = off"))
    value = "normal" if name == "priorite" else 1
    for order in (queries.Ticket.id.asc(), queries.Ticket.id.desc()):
        probe = stmt.where(key.column() == value, queries.Ticket.id > 7).order_by(order).limit(26)
        compiled = probe.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(row[0] for row in session.execute(sql(f"EXPLAIN {compiled}")))
        assert index in plan and "Sort Key" not in plan, plan
