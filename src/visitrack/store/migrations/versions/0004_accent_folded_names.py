"""Visitor names searched without regard to accents: "erdogan" finds "Erdoğan".

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

``storylines.visitor_search`` and ``visitor_names.name_search`` held the casefolded name; they
now hold it with accents dropped as well (visitrack.filters.fold_name), and the visitor filter
folds the search string the same way. Kept literal (no model or package imports), like 0001.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows rewritten per statement batch: bounded memory on a store of millions of storylines.
BATCH = 1_000


def _fold(name: str) -> str:
    # Must stay equal to visitrack.filters.fold_name (tests/test_filters.py compares them).
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare).casefold()


def _refold(casefold: bool) -> None:
    conn = op.get_bind()
    storylines = sa.table(
        "storylines", sa.column("id"), sa.column("visitor_name"), sa.column("visitor_search")
    )
    names = sa.table("visitor_names", sa.column("name_search"))
    rows = conn.execute(sa.select(storylines.c.id, storylines.c.visitor_name)).all()
    update = (
        sa.update(storylines)
        .where(storylines.c.id == sa.bindparam("sid"))
        .values(visitor_search=sa.bindparam("folded"))
    )
    folded: set[str] = set()
    for start in range(0, len(rows), BATCH):
        params = []
        for sid, name in rows[start : start + BATCH]:
            value = (name or "").casefold() if casefold else _fold(name or "")
            folded.add(value)
            params.append({"sid": sid, "folded": value})
        conn.execute(update, params)
    conn.execute(sa.delete(names))
    ordered = sorted(folded)
    for start in range(0, len(ordered), BATCH):
        conn.execute(sa.insert(names), [{"name_search": n} for n in ordered[start : start + BATCH]])


def upgrade() -> None:
    _refold(casefold=False)


def downgrade() -> None:
    _refold(casefold=True)
