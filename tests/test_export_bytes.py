"""Exports byte for byte (#13): the storyline exports were made cheaper per row, and their
output must not change by a single byte. EXPECTED was written by the code before that work
(commit d6a513b); the records are written for the test (no article text) and reach every
corner of a row: no host, no window, an open window, an undated stage, an unnamed visitor,
non-ASCII text, a cell a spreadsheet would read as a formula, quotes, commas and a line break,
several documents with one URL, a URL holding ``;``."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from visitrack import export
from visitrack.records import Destination, Party, StageStep, Storyline, When
from visitrack.store import open_store
from visitrack.store.db import _storyline_row
from visitrack.store.models import Document

pytest_plugins = ("conftest_pg",)

TODAY = date(2026, 12, 2)
BASE_URL = "http://127.0.0.1:8000"

STORYLINES: tuple[Storyline, ...] = (
    Storyline(
        id="a00000000001",
        visitor=Party("António Guterres", "intl_org", None),
        host=None,
        destination=Destination("NOR", None),
        kind="official_visit",
        occasion=None,
        stage="announced",
        when=None,
        history=(
            StageStep("proposed", None, ("t-doc-1",)),
            StageStep("announced", date(2026, 11, 3), ("t-doc-2", "t-doc-3")),
        ),
        doc_ids=("t-doc-1", "t-doc-2", "t-doc-3"),
        mentions=3,
        first_reported=date(2026, 11, 3),
        last_reported=date(2026, 11, 20),
    ),
    Storyline(
        id="a00000000002",
        visitor=Party('Ken "K" Mori, Jr.', "head_of_government", "JPN"),
        host=Party("Ola Nordmann", "head_of_government", "NOR"),
        destination=Destination("NOR", "Tromsø"),
        kind="state_visit",
        occasion="=SUM(1,2) summit\non the Arctic 🌍",
        stage="ongoing",
        when=When("from 1 December", None, date(2026, 12, 4)),
        history=(StageStep("ongoing", date(2026, 12, 1), ("t-doc-4",)),),
        doc_ids=("t-doc-4",),
        mentions=1,
        first_reported=date(2026, 12, 1),
        last_reported=date(2026, 12, 1),
    ),
    Storyline(
        id="a00000000003",
        visitor=Party(None, "foreign_minister", "CHL"),
        host=None,
        destination=Destination("PRT", "Lisbon"),
        kind="working_visit",
        occasion="+talks; trade",
        stage="postponed",
        when=When("next week", date(2026, 12, 7), date(2026, 12, 13)),
        history=(
            StageStep("announced", date(2026, 11, 28), ("t-doc-5",)),
            StageStep("postponed", date(2026, 11, 30), ("t-doc-6",)),
        ),
        doc_ids=("t-doc-5", "t-doc-6"),
        mentions=2,
        first_reported=date(2026, 11, 28),
        last_reported=date(2026, 11, 30),
    ),
)
# Documents' URLs: t-doc-2 and t-doc-3 are one page; t-doc-1 has only a canonical URL, t-doc-5
# an empty URL and a canonical one, t-doc-6 none at all.
DOCUMENTS: dict[str, tuple[str | None, str | None]] = {
    "t-doc-1": (None, "https://news.example/canonical/1"),
    "t-doc-2": ("https://news.example/a;v=2", None),
    "t-doc-3": ("https://news.example/a;v=2", "https://news.example/other"),
    "t-doc-4": ("https://news.example/tromsø", None),
    "t-doc-5": ("", "https://news.example/c"),
    "t-doc-6": (None, None),
}
URLS: dict[str, str] = {d: u or c for d, (u, c) in DOCUMENTS.items() if u or c}


def _lookup(doc_ids: Sequence[str]) -> Mapping[str, str]:
    return {d: URLS[d] for d in doc_ids if d in URLS}


def _render(fmt: str, storylines: Iterable[Storyline], urls: export.SourceUrls) -> str:
    out = io.StringIO(newline="")
    export.write(fmt, storylines, out, today=TODAY, urls=urls, base_url=BASE_URL)
    return out.getvalue()


EXPECTED: dict[str, str] = {
    "csv": (
        "id,visitor_name,visitor_role,visitor_country,host_name,host_"
        "country,destination_country,destination_city,kind,occasion,s"
        "tage,when_text,when_start,when_end,first_reported,last_repor"
        "ted,mentions,doc_ids,source_urls,history\r\na00000000001,Antón"
        "io Guterres,intl_org,,,,NOR,,official_visit,,announced,,,,20"
        "26-11-03,2026-11-20,3,t-doc-1;t-doc-2;t-doc-3,https://news.e"
        "xample/canonical/1 https://news.example/a;v=2,proposed@;anno"
        'unced@2026-11-03\r\na00000000002,"Ken ""K"" Mori, Jr.",head_of'
        "_government,JPN,Ola Nordmann,NOR,NOR,Tromsø,state_visit,\"'=S"
        'UM(1,2) summit\non the Arctic 🌍",ongoing,from 1 December,,202'
        "6-12-04,2026-12-01,2026-12-01,1,t-doc-4,https://news.example"
        "/tromsø,ongoing@2026-12-01\r\na00000000003,,foreign_minister,C"
        "HL,,,PRT,Lisbon,working_visit,'+talks; trade,postponed,next "
        "week,2026-12-07,2026-12-13,2026-11-28,2026-11-30,2,t-doc-5;t"
        "-doc-6,https://news.example/c,announced@2026-11-28;postponed"
        "@2026-11-30\r\n"
    ),
    "jsonl": (
        '{"id": "a00000000001", "visitor": {"name": "António Guterres'
        '", "role": "intl_org", "country": null}, "host": null, "dest'
        'ination": {"country": "NOR", "city": null}, "kind": "officia'
        'l_visit", "occasion": null, "stage": "announced", "when": nu'
        'll, "history": [{"stage": "proposed", "first_reported": null'
        ', "doc_ids": ["t-doc-1"], "placed_by": "stage"}, {"stage": "'
        'announced", "first_reported": "2026-11-03", "doc_ids": ["t-d'
        'oc-2", "t-doc-3"]}], "doc_ids": ["t-doc-1", "t-doc-2", "t-do'
        'c-3"], "mentions": 3, "first_reported": "2026-11-03", "last_'
        'reported": "2026-11-20", "source_urls": ["https://news.examp'
        'le/canonical/1", "https://news.example/a;v=2"]}\n{"id": "a000'
        '00000002", "visitor": {"name": "Ken \\"K\\" Mori, Jr.", "role"'
        ': "head_of_government", "country": "JPN"}, "host": {"name": '
        '"Ola Nordmann", "role": "head_of_government", "country": "NO'
        'R"}, "destination": {"country": "NOR", "city": "Tromsø"}, "k'
        'ind": "state_visit", "occasion": "=SUM(1,2) summit\\non the A'
        'rctic 🌍", "stage": "ongoing", "when": {"text": "from 1 Decem'
        'ber", "start": null, "end": "2026-12-04"}, "history": [{"sta'
        'ge": "ongoing", "first_reported": "2026-12-01", "doc_ids": ['
        '"t-doc-4"]}], "doc_ids": ["t-doc-4"], "mentions": 1, "first_'
        'reported": "2026-12-01", "last_reported": "2026-12-01", "sou'
        'rce_urls": ["https://news.example/tromsø"]}\n{"id": "a0000000'
        '0003", "visitor": {"name": null, "role": "foreign_minister",'
        ' "country": "CHL"}, "host": null, "destination": {"country":'
        ' "PRT", "city": "Lisbon"}, "kind": "working_visit", "occasio'
        'n": "+talks; trade", "stage": "postponed", "when": {"text": '
        '"next week", "start": "2026-12-07", "end": "2026-12-13"}, "h'
        'istory": [{"stage": "announced", "first_reported": "2026-11-'
        '28", "doc_ids": ["t-doc-5"]}, {"stage": "postponed", "first_'
        'reported": "2026-11-30", "doc_ids": ["t-doc-6"]}], "doc_ids"'
        ': ["t-doc-5", "t-doc-6"], "mentions": 2, "first_reported": "'
        '2026-11-28", "last_reported": "2026-11-30", "source_urls": ['
        '"https://news.example/c"]}\n'
    ),
    "ics": (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//visitrack//visit sto"
        "rylines//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVEN"
        "T\r\nUID:a00000000003@visitrack\r\nDTSTAMP:20261202T000000Z\r\nDTS"
        "TART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261214\r\nSUMMARY"
        ":foreign minister (CHL) to Lisbon\\, PRT — postponed\r\nLOCATIO"
        "N:Lisbon\\, Portugal\r\nDESCRIPTION:Postponed: the visit was pu"
        "t off\\; the dates below are the ones\r\n  it had\\, and no new "
        "date has been reported.\\nOccasion: +talks\\; trade\\nDa\r\n tes "
        "as reported: next week\\nHistory: announced@2026-11-28\\, post"
        "poned@2026\r\n -11-30\\nSources: t-doc-5\\, t-doc-6\r\nSTATUS:TENT"
        "ATIVE\r\nTRANSP:TRANSPARENT\r\nURL:http://127.0.0.1:8000/storyli"
        "ne/a00000000003\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ),
    "panel": (
        "visitor_country,destination_country,year,proposed,invited,in"
        "_preparation,announced,ongoing,completed,postponed,cancelled"
        ",total\r\nCHL,PRT,2026,0,0,0,0,0,0,1,0,1\r\nJPN,NOR,2026,0,0,0,0"
        ",1,0,0,0,1\r\nXIO,NOR,2026,0,0,0,1,0,0,0,0,1\r\n"
    ),
}


def test_each_format_is_the_same_bytes_as_before() -> None:
    for fmt in export.TEXT_FORMATS:
        assert _render(fmt, STORYLINES, _lookup) == EXPECTED[fmt], fmt


@pytest.fixture(params=("sqlite", "postgresql"))
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bytes.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


def test_through_the_store_the_same_records_and_bytes(store_url: str) -> None:
    with open_store(store_url) as store:
        with Session(store._engine) as session:  # rows below the library, as the store keeps them
            session.add_all(_storyline_row(s, f"key-{s.id}") for s in STORYLINES)
            session.add_all(
                Document(
                    doc_id=doc_id,
                    content_hash="0" * 64,
                    source=f"test:{doc_id}",
                    url=url,
                    canonical_url=canonical,
                    ingested_at=datetime(2026, 12, 1, tzinfo=UTC),
                )
                for doc_id, (url, canonical) in DOCUMENTS.items()
            )
            session.commit()
        read = list(store.stream_storylines(sort="id", descending=False))
        assert read == list(STORYLINES)
        assert store.storylines(sort="id", descending=False) == list(STORYLINES)
        assert store.document_urls(sorted(DOCUMENTS)) == URLS
        for fmt in export.TEXT_FORMATS:
            stream = store.stream_storylines(sort="id", descending=False)
            assert _render(fmt, stream, store.document_urls) == EXPECTED[fmt], fmt
