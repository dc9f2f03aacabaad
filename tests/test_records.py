"""The visit record against its contract, shared/spec/visit-record.md.

The expected keys and values are hard-coded so these tests run anywhere; when ../shared is
present the spec itself is parsed and compared as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from visitrack.records import (
    AHEAD_STAGES,
    ENDED_STAGES,
    KINDS,
    ROLES,
    STAGES,
    Destination,
    Evidence,
    Party,
    Visit,
    When,
    window_text,
)

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "visit-record.md"

TOP_KEYS = [
    "doc_id",
    "published",
    "visitor",
    "host",
    "destination",
    "kind",
    "occasion",
    "stage",
    "when",
    "evidence",
    "confidence",
]
PARTY_KEYS = ["name", "role", "country"]
DESTINATION_KEYS = ["country", "city"]
WHEN_KEYS = ["text", "start", "end"]
EVIDENCE_KEYS = ["start", "end", "text"]
EXPECTED_ROLES = (
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "minister",
    "legislator",
    "royal",
    "diplomat",
    "military",
    "intl_org",
    "other",
)
EXPECTED_KINDS = ("state_visit", "official_visit", "working_visit", "event_attendance", "visit")
EXPECTED_STAGES = (
    "proposed",
    "invited",
    "in_preparation",
    "announced",
    "ongoing",
    "completed",
    "postponed",
    "cancelled",
)


def full_visit() -> Visit:
    """A visit with every optional part filled in."""
    return Visit(
        doc_id="doc-1",
        published=date(2024, 5, 14),
        visitor=Party("Vladimir Putin", "head_of_state", "RUS"),
        host=Party("Xi Jinping", "head_of_state", "CHN"),
        destination=Destination("CHN", "Beijing"),
        kind="state_visit",
        occasion="talks on trade",
        stage="announced",
        when=When("May 16-17", date(2024, 5, 16), date(2024, 5, 17)),
        evidence=(
            Evidence(0, 40, "Putin will visit China on May 16-17."),
            Evidence(41, 70, "The Kremlin said so on Tuesday."),
        ),
        confidence=0.85,
    )


def bare_visit() -> Visit:
    """A visit with every optional part empty."""
    return Visit(
        doc_id="doc-2",
        published=None,
        visitor=Party(None, "intl_org", None),
        host=None,
        destination=Destination("FRA"),
        kind="visit",
        occasion=None,
        stage="proposed",
        when=None,
    )


# --- the spec, parsed ----------------------------------------------------------------------------


def spec_text() -> str:
    if not SPEC.is_file():
        pytest.skip("../shared/spec/visit-record.md not present")
    return SPEC.read_text(encoding="utf-8")


def spec_tables(text: str) -> dict[str, list[tuple[str, str]]]:
    """Every markdown table, keyed by its first header cell: rows of (first cell, second cell)."""
    tables: dict[str, list[tuple[str, str]]] = {}
    rows: list[list[str]] | None = None
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if rows is None:
                rows = [cells]
            elif not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows is not None:
            tables[rows[0][0]] = [(r[0], r[1]) for r in rows[1:]]
            rows = None
    return tables


def field_table(text: str) -> dict[str, str]:
    """The spec's field table: dotted field name -> meaning."""
    return {cell.strip("`"): meaning for cell, meaning in spec_tables(text)["field"]}


def backticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def spec_example(text: str) -> dict[str, Any]:
    match = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert match, "the spec has a JSON example"
    example: dict[str, Any] = json.loads(match.group(1))
    return example


def test_spec_field_table_matches_hard_coded_keys() -> None:
    fields = field_table(spec_text())
    top = list(dict.fromkeys(name.split(".")[0] for name in fields))
    assert top == TOP_KEYS
    assert [n.split(".")[1] for n in fields if n.startswith("visitor.")] == PARTY_KEYS
    assert [n.split(".")[1] for n in fields if n.startswith("destination.")] == DESTINATION_KEYS


def test_spec_allowed_values_match_hard_coded_ones() -> None:
    text = spec_text()
    fields = field_table(text)
    assert tuple(backticked(fields["visitor.role"])) == EXPECTED_ROLES
    assert tuple(backticked(fields["kind"])) == EXPECTED_KINDS
    assert tuple(backticked(fields["stage"])) == EXPECTED_STAGES
    stage_rows = [cell.strip("`") for cell, _ in spec_tables(text)["stage"]]
    assert tuple(stage_rows) == EXPECTED_STAGES


def test_to_dict_keys_match_spec_table() -> None:
    fields = field_table(spec_text())
    top = list(dict.fromkeys(name.split(".")[0] for name in fields))
    d = full_visit().to_dict()
    assert list(d) == top
    for name in fields:
        if "." in name:
            outer, inner = name.split(".")
            assert inner in d[outer], name


def test_to_dict_shape_matches_spec_example() -> None:
    example = spec_example(spec_text())
    d = full_visit().to_dict()
    assert list(d) == list(example)
    for key in ("visitor", "host", "destination", "when"):
        assert list(d[key]) == list(example[key]), key
    assert list(d["evidence"][0]) == list(example["evidence"][0])
    # The example is itself a valid record.
    assert Visit.from_dict(example).to_dict() == example


# --- without the spec ---------------------------------------------------------------------------


def test_to_dict_keys() -> None:
    d = full_visit().to_dict()
    assert list(d) == TOP_KEYS
    assert list(d["visitor"]) == PARTY_KEYS
    assert list(d["host"]) == PARTY_KEYS
    assert list(d["destination"]) == DESTINATION_KEYS
    assert list(d["when"]) == WHEN_KEYS
    assert [list(e) for e in d["evidence"]] == [EVIDENCE_KEYS, EVIDENCE_KEYS]


def test_to_dict_values_are_json_ready() -> None:
    d = full_visit().to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["published"] == "2024-05-14"
    assert d["when"] == {"text": "May 16-17", "start": "2024-05-16", "end": "2024-05-17"}
    assert d["confidence"] == 0.85


def test_empty_parts_serialise_as_null() -> None:
    d = bare_visit().to_dict()
    assert list(d) == TOP_KEYS
    assert d["published"] is None
    assert d["host"] is None
    assert d["when"] is None
    assert d["occasion"] is None
    assert d["visitor"] == {"name": None, "role": "intl_org", "country": None}
    assert d["destination"] == {"country": "FRA", "city": None}
    assert d["evidence"] == []


@pytest.mark.parametrize("visit", [full_visit(), bare_visit()], ids=["full", "bare"])
def test_round_trip(visit: Visit) -> None:
    assert Visit.from_dict(visit.to_dict()) == visit
    # Through JSON text too, as a reader of the JSONL output would.
    assert Visit.from_dict(json.loads(json.dumps(visit.to_dict()))) == visit


def test_round_trip_open_window() -> None:
    visit = replace(full_visit(), when=When("later this year", None, date(2024, 12, 31)))
    assert Visit.from_dict(visit.to_dict()) == visit


def test_confidence_rounded_to_three_places() -> None:
    d = replace(full_visit(), confidence=2 / 3).to_dict()
    assert d["confidence"] == 0.667


def test_allowed_values() -> None:
    assert STAGES == EXPECTED_STAGES
    assert ROLES == EXPECTED_ROLES
    assert KINDS == EXPECTED_KINDS


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (None, ""),
        (When("some time", None, None), ""),
        (When("on 1 May", date(2024, 5, 1), date(2024, 5, 1)), "2024-05-01"),
        (When("1-3 May", date(2024, 5, 1), date(2024, 5, 3)), "2024-05-01..2024-05-03"),
        (When("later this year", None, date(2024, 12, 31)), "?..2024-12-31"),
        (When("from May", date(2024, 5, 1), None), "2024-05-01..?"),
    ],
)
def test_window_text(when: When | None, text: str) -> None:
    assert window_text(when) == text


def test_stage_groups() -> None:
    """Ahead, ended and postponed: every stage in exactly one group, in the order of a trip's
    life; the calendar export and the storyline linker use the groups, not copies of them."""
    from visitrack import export

    assert set(AHEAD_STAGES).isdisjoint(ENDED_STAGES)
    assert sorted((*AHEAD_STAGES, *ENDED_STAGES, "postponed")) == sorted(STAGES)
    assert [s for s in STAGES if s in AHEAD_STAGES] == list(AHEAD_STAGES)
    # the calendar: what is ahead, and what was put off or called off (marked as such)
    assert (*AHEAD_STAGES, "postponed", "cancelled") == export.ICS_STAGES
