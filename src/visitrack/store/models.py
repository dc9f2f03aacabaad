"""The store's tables as typed SQLAlchemy models.

The schema itself is created by the Alembic migrations in ``migrations/versions``; these
models must match them (``tests/test_store.py`` compares the two), so a change here needs a
new migration.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from visitrack.fields import MAX_ID_CHARS

# Deterministic constraint names, so later migrations (and SQLite batch mode, which rebuilds
# tables) can refer to constraints by name on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Column widths. Short codes are bounded so PostgreSQL can index them cheaply; free text
# (names, occasions, reasons) is unbounded Text because news gives no useful upper limit.
ID_LENGTH = MAX_ID_CHARS  # the readers refuse longer ids with the same bound
CODE_LENGTH = 32
HASH_LENGTH = 64  # hex sha256


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Document(Base):
    """One ingested input document; ``content_hash`` decides unchanged vs replaced."""

    __tablename__ = "documents"

    doc_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[date | None] = mapped_column(Date)
    cleaned_text: Mapped[str | None] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # sha256 of the cleaned text, casefolded with whitespace collapsed: the same article
    # reached through two sources (a feed and a URL list, two mirrors) is one document.
    text_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH), index=True)
    # <link rel="canonical"> or og:url as the page declares it.
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    # The extractor that produced the document's mentions (records.EXTRACTOR_VERSION);
    # null for documents stored before versions were kept. `visitrack reprocess` reads it.
    extractor_version: Mapped[str | None] = mapped_column(String(CODE_LENGTH), index=True)


class DocumentSource(Base):
    """One way a document was reached: a file path, a URL, a corpus row, a canonical URL.

    A new input replaces a stored document only when one of its source keys is already
    here; otherwise it is a new document (or a duplicate of one with the same text).
    """

    __tablename__ = "document_sources"

    # sha256 of source_key: keys are paths and URLs of any length, too long for an index.
    key_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), primary_key=True)
    source_key: Mapped[str] = mapped_column(Text)
    doc_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("documents.doc_id", ondelete="CASCADE"), index=True
    )
    # How the input was named when it came in (a path as typed, FILE:LINE, a URL).
    source: Mapped[str] = mapped_column(Text)
    # The raw content last read through this source: the same bytes again are skipped
    # before any extraction, from this source or (as a duplicate) from another.
    content_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StorylineRedirect(Base):
    """An id a storyline no longer has, and the storyline that took its reports over."""

    __tablename__ = "storyline_redirects"

    old_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    new_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    reason: Mapped[str] = mapped_column(String(CODE_LENGTH))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """A batch submitted through the API: its state, and the answer once it is extracted.

    In the database rather than in one server process, so that any of ``visitrack serve
    --workers N``'s processes can answer ``GET /api/jobs/ID``.
    """

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(CODE_LENGTH), primary_key=True)
    state: Mapped[str] = mapped_column(String(CODE_LENGTH))
    documents: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The answer as JSON ({"documents": [...]} or {"error": ...}); unbounded like the text.
    answer: Mapped[str | None] = mapped_column(Text)


class Storyline(Base):
    """One linked storyline; every field of :class:`visitrack.records.Storyline` is a column
    except ``history`` and ``doc_ids``, kept as JSON text because nothing filters on them."""

    __tablename__ = "storylines"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    storyline_key: Mapped[str] = mapped_column(Text, index=True)
    visitor_name: Mapped[str | None] = mapped_column(Text)
    # casefolded visitor name: SQLite's lower() only folds ASCII, so the case-insensitive
    # substring filter compares against a folded copy made in Python instead.
    visitor_search: Mapped[str] = mapped_column(Text)
    visitor_role: Mapped[str] = mapped_column(String(CODE_LENGTH))
    visitor_country: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    host_name: Mapped[str | None] = mapped_column(Text)
    host_role: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    host_country: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    destination_country: Mapped[str] = mapped_column(String(CODE_LENGTH))
    destination_city: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(CODE_LENGTH))
    occasion: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(CODE_LENGTH))
    when_text: Mapped[str | None] = mapped_column(Text)
    when_start: Mapped[date | None] = mapped_column(Date, index=True)
    when_end: Mapped[date | None] = mapped_column(Date, index=True)
    # The interval the date filters test: the window, or first_reported when there is none.
    # Stored (not computed in the query) so the overlap test can use an index.
    span_start: Mapped[date | None] = mapped_column(Date, index=True)
    span_end: Mapped[date | None] = mapped_column(Date, index=True)
    # Length of the span in days: the longest one bounds the date filter's index range.
    span_days: Mapped[int] = mapped_column(Integer, index=True, server_default="0")
    # first_reported, or 0001-01-01 when unknown: a NOT NULL key that sorts the same on both
    # backends and that PostgreSQL can read backwards from an index (NULLS LAST cannot).
    sort_day: Mapped[date] = mapped_column(Date, server_default="0001-01-01")
    history: Mapped[str] = mapped_column(Text)
    doc_ids: Mapped[str] = mapped_column(Text)
    mention_count: Mapped[int] = mapped_column(Integer)
    first_reported: Mapped[date | None] = mapped_column(Date, index=True)
    last_reported: Mapped[date | None] = mapped_column(Date)
    # The last day the storyline was created or changed stage, by its reports' dates: the
    # latest first report of any stage in its history (``changed_since`` and the Atom feed
    # read it). Report dates rather than ingest times, so a store rebuilt from the same
    # articles answers the same; None when no report is dated.
    changed_on: Mapped[date | None] = mapped_column(Date, index=True)

    # A filtered page, newest first report first, is an ordered read of one of these.
    __table_args__ = (
        Index("ix_storylines_sort_day_id", "sort_day", "id"),
        *(
            Index(f"ix_storylines_{column}_sort_day", column, "sort_day", "id")
            for column in ("stage", "visitor_country", "destination_country", "visitor_search")
        ),
        # Store.stats groups by these (migration 0007): covering index scans, not row reads.
        Index("ix_storylines_pair_stage", "visitor_country", "destination_country", "stage"),
        Index("ix_storylines_span_start_stage", "span_start", "stage"),
    )


class VisitorName(Base):
    """Every folded visitor name once: the visitor filter matches substrings here first."""

    __tablename__ = "visitor_names"

    name_search: Mapped[str] = mapped_column(Text, primary_key=True)


class Mention(Base):
    """One visit record as extracted from one document (a row per ``Visit``)."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("documents.doc_id", ondelete="CASCADE")
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    storyline_key: Mapped[str] = mapped_column(Text, index=True)
    # Set after linking; SET NULL rather than CASCADE so dropping a storyline during re-linking
    # never takes its mentions with it.
    storyline_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("storylines.id", ondelete="SET NULL"), index=True
    )
    visitor_name: Mapped[str | None] = mapped_column(Text)
    visitor_role: Mapped[str] = mapped_column(String(CODE_LENGTH))
    visitor_country: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    host_name: Mapped[str | None] = mapped_column(Text)
    host_role: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    host_country: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    destination_country: Mapped[str] = mapped_column(String(CODE_LENGTH))
    destination_city: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(CODE_LENGTH))
    occasion: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(CODE_LENGTH))
    when_text: Mapped[str | None] = mapped_column(Text)
    when_start: Mapped[date | None] = mapped_column(Date)
    when_end: Mapped[date | None] = mapped_column(Date)
    confidence: Mapped[float] = mapped_column(Float)
    published: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)

    # Serves lookups by doc_id (its leading column) and guards against a document's mentions
    # being inserted twice.
    __table_args__ = (Index("ix_mentions_doc_id_ordinal", "doc_id", "ordinal", unique=True),)


class Failure(Base):
    """An input that could not be processed, once per (source, stage, reason)."""

    __tablename__ = "failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # sha256 of source, stage and reason: re-running a batch over the same bad input updates
    # one row instead of piling up copies; a hash because reasons can exceed index limits.
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    source: Mapped[str] = mapped_column(Text, index=True)
    stage: Mapped[str] = mapped_column(String(CODE_LENGTH))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
