"""Indexes for ``Store.stats``: (visitor country, destination, stage) and (span start, stage).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

The dashboard's first load waits on ``/api/stats``, which groups the storylines the filters keep
by country pair and stage and by month and stage. Without an index holding those columns
SQLite read every storyline's row to group it: 0.6-1.0 s on the 100,141 storylines of
scripts/bench_page.py. Both groupings are now covering index scans, the pair one already in
group order. Kept literal (no model imports), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_storylines_pair_stage": ["visitor_country", "destination_country", "stage"],
    "ix_storylines_span_start_stage": ["span_start", "stage"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "storylines", columns)
    conn = op.get_bind()
    if conn.dialect.name == "sqlite" and sa.inspect(conn).has_table("sqlite_stat1"):
        # A store analysed before has statistics for every index but these; SQLite's planner
        # then guesses them selective and read a filtered page through them, sorting it
        # (origin=RUS: 18 ms instead of 2 on scripts/bench_page.py's store).
        for name in INDEXES:
            conn.exec_driver_sql(f"ANALYZE {name}")


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="storylines")
