"""Free-text search and change dates: ``storyline_search`` and ``storylines.changed_on``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

``storyline_search`` (an FTS5 table on SQLite, a table with a GIN-indexed ``tsvector`` on
PostgreSQL; see :mod:`visitrack.store.search`) holds each storyline's searchable text, filled
here from the stored storylines and their mentions. ``changed_on`` is the latest first-report
day of any stage in a storyline's history (the day it was created or last changed stage),
filled here from the stored history. The search text is built by the store's own function so
that rows written here and rows the store writes later match alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from visitrack.store.search import create_search_table, drop_search_table, replace_rows, search_body

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Storylines read and written per batch: bounded memory on a store of millions.
BATCH = 1_000


def changed_on(history: str, first_reported: date | None) -> date | None:
    days = [
        date.fromisoformat(h["first_reported"])
        for h in json.loads(history)
        if h.get("first_reported")
    ]
    if first_reported is not None:
        days.append(first_reported)
    return max(days, default=None)


def upgrade() -> None:
    with op.batch_alter_table("storylines") as batch:
        batch.add_column(sa.Column("changed_on", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_storylines_changed_on"), ["changed_on"])
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    create_search_table(conn)
    lines = sa.table(
        "storylines",
        sa.column("id"),
        sa.column("visitor_name"),
        sa.column("host_name"),
        sa.column("occasion"),
        sa.column("destination_city"),
        sa.column("destination_country"),
        sa.column("history"),
        sa.column("first_reported", sa.Date()),
        sa.column("changed_on", sa.Date()),
    )
    mentions = sa.table(
        "mentions",
        sa.column("storyline_id"),
        sa.column("visitor_name"),
        sa.column("host_name"),
        sa.column("evidence"),
    )
    ids = list(conn.scalars(sa.select(lines.c.id).order_by(lines.c.id)))
    set_changed = (
        sa.update(lines)
        .where(lines.c.id == sa.bindparam("sid"))
        .values(changed_on=sa.bindparam("changed"))
    )
    for start in range(0, len(ids), BATCH):
        page = ids[start : start + BATCH]
        rows = conn.execute(sa.select(lines).where(lines.c.id.in_(page))).mappings().all()
        names: dict[str, list[str | None]] = {}
        evidence: dict[str, list[str]] = {}
        for m in conn.execute(
            sa.select(mentions).where(mentions.c.storyline_id.in_(page))
        ).mappings():
            names.setdefault(m["storyline_id"], []).extend((m["visitor_name"], m["host_name"]))
            evidence.setdefault(m["storyline_id"], []).extend(
                e["text"] for e in json.loads(m["evidence"])
            )
        updates = []
        bodies = []
        for row in rows:
            sid = row["id"]
            updates.append(
                {"sid": sid, "changed": changed_on(row["history"], row["first_reported"])}
            )
            bodies.append(
                (
                    sid,
                    search_body(
                        [row["visitor_name"], row["host_name"], *names.get(sid, [])],
                        row["occasion"],
                        row["destination_city"],
                        row["destination_country"],
                        evidence.get(sid, []),
                    ),
                )
            )
        if updates:
            conn.execute(set_changed, updates)
        replace_rows(conn, postgres, [], bodies)


def downgrade() -> None:
    drop_search_table(op.get_bind())
    with op.batch_alter_table("storylines") as batch:
        batch.drop_index(batch.f("ix_storylines_changed_on"))
        batch.drop_column("changed_on")
