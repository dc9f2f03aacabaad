"""Exports of storylines and mentions, on records written for the tests (no article text)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import icalendar
import pyarrow.parquet as pq

from visitrack import export
from visitrack.records import (
    STAGES,
    Destination,
    Evidence,
    Party,
    Stage,
    StageStep,
    Storyline,
    Visit,
    When,
)

XI = Party("Xi Jinping", "head_of_state", "CHN")
PUTIN = Party("Vladimir Putin", "head_of_state", "RUS")
GUTERRES = Party("António Guterres", "intl_org", None)


def line(
    sid: str,
    stage: Stage,
    when: When | None,
    *,
    visitor: Party = XI,
    dest: str = "RUS",
    city: str | None = "Moscow",
    occasion: str | None = None,
    first: date | None = date(2022, 12, 30),
) -> Storyline:
    return Storyline(
        id=sid,
        visitor=visitor,
        host=PUTIN if dest == "RUS" else None,
        destination=Destination(dest, city),
        kind="state_visit",
        occasion=occasion,
        stage=stage,
        when=when,
        history=(
            StageStep("invited", first, ("000_a", "001_b")),
            StageStep(stage, date(2023, 1, 9), ("002_c",)),
        ),
        doc_ids=("000_a", "001_b", "002_c"),
        mentions=3,
        first_reported=first,
        last_reported=date(2023, 1, 9),
    )


SPRING = When("next spring", date(2023, 3, 1), date(2023, 5, 31))
XI_LINE = line("b3f1c2d4e5f6", "announced", SPRING)


def visit(doc_id: str = "000_a") -> Visit:
    return Visit(
        doc_id=doc_id,
        published=date(2022, 12, 30),
        visitor=XI,
        host=PUTIN,
        destination=Destination("RUS", "Moscow"),
        kind="state_visit",
        occasion=None,
        stage="invited",
        when=SPRING,
        evidence=(Evidence(0, 40, "A sentence\nwritten  for the test."), Evidence(41, 50, "x")),
        confidence=0.8766,
    )


# --- JSONL and CSV -----------------------------------------------------------------------------


def test_storylines_jsonl_round_trips() -> None:
    out = io.StringIO()
    assert export.storylines_jsonl([XI_LINE, XI_LINE], out) == 2
    rows = out.getvalue().splitlines()
    assert len(rows) == 2
    assert Storyline.from_dict(json.loads(rows[0])) == XI_LINE


def test_storylines_csv_flat_columns() -> None:
    out = io.StringIO()
    assert export.storylines_csv([XI_LINE], out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == export.STORYLINE_COLUMNS
    row = rows[0]
    assert row["visitor_name"] == "Xi Jinping"
    assert row["host_country"] == "RUS"
    assert row["occasion"] == ""
    assert row["when_start"] == "2023-03-01"
    assert row["mentions"] == "3"
    assert row["doc_ids"] == "000_a;001_b;002_c"
    assert row["history"] == "invited@2022-12-30;announced@2023-01-09"


def test_mentions_csv_rows() -> None:
    out = io.StringIO()
    assert export.mentions_csv([("b3f1c2d4e5f6", visit())], out) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(row) == export.MENTION_COLUMNS
    assert row["storyline_id"] == "b3f1c2d4e5f6"
    assert row["published"] == "2022-12-30"
    assert row["confidence"] == "0.877"
    assert row["evidence"] == "A sentence written for the test."


# --- Parquet -----------------------------------------------------------------------------------


def test_parquet_round_trip_with_types(tmp_path: Path) -> None:
    path = tmp_path / "lines.parquet"
    undated = line("0123456789ab", "proposed", None, first=None)
    export.write_parquet([XI_LINE, undated], [("b3f1c2d4e5f6", visit())], path)
    lines = pq.read_table(path)
    assert lines.column_names == list(export.STORYLINE_COLUMNS)
    assert str(lines.schema.field("when_start").type) == "date32[day]"
    assert str(lines.schema.field("mentions").type) == "int32"
    first, second = lines.to_pylist()
    assert first["when_start"] == date(2023, 3, 1)
    assert first["doc_ids"] == ["000_a", "001_b", "002_c"]
    assert first["history"][0] == {
        "stage": "invited",
        "first_reported": date(2022, 12, 30),
        "doc_ids": ["000_a", "001_b"],
    }
    assert second["when_start"] is None and second["first_reported"] is None

    mentions = pq.read_table(tmp_path / "lines.mentions.parquet")
    assert mentions.column_names == list(export.MENTION_COLUMNS)
    assert str(mentions.schema.field("published").type) == "date32[day]"
    [m] = mentions.to_pylist()
    assert m["published"] == date(2022, 12, 30)
    assert m["confidence"] == 0.8766
    assert m["evidence"] == "A sentence written for the test."


def test_parquet_empty_tables(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    export.write_parquet([], [], path)
    assert pq.read_table(path).num_rows == 0
    assert pq.read_table(export.mentions_path(path)).num_rows == 0


# --- iCalendar ---------------------------------------------------------------------------------


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def test_ics_feed_events_and_format() -> None:
    long_occasion = "Victory Day parade; 80th anniversary, with guests \\ friends " + "é" * 60
    storylines = [
        line("b3f1c2d4e5f6", "announced", SPRING, occasion=long_occasion),
        line("0000000000aa", "completed", SPRING),  # done: no event
        line("0000000000bb", "invited", None),  # no window: no event
        line("0000000000cc", "proposed", When("2023", None, None)),  # undated window: no event
        line(
            "0000000000dd",
            "ongoing",
            When("today", date(2023, 3, 21), None),
            visitor=GUTERRES,
            dest="UKR",
            city=None,
        ),
    ]
    out = io.StringIO()
    assert export.ics_feed(storylines, out, today=date(2025, 3, 3)) == 2
    text = out.getvalue()
    assert text.endswith("END:VCALENDAR\r\n")
    raw = text.split("\r\n")[:-1]
    assert "\n" not in "".join(raw) and "\r" not in "".join(raw)
    assert all(len(r.encode("utf-8")) <= export.ICS_LINE_OCTETS for r in raw)
    assert any(r.startswith(" ") for r in raw)  # the long description was folded

    lines = _unfold(text)[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert "UID:b3f1c2d4e5f6@visitrack" in lines
    assert "DTSTAMP:20250303T000000Z" in lines
    assert "DTSTART;VALUE=DATE:20230301" in lines
    # A three-month window: a one-day marker on its first day, not a three-month event.
    assert "DTEND;VALUE=DATE:20230302" in lines
    assert "DTSTART;VALUE=DATE:20230321" in lines
    assert "DTEND;VALUE=DATE:20230322" in lines
    summaries = [_unescape(x.split(":", 1)[1]) for x in lines if x.startswith("SUMMARY:")]
    assert summaries == [
        "Xi Jinping (CHN) to Moscow, RUS — announced",
        "António Guterres to UKR — ongoing",
    ]
    [desc] = [x for x in lines if x.startswith("DESCRIPTION:") and "Victory" in x]
    assert "Victory Day parade\\; 80th anniversary\\, with guests \\\\ friends" in desc
    assert "\\n" in desc
    described = _unescape(desc.split(":", 1)[1]).split("\n")
    assert described[0].startswith("Window: 2023-03-01..2023-05-31 (92 days)")
    assert described[1] == f"Occasion: {long_occasion}"
    assert "Sources: 000_a, 001_b, 002_c" in described


def test_ics_fold_keeps_utf8_characters_whole() -> None:
    folded = export._ics_fold("SUMMARY:" + "é" * 100)
    parts = folded.split("\r\n")[:-1]
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == "SUMMARY:" + "é" * 100


def test_ics_empty_feed_is_still_a_calendar() -> None:
    out = io.StringIO()
    assert export.ics_feed([], out, today=date(2025, 1, 1)) == 0
    assert out.getvalue().startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")


# --- panel -------------------------------------------------------------------------------------


def test_dyad_year_panel_counts() -> None:
    storylines = [
        line("1", "announced", SPRING),
        line("2", "completed", When("in May", date(2023, 5, 1), date(2023, 5, 31))),
        line("3", "proposed", None, first=date(2024, 2, 1)),
        line("4", "invited", None, first=None),
        line("5", "announced", SPRING, visitor=GUTERRES, dest="UKR"),
        line("6", "announced", SPRING, dest="KAZ"),
    ]
    rows = export.dyad_year_panel(storylines)
    # Balanced: every observed dyad in every year from the first to the last, zeros filled;
    # the undated storyline is left out; the international body has the code XIO.
    assert [(r["visitor_country"], r["destination_country"], r["year"]) for r in rows] == [
        ("CHN", "KAZ", 2023),
        ("CHN", "KAZ", 2024),
        ("CHN", "RUS", 2023),
        ("CHN", "RUS", 2024),
        ("XIO", "UKR", 2023),
        ("XIO", "UKR", 2024),
    ]
    assert all(isinstance(r["year"], int) for r in rows)
    assert rows[1]["total"] == 0 and rows[5]["total"] == 0
    assert rows[3]["proposed"] == 1 and rows[3]["total"] == 1
    chn_rus = rows[2]
    assert chn_rus["announced"] == 1 and chn_rus["completed"] == 1 and chn_rus["total"] == 2
    assert chn_rus["cancelled"] == 0
    assert all(set(r) == set(export.PANEL_COLUMNS) for r in rows)
    assert all(r["total"] == sum(r[s] for s in STAGES) for r in rows)  # type: ignore[misc]

    out = io.StringIO()
    assert export.panel_csv(rows, out) == 6
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(parsed[0]) == export.PANEL_COLUMNS
    assert parsed[-1]["visitor_country"] == "XIO"
    assert all(r["year"].isdigit() for r in parsed)
    assert parsed[2]["total"] == "2"
    assert export.dyad_year_panel([line("4", "invited", None, first=None)]) == []


# --- #14: calendars that read right, panels that load, sources, the feed ----------------------


def _calendar(storylines: list[Storyline], **kwargs: object) -> dict[str, Any]:
    """The events of an exported calendar as the `icalendar` library reads them, by UID."""
    out = io.StringIO()
    export.ics_feed(storylines, out, today=date(2025, 3, 3), **kwargs)  # type: ignore[arg-type]
    calendar = icalendar.Calendar.from_ical(out.getvalue())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_ics_spans_only_day_and_week_windows() -> None:
    week = When("next week", date(2023, 3, 6), date(2023, 3, 12))
    day = When("on 21 March", date(2023, 3, 21), date(2023, 3, 21))
    month = When("in June", date(2023, 6, 1), date(2023, 6, 30))
    year = When("in 2024", date(2024, 1, 1), date(2024, 12, 31))
    events = _calendar(
        [
            line("week", "announced", week),
            line("day", "announced", day),
            line("month", "announced", month),
            line("year", "proposed", year),
        ]
    )
    spans = {
        uid.split("@")[0]: (e.decoded("DTSTART"), e.decoded("DTEND")) for uid, e in events.items()
    }
    assert spans == {
        "week": (date(2023, 3, 6), date(2023, 3, 13)),
        "day": (date(2023, 3, 21), date(2023, 3, 22)),
        "month": (date(2023, 6, 1), date(2023, 6, 2)),
        "year": (date(2024, 1, 1), date(2024, 1, 2)),
    }
    assert "Window: 2024-01-01..2024-12-31 (366 days)" in str(
        events["year@visitrack"]["DESCRIPTION"]
    )
    assert "Window:" not in str(events["week@visitrack"]["DESCRIPTION"])


def test_ics_location_url_and_status() -> None:
    june = When("in June", date(2023, 6, 1), date(2023, 6, 3))
    events = _calendar(
        [
            line("live", "announced", june),
            line("off", "cancelled", june),
            line("later", "postponed", june, dest="KAZ", city=None),
            line("done", "completed", june),
        ],
        base_url="http://127.0.0.1:8000/",
    )
    assert set(events) == {"live@visitrack", "off@visitrack", "later@visitrack"}
    live, off, later = (events[f"{k}@visitrack"] for k in ("live", "off", "later"))
    assert str(live["LOCATION"]) == "Moscow, Russia"
    assert str(later["LOCATION"]) == "Kazakhstan"
    assert str(live["URL"]) == "http://127.0.0.1:8000/storyline/live"
    assert (str(live["STATUS"]), str(off["STATUS"]), str(later["STATUS"])) == (
        "CONFIRMED",
        "CANCELLED",
        "TENTATIVE",
    )
    assert str(later["DESCRIPTION"]).startswith("Postponed:")
    assert str(off["DESCRIPTION"]).startswith("Cancelled:")
    assert "URL" not in _calendar([line("live", "announced", june)])["live@visitrack"]


URLS = {"000_a": "https://news.example/a", "002_c": "https://news.example/c;v=2"}


def _lookup(doc_ids: Sequence[str]) -> dict[str, str]:
    return {d: URLS[d] for d in doc_ids if d in URLS}


def test_exports_carry_source_urls() -> None:
    out = io.StringIO()
    export.storylines_csv([XI_LINE], out, urls=_lookup)
    [row] = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["source_urls"] == "https://news.example/a https://news.example/c;v=2"
    out = io.StringIO()
    export.storylines_jsonl([XI_LINE], out, urls=_lookup)
    assert json.loads(out.getvalue())["source_urls"] == [URLS["000_a"], URLS["002_c"]]
    out = io.StringIO()
    export.mentions_csv([("s1", visit("000_a")), ("s1", visit("001_b"))], out, urls=_lookup)
    assert [r["source_url"] for r in csv.DictReader(io.StringIO(out.getvalue()))] == [
        URLS["000_a"],
        "",
    ]
    out = io.StringIO()
    export.mentions_jsonl([("s1", visit("000_a"))], out, urls=_lookup)
    assert json.loads(out.getvalue())["source_url"] == URLS["000_a"]
    out = io.StringIO()
    export.storylines_csv([XI_LINE], out)  # no lookup: an empty column, same header
    [row] = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["source_urls"] == ""


ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed_is_valid_newest_first_and_bounded() -> None:
    older = line("older", "announced", SPRING, first=date(2022, 11, 1))
    odd = replace(
        line("odd", "proposed", None, first=date(2023, 2, 1)),
        visitor=Party("Name \x01with <tags> & a control", "minister", "FRA"),
        history=(StageStep("proposed", date(2023, 2, 1), ("x",)),),
    )
    out = io.StringIO()
    n = export.atom_feed(
        [older, odd, XI_LINE],
        out,
        base_url="http://127.0.0.1:8000/",
        self_url="http://127.0.0.1:8000/api/feed.atom",
        limit=4,
    )
    assert n == 4
    root = ElementTree.fromstring(out.getvalue())
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    days = [e.findtext(f"{ATOM}updated") for e in entries]
    assert days == sorted(days, reverse=True) and days[0] == "2023-02-01T00:00:00Z"
    assert root.findtext(f"{ATOM}updated") == days[0]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 4 and all(i and i.startswith("urn:uuid:") for i in ids)
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert "<tags> & a control" in titles[0] and "\x01" not in titles[0]
    assert titles[1] == "Xi Jinping (CHN) to Moscow, Russia: invited → announced"
    links = [e.find(f"{ATOM}link") for e in entries]
    assert links[0] is not None and links[0].get("href") == "http://127.0.0.1:8000/storyline/odd"
    # The oldest step (older's invitation on 2022-11-01) fell past the bound.
    assert all("2022-11-01" not in (d or "") for d in days)
