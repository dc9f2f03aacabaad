"""What a stored string may hold: one set of rules for every way a document gets in.

The readers (and so ``visitrack ingest`` and ``POST /api/documents``) and the store check the
same fields the same way, so a row is refused with the same words wherever it arrives, and a
string that one database would take and the other refuse (PostgreSQL has no NUL in text) is
refused by both before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_ID_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "RULES",
    "FieldRule",
    "field_problem",
    "neutral_cell",
]

# The store's id column is VARCHAR(255) (store.models.ID_LENGTH is this constant).
MAX_ID_CHARS = 255
# Longer than any real headline or address, short enough that a title is not a second text.
MAX_TITLE_CHARS = 2_000
MAX_URL_CHARS = 8_192

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls, DEL and C1 controls: never part of an id, title or address, and some of them
# (NUL) cannot be stored at all. Article text keeps its layout characters (tab, newlines, form
# feed); the cleaner deals with the rest.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_TEXT_FORBIDDEN = re.compile("[\x00]")


@dataclass(frozen=True)
class FieldRule:
    """What one field may hold: the longest length (``None``: the reader's byte limit) and
    whether control characters other than NUL are allowed."""

    max_chars: int | None
    controls: bool


RULES: dict[str, FieldRule] = {
    "id": FieldRule(MAX_ID_CHARS, controls=False),
    "url": FieldRule(MAX_URL_CHARS, controls=False),
    "title": FieldRule(MAX_TITLE_CHARS, controls=False),
    "text": FieldRule(None, controls=True),
    "html": FieldRule(None, controls=True),
}


def field_problem(name: str, value: str) -> str | None:
    """Why ``value`` cannot be stored as the field ``name`` (a key of :data:`RULES`), or
    ``None`` when it can. The reason names the field, the character and where it is."""
    rule = RULES[name]
    surrogate = _SURROGATE.search(value)
    if surrogate is not None:
        return (
            f"'{name}' holds a lone surrogate (U+{ord(surrogate.group()):04X}) at character "
            f"{surrogate.start() + 1}: half of a UTF-16 pair is not text; send valid Unicode"
        )
    bad = (_TEXT_FORBIDDEN if rule.controls else _CONTROL).search(value)
    if bad is not None:
        what = "NUL" if bad.group() == "\x00" else "control"
        return (
            f"'{name}' holds a {what} character (U+{ord(bad.group()):04X}) at character "
            f"{bad.start() + 1}; remove it"
        )
    if rule.max_chars is not None and len(value) > rule.max_chars:
        return f"'{name}' must be at most {rule.max_chars:,} characters, got {len(value):,}"
    return None


# A spreadsheet reads a cell that starts with one of these as a formula (or, for a tab or a
# carriage return, shifts it into one): "=HYPERLINK(...)" from a submitted id would run there.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs: a leading formula character gets a ``'``
    before it (OWASP's advice), which spreadsheets show as text and do not evaluate."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value
