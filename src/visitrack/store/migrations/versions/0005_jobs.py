"""Jobs: batches submitted through the API, extracted off the request path.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

``POST /api/documents`` answers at once; the batch is extracted by a worker process and its
answer kept here, where every server process can read it (``GET /api/jobs/ID``). Kept
literal (no model imports), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", CODE, nullable=False),
        sa.Column("state", CODE, nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_submitted_at"), "jobs", ["submitted_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_jobs_submitted_at"), table_name="jobs")
    op.drop_table("jobs")
