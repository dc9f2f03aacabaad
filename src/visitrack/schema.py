"""The visit record's JSON Schema, and a validator that also checks what a schema cannot say.

``schema/visit-record.schema.json`` (draft 2020-12) describes one record exactly as
:meth:`visitrack.records.Visit.to_dict` emits it, following ``shared/spec/visit-record.md``.
:func:`validate_record` applies it with format checking and adds the cross-field invariants:
a time window does not end before it starts, and an evidence span does not end before it
starts and is as long as its text.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

__all__ = ["SCHEMA_PATH", "load_schema", "validate_record"]

SCHEMA_PATH = Path(__file__).resolve().with_name("schema") / "visit-record.schema.json"


@cache
def load_schema() -> dict[str, Any]:
    """The visit-record schema as a dict, read once per process."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_record(obj: dict[str, Any]) -> list[str]:
    """Every way ``obj`` breaks the visit-record contract, one readable line each.

    Args:
        obj: a record as :meth:`~visitrack.records.Visit.to_dict` returns it (or as read back
            from JSONL).

    Returns:
        Problems as ``"<field path>: <what is wrong>"`` (``"visitor.role: 'king' is not one
        of [...]"``), in field order; an empty list when the record is valid.
    """
    errors = sorted(_validator().iter_errors(obj), key=lambda e: e.json_path)
    problems = [f"{_where(e)}: {e.message}" for e in errors]
    if not errors:
        # The invariants read fields the schema has just vouched for.
        problems.extend(_invariants(obj))
    return problems


def _where(error: ValidationError) -> str:
    path = error.json_path.removeprefix("$").removeprefix(".")
    return path or "record"


def _invariants(obj: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    when = obj["when"]
    if when is not None and date.fromisoformat(when["start"]) > date.fromisoformat(when["end"]):
        problems.append(f"when: start {when['start']} is after end {when['end']}")
    for i, ev in enumerate(obj["evidence"]):
        if ev["start"] > ev["end"]:
            problems.append(f"evidence[{i}]: start {ev['start']} is after end {ev['end']}")
        elif ev["end"] - ev["start"] != len(ev["text"]):
            problems.append(
                f"evidence[{i}]: span {ev['start']}..{ev['end']} does not match the length "
                f"of its text ({len(ev['text'])} characters)"
            )
    return problems
