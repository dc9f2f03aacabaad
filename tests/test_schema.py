"""The visit-record JSON Schema: real pipeline output validates, broken records are named.

The hand-made record below is written for the test (it follows the spec's example shape).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from visitrack.ingest import read_inputs
from visitrack.pipeline import run
from visitrack.records import KINDS, ROLES, STAGES, RawDocument, Visit
from visitrack.schema import SCHEMA_PATH, load_schema, validate_record

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "visitrack" / "examples"

VALID: dict[str, Any] = {
    "doc_id": "written-1",
    "published": "2025-03-03",
    "visitor": {"name": "Ana Example", "role": "head_of_state", "country": "FRA"},
    "host": None,
    "destination": {"country": "JPN", "city": "Tokyo"},
    "kind": "state_visit",
    "occasion": None,
    "stage": "announced",
    "when": {"text": "next spring", "start": "2026-03-01", "end": "2026-05-31"},
    "evidence": [{"start": 0, "end": 11, "text": "She will go"}],
    "confidence": 0.9,
}


def _records(paths: list[str]) -> list[dict[str, Any]]:
    docs = [d for d in read_inputs(paths) if isinstance(d, RawDocument)]
    assert docs, f"no documents read from {paths}"
    out: list[dict[str, Any]] = []
    for result in run(docs):
        assert result.failure is None, result.failure
        assert result.document is not None
        for visit in result.visits:
            record = visit.to_dict()
            # What a JSONL consumer sees: the record after a round trip through JSON text.
            out.append(json.loads(json.dumps(record)))
            for ev in visit.evidence:
                assert result.document.text[ev.start : ev.end] == ev.text
    return out


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA_PATH.is_file()
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert load_schema() is schema  # cached


def test_schema_follows_the_record_type() -> None:
    schema = load_schema()
    props = schema["properties"]
    assert set(schema["required"]) == set(props) == set(VALID)
    assert props["stage"]["enum"] == list(STAGES)
    assert props["kind"]["enum"] == list(KINDS)
    assert schema["$defs"]["party"]["properties"]["role"]["enum"] == list(ROLES)
    visit = Visit.from_dict(VALID)
    assert visit.to_dict() == VALID


def test_hand_made_record_is_valid() -> None:
    assert validate_record(copy.deepcopy(VALID)) == []


def test_bundled_examples_validate() -> None:
    records = _records([str(EXAMPLES)])
    assert records, "the examples should yield visits"
    for record in records:
        assert validate_record(record) == [], record


def test_gold_documents_validate(shared: Path) -> None:
    paths = sorted(
        str(p)
        for gold_set in sorted((shared / "gold").iterdir())
        if gold_set.is_dir()
        for p in gold_set.iterdir()
        if p.is_file() and p.name != "gold.jsonl"
    )
    records = _records(paths)
    assert records
    for record in records:
        assert validate_record(record) == [], record


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(record: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = record
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return apply


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda record: record.pop(key)


# (what is broken, how, the field path the message must name)
BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown stage", _set("stage", "rumoured"), "stage"),
    ("unknown kind", _set("kind", "holiday"), "kind"),
    ("unknown visitor role", _set("visitor.role", "king"), "visitor.role"),
    ("unknown host role", _set("host.role", "boss"), "host.role"),
    ("alpha-2 country", _set("destination.country", "FR"), "destination.country"),
    ("lower-case country", _set("visitor.country", "fra"), "visitor.country"),
    ("missing destination", _drop("destination"), "destination"),
    ("missing confidence", _drop("confidence"), "confidence"),
    ("extra top-level field", _set("source", "x"), "source"),
    ("extra visitor field", _set("visitor.title", "President"), "visitor"),
    ("confidence above 1", _set("confidence", 1.5), "confidence"),
    ("confidence negative", _set("confidence", -0.1), "confidence"),
    ("confidence as text", _set("confidence", "high"), "confidence"),
    ("published not ISO", _set("published", "03/03/2025"), "published"),
    ("published impossible", _set("published", "2025-02-30"), "published"),
    ("window start not a date", _set("when.start", "spring"), "when.start"),
    ("window start null", _set("when.start", None), "when.start"),
    ("window backwards", _set("when.start", "2026-06-01"), "when"),
    ("when as a string", _set("when", "next spring"), "when"),
    ("evidence offset as text", _set("evidence.0.start", "0"), "evidence[0].start"),
    ("evidence offset fractional", _set("evidence.0.end", 11.5), "evidence[0].end"),
    ("evidence offset negative", _set("evidence.0.start", -1), "evidence[0].start"),
    ("evidence backwards", _set("evidence.0", {"start": 9, "end": 2, "text": "x"}), "evidence[0]"),
    ("evidence span not its text", _set("evidence.0.end", 12), "evidence[0]"),
    ("no evidence", _set("evidence", []), "evidence"),
    ("empty doc_id", _set("doc_id", ""), "doc_id"),
    ("visitor null", _set("visitor", None), "visitor"),
]


@pytest.mark.parametrize(
    ("how", "field"), [(b[1], b[2]) for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_record_is_rejected_naming_the_field(
    how: Callable[[dict[str, Any]], None], field: str
) -> None:
    record = copy.deepcopy(VALID)
    record["host"] = {"name": "Bo Example", "role": "head_of_government", "country": "JPN"}
    assert validate_record(record) == []
    how(record)
    problems = validate_record(record)
    assert problems, "the broken record was accepted"
    assert any(p.startswith(f"{field}:") or f"'{field}'" in p for p in problems), problems
