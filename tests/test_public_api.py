"""The public surface: ``visitrack.__all__`` and :func:`visitrack.extract_visits`."""

from __future__ import annotations

from datetime import date

import pytest

import visitrack
from visitrack.records import Visit

TEXT = (
    "date 2024-05-14\n\n"
    "Russian President Vladimir Putin will visit China on May 16-17 at the invitation of "
    "Chinese President Xi Jinping, the Kremlin said.\n"
)


def test_all_is_sorted() -> None:
    assert visitrack.__all__ == sorted(visitrack.__all__)
    assert len(set(visitrack.__all__)) == len(visitrack.__all__)


@pytest.mark.parametrize("name", visitrack.__all__)
def test_all_names_resolve(name: str) -> None:
    assert getattr(visitrack, name) is not None


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError):
        _ = visitrack.no_such_name


def test_extract_visits_returns_records() -> None:
    visits = visitrack.extract_visits(TEXT, doc_id="putin")
    assert visits
    assert all(isinstance(v, Visit) for v in visits)
    v = visits[0]
    assert v.doc_id == "putin"
    assert v.published == date(2024, 5, 14)
    assert v.visitor.name == "Vladimir Putin"
    assert v.destination.country == "CHN"
    assert v.evidence
    ev = v.evidence[0]
    assert ev.text.strip()
    assert 0 <= ev.start < ev.end


def test_extract_visits_published_and_default_id() -> None:
    visits = visitrack.extract_visits(TEXT, published=date(2024, 5, 10))
    assert visits
    assert {v.doc_id for v in visits} == {"text"}
    assert {v.published for v in visits} == {date(2024, 5, 10)}


def test_evidence_offsets_slice_the_cleaned_text() -> None:
    from visitrack.ingest import document_from_text

    result = next(visitrack.run([document_from_text(TEXT, doc_id="putin")]))
    assert result.failure is None
    assert result.document is not None
    assert result.visits
    for v in result.visits:
        for ev in v.evidence:
            assert result.document.text[ev.start : ev.end] == ev.text


def test_extract_visits_without_visits() -> None:
    assert visitrack.extract_visits("The weather was mild and the markets were calm.") == []
