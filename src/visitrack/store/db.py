"""The visitrack store: documents, visit mentions, linked storylines and failures.

One store is one SQLAlchemy engine on SQLite or PostgreSQL. :func:`open_store` brings the
schema to the newest Alembic revision before handing the store out, so callers never see a
half-created database.

Writing follows one rule: each document is ingested in a single transaction, which also
re-links every storyline the document touches. A process killed at any point therefore leaves
either the document fully stored and linked or not stored at all, and running the same ingest
again completes what is missing.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import (
    ColumnElement,
    Engine,
    Text,
    and_,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    func,
    inspect,
    make_url,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, Row
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlalchemy.sql import Select

from visitrack import link as linking
from visitrack.errors import VisitrackError
from visitrack.filters import INTERNATIONAL, fold_name
from visitrack.records import (
    ENDED_STAGES,
    EXTRACTOR_VERSION,
    STAGES,
    CleanDocument,
    Destination,
    DocumentResult,
    Evidence,
    Kind,
    Party,
    RawDocument,
    Role,
    Stage,
    StageStep,
    Storyline,
    Visit,
    When,
)
from visitrack.store.models import (
    ID_LENGTH,
    Document,
    DocumentSource,
    Failure,
    Job,
    Mention,
    StorylineRedirect,
    VisitorName,
)
from visitrack.store.models import Storyline as StorylineRow
from visitrack.store.search import SEARCH_TABLE, search_body
from visitrack.store.search import match as search_match
from visitrack.store.search import replace_rows as replace_search_rows

ENV_DB = "VISITRACK_DB"
# How long a finished API job's answer is kept for its submitter to fetch.
JOB_KEEP_S = 24 * 3600
DEFAULT_URL = "sqlite:///./visitrack.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# How long a SQLite writer waits for another process's write transaction before giving up.
# Ingesting one document (insert + re-link) takes milliseconds, so 30 s only runs out when
# another process holds the database for something unusual, like a long manual transaction.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Seconds psycopg waits for a PostgreSQL server to answer, so a wrong host fails fast with a
# message instead of hanging on the OS's TCP timeout (minutes).
PG_CONNECT_TIMEOUT_S = 10
# Rows fetched per round trip when streaming mentions for exports: keeps memory flat on
# large stores without paying a round trip per row.
STREAM_BATCH = 1_000
# The visitor filter matches names first; past this many matching names (a query like "a")
# a plain substring scan of the storylines is as quick and keeps the query small.
MAX_VISITOR_NAMES = 500
# The sort key of storylines with no known first report: before every real date.
UNKNOWN_DAY = date(1, 1, 1)
# Rows per breakdown (countries, country pairs) that Store.stats returns by default.
STATS_TOP = 50
# Documents read per page by `visitrack reprocess`: enough to keep the workers busy, few
# enough that a page is a short read.
REPROCESS_BATCH = 256

# PostgreSQL advisory-lock namespaces (first int of pg_advisory_xact_lock(int, int)). Two
# ingesting processes serialise on the same document and on the same storyline keys; SQLite
# needs none of this because BEGIN IMMEDIATE makes writers take turns.
LOCK_MIGRATE = 0x5649_5301
LOCK_DOCUMENT = 0x5649_5302
LOCK_KEY = 0x5649_5303
# Taken first by every write transaction that takes the two above: shared by those storing one
# document, exclusive by a batch of several. A batch takes each document's locks while holding
# the previous document's, out of the global order, so two batches over the same storylines in
# opposite orders deadlocked (PostgreSQL then refused one); batches now take turns.
LOCK_BATCH = 0x5649_5304
# Session.info key: this transaction holds LOCK_BATCH.
_BATCH_LOCKED = "visitrack_batch_locked"

# Execution option marking the engine used for writing: its SQLite transactions start with
# BEGIN IMMEDIATE, so a transaction that reads and then writes cannot fail half-way with
# "database is locked" when another process wrote in between (SQLITE_BUSY_SNAPSHOT).
_WRITE_OPTION = "visitrack_write"

IngestOutcome = Literal["added", "unchanged", "replaced", "duplicate", "failed"]
OUTCOMES: tuple[IngestOutcome, ...] = ("added", "replaced", "duplicate", "unchanged", "failed")
# What tells a clashing document id apart: "report~2" is the second document asking for
# "report" from another source.
ID_SUFFIX = "~"
# Hex characters of the hash that stands in for the middle of an over-long id.
SHORT_ID_HEX = 12


class StoreError(VisitrackError):
    """The store could not be opened, migrated, read or written."""


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored document: its metadata, and the cleaned text the evidence offsets point into."""

    doc_id: str
    source: str
    title: str | None
    url: str | None
    published: date | None
    content_hash: str
    ingested_at: datetime
    cleaned_text: str | None
    canonical_url: str | None = None
    # The extractor that made its mentions (records.EXTRACTOR_VERSION); None: before versions.
    extractor_version: str | None = None
    # Every source it was read from (paths as typed, corpus rows, URLs), oldest first.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Ingested:
    """What storing one document did, and under which id it is stored.

    ``note`` says why, for the outcomes a user should hear about: which source brought new
    content (``replaced``), which stored document has the same text (``duplicate``).
    """

    outcome: IngestOutcome
    doc_id: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class JobInfo:
    """A submitted batch: ``state`` is ``pending``, ``done``, ``failed`` or ``dropped``;
    ``answer`` the decoded JSON answer once it is finished."""

    id: str
    state: str
    documents: int
    submitted_at: datetime
    finished_at: datetime | None
    answer: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Redirect:
    """A storyline id that moved: the id it now lives under, and why (merged or split)."""

    old_id: str
    new_id: str
    reason: str


# --- identity ------------------------------------------------------------------------------


def text_hash(text: str) -> str:
    """sha256 of a cleaned text, casefolded with whitespace collapsed: equal for the same
    article whatever markup or spacing it came in."""
    return content_hash(" ".join(text.casefold().split()))


def source_keys(raw: RawDocument, doc: CleanDocument | None = None) -> list[str]:
    """Every key under which ``raw`` is the same source as a stored document, its own first.

    The reader's key (a resolved path, a URL, a corpus row), else its id; then the URLs it
    has: the one it was fetched from, the one the page gives, the canonical one it declares.
    """
    keys = [raw.source_key or f"id:{raw.doc_id}"]
    urls = (raw.url, doc.url if doc else None, doc.canonical_url if doc else None)
    keys.extend(f"url:{url}" for url in urls if url)
    return list(dict.fromkeys(keys))


def shorten_id(doc_id: str, room: int = 0) -> str:
    """``doc_id`` cut to fit the id column (less ``room``): its start, a hash of the whole,
    and its end, so an over-long path stays recognisable and distinct."""
    limit = ID_LENGTH - room
    if len(doc_id) <= limit:
        return doc_id
    digest = content_hash(doc_id)[:SHORT_ID_HEX]
    keep = (limit - len(digest) - 2) // 2
    return f"{doc_id[:keep]}~{digest}~{doc_id[len(doc_id) - keep :]}"


def _key_hash(key: str) -> str:
    return content_hash(key)


def version_key(version: str) -> tuple[int, ...]:
    """An extractor version as comparable numbers: ``"2.10"`` > ``"2.9"``."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _stored_raw(row: Document) -> RawDocument:
    # The stored text is already clean; its stored date stands for the page's own, which the
    # cleaned text may no longer state.
    return RawDocument(
        doc_id=row.doc_id,
        source=row.source,
        content=row.cleaned_text or "",
        published=row.published,
        url=row.url,
        title=row.title,
    )


# --- opening -------------------------------------------------------------------------------


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open (creating or upgrading as needed) the store at ``url``.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql://user@host:port/db``) or
            a plain file path for SQLite. ``None`` means ``$VISITRACK_DB``, or
            ``./visitrack.db`` when that is unset.
        create: make a new store when there is none. With ``False`` (the read-only commands)
            a SQLite file that does not exist, or a database without a visitrack store, is
            refused, so a mistyped name cannot create an empty database.

    Returns:
        The store, with its schema at the newest migration.

    Raises:
        StoreError: the URL is malformed or names an unsupported database, or the database
            cannot be reached or migrated. The message says which, without a traceback.
    """
    given = url if url is not None else (os.environ.get(ENV_DB) or DEFAULT_URL)
    target = _normalise_url(given)
    shown = _describe(target)
    if not create and _missing_file(target):
        raise StoreError(
            f"no database {shown}: no such file (check --db or ${ENV_DB}; "
            "only `visitrack ingest` creates a database)"
        )
    try:
        engine = _create_engine(target)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot use database {shown}: {_reason(exc)}") from None
    try:
        if not create and not _has_store(engine):
            raise StoreError(
                f"no visitrack store in database {shown} (only `visitrack ingest` creates one)"
            )
        _migrate(engine, target)
    except (SQLAlchemyError, CommandError) as exc:
        engine.dispose()
        raise StoreError(f"cannot open database {shown}: {_reason(exc)}") from None
    except StoreError:
        engine.dispose()
        raise
    return Store(engine)


def _missing_file(url: URL) -> bool:
    """A SQLite URL naming a file that is not there (connecting would create it)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    return not Path(str(url.database)).exists()


def _has_store(engine: Engine) -> bool:
    with engine.connect() as conn:
        return inspect(conn).has_table("alembic_version")


def _normalise_url(given: str) -> URL:
    text_url = given.strip()
    if not text_url:
        raise StoreError("empty database URL; give a SQLAlchemy URL or a SQLite file path")
    if "://" not in text_url:
        # A bare path is a SQLite file; URL.create keeps odd characters in it intact.
        return URL.create("sqlite", database=str(Path(text_url).expanduser()))
    try:
        url = make_url(text_url)
    except (ArgumentError, ValueError):  # ValueError: e.g. a non-numeric port
        raise StoreError(
            f"not a database URL: {text_url!r}; expected e.g. sqlite:///visitrack.db or "
            "postgresql://user@host:5432/dbname"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # Only psycopg (v3) is a dependency; a bare postgresql:// would pick psycopg2.
        if "+" not in url.drivername or backend == "postgres":
            url = url.set(drivername="postgresql+psycopg")
        return url
    if backend == "sqlite":
        return url
    raise StoreError(
        f"unsupported database {backend!r} in {url.render_as_string(hide_password=True)}; "
        "visitrack stores to SQLite or PostgreSQL"
    )


def _describe(url: URL) -> str:
    """How to name the database in messages: the file for SQLite, else the URL sans password."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return f"file {url.database}"
    return url.render_as_string(hide_password=True)


def _create_engine(url: URL) -> Engine:
    if url.get_backend_name() == "postgresql":
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        return create_engine(url, connect_args=connect_args)
    if url.database in (None, "", ":memory:"):
        # Every new connection to :memory: is a new, empty database: keep a single one so
        # the migrated schema stays visible.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event (the driver's own implicit
    # BEGIN cannot be made IMMEDIATE on Python 3.11).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    try:
        # WAL: readers (visits, show, export) keep working while an ingest writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # SQLite ignores ON DELETE CASCADE / SET NULL unless asked, per connection.
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _alembic_config(url: URL) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Silences alembic's fallback warning about splitting version_locations.
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolates "%", which URL-encoded passwords contain.
    rendered = url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", rendered)
    return config


def _migrate(engine: Engine, url: URL) -> None:
    config = _alembic_config(url)
    with engine.execution_options(**{_WRITE_OPTION: True}).begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes opening a new database at once: the second waits, then finds the
            # schema at head. (PostgreSQL DDL is transactional, so this lock covers it all.)
            conn.execute(text("SELECT pg_advisory_xact_lock(:ns, 0)"), {"ns": LOCK_MIGRATE})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _reason(exc: BaseException) -> str:
    """The database's own words for an error, on one line, without SQL or traceback."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    # SQLAlchemy appends "(Background on this error at: ...)" and the SQL; drop both.
    lines = [ln for ln in lines if not ln.startswith(("(Background on", "[SQL:", "[parameters:"))]
    return "; ".join(lines) or type(exc).__name__


def content_hash(content: str) -> str:
    """sha256 of a document's decoded content: equal hashes mean an unchanged document."""
    # surrogatepass: decoded text may carry lone surrogates; hashing must never fail.
    return hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()


def _lock_id(value: str) -> int:
    """A stable signed 32-bit number for ``value`` (pg_advisory_xact_lock takes int4)."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)


# --- the store -------------------------------------------------------------------------------


class Store:
    """Stored documents, mentions and storylines, behind one engine. Use :func:`open_store`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._write = sessionmaker(
            engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )
        self._read = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    # --- writing -----------------------------------------------------------------------------

    def ingest(self, result: DocumentResult) -> IngestOutcome:
        """Store one pipeline result and re-link the storylines it touches, atomically.

        Returns:
            ``"failed"`` when the result carries a failure (recorded, the stored document is
            kept); ``"unchanged"`` when the same content is already stored (nothing written);
            ``"added"`` for a new document; ``"replaced"`` when its content changed.

        Raises:
            StoreError: the database refused the write; nothing of this document was written.
        """
        return self.ingest_document(result).outcome

    def ingest_document(self, result: DocumentResult) -> Ingested:
        """:meth:`ingest`, saying also under which id the document is stored and why.

        A new document gets the id its reader proposed, or that id with ``~2``, ``~3`` ... when
        a document from another source holds it. A stored document is replaced only by the
        same source (same path, URL, canonical URL or corpus row); the same text from another
        source is a ``"duplicate"``: one document with one more source, its visits not stored
        twice.
        """
        if result.failure is not None:
            failure = result.failure
            self.record_failure(failure.source, failure.stage, failure.reason)
            return Ingested("failed", None, failure.reason)
        _check_storable(result)
        try:
            with self._write.begin() as session:
                return self._ingest(session, result)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"could not store document {result.raw.doc_id!r}: {_reason(exc)}",
                source=result.raw.source,
                stage="store",
            ) from exc

    def ingest_batch(self, results: Sequence[DocumentResult]) -> list[Ingested]:
        """Store ``results`` in one transaction: all of them, or (on any error) none.

        Each is stored as :meth:`ingest_document` stores it, in order (a later result sees the
        earlier ones: the same text twice is one document and a duplicate). Failed results
        are recorded as failures in the same transaction.

        Raises:
            StoreError: a result holds a string no database may store (a NUL, a lone
                surrogate; checked first, so both backends refuse it alike), or the database
                refused a write; nothing of the batch was written.
        """
        for result in results:
            _check_storable(result)
        try:
            with self._write.begin() as session:
                self._lock_batches(session, exclusive=len(results) > 1)
                out: list[Ingested] = []
                for result in results:
                    if result.failure is not None:
                        failure = result.failure
                        self._record_failure(session, failure.source, failure.stage, failure.reason)
                        out.append(Ingested("failed", None, failure.reason))
                    else:
                        out.append(self._ingest(session, result))
                return out
        except SQLAlchemyError as exc:
            raise StoreError(
                f"could not store a batch of {len(results)} documents (none was stored): "
                f"{_reason(exc)}",
                stage="store",
            ) from exc

    def ingest_all(self, results: Iterable[DocumentResult]) -> dict[IngestOutcome, int]:
        """Ingest many results, one transaction each; returns how many had each outcome."""
        tally: dict[IngestOutcome, int] = dict.fromkeys(OUTCOMES, 0)
        for result in results:
            tally[self.ingest(result)] += 1
        return tally

    def known(self, raw: RawDocument) -> Ingested | None:
        """What storing ``raw`` would come to when its bytes are already stored, else ``None``.

        Costs a hash and an index lookup, so callers ask before extracting: ``"unchanged"``
        when the same source gave the same bytes, ``"duplicate"`` when another source did
        (recorded as one more source of that document). ``None``: run the pipeline.
        """
        digest = content_hash(raw.content)
        keys = source_keys(raw)
        try:
            with self._write.begin() as session:
                self._lock_document(session, raw, keys, None)
                owners = self._owners(session, keys)
                own = owners.get(keys[0])
                if own is not None and own.content_hash == digest:
                    found = Ingested("unchanged", own.doc_id)
                elif any(k in owners for k in keys):
                    return None  # the same source with new bytes: extract and replace
                else:
                    same = session.scalars(
                        select(DocumentSource.doc_id)
                        .where(DocumentSource.content_hash == digest)
                        .order_by(DocumentSource.doc_id)
                    ).first()
                    if same is None:
                        return None
                    found = Ingested("duplicate", same, f"same content as stored document {same}")
                assert found.doc_id is not None
                self._add_sources(session, found.doc_id, keys, owners, raw.source, digest)
                session.execute(delete(Failure).where(Failure.source == raw.source))
                return found
        except SQLAlchemyError as exc:
            raise StoreError(
                f"could not look up document {raw.doc_id!r}: {_reason(exc)}",
                source=raw.source,
                stage="store",
            ) from exc

    def record_failure(self, source: str, stage: str, reason: str) -> None:
        """Record that ``source`` failed at ``stage``; the same failure again updates its time."""
        try:
            with self._write.begin() as session:
                self._record_failure(session, source, stage, reason)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"could not record a failure: {_reason(exc)}", source=source, stage="store"
            ) from exc

    def _record_failure(self, session: Session, source: str, stage: str, reason: str) -> None:
        fingerprint = hashlib.sha256(
            "\0".join((source, stage, reason)).encode("utf-8", "surrogatepass")
        ).hexdigest()
        values = {
            "fingerprint": fingerprint,
            "source": source,
            "stage": stage,
            "reason": reason,
            "at": datetime.now(UTC),
        }
        if self._postgres:
            pg = pg_insert(Failure).values(values)
            session.execute(
                pg.on_conflict_do_update(
                    index_elements=[Failure.fingerprint], set_={"at": pg.excluded.at}
                )
            )
        else:
            lite = sqlite_insert(Failure).values(values)
            session.execute(
                lite.on_conflict_do_update(
                    index_elements=[Failure.fingerprint], set_={"at": lite.excluded.at}
                )
            )

    def _ingest(self, session: Session, result: DocumentResult) -> Ingested:
        raw, doc = result.raw, result.document
        digest = content_hash(raw.content)
        keys = source_keys(raw, doc)
        thash = text_hash(doc.text) if doc is not None else None
        self._lock_document(session, raw, keys, thash)
        # A document that is processed now supersedes earlier failures of the same input.
        clear_failures = delete(Failure).where(Failure.source == raw.source)
        owners = self._owners(session, keys)
        target = next((owners[k].doc_id for k in keys if k in owners), None)
        stored = session.get(Document, target) if target is not None else None
        if stored is not None:
            own = owners.get(keys[0])
            same_bytes = (
                own is not None and own.doc_id == stored.doc_id and own.content_hash == digest
            )
            # New bytes with the same text (a page's chrome changed) change nothing either.
            if same_bytes or (thash is not None and stored.text_hash == thash):
                self._add_sources(session, stored.doc_id, keys, owners, raw.source, digest)
                session.execute(clear_failures)
                return Ingested("unchanged", stored.doc_id)
        elif thash is not None:
            # Not this source, but this text: the same article reached another way.
            same = session.scalars(
                select(Document.doc_id).where(Document.text_hash == thash).order_by(Document.doc_id)
            ).first()
            if same is not None:
                self._add_sources(session, same, keys, owners, raw.source, digest)
                session.execute(clear_failures)
                return Ingested("duplicate", same, f"same text as stored document {same}")

        doc_id = stored.doc_id if stored is not None else self._free_id(session, raw.doc_id)
        old = session.execute(
            select(Mention.storyline_key, Mention.storyline_id).where(Mention.doc_id == doc_id)
        ).all()
        old_ids = {sid for _, sid in old if sid is not None}
        new_rows = [_mention_row(doc_id, i, v) for i, v in enumerate(result.visits)]
        lock_keys = {key for key, _ in old} | {row.storyline_key for row in new_rows}
        lock_keys |= self._member_keys(session, old_ids)
        self._lock(session, [(LOCK_KEY, key) for key in lock_keys])
        carried = self._assignments(session, lock_keys, old_ids)

        fields = {
            "content_hash": digest,
            "source": raw.source,
            "title": (doc.title if doc else None) or raw.title,
            "url": (doc.url if doc else None) or raw.url,
            "published": (doc.published if doc else None) or raw.published,
            "cleaned_text": doc.text if doc else None,
            "ingested_at": datetime.now(UTC),
            "text_hash": thash,
            "canonical_url": doc.canonical_url if doc else None,
            "extractor_version": EXTRACTOR_VERSION,
        }
        if stored is None:
            session.add(Document(doc_id=doc_id, **fields))
        else:
            session.execute(delete(Mention).where(Mention.doc_id == doc_id))
            for name, value in fields.items():
                setattr(stored, name, value)
        session.flush()  # the document row must exist before its mentions reference it
        self._add_sources(session, doc_id, keys, owners, raw.source, digest)
        session.add_all(new_rows)
        session.flush()
        self._relink(session, lock_keys, old_ids, carried)
        session.execute(clear_failures)
        if stored is None:
            return Ingested("added", doc_id)
        return Ingested("replaced", doc_id, f"new content from {raw.source}")

    def _lock_document(
        self, session: Session, raw: RawDocument, keys: Sequence[str], thash: str | None
    ) -> None:
        # Every name this document could collide under: its source keys, its text and the
        # id it asks for. Two processes holding any of them in common take turns.
        names = [*keys, f"id-request:{raw.doc_id}"] + ([f"text:{thash}"] if thash else [])
        self._lock(session, [(LOCK_DOCUMENT, name) for name in names])

    def _owners(self, session: Session, keys: Sequence[str]) -> dict[str, DocumentSource]:
        """The stored source rows among ``keys``, by key."""
        hashes = [_key_hash(k) for k in keys]
        rows = session.scalars(select(DocumentSource).where(DocumentSource.key_hash.in_(hashes)))
        return {row.source_key: row for row in rows}

    def _add_sources(
        self,
        session: Session,
        doc_id: str,
        keys: Sequence[str],
        owners: dict[str, DocumentSource],
        source: str,
        digest: str,
    ) -> None:
        """Record ``keys`` as ways to ``doc_id``; a key another document owns stays its own."""
        now = datetime.now(UTC)
        for key in keys:
            row = owners.get(key)
            if row is None:
                row = DocumentSource(
                    key_hash=_key_hash(key),
                    source_key=key,
                    doc_id=doc_id,
                    source=source,
                    content_hash=digest,
                    seen_at=now,
                )
                session.add(row)
                owners[key] = row
            elif row.doc_id == doc_id:
                row.content_hash, row.source, row.seen_at = digest, source, now
        session.flush()

    def _free_id(self, session: Session, wanted: str) -> str:
        """``wanted``, or ``wanted~2``, ``wanted~3`` ... when another source holds it."""
        base = shorten_id(wanted)
        candidate, n = base, 1
        while session.get(Document, candidate) is not None:
            n += 1
            suffix = f"{ID_SUFFIX}{n}"
            candidate = shorten_id(base, room=len(suffix)) + suffix
        return candidate

    def _member_keys(self, session: Session, old_ids: set[str]) -> set[str]:
        if not old_ids:
            return set()
        # Storylines are expected to keep to one key; should one ever span keys, its other
        # members are re-linked too rather than left pointing at nothing.
        return set(
            session.scalars(select(Mention.storyline_key).where(Mention.storyline_id.in_(old_ids)))
        )

    def _assignments(
        self, session: Session, keys: set[str], old_ids: set[str]
    ) -> dict[tuple[str, int], str]:
        """Which storyline each mention about to be re-linked is in now, by (doc_id, ordinal).

        Taken before a document's mentions are replaced, so its new mentions inherit the
        storylines of the old ones at the same position.
        """
        if not keys:
            return {}
        where: ColumnElement[bool] = Mention.storyline_key.in_(keys)
        if old_ids:
            where = or_(where, Mention.storyline_id.in_(old_ids))
        rows = session.execute(
            select(Mention.doc_id, Mention.ordinal, Mention.storyline_id).where(
                where, Mention.storyline_id.is_not(None)
            )
        )
        return {(d, o): str(sid) for d, o, sid in rows}

    # --- re-extraction ---------------------------------------------------------------------

    def count_stale(self, before: str = EXTRACTOR_VERSION) -> int:
        """How many documents an extractor older than ``before`` made (or no known one)."""
        return sum(len(page) for page in self._stale_pages(before, REPROCESS_BATCH))

    def stale_documents(
        self, before: str = EXTRACTOR_VERSION, *, batch: int = REPROCESS_BATCH
    ) -> Iterator[RawDocument]:
        """The stored documents an extractor older than ``before`` made, as documents to run
        through the pipeline again: their stored (cleaned) text, with their stored date.

        Read ``batch`` ids at a time in id order, each page in its own short read, so writes
        between pages are never blocked and a new run resumes where a stopped one was.
        """
        for page in self._stale_pages(before, batch):
            with self._read() as session:
                rows = session.scalars(
                    select(Document).where(Document.doc_id.in_(page)).order_by(Document.doc_id)
                )
                docs = [_stored_raw(row) for row in rows]
            yield from docs

    def _stale_pages(self, before: str, batch: int) -> Iterator[list[str]]:
        wanted = version_key(before)
        after: str | None = None
        while True:
            query = select(Document.doc_id, Document.extractor_version).order_by(Document.doc_id)
            if after is not None:
                query = query.where(Document.doc_id > after)
            with self._read() as session:
                rows = session.execute(query.limit(batch)).all()
            if not rows:
                return
            after = rows[-1][0]
            page = [d for d, v in rows if v is None or version_key(v) < wanted]
            if page:
                yield page

    def reprocess(self, result: DocumentResult) -> bool:
        """Store a stored document's new extraction; relink only when its visits changed.

        Returns:
            Whether the visits changed (and their storylines were relinked). Either way the
            document now carries the current extractor version.

        Raises:
            StoreError: the document is not stored, or the database refused the write.
        """
        raw, doc = result.raw, result.document
        try:
            with self._write.begin() as session:
                self._lock(session, [(LOCK_DOCUMENT, f"id-request:{raw.doc_id}")])
                stored = session.get(Document, raw.doc_id)
                if stored is None:
                    raise StoreError(f"document {raw.doc_id!r} is not in the store")
                old_rows = session.scalars(
                    select(Mention).where(Mention.doc_id == raw.doc_id).order_by(Mention.ordinal)
                ).all()
                old = [_visit(row).to_dict() for row in old_rows]
                new_rows = [_mention_row(raw.doc_id, i, v) for i, v in enumerate(result.visits)]
                new = [_visit(row).to_dict() for row in new_rows]
                stored.extractor_version = EXTRACTOR_VERSION
                if doc is not None:
                    stored.cleaned_text, stored.text_hash = doc.text, text_hash(doc.text)
                if old == new:
                    return False
                old_ids = {row.storyline_id for row in old_rows if row.storyline_id is not None}
                keys = {row.storyline_key for row in old_rows} | {
                    row.storyline_key for row in new_rows
                }
                keys |= self._member_keys(session, old_ids)
                self._lock(session, [(LOCK_KEY, key) for key in keys])
                carried = self._assignments(session, keys, old_ids)
                session.execute(delete(Mention).where(Mention.doc_id == raw.doc_id))
                session.flush()
                session.add_all(new_rows)
                session.flush()
                self._relink(session, keys, old_ids, carried)
                return True
        except SQLAlchemyError as exc:
            raise StoreError(
                f"could not store the new extraction of {raw.doc_id!r}: {_reason(exc)}",
                source=raw.source,
                stage="store",
            ) from exc

    def _lock(self, session: Session, items: Iterable[tuple[int, str]]) -> None:
        if not self._postgres:
            return
        self._lock_batches(session, exclusive=False)
        # Sorted, so two processes wanting overlapping sets always lock in the same order
        # and cannot deadlock; a process holds one document lock, taken before any key lock.
        for namespace, key in sorted({(ns, _lock_id(value)) for ns, value in items}):
            session.execute(
                text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": namespace, "key": key}
            )

    def _lock_batches(self, session: Session, *, exclusive: bool) -> None:
        """Take :data:`LOCK_BATCH` for this transaction, before any other lock (PostgreSQL)."""
        if not self._postgres or session.info.get(_BATCH_LOCKED):
            return
        how = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        session.execute(text(f"SELECT {how}(:ns, 0)"), {"ns": LOCK_BATCH})
        session.info[_BATCH_LOCKED] = True

    def _relink(
        self,
        session: Session,
        keys: set[str],
        old_ids: set[str],
        carried: dict[tuple[str, int], str],
    ) -> None:
        """Re-link every mention under ``keys`` and replace their storylines.

        Linking decides the groups; ids are kept: each new storyline takes the id of the old
        storyline most of its mentions were in (each old id goes to one new storyline), so a
        storyline keeps the id it was first given while it grows. An old id no storyline kept
        (two storylines merged, or one split) redirects to where most of its mentions went.
        """
        if not keys:
            return
        rows = list(
            session.scalars(
                select(Mention)
                .where(Mention.storyline_key.in_(keys))
                .order_by(Mention.doc_id, Mention.ordinal)
            )
        )
        linked = linking.link([_visit(row) for row in rows]) if rows else []
        before = set(carried.values()) | old_ids
        ids = self._stable_ids(session, rows, linked, carried, before)
        session.execute(
            update(Mention).where(Mention.storyline_key.in_(keys)).values(storyline_id=None)
        )
        stale: ColumnElement[bool] = StorylineRow.storyline_key.in_(keys)
        if before:
            stale = or_(stale, StorylineRow.id.in_(before))
        dropped = list(session.scalars(select(StorylineRow.id).where(stale)))
        session.execute(delete(StorylineRow).where(stale))
        assignments: list[dict[str, Any]] = []
        bodies: list[tuple[str, str]] = []
        for (storyline, members), sid in zip(linked, ids, strict=True):
            key = min((rows[i].storyline_key for i in members), default="")
            session.add(_storyline_row(replace(storyline, id=sid), key))
            assignments.extend({"id": rows[i].id, "storyline_id": sid} for i in members)
            bodies.append((sid, _search_text(storyline, [rows[i] for i in members])))
        session.flush()
        # In the same transaction as the storylines: search never finds a storyline that is
        # gone, nor misses one that is stored.
        replace_search_rows(session, self._postgres, dropped, bodies)
        if assignments:
            session.execute(update(Mention), assignments)
        self._redirect(session, rows, linked, ids, carried, before)
        names = [{"name_search": fold_name(s.visitor.name or "")} for s, _ in linked]
        if names:
            # ON CONFLICT DO NOTHING: a concurrent ingest may add the same name.
            stmt = (pg_insert if self._postgres else sqlite_insert)(VisitorName).values(names)
            session.execute(stmt.on_conflict_do_nothing(index_elements=["name_search"]))

    def _stable_ids(
        self,
        session: Session,
        rows: list[Mention],
        linked: list[tuple[Storyline, tuple[int, ...]]],
        carried: dict[tuple[str, int], str],
        before: set[str],
    ) -> list[str]:
        """The id of each new storyline: an old one it continues, else a fresh one."""
        votes = [
            Counter(
                carried[(rows[i].doc_id, rows[i].ordinal)]
                for i in members
                if (rows[i].doc_id, rows[i].ordinal) in carried
            )
            for _, members in linked
        ]
        # Largest overlap first; ties by old id, then by position, so the choice is the same
        # whichever process makes it.
        ranked = sorted(
            ((count, old, at) for at, vote in enumerate(votes) for old, count in vote.items()),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        chosen: dict[int, str] = {}
        for _count, old, at in ranked:
            if at not in chosen and old not in chosen.values():
                chosen[at] = old
        fresh = [line.id for at, (line, _) in enumerate(linked) if at not in chosen]
        taken = self._ids_in_use(session, fresh, before) | set(chosen.values())
        out: list[str] = []
        for at, (line, _) in enumerate(linked):
            if at in chosen:
                out.append(chosen[at])
                continue
            sid, n = line.id, 1
            while sid in taken:
                n += 1
                sid = linking.derived_id(line.id, n)
            taken.add(sid)
            out.append(sid)
        return out

    def _ids_in_use(self, session: Session, candidates: list[str], before: set[str]) -> set[str]:
        """Which ``candidates`` are taken: by a storyline outside this re-link, or a redirect."""
        if not candidates:
            return set()
        live = set(session.scalars(select(StorylineRow.id).where(StorylineRow.id.in_(candidates))))
        moved = set(
            session.scalars(
                select(StorylineRedirect.old_id).where(StorylineRedirect.old_id.in_(candidates))
            )
        )
        return (live - before) | moved | (before & set(candidates))

    def _redirect(
        self,
        session: Session,
        rows: list[Mention],
        linked: list[tuple[Storyline, tuple[int, ...]]],
        ids: list[str],
        carried: dict[tuple[str, int], str],
        before: set[str],
    ) -> None:
        """Point every old id that no storyline kept at the one holding most of its mentions."""
        kept = set(ids)
        gone = before - kept
        if not gone:
            return
        where: dict[str, Counter[str]] = {old: Counter() for old in gone}
        for (_, members), sid in zip(linked, ids, strict=True):
            for i in members:
                old = carried.get((rows[i].doc_id, rows[i].ordinal))
                if old in where:
                    where[old][sid] += 1
        now = datetime.now(UTC)
        for old in sorted(gone):
            spread = where[old]
            # Earlier redirects to this id follow it, so every redirect is one hop.
            follow = update(StorylineRedirect).where(StorylineRedirect.new_id == old)
            if not spread:
                # Its reports are gone (the documents were replaced): nothing to point at.
                session.execute(delete(StorylineRedirect).where(StorylineRedirect.new_id == old))
                continue
            target = max(sorted(spread), key=lambda sid: spread[sid])
            reason = "merged" if len(spread) == 1 else "split"
            session.execute(follow.values(new_id=target))
            session.add(StorylineRedirect(old_id=old, new_id=target, reason=reason, at=now))
        session.flush()

    # --- jobs --------------------------------------------------------------------------------

    def create_job(self, job_id: str, documents: int, *, keep_s: float = JOB_KEEP_S) -> None:
        """Record a pending job; jobs finished more than ``keep_s`` seconds ago are dropped."""
        now = datetime.now(UTC)
        try:
            with self._write.begin() as session:
                session.execute(
                    delete(Job).where(
                        Job.finished_at.is_not(None),
                        Job.finished_at < now - timedelta(seconds=keep_s),
                    )
                )
                session.add(Job(id=job_id, state="pending", documents=documents, submitted_at=now))
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record job {job_id}: {_reason(exc)}") from exc

    def finish_job(
        self,
        job_id: str,
        state: str,
        answer: dict[str, Any] | None,
        *,
        only_pending: bool = False,
    ) -> bool:
        """Record how a job ended and its answer; with ``only_pending``, only if no one has
        yet. Returns whether the job was updated."""
        pending = [Job.state == "pending"] if only_pending else []
        try:
            with self._write.begin() as session:
                result = session.execute(
                    update(Job)
                    .where(Job.id == job_id, *pending)
                    .values(
                        state=state,
                        finished_at=datetime.now(UTC),
                        answer=json.dumps(answer, ensure_ascii=False) if answer else None,
                    )
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"could not record job {job_id}: {_reason(exc)}") from exc
        return bool(getattr(result, "rowcount", 0))

    def job(self, job_id: str) -> JobInfo | None:
        """A job by id, or ``None``."""
        with self._read() as session:
            row = session.get(Job, job_id)
            if row is None:
                return None
            return JobInfo(
                row.id,
                row.state,
                row.documents,
                row.submitted_at,
                row.finished_at,
                json.loads(row.answer) if row.answer else None,
            )

    # --- reading -----------------------------------------------------------------------------

    def storylines(
        self,
        *,
        country: str | None = None,
        visitor: str | None = None,
        destination: str | None = None,
        stage: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        upcoming: bool = False,
        today: date | None = None,
        limit: int | None = None,
        offset: int = 0,
        origin: str | None = None,
        q: str | None = None,
        changed_since: date | None = None,
        sort: str | None = None,
        descending: bool = True,
    ) -> list[Storyline]:
        """Stored storylines, newest first report first (then by id), filtered.

        :class:`visitrack.filters.Filters` reads these filters from the CLI's options and the
        API's parameters (``Filters.store_kwargs()``).

        Args:
            country: ISO3 code of the visitor's country or of the destination.
            visitor: substring of the visitor's name, regardless of case and accents.
            destination: ISO3 code of the destination.
            origin: ISO3 code of the visitor's country.
            stage: the current stage.
            date_from: keep storylines whose window ends on or after this date.
            date_to: keep storylines whose window starts on or before this date. A storyline
                without a window is dated by its first report for both.
            upcoming: keep storylines whose window has not ended by ``today`` and that are
                neither completed nor cancelled (storylines without a window are left out).
            today: the reference day for ``upcoming`` (default: the local date).
            q: free text, read as plain words: keep storylines whose visitor, host,
                occasion, place or evidence holds every word (any case, accents optional).
            changed_since: keep storylines created or changed stage on or after this day
                (by report dates: the ``changed_on`` column).
            limit, offset: paging.
            sort: order by this key of :data:`visitrack.filters.SORT_KEYS` (or ``changed``)
                instead of the first report; ties by id, in the same direction; unknown
                values last whichever the direction.
            descending: the direction.
        """
        if offset < 0 or (limit is not None and limit < 0):
            raise StoreError("limit and offset must not be negative")
        rest = self._conditions(
            visitor,
            origin,
            destination,
            stage,
            date_from,
            date_to,
            upcoming,
            today,
            q,
            changed_since,
        )
        default_order = sort is None and descending
        with self._read() as session:
            if country is not None and limit is not None and default_order:
                # "visitor or destination": two ordered index reads merged beat one OR scan
                # that must sort everything it finds.
                merged: dict[str, Row[Any]] = {}
                for side in (
                    _origin_is(country),
                    StorylineRow.destination_country == country,
                ):
                    one = _ordered(_storyline_select().where(side, *rest)).limit(offset + limit)
                    for row in session.execute(one):
                        merged[row.id] = row
                rows = sorted(merged.values(), key=_newest_first, reverse=True)
                rows = rows[offset : offset + limit]
                return [_storyline(r) for r in rows]
            if country is not None:
                rest.append(_either_side(country))
            query = (
                _storyline_select()
                .where(*rest)
                .order_by(*_sort_order(sort, descending))
                .offset(offset)
            )
            if limit is not None:
                query = query.limit(limit)
            return [_storyline(row) for row in session.execute(query)]

    def count_storylines(
        self,
        *,
        country: str | None = None,
        origin: str | None = None,
        destination: str | None = None,
        visitor: str | None = None,
        stage: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        upcoming: bool = False,
        today: date | None = None,
        q: str | None = None,
        changed_since: date | None = None,
    ) -> int:
        """How many storylines :meth:`storylines` lists with these filters, all pages."""
        where = self._conditions(
            visitor,
            origin,
            destination,
            stage,
            date_from,
            date_to,
            upcoming,
            today,
            q,
            changed_since,
            country,
        )
        with self._read() as session:
            return int(
                session.scalar(select(func.count()).select_from(StorylineRow).where(*where)) or 0
            )

    def stream_storylines(
        self,
        *,
        country: str | None = None,
        origin: str | None = None,
        destination: str | None = None,
        visitor: str | None = None,
        stage: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        upcoming: bool = False,
        today: date | None = None,
        q: str | None = None,
        changed_since: date | None = None,
        sort: str | None = None,
        descending: bool = True,
    ) -> Iterator[Storyline]:
        """What :meth:`storylines` lists with these filters, all of it, read ``STREAM_BATCH``
        rows at a time: an export of any size holds one batch in memory, not the store."""
        where = self._conditions(
            visitor,
            origin,
            destination,
            stage,
            date_from,
            date_to,
            upcoming,
            today,
            q,
            changed_since,
            country,
        )
        query = (
            _storyline_select()
            .where(*where)
            .order_by(*_sort_order(sort, descending))
            .execution_options(yield_per=STREAM_BATCH)
        )
        with self._read() as session:
            for row in session.execute(query):
                yield _storyline(row)

    def _conditions(
        self,
        visitor: str | None,
        origin: str | None,
        destination: str | None,
        stage: str | None,
        date_from: date | None,
        date_to: date | None,
        upcoming: bool,
        today: date | None,
        q: str | None = None,
        changed_since: date | None = None,
        country: str | None = None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if country is not None:
            conditions.append(_either_side(country))
        if visitor is not None:
            conditions.append(self._visitor_condition(visitor))
        if q is not None:
            conditions.append(search_match(self._postgres, q, StorylineRow.id))
        if changed_since is not None:
            conditions.append(StorylineRow.changed_on >= changed_since)
        if origin is not None:
            conditions.append(_origin_is(origin))
        if destination is not None:
            conditions.append(StorylineRow.destination_country == destination)
        if stage is not None:
            conditions.append(StorylineRow.stage == stage)
        if date_from is not None:
            conditions.append(StorylineRow.span_end >= date_from)
            # Bound the scan from below too: no span is longer than the longest one stored.
            # Clamped at day one: a from-date near 0001-01-01 would underflow (OverflowError).
            earliest = max(1, date_from.toordinal() - self._longest_span())
            conditions.append(StorylineRow.span_start >= date.fromordinal(earliest))
        if date_to is not None:
            conditions.append(StorylineRow.span_start <= date_to)
        if upcoming:
            day = today or date.today()
            conditions.append(StorylineRow.stage.not_in(ENDED_STAGES))
            conditions.append(
                or_(
                    StorylineRow.when_end >= day,
                    and_(StorylineRow.when_end.is_(None), StorylineRow.when_start >= day),
                )
            )
        return conditions

    def _visitor_condition(self, visitor: str) -> ColumnElement[bool]:
        """Names containing ``visitor`` (any case): looked up among the distinct names first,
        so the storylines are then read through an index."""
        needle = fold_name(visitor)
        with self._read() as session:
            names = list(
                session.scalars(
                    select(VisitorName.name_search)
                    .where(VisitorName.name_search.contains(needle, autoescape=True))
                    .limit(MAX_VISITOR_NAMES + 1)
                )
            )
        if len(names) > MAX_VISITOR_NAMES:
            return StorylineRow.visitor_search.contains(needle, autoescape=True)
        return StorylineRow.visitor_search.in_(names)

    def _longest_span(self) -> int:
        with self._read() as session:
            longest = session.scalar(select(func.max(StorylineRow.span_days)))
        return int(longest or 0)

    def storyline(self, id: str) -> tuple[Storyline, list[tuple[Visit, DocumentInfo]]] | None:
        """One storyline and its mentions, each with the document it came from.

        Mentions come in order of publication (undated last), then document and position.
        """
        with self._read() as session:
            row = session.execute(_storyline_select().where(StorylineRow.id == id)).first()
            if row is None:
                return None
            pairs = session.execute(
                select(Mention, Document)
                .join(Document, Mention.doc_id == Document.doc_id)
                .where(Mention.storyline_id == id)
                .order_by(Document.published.asc().nulls_last(), Mention.doc_id, Mention.ordinal)
            ).all()
            return _storyline(row), [(_visit(m), _document(d)) for m, d in pairs]

    def redirect(self, id: str) -> Redirect | None:
        """Where a storyline id that no longer exists went, or ``None`` (live or unknown)."""
        with self._read() as session:
            row = session.get(StorylineRedirect, id)
            return Redirect(row.old_id, row.new_id, row.reason) if row is not None else None

    def mentions(self) -> Iterator[tuple[str, Visit]]:
        """Every linked mention as ``(storyline id, visit)``, streamed, grouped by storyline."""
        query = (
            select(Mention)
            .where(Mention.storyline_id.is_not(None))
            .order_by(Mention.storyline_id, Mention.doc_id, Mention.ordinal)
            .execution_options(yield_per=STREAM_BATCH)
        )
        with self._read() as session:
            for row in session.scalars(query):
                assert row.storyline_id is not None  # filtered in the query
                yield row.storyline_id, _visit(row)

    def document_urls(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The URL of each of ``doc_ids`` that has one (the page's own, else its canonical
        URL), read ``STREAM_BATCH`` ids per query: exports give their rows' sources."""
        found: dict[str, str] = {}
        with self._read() as session:
            connection = session.connection()
            for start in range(0, len(doc_ids), STREAM_BATCH):
                page = list(doc_ids[start : start + STREAM_BATCH])
                for doc_id, url, canonical in connection.execute(_URLS_OF, {"doc_ids": page}):
                    value = url or canonical
                    if value:
                        found[doc_id] = value
        return found

    def document(self, doc_id: str) -> DocumentInfo | None:
        """A stored document with its cleaned text, or ``None``."""
        with self._read() as session:
            row = session.get(Document, doc_id)
            if row is None:
                return None
            sources = session.scalars(
                select(DocumentSource.source)
                .where(DocumentSource.doc_id == doc_id)
                .order_by(DocumentSource.seen_at, DocumentSource.source)
            )
            return replace(_document(row), sources=tuple(dict.fromkeys(sources)))

    def document_mentions(self, doc_id: str) -> list[tuple[str | None, Visit]]:
        """The visits stored for one document, in the document's order, with their storyline.

        Each is ``(storyline id, visit)``; the id is ``None`` only for a mention that is not
        linked, which a committed ingest never leaves. Unknown documents give ``[]``.
        """
        query = select(Mention).where(Mention.doc_id == doc_id).order_by(Mention.ordinal)
        with self._read() as session:
            return [(row.storyline_id, _visit(row)) for row in session.scalars(query)]

    def stats(
        self,
        top: int = STATS_TOP,
        *,
        country: str | None = None,
        origin: str | None = None,
        destination: str | None = None,
        visitor: str | None = None,
        stage: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        upcoming: bool = False,
        today: date | None = None,
        q: str | None = None,
        changed_since: date | None = None,
    ) -> dict[str, Any]:
        """Storylines counted by stage, country, country pair and month, ready for JSON.

        Args:
            top: rows kept per country and pair breakdown, the largest counts first.
            country, origin, destination, visitor, stage, date_from, date_to, upcoming,
                today, q, changed_since: count only the storylines :meth:`storylines`
                would list with them.

        Returns:
            ``total``; ``by_stage`` (every stage, zeros included); ``by_visitor_country`` and
            ``by_destination_country`` (lists of ``{"country", "count"}``); ``pairs`` (lists
            of ``{"visitor_country", "destination_country", "count", "by_stage"}``);
            ``over_time`` (lists of ``{"month": "YYYY-MM", "count", "by_stage"}``, oldest
            first, by the month each window starts, or the first report for undated
            storylines). A row's ``by_stage`` maps each stage it has storylines in to their
            count, in the order of :data:`STAGES`. Ties are ordered by country code, an
            international body's (``None``) last.

        Raises:
            StoreError: ``top`` is below 1.
        """
        if top < 1:
            raise StoreError(f"top must be at least 1, got {top}")
        where = self._conditions(
            visitor,
            origin,
            destination,
            stage,
            date_from,
            date_to,
            upcoming,
            today,
            q,
            changed_since,
            country,
        )
        v_col, d_col = StorylineRow.visitor_country, StorylineRow.destination_country
        stage_col = StorylineRow.stage
        month = _month_of(self._postgres, StorylineRow.span_start)
        with self._read() as session:
            # Two groupings, both by stage, hold every breakdown: the stages, both sides'
            # countries and the pairs come from the (pair, stage) cells, summed here. Their
            # number is bounded by the pairs that occur times the stages (10,080 cells on the
            # 100,000 storylines of scripts/bench_page.py), and reading them beat one grouped
            # scan per breakdown.
            cells = session.execute(
                select(v_col, d_col, stage_col, func.count())
                .where(*where)
                .group_by(v_col, d_col, stage_col)
            ).all()
            months = session.execute(
                select(month, stage_col, func.count())
                .where(StorylineRow.span_start.is_not(None), *where)
                .group_by(month, stage_col)
            ).all()
        by_stage = dict.fromkeys(STAGES, 0)
        visitors: Counter[str | None] = Counter()
        destinations: Counter[str] = Counter()
        pairs: dict[tuple[str | None, str], dict[str, int]] = {}
        for v, d, stage_name, k in cells:
            by_stage[stage_name] = by_stage.get(stage_name, 0) + k
            visitors[v] += k
            destinations[d] += k
            pairs.setdefault((v, d), {})[stage_name] = k
        per_month: dict[str, dict[str, int]] = {}
        for key, stage_name, k in months:
            per_month.setdefault(str(key), {})[stage_name] = k
        top_pairs = heapq.nsmallest(
            top,
            pairs.items(),
            key=lambda item: (-sum(item[1].values()), *_code_order(item[0][0]), item[0][1]),
        )
        return {
            "total": sum(by_stage.values()),
            "by_stage": by_stage,
            "by_visitor_country": _top_countries(visitors, top),
            "by_destination_country": _top_countries(destinations, top),
            "pairs": [
                {
                    "visitor_country": v,
                    "destination_country": d,
                    "count": sum(counts.values()),
                    "by_stage": _in_stage_order(counts),
                }
                for (v, d), counts in top_pairs
            ],
            "over_time": [
                {"month": key, "count": sum(counts.values()), "by_stage": _in_stage_order(counts)}
                for key, counts in sorted(per_month.items())
            ],
        }

    def counts(self) -> dict[str, int]:
        """How many documents, mentions, storylines and failures are stored."""
        tables: dict[str, Any] = {
            "documents": Document,
            "mentions": Mention,
            "storylines": StorylineRow,
            "failures": Failure,
        }
        with self._read() as session:
            return {
                name: session.scalar(select(func.count()).select_from(model)) or 0
                for name, model in tables.items()
            }

    def check(self) -> list[str]:
        """Problems with the stored data, one line each; ``[]`` when the store is sound.

        The database's own consistency check (SQLite's ``integrity_check`` and
        ``foreign_key_check``; PostgreSQL checks its pages itself) and what a finished ingest
        leaves behind: every mention is in a storyline, every storyline has mentions and
        lists exactly its mentions' documents.
        """
        problems: list[str] = []
        with self._read() as session:
            if not self._postgres:
                verdict = [row[0] for row in session.execute(text("PRAGMA integrity_check"))]
                if verdict != ["ok"]:
                    problems.extend(f"sqlite integrity_check: {line}" for line in verdict)
                for row in session.execute(text("PRAGMA foreign_key_check")):
                    problems.append(f"sqlite foreign_key_check: row {row[1]} of {row[0]}")
            unlinked = session.scalar(
                select(func.count()).select_from(Mention).where(Mention.storyline_id.is_(None))
            )
            if unlinked:
                problems.append(f"{unlinked} mention(s) in no storyline")
            members: dict[str, set[str]] = {}
            for sid, doc_id in session.execute(
                select(Mention.storyline_id, Mention.doc_id).where(
                    Mention.storyline_id.is_not(None)
                )
            ):
                members.setdefault(str(sid), set()).add(doc_id)
            for sid, doc_ids in session.execute(select(StorylineRow.id, StorylineRow.doc_ids)):
                listed = set(json.loads(doc_ids))
                if sid not in members:
                    problems.append(f"storyline {sid} has no mentions")
                elif listed != members.pop(sid):
                    problems.append(f"storyline {sid} lists other documents than its mentions")
            problems.extend(f"mentions point at missing storyline {sid}" for sid in members)
            dangling = session.scalars(
                select(StorylineRedirect.old_id).where(
                    StorylineRedirect.new_id.not_in(select(StorylineRow.id))
                )
            )
            problems.extend(
                f"storyline id {old} redirects to a missing storyline" for old in dangling
            )
            shadowed = session.scalars(
                select(StorylineRedirect.old_id).where(
                    StorylineRedirect.old_id.in_(select(StorylineRow.id))
                )
            )
            problems.extend(f"storyline id {old} is both live and redirected" for old in shadowed)
            sourceless = session.scalars(
                select(Document.doc_id).where(Document.doc_id.not_in(select(DocumentSource.doc_id)))
            )
            problems.extend(f"document {doc} has no source" for doc in sourceless)
            indexed = set(session.scalars(text(f"SELECT id FROM {SEARCH_TABLE}")))
            stored = set(session.scalars(select(StorylineRow.id)))
            problems.extend(
                f"storyline {sid} is missing from the search index"
                for sid in sorted(stored - indexed)
            )
            problems.extend(
                f"the search index holds storyline {sid}, which is not stored"
                for sid in sorted(indexed - stored)
            )
        return problems

    def close(self) -> None:
        """Release every database connection."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- rows <-> records --------------------------------------------------------------------------


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _check_storable(result: DocumentResult) -> None:
    """Refuse a result with a string PostgreSQL cannot hold (NUL) or no database can encode
    (a lone surrogate), on every backend, naming the document and the field."""
    raw, doc = result.raw, result.document
    fields: dict[str, str | None] = {
        "id": raw.doc_id,
        "source": raw.source,
        "title": (doc.title if doc else None) or raw.title,
        "url": (doc.url if doc else None) or raw.url,
        "text": doc.text if doc else None,
        "canonical url": doc.canonical_url if doc else None,
    }
    for name, value in fields.items():
        bad = _UNSTORABLE.search(value) if value is not None else None
        if bad is not None:
            raise StoreError(
                f"document {raw.doc_id!r}: its {name} holds U+{ord(bad.group()):04X} at "
                f"character {bad.start() + 1}, which cannot be stored; nothing of the batch "
                "was stored",
                source=raw.source,
                stage="store",
            )


def _visit_columns(v: Visit | Storyline) -> dict[str, Any]:
    """The columns a mention row and a storyline row share: who, where, what, when."""
    return {
        "visitor_name": v.visitor.name,
        "visitor_role": v.visitor.role,
        "visitor_country": v.visitor.country,
        "host_name": v.host.name if v.host else None,
        "host_role": v.host.role if v.host else None,
        "host_country": v.host.country if v.host else None,
        "destination_country": v.destination.country,
        "destination_city": v.destination.city,
        "kind": v.kind,
        "occasion": v.occasion,
        "stage": v.stage,
        "when_text": v.when.text if v.when else None,
        "when_start": v.when.start if v.when else None,
        "when_end": v.when.end if v.when else None,
    }


def _mention_row(doc_id: str, ordinal: int, v: Visit) -> Mention:
    return Mention(
        doc_id=doc_id,
        ordinal=ordinal,
        storyline_key=linking.storyline_key(v),
        confidence=v.confidence,
        published=v.published,
        evidence=json.dumps([e.to_dict() for e in v.evidence], ensure_ascii=False),
        **_visit_columns(v),
    )


def _host(name: str | None, role: str | None, country: str | None) -> Party | None:
    return Party(name, cast(Role, role), country) if role is not None else None


def _when(text_: str | None, start: date | None, end: date | None) -> When | None:
    return When(text_, start, end) if text_ is not None else None


def _visit(row: Mention) -> Visit:
    return Visit(
        doc_id=row.doc_id,
        published=row.published,
        visitor=Party(row.visitor_name, cast(Role, row.visitor_role), row.visitor_country),
        host=_host(row.host_name, row.host_role, row.host_country),
        destination=Destination(row.destination_country, row.destination_city),
        kind=cast(Kind, row.kind),
        occasion=row.occasion,
        stage=cast(Stage, row.stage),
        when=_when(row.when_text, row.when_start, row.when_end),
        evidence=tuple(Evidence(e["start"], e["end"], e["text"]) for e in json.loads(row.evidence)),
        confidence=row.confidence,
    )


def _storyline_row(s: Storyline, key: str) -> StorylineRow:
    start = s.when.start if s.when else None
    end = s.when.end if s.when else None
    return StorylineRow(
        id=s.id,
        storyline_key=key,
        visitor_search=fold_name(s.visitor.name or ""),
        **_visit_columns(s),
        # An open-ended window counts as the one day it names; no window, the first report.
        span_start=start or end or s.first_reported,
        span_end=end or start or s.first_reported,
        span_days=(end - start).days if start and end else 0,
        sort_day=s.first_reported or UNKNOWN_DAY,
        history=json.dumps([h.to_dict() for h in s.history], ensure_ascii=False),
        doc_ids=json.dumps(list(s.doc_ids), ensure_ascii=False),
        mention_count=s.mentions,
        first_reported=s.first_reported,
        last_reported=s.last_reported,
        changed_on=changed_on(s),
    )


def changed_on(s: Storyline) -> date | None:
    """The last day ``s`` was created or changed stage, by its reports' dates."""
    days = [h.first_reported for h in s.history if h.first_reported is not None]
    if s.first_reported is not None:
        days.append(s.first_reported)
    return max(days, default=None)


def _search_text(s: Storyline, members: Sequence[Mention]) -> str:
    names: list[str | None] = [s.visitor.name, s.host.name if s.host else None]
    evidence: list[str] = []
    for m in members:
        names.extend((m.visitor_name, m.host_name))
        evidence.extend(e["text"] for e in json.loads(m.evidence))
    return search_body(names, s.occasion, s.destination.city, s.destination.country, evidence)


def _month_of(postgres: bool, day: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a date column. SQLite keeps dates as ISO text, so a prefix of it is the
    month: cutting it took half the time strftime did over 100,000 storylines."""
    if postgres:
        return func.to_char(day, "YYYY-MM", type_=Text)
    return func.substr(day, 1, 7, type_=Text)


def _code_order(code: str | None) -> tuple[bool, str]:
    """Sort key of a country code: by code, an international body's (``None``) last."""
    return (code is None, code or "")


def _top_countries(counts: Counter[Any], top: int) -> list[dict[str, Any]]:
    largest = heapq.nsmallest(top, counts.items(), key=lambda i: (-i[1], *_code_order(i[0])))
    return [{"country": c, "count": k} for c, k in largest]


def _in_stage_order(counts: dict[str, int]) -> dict[str, int]:
    return {s: counts[s] for s in (*STAGES, *sorted(set(counts) - set(STAGES))) if s in counts}


def _origin_is(code: str) -> ColumnElement[bool]:
    """The visitor's country is ``code``; :data:`INTERNATIONAL`: an international body's."""
    if code == INTERNATIONAL:
        return StorylineRow.visitor_country.is_(None)
    return StorylineRow.visitor_country == code


def _either_side(country: str) -> ColumnElement[bool]:
    """Storylines with ``country`` as the visitor's country or the destination."""
    return or_(_origin_is(country), StorylineRow.destination_country == country)


# The columns each sort key of visitrack.filters.SORT_KEYS orders by (``changed`` is the
# store's own, for the feed).
_SORT_COLUMNS: dict[str, Any] = {
    "first_reported": StorylineRow.sort_day,
    "last_reported": StorylineRow.last_reported,
    "when": StorylineRow.when_start,
    # An unnamed visitor (folded name "") has no name to sort by: last, like other unknowns.
    "visitor": func.nullif(StorylineRow.visitor_search, ""),
    "origin": StorylineRow.visitor_country,
    "destination": StorylineRow.destination_country,
    "kind": StorylineRow.kind,
    "stage": case({name: n for n, name in enumerate(STAGES)}, value=StorylineRow.stage),
    "mentions": StorylineRow.mention_count,
    "id": StorylineRow.id,
    "changed": StorylineRow.changed_on,
}


def _sort_order(sort: str | None, descending: bool) -> list[Any]:
    """ORDER BY for ``sort``: the key, then the id, both in one direction; NULLs last."""
    column = _SORT_COLUMNS[sort or "first_reported"]
    if sort is None or sort == "first_reported":
        # sort_day is never NULL (unknown days sort first): the index serves both directions.
        keys = [column, StorylineRow.id]
        return [k.desc() if descending else k.asc() for k in keys]
    first = column.desc() if descending else column.asc()
    last = StorylineRow.id.desc() if descending else StorylineRow.id.asc()
    return [first.nulls_last(), last]


# What a Storyline is built from, read as plain rows: making an ORM object of every row cost
# a third of reading a list page or an export (3,380 rows: 210 ms against 140 ms), and those
# reads were most of the server's CPU under scripts/bench_load.py. _storyline unpacks rows in
# this order.
_STORYLINE_COLUMNS = (
    StorylineRow.id,
    StorylineRow.visitor_name,
    StorylineRow.visitor_role,
    StorylineRow.visitor_country,
    StorylineRow.host_name,
    StorylineRow.host_role,
    StorylineRow.host_country,
    StorylineRow.destination_country,
    StorylineRow.destination_city,
    StorylineRow.kind,
    StorylineRow.occasion,
    StorylineRow.stage,
    StorylineRow.when_text,
    StorylineRow.when_start,
    StorylineRow.when_end,
    StorylineRow.sort_day,
    StorylineRow.history,
    StorylineRow.doc_ids,
    StorylineRow.mention_count,
    StorylineRow.first_reported,
    StorylineRow.last_reported,
)


# The URLs of a page of documents (Store.document_urls). One statement with an expanding
# parameter, compiled once, on the connection rather than the ORM session, and only documents
# that have a URL: an export of 3,353 storylines looked up 10,001 documents in 50 ms this way
# instead of 120 ms with a fresh IN (...) of literals each time.
_URLS_OF = select(Document.doc_id, Document.url, Document.canonical_url).where(
    Document.doc_id.in_(bindparam("doc_ids", expanding=True)),
    or_(Document.url.is_not(None), Document.canonical_url.is_not(None)),
)


def _storyline_select() -> Select[*tuple[Any, ...]]:
    return select(*_STORYLINE_COLUMNS)


def _ordered(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    # Both keys descending, so one backward index read serves the order on both backends.
    return query.order_by(StorylineRow.sort_day.desc(), StorylineRow.id.desc())


def _newest_first(row: Row[Any]) -> tuple[int, str]:
    """The sort key of :func:`_ordered`, in Python (sort with reverse=True)."""
    return (row.sort_day.toordinal(), row.id)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


_DECODER = json.JSONDecoder()


def _stored_json(text_: str) -> Any:
    """JSON text this store wrote (json.dumps: no surrounding whitespace), decoded without
    json.loads's whitespace scans: 1.2 us against 3 us a value, and every storyline read
    decodes two (its history and documents)."""
    value, end = _DECODER.raw_decode(text_)
    if end != len(text_):
        return json.loads(text_)  # not one of ours: decoded, or refused, as json.loads does
    return value


def _storyline(row: Sequence[Any]) -> Storyline:
    """A storyline from a row of :data:`_STORYLINE_COLUMNS`."""
    # Unpacked as a tuple: 21 lookups by name on the row cost a third of building the record
    # (6.5 us of 19 a row, on an export of 3,353 storylines).
    (
        sid,
        visitor_name,
        visitor_role,
        visitor_country,
        host_name,
        host_role,
        host_country,
        destination_country,
        destination_city,
        kind,
        occasion,
        stage,
        when_text,
        when_start,
        when_end,
        _sort_day,
        history,
        doc_ids,
        mention_count,
        first_reported,
        last_reported,
    ) = row
    return Storyline(
        id=sid,
        visitor=Party(visitor_name, visitor_role, visitor_country),
        host=_host(host_name, host_role, host_country),
        destination=Destination(destination_country, destination_city),
        kind=kind,
        occasion=occasion,
        stage=stage,
        when=_when(when_text, when_start, when_end),
        history=tuple(
            StageStep(h["stage"], _day(h.get("first_reported")), tuple(h["doc_ids"]))
            for h in _stored_json(history)
        ),
        doc_ids=tuple(_stored_json(doc_ids)),
        mentions=mention_count,
        first_reported=first_reported,
        last_reported=last_reported,
    )


def _document(row: Document) -> DocumentInfo:
    at = row.ingested_at
    # SQLite hands back naive datetimes; every stored time is UTC.
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return DocumentInfo(
        doc_id=row.doc_id,
        source=row.source,
        title=row.title,
        url=row.url,
        published=row.published,
        content_hash=row.content_hash,
        ingested_at=at,
        cleaned_text=row.cleaned_text,
        canonical_url=row.canonical_url,
        extractor_version=row.extractor_version,
    )


def head_revision() -> str:
    """The newest migration's revision id (what ``alembic_version`` holds after opening)."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


__all__ = [
    "DEFAULT_URL",
    "ENV_DB",
    "OUTCOMES",
    "REPROCESS_BATCH",
    "STATS_TOP",
    "DocumentInfo",
    "IngestOutcome",
    "Ingested",
    "Redirect",
    "Store",
    "StoreError",
    "content_hash",
    "head_revision",
    "open_store",
    "shorten_id",
    "source_keys",
    "text_hash",
    "version_key",
]
