"""Ticket full-text search with the database's own engine: PostgreSQL `french` + unaccent, SQLite FTS5.

The search structures live outside the models (an expression index, a virtual table and its triggers):
the migration creates them, and tests (which use create_all) call `install_search(engine)`."""

import re

from sqlalchemy import func, literal_column, select, text

from helpdesk.platform.french import nfc

# unaccent() is only STABLE (it depends on the dictionary), so it cannot appear in an index expression;
# wrapping it with the dictionary named explicitly is the documented way to get an IMMUTABLE function.
POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE INDEX IF NOT EXISTS ix_ticket_fts ON ticket USING gin "
    "(to_tsvector('french'::regconfig, f_unaccent(coalesce(subject, '') || ' ' || coalesce(description, ''))))",
)
POSTGRES_DROP = ("DROP INDEX IF EXISTS ix_ticket_fts", "DROP FUNCTION IF EXISTS f_unaccent(text)")

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5(subject, description, content='ticket', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS ticket_fts_insert AFTER INSERT ON ticket BEGIN "
    "INSERT INTO ticket_fts(rowid, subject, description) VALUES (new.id, new.subject, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS ticket_fts_delete AFTER DELETE ON ticket BEGIN "
    "INSERT INTO ticket_fts(ticket_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS ticket_fts_update AFTER UPDATE OF subject, description ON ticket BEGIN "
    "INSERT INTO ticket_fts(ticket_fts, rowid, subject, description) VALUES ('delete', old.id, old.subject, old.description); "
    "INSERT INTO ticket_fts(rowid, subject, description) VALUES (new.id, new.subject, new.description); END",
    "INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS ticket_fts_insert",
    "DROP TRIGGER IF EXISTS ticket_fts_delete",
    "DROP TRIGGER IF EXISTS ticket_fts_update",
    "DROP TABLE IF EXISTS ticket_fts",
)

# Names Alembic's comparison must ignore: they are not SQLAlchemy models.
SEARCH_OBJECT_NAMES = frozenset(
    {
        "ix_ticket_fts",
        "ticket_fts",
        "ticket_fts_data",
        "ticket_fts_idx",
        "ticket_fts_docsize",
        "ticket_fts_config",
        "ticket_fts_content",
    }
)


def statements(dialect_name: str, drop: bool = False) -> tuple[str, ...]:
    if dialect_name == "postgresql":
        return POSTGRES_DROP if drop else POSTGRES_DDL
    if dialect_name == "sqlite":
        return SQLITE_DROP if drop else SQLITE_DDL
    return ()


def install_search(engine) -> None:
    with engine.begin() as connection:
        for statement in statements(engine.dialect.name):
            connection.execute(text(statement))


def _words(query: str) -> list[str]:
    """The query's words in NFC ("e" + combining accent is the "é" stored tickets hold), at most 12."""
    return [w for w in re.findall(r"\w+", nfc(query), flags=re.UNICODE) if len(w) > 1][:12]


def search_filter(dialect_name: str, Ticket, query: str):
    """A WHERE clause keeping the tickets matching every word of `query` (None when nothing searchable)."""
    words = _words(query)
    if not words:
        return None
    if dialect_name == "postgresql":
        document = func.to_tsvector(
            text("'french'::regconfig"),
            # Literal constants (not bound parameters), so the expression is the indexed one.
            func.f_unaccent(
                func.coalesce(Ticket.subject, literal_column("''"))
                .op("||")(literal_column("' '"))
                .op("||")(func.coalesce(Ticket.description, literal_column("''")))
            ),
        )
        return document.op("@@")(func.plainto_tsquery(text("'french'::regconfig"), func.f_unaccent(" ".join(words))))
    # FTS5: each word quoted (no operator injection) and prefix-matched, since SQLite has no French stemmer.
    match = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
    fts = (
        select(text("rowid"))
        .select_from(text("ticket_fts"))
        .where(text("ticket_fts MATCH :fts_match").bindparams(fts_match=match))
    )
    return Ticket.id.in_(fts.scalar_subquery())
