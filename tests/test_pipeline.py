"""``visitrack.pipeline.run`` end to end on a few made-up documents."""

from __future__ import annotations

from datetime import date
from typing import cast

import pytest

from visitrack.errors import ResourceError
from visitrack.pipeline import _failure, extract_visits, run
from visitrack.records import DocumentResult, RawDocument

PUBLISHED = date(2031, 5, 20)
FERREIRA = "Chilean President Ana Ferreira will visit Peru on June 4, 2031."
OLSEN = "Norwegian Foreign Minister Erik Olsen visited Ecuador on Monday."

TWO_STORIES = """Short Url
Updated 12 January 2031
Follow

Chilean president to travel to Peru

SANTIAGO: Chilean President Ana Ferreira said on Friday she would travel to Lima next week \
for talks on trade.

Officials said the agenda was still being drafted with the Peruvian side.


Norwegian minister ends visit to Ecuador

Updated 03 March 2031
Follow

Norwegian minister ends visit to Ecuador

QUITO: Norwegian Foreign Minister Erik Olsen visited Quito on Sunday and met the country's \
foreign minister.
He spoke about fisheries and climate research with his hosts."""


def _doc(doc_id: str, content: str, published: date | None = PUBLISHED) -> RawDocument:
    return RawDocument(doc_id, f"<{doc_id}>", content, published=published)


@pytest.fixture(scope="module")
def results() -> list[DocumentResult]:
    docs = [
        _doc("first", FERREIRA),
        # content that is not text breaks the clean stage: a real bad input, not a patched one
        _doc("broken", cast("str", None)),
        _doc("empty", ""),
        _doc("last", OLSEN, date(2031, 5, 21)),
    ]
    return list(run(docs))


def test_results_in_input_order(results: list[DocumentResult]) -> None:
    assert [r.raw.doc_id for r in results] == ["first", "broken", "empty", "last"]


def test_visits_of_each_document(results: list[DocumentResult]) -> None:
    first, _, empty, last = results
    assert [(v.visitor.name, v.destination.country, v.stage) for v in first.visits] == [
        ("Ana Ferreira", "PER", "announced")
    ]
    assert first.visits[0].when is not None and first.visits[0].when.start == date(2031, 6, 4)
    assert empty.failure is None and empty.visits == ()
    assert [(v.visitor.name, v.destination.country, v.stage) for v in last.visits] == [
        ("Erik Olsen", "ECU", "completed")
    ]
    assert last.visits[0].published == date(2031, 5, 21)


def test_failing_document_becomes_a_failure_result(results: list[DocumentResult]) -> None:
    broken = results[1]
    assert broken.failure is not None
    assert broken.document is None and broken.visits == ()
    assert broken.failure.source == "<broken>"
    assert broken.failure.stage == "clean"
    assert broken.failure.reason.startswith("internal error in the clean stage (")
    assert all(r.failure is None for r in results if r is not broken)


def test_failure_formatting() -> None:
    raw = _doc("x", "text")
    planned = _failure(raw, "extract", ResourceError("the gazetteer is missing"))
    assert planned.failure is not None
    assert (planned.failure.reason, planned.failure.stage) == (
        "the gazetteer is missing",
        "extract",
    )
    crash = _failure(raw, "clean", KeyError("k"))
    assert crash.failure is not None
    assert crash.failure.reason == (
        "internal error in the clean stage (KeyError: 'k'); please report it with this document"
    )
    assert crash.visits == () and crash.document is None


def test_stories_get_their_own_published_dates() -> None:
    (result,) = run([_doc("page", TWO_STORIES, None)])
    assert result.failure is None and result.document is not None
    assert [s.published for s in result.document.stories] == [
        date(2031, 1, 12),
        date(2031, 3, 3),
    ]
    got = {(v.visitor.name, v.destination.country): v for v in result.visits}
    assert set(got) == {("Ana Ferreira", "PER"), ("Erik Olsen", "ECU")}
    assert got["Ana Ferreira", "PER"].published == date(2031, 1, 12)
    assert got["Ana Ferreira", "PER"].stage == "announced"
    assert got["Erik Olsen", "ECU"].published == date(2031, 3, 3)


def test_extract_visits_equals_run() -> None:
    visits = extract_visits(OLSEN, published=PUBLISHED)
    (result,) = run([RawDocument("text", "<text>", OLSEN, published=PUBLISHED)])
    assert [v.to_dict() for v in visits] == [v.to_dict() for v in result.visits]
    assert visits and all(v.doc_id == "text" for v in visits)
