"""Publication-date finding on texts imitating scraped news, plus a gold agreement floor."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from visitrack.pubdate import copyright_year, find_published, parse_date_marker, split_front_matter

SHARED = Path(__file__).parents[2] / "shared"
# Measured 40/40 on shared/gold/{seeds,dev} when written; the floor leaves room for new files.
GOLD_FLOOR = 0.9


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Updated 14 March 2021", date(2021, 3, 14)),
        ("11 Nov, 2020 08:15", date(2020, 11, 11)),
        ("Published: April 7, 2019", date(2019, 4, 7)),
        ("Post By : 3rd June 2023", date(2023, 6, 3)),
        ("*09:30 PM, Friday, July 5, 2024*", date(2024, 7, 5)),
        ("### [2017-05-02](/news/2017/05/02/index.md)", date(2017, 5, 2)),
        ("Posted on 2016-08-09 10:00:01", date(2016, 8, 9)),
    ],
)
def test_marker_lines(line: str, expected: date) -> None:
    assert parse_date_marker(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "The minister arrived in Paris on 12 May 2021 for two days of talks.",
        "Troops crossed the border on Feb. 24, the ministry said.",
        "Summit opens",
        "",
    ],
)
def test_prose_is_not_a_marker(line: str) -> None:
    assert parse_date_marker(line) is None


def test_yearless_marker_needs_a_hint() -> None:
    line = "November 12, 09:05 UTC+3 BEIJING"
    assert parse_date_marker(line) is None
    assert parse_date_marker(line, year_hint=2019) == date(2019, 11, 12)


def test_metadata_wins_over_text() -> None:
    text = "Headline\nUpdated 01 January 2020\nBody sentence here."
    assert find_published(text, metadata={"date": "2021-05-06T10:00:00"}) == date(2021, 5, 6)
    assert find_published(text, metadata={"published": "true"}) == date(2020, 1, 1)


def test_leading_date_header_and_reuters_tag() -> None:
    assert find_published(" date 2021-02-03 menuicon searchicon\nText") == date(2021, 2, 3)
    sgml = '<REUTERS NEWID="1">\n<DATE> 9-APR-1987 12:01:02.33</DATE>\n<BODY>x</BODY>'
    assert find_published(sgml) == date(1987, 4, 9)


def test_front_matter_fields() -> None:
    text = (
        '---\nid: 7\ntitle: "A \\u2019quoted\\_title\\\n  \\ continued"\n'
        "published: true\npost_date: 2015-06-07 08:09:10\n---\nBody text.\n"
    )
    fields, start = split_front_matter(text)
    assert fields["title"] == "A \u2019quoted title continued"
    assert text[start:] == "Body text.\n"
    assert find_published(text) == date(2015, 6, 7)


def test_first_marker_wins_and_body_dates_ignored() -> None:
    text = (
        "Leader plans trip\n\nUpdated 05 May 2019\n\n"
        "The leader said on Feb. 24, 2018 that he would travel.\n\n"
        "Second story\n\nUpdated 09 September 2020\n\nAnother sentence here."
    )
    assert find_published(text) == date(2019, 5, 5)


def test_yearless_stamp_takes_year_from_copyright_or_dateline() -> None:
    page = "Menu\nMarch 03, 10:20 UTC+3\n\nBody sentence.\n\n© Some Agency 2003–2017"
    assert find_published(page) == date(2017, 3, 3)
    wire = "Headline\n\nHANOI, Jan. 4 (Yonhap) -- A minister arrived.\n\n© Yonhap 2024"
    assert find_published(wire) == date(2024, 1, 4)
    assert copyright_year("no notice") is None


def test_no_reliable_date() -> None:
    text = "Minister visits region\n\nThe minister will visit on 5 May, aides said on Monday."
    assert find_published(text) is None


def _gold_rows() -> list[tuple[Path, str | None]]:
    rows: list[tuple[Path, str | None]] = []
    for sub in ("seeds", "dev"):
        folder = SHARED / "gold" / sub
        gold_file = folder / "gold.jsonl"
        if not gold_file.exists():
            continue
        for line in gold_file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            for ext in (".txt", ".html"):
                path = folder / f"{row['doc_id']}{ext}"
                if path.exists():
                    rows.append((path, row.get("published")))
    return rows


@pytest.mark.skipif(not (SHARED / "gold").exists(), reason="shared gold data not available")
def test_gold_agreement() -> None:
    from visitrack.clean import clean
    from visitrack.records import RawDocument

    rows = _gold_rows()
    assert rows
    agree = 0
    for path, expected in rows:
        content = path.read_text(encoding="utf-8", errors="replace")
        doc = clean(RawDocument(path.stem, str(path), content, is_html=path.suffix == ".html"))
        got = doc.published.isoformat() if doc.published else None
        agree += got == expected
    assert agree / len(rows) >= GOLD_FLOOR
