"""Free-text search over storylines: SQLite FTS5 or PostgreSQL full-text search.

One row per storyline in ``storyline_search``, written by the store whenever it writes the
storyline (:meth:`visitrack.store.Store` re-links in one transaction, so the two never
disagree). The row's text is everything a user may search by: the visitor's and host's names
as every report gave them, the occasion, the destination city and country name, and the
evidence sentences, with accents dropped and case folded in Python
(:func:`visitrack.filters.fold_name`), so both engines see the same words and match alike.

The table is not one of the ORM models: on SQLite it is an FTS5 virtual table (its rowid a
hash of the storyline id, so a storyline's row is deleted by rowid, not by a scan), on
PostgreSQL a plain table with a generated ``tsvector`` column and a GIN index. Migration 0006
creates and fills it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Connection, String, false, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from visitrack.filters import country_name, fold_name, search_words

__all__ = [
    "MAX_BODY_CHARS",
    "SEARCH_TABLE",
    "create_search_table",
    "drop_search_table",
    "match",
    "replace_rows",
    "search_body",
]

SEARCH_TABLE = "storyline_search"
# Text indexed per storyline: a storyline reported by hundreds of articles would otherwise
# index every sentence of them; the first reports' words are what people search for.
MAX_BODY_CHARS = 20_000
# 'simple': lower-cased words, no stemming and no stop words, like SQLite's unicode61, so a
# search matches the same storylines on both backends.
_PG_CONFIG = "simple"


def search_rowid(storyline_id: str) -> int:
    """The FTS5 rowid of a storyline's row: 63 bits of the id's sha256 (positive int64)."""
    digest = hashlib.sha256(storyline_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def search_body(
    names: Iterable[str | None],
    occasion: str | None,
    city: str | None,
    country: str | None,
    evidence: Iterable[str],
) -> str:
    """The folded text a storyline is found by (see the module's docstring)."""
    parts = [*names, occasion, city, country_name(country) if country else None, *evidence]
    seen: dict[str, None] = {}
    size = 0
    for part in parts:
        if not part or part in seen:
            continue
        seen[part] = None
        size += len(part) + 1
        if size > MAX_BODY_CHARS:
            break
    return fold_name("\n".join(seen))[:MAX_BODY_CHARS]


def match(postgres: bool, query: str, id_column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Storylines whose text holds every word of ``query`` (plain words; no query syntax)."""
    words = search_words(query)
    if not words:
        return false()  # nothing to look for ("***"): nothing matches
    if postgres:
        found = text(
            f"SELECT id FROM {SEARCH_TABLE} "
            f"WHERE vector @@ plainto_tsquery('{_PG_CONFIG}', :visitrack_q)"
        ).bindparams(visitrack_q=" ".join(words))
    else:
        # Every word quoted: FTS5 reads a quoted string as a phrase, never as an operator.
        phrase = " ".join(f'"{w}"' for w in words)
        found = text(
            f"SELECT id FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :visitrack_q"
        ).bindparams(visitrack_q=phrase)
    return id_column.in_(found.columns(id=String))


def replace_rows(
    session: Session | Connection,
    postgres: bool,
    removed: Iterable[str],
    rows: Sequence[tuple[str, str]],
) -> None:
    """Drop the search rows of the storyline ids ``removed``, then add ``rows`` (id, text)."""
    gone = sorted(set(removed) | {sid for sid, _ in rows})
    if gone:
        if postgres:
            session.execute(
                text(f"DELETE FROM {SEARCH_TABLE} WHERE id = :sid"), [{"sid": s} for s in gone]
            )
        else:
            session.execute(
                text(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = :rid"),
                [{"rid": search_rowid(s)} for s in gone],
            )
    if not rows:
        return
    if postgres:
        session.execute(
            text(f"INSERT INTO {SEARCH_TABLE} (id, body) VALUES (:sid, :body)"),
            [{"sid": sid, "body": body} for sid, body in rows],
        )
    else:
        session.execute(
            text(f"INSERT INTO {SEARCH_TABLE} (rowid, id, body) VALUES (:rid, :sid, :body)"),
            [{"rid": search_rowid(sid), "sid": sid, "body": body} for sid, body in rows],
        )


def create_search_table(conn: Connection) -> None:
    """The search table of ``conn``'s backend, empty (migration 0006)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"CREATE TABLE {SEARCH_TABLE} (id VARCHAR(255) PRIMARY KEY, body TEXT NOT NULL, "
                f"vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('{_PG_CONFIG}', body)) "
                "STORED)"
            )
        )
        conn.execute(
            text(f"CREATE INDEX ix_{SEARCH_TABLE}_vector ON {SEARCH_TABLE} USING gin (vector)")
        )
    else:
        # remove_diacritics 2: accents are folded before writing already; this also folds
        # what Python's NFKD leaves (and keeps a hand-written row searchable).
        conn.execute(
            text(
                f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(id UNINDEXED, body, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
        )


def drop_search_table(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {SEARCH_TABLE}"))
