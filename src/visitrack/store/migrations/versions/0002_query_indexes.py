"""Indexes for `visitrack visits` at a million mentions; a table of visitor names.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Measured with scripts/bench_store.py at 1,000,101 mentions / 333,661 storylines: the stage,
country and visitor filters sorted tens of thousands of rows by first report, and the date
filter scanned half the table through a one-sided index. This revision adds
- ``sort_day`` (first report, or 0001-01-01 when unknown): a NOT NULL sort key, because
  PostgreSQL and SQLite place NULLs differently and neither can read "DESC NULLS LAST" from a
  plain index on PostgreSQL; pages are ordered by (sort_day DESC, id DESC);
- composite (filter column, sort_day) indexes and (sort_day, id), so a filtered newest-first
  page is an ordered index range read on both backends;
- ``span_days``, the longest window bounds the date-overlap scan from both sides;
- ``visitor_names``, the distinct folded visitor names, so a substring match on names scans a
  few thousand names instead of every storyline.
Kept literal (no model imports), like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPOSITES = ("stage", "visitor_country", "destination_country", "visitor_search")
SUPERSEDED = ("stage", "visitor_country", "destination_country")


def upgrade() -> None:
    with op.batch_alter_table("storylines") as batch:
        batch.add_column(sa.Column("span_days", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("sort_day", sa.Date(), nullable=False, server_default="0001-01-01")
        )
    op.create_index("ix_storylines_span_days", "storylines", ["span_days"])
    op.create_index("ix_storylines_sort_day_id", "storylines", ["sort_day", "id"])
    for column in COMPOSITES:
        # id too: the page's tie-break, or SQLite sorts each day's rows in a temporary tree
        op.create_index(
            f"ix_storylines_{column}_sort_day", "storylines", [column, "sort_day", "id"]
        )
    # The composites start with these columns and serve their lookups; a single-column index
    # beside them only tempts SQLite's planner into reading a filter's rows and then sorting.
    for column in SUPERSEDED:
        op.drop_index(f"ix_storylines_{column}", table_name="storylines")
    op.create_table(
        "visitor_names",
        sa.Column("name_search", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name_search", name="pk_visitor_names"),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, span_start, span_end FROM storylines")).fetchall()
    for ident, start, end in rows:
        days = _days(start, end)
        if days:
            conn.execute(
                sa.text("UPDATE storylines SET span_days = :d WHERE id = :i"),
                {"d": days, "i": ident},
            )
    conn.execute(
        sa.text(
            "INSERT INTO visitor_names (name_search) SELECT DISTINCT visitor_search FROM storylines"
        )
    )


def _as_day(v: object) -> date | None:
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v)[:10]) if v else None


def _days(start: object, end: object) -> int:
    a, b = _as_day(start), _as_day(end)
    return (b - a).days if a and b else 0


def downgrade() -> None:
    for column in SUPERSEDED:
        op.create_index(f"ix_storylines_{column}", "storylines", [column])
    op.drop_table("visitor_names")
    for column in COMPOSITES:
        op.drop_index(f"ix_storylines_{column}_sort_day", table_name="storylines")
    op.drop_index("ix_storylines_sort_day_id", table_name="storylines")
    op.drop_index("ix_storylines_span_days", table_name="storylines")
    with op.batch_alter_table("storylines") as batch:
        batch.drop_column("sort_day")
        batch.drop_column("span_days")
