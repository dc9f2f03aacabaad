"""Document identity and stable storyline ids: sources, text hashes, versions, redirects.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Until this revision a document was its id, and the id was the file name without extension,
so two inputs with the same name replaced each other. Now
- ``document_sources`` holds every way a document was reached (a path, a URL, a corpus row,
  a canonical URL); an input replaces a document only through one of these keys;
- ``documents.text_hash`` (the cleaned text casefolded, whitespace collapsed) makes the same
  article from two sources one document, ``canonical_url`` keeps what the page declares, and
  ``extractor_version`` says which extractor made the mentions (null: before versions);
- ``storyline_redirects`` maps ids a storyline no longer has to the one that took it over.

Existing documents keep their ids; each gets the source key ``id:<doc_id>`` (what identified
it until now) and ``url:<url>`` when it has a URL, with its stored content hash, so re-reading
the same bytes is still free. Kept literal (no model imports), like 0001.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(255)
CODE = sa.String(32)
HASH = sa.String(64)


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _text_hash(text: str) -> str:
    # Must stay equal to visitrack.store.db.text_hash (tests/test_store.py compares them).
    return _sha(" ".join(text.casefold().split()))


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("text_hash", HASH, nullable=True))
        batch.add_column(sa.Column("canonical_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("extractor_version", CODE, nullable=True))
    op.create_index("ix_documents_text_hash", "documents", ["text_hash"])
    op.create_index("ix_documents_canonical_url", "documents", ["canonical_url"])
    op.create_index("ix_documents_extractor_version", "documents", ["extractor_version"])
    op.create_table(
        "document_sources",
        sa.Column("key_hash", HASH, nullable=False),
        sa.Column("source_key", sa.Text(), nullable=False),
        sa.Column("doc_id", ID, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("content_hash", HASH, nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc_id"],
            ["documents.doc_id"],
            name="fk_document_sources_doc_id_documents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", name="pk_document_sources"),
    )
    op.create_index("ix_document_sources_doc_id", "document_sources", ["doc_id"])
    op.create_index("ix_document_sources_content_hash", "document_sources", ["content_hash"])
    op.create_table(
        "storyline_redirects",
        sa.Column("old_id", ID, nullable=False),
        sa.Column("new_id", ID, nullable=False),
        sa.Column("reason", CODE, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("old_id", name="pk_storyline_redirects"),
    )
    op.create_index("ix_storyline_redirects_new_id", "storyline_redirects", ["new_id"])

    conn = op.get_bind()
    now = datetime.now(UTC)
    seen: set[str] = set()
    rows = conn.execute(
        sa.text("SELECT doc_id, content_hash, source, url, cleaned_text FROM documents")
    ).fetchall()
    for doc_id, digest, source, url, cleaned in rows:
        if cleaned:
            conn.execute(
                sa.text("UPDATE documents SET text_hash = :h WHERE doc_id = :d"),
                {"h": _text_hash(cleaned), "d": doc_id},
            )
        keys = [f"id:{doc_id}"]
        if url:
            keys.append(f"url:{url}")
        for key in keys:
            digest_key = _sha(key)
            if key in seen:
                continue  # two documents with one URL: the first keeps it
            seen.add(key)
            conn.execute(
                sa.text(
                    "INSERT INTO document_sources "
                    "(key_hash, source_key, doc_id, source, content_hash, seen_at) "
                    "VALUES (:k, :key, :d, :s, :c, :t)"
                ),
                {"k": digest_key, "key": key, "d": doc_id, "s": source, "c": digest, "t": now},
            )


def downgrade() -> None:
    op.drop_table("storyline_redirects")
    op.drop_table("document_sources")
    op.drop_index("ix_documents_extractor_version", table_name="documents")
    op.drop_index("ix_documents_canonical_url", table_name="documents")
    op.drop_index("ix_documents_text_hash", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("extractor_version")
        batch.drop_column("canonical_url")
        batch.drop_column("text_hash")
