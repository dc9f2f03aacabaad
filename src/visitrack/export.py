"""Export stage: storylines and their mentions as tables, feeds and a dyad-year panel.

Every writer takes already-linked records and an open text stream (or a path for Parquet), and
returns how many records it wrote. Nothing here reads the store or decides what to export.

Text writers emit exactly the bytes their format asks for: CSV rows end in CRLF (RFC 4180, the
:mod:`csv` default) and iCalendar lines end in CRLF (RFC 5545), so files should be opened with
``newline=""`` to keep the platform from translating line endings.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import queue
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO, TypeVar, cast
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from visitrack.fields import neutral_cell
from visitrack.filters import INTERNATIONAL, country_name
from visitrack.records import (
    AHEAD_STAGES,
    STAGES,
    Party,
    Stage,
    Storyline,
    Visit,
    When,
    window_text,
)

__all__ = [
    "EXPORT_CHUNKS_AHEAD",
    "EXPORT_CHUNK_CHARS",
    "FEED_ENTRIES",
    "ICS_STAGES",
    "MENTION_COLUMNS",
    "PANEL_COLUMNS",
    "STORYLINE_COLUMNS",
    "TEXT_FORMATS",
    "ExportStream",
    "SourceUrls",
    "atom_feed",
    "dyad_year_panel",
    "feed_entries",
    "ics_feed",
    "mentions_csv",
    "mentions_jsonl",
    "mentions_path",
    "panel_csv",
    "storylines_csv",
    "storylines_jsonl",
    "write",
    "write_parquet",
]

# who, where, what, when: the columns storylines and mentions share, in this order
_VISIT_COLUMNS: tuple[str, ...] = (
    "visitor_name",
    "visitor_role",
    "visitor_country",
    "host_name",
    "host_country",
    "destination_country",
    "destination_city",
    "kind",
    "occasion",
    "stage",
    "when_text",
    "when_start",
    "when_end",
)
STORYLINE_COLUMNS: tuple[str, ...] = (
    "id",
    *_VISIT_COLUMNS,
    "first_reported",
    "last_reported",
    "mentions",
    "doc_ids",
    "source_urls",
    "history",
)
MENTION_COLUMNS: tuple[str, ...] = (
    "storyline_id",
    "doc_id",
    "published",
    "source_url",
    *_VISIT_COLUMNS,
    "confidence",
    "evidence",
)
# The panel's international bodies have no visitor state: their visitor_country is
# filters.INTERNATIONAL ("XIO"), a code from ISO 3166's user-assigned range, so the column
# holds one three-letter string type and no blank that a data frame would read as missing.
PANEL_COLUMNS: tuple[str, ...] = (
    "visitor_country",
    "destination_country",
    "year",
    *STAGES,
    "total",
)
# Stages worth a calendar entry: the trip is still ahead or under way, or it was put off or
# called off (kept, marked TENTATIVE or CANCELLED, so a subscribed calendar updates the entry
# instead of losing it). Completed trips are history, not calendar entries.
ICS_STAGES: tuple[Stage, ...] = (*AHEAD_STAGES, "postponed", "cancelled")
# The longest window shown as an all-day event spanning it: a day or a week ("next week").
# A longer one (a month, a season, a year) is a one-day marker on its first day instead, so a
# calendar is not covered by a visit "in 2026" that takes at most a few days of it.
ICS_SPAN_DAYS = 7
# Entries the Atom feed holds at most: a reader polls it; a feed of the whole store would be
# an export.
FEED_ENTRIES = 200
# Storylines per source-URL lookup while exporting: one query per this many rows.
URL_BATCH = 500
# RFC 5545 §3.1: content lines are folded at 75 octets, continuation lines start with a space.
ICS_LINE_OCTETS = 75
ICS_PRODID = "-//visitrack//visit storylines//EN"

_Cell = str | int | float | None
_T = TypeVar("_T")
# Looks up the URL of each stored document id given (ids without one are left out).
SourceUrls = Callable[[Sequence[str]], Mapping[str, str]]
# Characters XML 1.0 cannot hold even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# --- flat rows ---------------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _party(prefix: str, p: Party | None, *, role: bool) -> dict[str, _Cell]:
    row: dict[str, _Cell] = {f"{prefix}_name": p.name if p else None}
    if role:
        row[f"{prefix}_role"] = p.role if p else None
    row[f"{prefix}_country"] = p.country if p else None
    return row


def _when(w: When | None) -> dict[str, _Cell]:
    return {
        "when_text": w.text if w else None,
        "when_start": _iso(w.start) if w else None,
        "when_end": _iso(w.end) if w else None,
    }


def _history_text(s: Storyline) -> str:
    return ";".join(f"{h.stage}@{_iso(h.first_reported) or ''}" for h in s.history)


def _source_urls(doc_ids: Iterable[str], urls: Mapping[str, str]) -> list[str]:
    return list(dict.fromkeys(urls[d] for d in doc_ids if d in urls))


def _with_urls(
    items: Iterable[_T], doc_ids: Callable[[_T], Iterable[str]], lookup: SourceUrls | None
) -> Iterator[tuple[_T, Mapping[str, str]]]:
    """``items`` each with the source URLs of its documents, looked up ``URL_BATCH`` items at
    a time (one query per batch, constant memory)."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, URL_BATCH)):
        wanted = sorted({d for item in batch for d in doc_ids(item)})
        found = lookup(wanted) if lookup is not None and wanted else {}
        for item in batch:
            yield item, found


def _storyline_cells(s: Storyline, urls: Mapping[str, str] | None = None) -> list[_Cell]:
    """A storyline's cells in :data:`STORYLINE_COLUMNS` order: a list, not a dict of them, for
    the CSV export of every storyline (a third less CPU a row than merging dicts)."""
    visitor, host, when = s.visitor, s.host, s.when
    return [
        s.id,
        visitor.name,
        visitor.role,
        visitor.country,
        host.name if host else None,
        host.country if host else None,
        s.destination.country,
        s.destination.city,
        s.kind,
        s.occasion,
        s.stage,
        when.text if when else None,
        _iso(when.start) if when else None,
        _iso(when.end) if when else None,
        _iso(s.first_reported),
        _iso(s.last_reported),
        s.mentions,
        ";".join(s.doc_ids),
        " ".join(_source_urls(s.doc_ids, urls or {})),
        _history_text(s),
    ]


def _storyline_row(s: Storyline, urls: Mapping[str, str] | None = None) -> dict[str, _Cell]:
    return dict(zip(STORYLINE_COLUMNS, _storyline_cells(s, urls), strict=True))


def _evidence_text(v: Visit) -> str | None:
    # One line per mention: the evidence sentence's own line breaks carry no meaning here.
    return " ".join(v.evidence[0].text.split()) if v.evidence else None


def _mention_row(
    storyline_id: str, v: Visit, urls: Mapping[str, str] | None = None
) -> dict[str, _Cell]:
    return {
        "storyline_id": storyline_id,
        "doc_id": v.doc_id,
        "published": _iso(v.published),
        "source_url": (urls or {}).get(v.doc_id),
        **_party("visitor", v.visitor, role=True),
        **_party("host", v.host, role=False),
        "destination_country": v.destination.country,
        "destination_city": v.destination.city,
        "kind": v.kind,
        "occasion": v.occasion,
        "stage": v.stage,
        **_when(v.when),
        "confidence": round(v.confidence, 3),
        "evidence": _evidence_text(v),
    }


def _write_csv(rows: Iterable[Mapping[str, object]], columns: Sequence[str], out: TextIO) -> int:
    """CSV of ``rows``' ``columns``, as :func:`_write_cells`."""
    return _write_cells(([row.get(c) for c in columns] for row in rows), columns, out)


def _write_cells(rows: Iterable[Sequence[object]], columns: Sequence[str], out: TextIO) -> int:
    """CSV with a header, one row of cells in ``columns`` order a line; ``None`` becomes an
    empty cell, and a text cell a spreadsheet would read as a formula (a submitted id
    ``=HYPERLINK(...)``) is kept as text (:func:`visitrack.fields.neutral_cell`)."""
    writer = csv.writer(out)
    writer.writerow(columns)
    n = 0
    for cells in rows:
        writer.writerow(
            ["" if c is None else neutral_cell(c) if isinstance(c, str) else c for c in cells]
        )
        n += 1
    return n


# --- storylines and mentions -------------------------------------------------------------------

# json.dumps(row, ensure_ascii=False) without a new encoder each line (json.dumps makes one
# whenever an option is given): the same text.
_json_line = json.JSONEncoder(ensure_ascii=False).encode


def _line_ids(s: Storyline) -> Iterable[str]:
    return s.doc_ids


def _mention_ids(pair: tuple[str, Visit]) -> Iterable[str]:
    return (pair[1].doc_id,)


def storylines_jsonl(
    storylines: Iterable[Storyline], out: TextIO, *, urls: SourceUrls | None = None
) -> int:
    """One storyline per line in the contract's JSON shape (``shared/spec/storyline.md``), plus
    ``source_urls``: the URLs of its documents that have one (given ``urls``)."""
    n = 0
    for s, found in _with_urls(storylines, _line_ids, urls):
        row = s.to_dict()
        row["source_urls"] = _source_urls(s.doc_ids, found)
        out.write(_json_line(row) + "\n")
        n += 1
    return n


def mentions_jsonl(
    mentions: Iterable[tuple[str, Visit]], out: TextIO, *, urls: SourceUrls | None = None
) -> int:
    """``(storyline_id, visit)`` pairs, one a line: the visit's JSON with its storyline's id and
    ``source_url``, its document's URL (``null`` when unknown)."""
    n = 0
    for (sid, v), found in _with_urls(mentions, _mention_ids, urls):
        row = {"storyline_id": sid, **v.to_dict(), "source_url": found.get(v.doc_id)}
        out.write(_json_line(row) + "\n")
        n += 1
    return n


def storylines_csv(
    storylines: Iterable[Storyline], out: TextIO, *, urls: SourceUrls | None = None
) -> int:
    """Storylines as flat CSV (:data:`STORYLINE_COLUMNS`).

    ``doc_ids`` are ``;``-joined; ``source_urls`` are the documents' URLs, space-separated (a
    URL may hold ``;`` but never a space); ``history`` is ``stage@YYYY-MM-DD;...`` (an empty
    date when a stage was only reported by undated documents).
    """
    rows = (_storyline_cells(s, found) for s, found in _with_urls(storylines, _line_ids, urls))
    return _write_cells(rows, STORYLINE_COLUMNS, out)


def mentions_csv(
    mentions: Iterable[tuple[str, Visit]], out: TextIO, *, urls: SourceUrls | None = None
) -> int:
    """``(storyline_id, visit)`` pairs as flat CSV (:data:`MENTION_COLUMNS`).

    ``evidence`` is the first supporting sentence, whitespace collapsed to single spaces;
    ``source_url`` the document's URL.
    """
    rows = (
        _mention_row(sid, v, found) for (sid, v), found in _with_urls(mentions, _mention_ids, urls)
    )
    return _write_csv(rows, MENTION_COLUMNS, out)


# --- the one entry point ----------------------------------------------------------------------

# The formats :func:`write` streams as text; Parquet needs a path (:func:`write_parquet`).
TEXT_FORMATS: tuple[str, ...] = ("csv", "jsonl", "ics", "panel")


def write(
    fmt: str,
    storylines: Iterable[Storyline],
    out: TextIO,
    *,
    mentions: Iterable[tuple[str, Visit]] | None = None,
    today: date | None = None,
    urls: SourceUrls | None = None,
    base_url: str | None = None,
) -> int:
    """Write storylines (or, given ``mentions``, mentions) in ``fmt``; the CLI and API share it.

    Args:
        fmt: one of :data:`TEXT_FORMATS`.
        storylines: what to export.
        out: a text stream opened with ``newline=""``.
        mentions: export these ``(storyline_id, visit)`` pairs instead (``csv`` and ``jsonl``
            only; the calendar and the panel are built from storylines).
        today: the iCalendar feed's stamp day (default: today).
        urls: looks up documents' URLs for the ``source_urls``/``source_url`` columns
            (e.g. :meth:`visitrack.store.Store.document_urls`); ``None``: left empty.
        base_url: where the dashboard is served (``http://host:port``): calendar entries link
            to their storyline's page there; ``None``: no link.

    Returns:
        How many records were written.
    """
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(TEXT_FORMATS)}; got {fmt!r}")
    if mentions is not None and fmt == "jsonl":
        return mentions_jsonl(mentions, out, urls=urls)
    if mentions is not None and fmt == "csv":
        return mentions_csv(mentions, out, urls=urls)
    if fmt == "jsonl":
        return storylines_jsonl(storylines, out, urls=urls)
    if fmt == "csv":
        return storylines_csv(storylines, out, urls=urls)
    if fmt == "ics":
        return ics_feed(storylines, out, today=today or date.today(), base_url=base_url)
    return panel_csv(dyad_year_panel(storylines), out)


# --- Parquet -----------------------------------------------------------------------------------


# What one chunk of a streamed export holds, and how many chunks its writer may run ahead of
# the reader: together the memory one export uses, whatever its size.
EXPORT_CHUNK_CHARS = 64 * 1024
EXPORT_CHUNKS_AHEAD = 4
# How often a writer that is ahead checks whether the reader went away.
_PUT_POLL_S = 0.1


class _Stopped(Exception):
    """The reader of an :class:`ExportStream` closed it; the writer stops."""


class _ChunkSink:
    """A text stream that hands :func:`write`'s output on in chunks of UTF-8 bytes."""

    def __init__(self, put: Callable[[bytes], None]) -> None:
        self._put = put
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= EXPORT_CHUNK_CHARS:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._put("".join(self._parts).encode("utf-8"))
            self._parts, self._size = [], 0


def _produce(
    chunks: queue.Queue[bytes | BaseException | None],
    stop: threading.Event,
    fmt: str,
    storylines: Iterable[Storyline],
    today: date | None,
    urls: SourceUrls | None,
    base_url: str | None,
) -> None:
    def put(item: bytes | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=_PUT_POLL_S)
                return
            except queue.Full:
                continue
        raise _Stopped

    sink = _ChunkSink(put)
    try:
        write(fmt, storylines, cast(TextIO, sink), today=today, urls=urls, base_url=base_url)
        sink.flush()
        put(None)
    except _Stopped:
        pass
    except BaseException as exc:  # handed to the reader, who raises it
        with contextlib.suppress(_Stopped):
            put(exc)
    finally:
        close = getattr(storylines, "close", None)
        if callable(close):
            close()  # a lazy reader gives its database connection back here


class ExportStream:
    """:func:`write`'s output as an iterator of byte chunks, in constant memory.

    A thread runs :func:`write` over ``storylines`` (which may be a lazy reader such as
    :meth:`visitrack.store.Store.stream_storylines`) at most ``EXPORT_CHUNKS_AHEAD`` chunks
    ahead of the reader. :meth:`close` (also when the stream is dropped unread) stops the
    writer and calls ``on_close`` once, so a caller can free a slot it took for the export.
    """

    def __init__(
        self,
        fmt: str,
        storylines: Iterable[Storyline],
        *,
        today: date | None = None,
        on_close: Callable[[], None] | None = None,
        urls: SourceUrls | None = None,
        base_url: str | None = None,
    ) -> None:
        if fmt not in TEXT_FORMATS:
            raise ValueError(f"format must be one of {', '.join(TEXT_FORMATS)}; got {fmt!r}")
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(EXPORT_CHUNKS_AHEAD)
        self._stop = threading.Event()
        self._on_close = on_close
        self._close_lock = threading.Lock()
        self._closed = False
        # The writer gets the queue and the flag, not the stream: a stream its reader dropped
        # is then collected, and closing it stops the writer.
        self._thread = threading.Thread(
            target=_produce,
            args=(self._queue, self._stop, fmt, storylines, today, urls, base_url),
            daemon=True,
        )
        self._started = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._closed:
            raise StopIteration
        if not self._started:
            self._started = True
            self._thread.start()
        item = self._queue.get()
        if item is None:
            self.close()
            raise StopIteration
        if isinstance(item, BaseException):
            self.close()
            raise item
        return item

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        if self._on_close is not None:
            self._on_close()

    def __del__(self) -> None:
        self.close()


def mentions_path(path: Path) -> Path:
    """The mentions file written next to a storylines Parquet file: ``<stem>.mentions.parquet``."""
    return path.with_name(f"{path.stem}.mentions.parquet")


def write_parquet(
    storylines: Sequence[Storyline],
    mentions: Sequence[tuple[str, Visit]],
    path: Path,
    *,
    urls: SourceUrls | None = None,
) -> None:
    """Write storylines to ``path`` and mentions to :func:`mentions_path` ``(path)``.

    Columns are typed: dates are ``date32``, ``mentions`` is ``int32``, ``confidence`` is
    ``float64``; ``doc_ids`` is a list of strings and ``history`` a list of
    ``{stage, first_reported, doc_ids}`` structs rather than the CSV's joined text.
    """
    # Imported here: pyarrow is heavy and only this writer needs it.
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = pa.string()
    day = pa.date32()
    step = pa.struct([("stage", text), ("first_reported", day), ("doc_ids", pa.list_(text))])
    # Text unless named here; the column order stays the CSV's.
    typed = {
        "when_start": day,
        "when_end": day,
        "first_reported": day,
        "last_reported": day,
        "published": day,
        "mentions": pa.int32(),
        "confidence": pa.float64(),
        "doc_ids": pa.list_(text),
        "source_urls": pa.list_(text),
        "history": pa.list_(step),
    }
    line_schema = pa.schema([(c, typed.get(c, text)) for c in STORYLINE_COLUMNS])
    mention_schema = pa.schema([(c, typed.get(c, text)) for c in MENTION_COLUMNS])

    wanted = sorted({d for s in storylines for d in s.doc_ids} | {v.doc_id for _, v in mentions})
    found = urls(wanted) if urls is not None and wanted else {}

    def line(s: Storyline) -> dict[str, object]:
        row: dict[str, object] = dict(_storyline_row(s, found))
        row.update(
            when_start=s.when.start if s.when else None,
            when_end=s.when.end if s.when else None,
            first_reported=s.first_reported,
            last_reported=s.last_reported,
            doc_ids=list(s.doc_ids),
            source_urls=_source_urls(s.doc_ids, found),
            history=[
                {"stage": h.stage, "first_reported": h.first_reported, "doc_ids": list(h.doc_ids)}
                for h in s.history
            ],
        )
        return row

    def mention(sid: str, v: Visit) -> dict[str, object]:
        row: dict[str, object] = dict(_mention_row(sid, v, found))
        row.update(
            published=v.published,
            when_start=v.when.start if v.when else None,
            when_end=v.when.end if v.when else None,
            confidence=float(v.confidence),
        )
        return row

    lines = pa.Table.from_pylist([line(s) for s in storylines], schema=line_schema)
    pq.write_table(lines, path)
    rows = pa.Table.from_pylist([mention(sid, v) for sid, v in mentions], schema=mention_schema)
    pq.write_table(rows, mentions_path(path))


# --- iCalendar ---------------------------------------------------------------------------------


def _ics_escape(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT: backslash first, then ``;`` ``,`` and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """Fold a content line at :data:`ICS_LINE_OCTETS` octets, never inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    limit = ICS_LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            # A continuation line's leading space counts toward its 75 octets.
            current, size, limit = " ", 1, ICS_LINE_OCTETS
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out) + "\r\n"


def _who(p: Party) -> str:
    name = p.name or p.role.replace("_", " ")
    return f"{name} ({p.country})" if p.country else name


def _place(s: Storyline) -> str:
    name = country_name(s.destination.country)
    return f"{s.destination.city}, {name}" if s.destination.city else name


def _event(s: Storyline, stamp: str, base_url: str | None) -> list[str]:
    assert s.when is not None and s.when.start is not None
    start = s.when.start
    end = s.when.end if s.when.end and s.when.end >= start else start
    dest = s.destination.country
    if s.destination.city:
        dest = f"{s.destination.city}, {dest}"
    summary = f"{_who(s.visitor)} to {dest} — {s.stage.replace('_', ' ')}"
    details = []
    if s.stage == "postponed":
        details.append(
            "Postponed: the visit was put off; the dates below are the ones it had, and no new "
            "date has been reported."
        )
    elif s.stage == "cancelled":
        details.append("Cancelled: the visit was called off.")
    span = (end - start).days + 1
    if span > ICS_SPAN_DAYS:
        # A month, a season, a year: one marker on the first day, the window said in words.
        details.append(
            f"Window: {window_text(When(s.when.text, start, end))} ({span} days); "
            "the entry marks its first day only."
        )
        end = start
    if s.occasion:
        details.append(f"Occasion: {s.occasion}")
    if s.host is not None:
        details.append(f"Host: {_who(s.host)}")
    details.append(f"Dates as reported: {s.when.text}")
    details.append("History: " + ", ".join(_history_text(s).split(";")))
    details.append(f"Sources: {', '.join(s.doc_ids)}")
    if s.stage == "cancelled":
        status = "CANCELLED"
    elif s.stage in ("announced", "ongoing"):
        status = "CONFIRMED"
    else:
        # Plans not yet confirmed, and postponed visits, are tentative, so calendars show
        # them apart.
        status = "TENTATIVE"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{s.id}@visitrack",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"LOCATION:{_ics_escape(_place(s))}",
        f"DESCRIPTION:{_ics_escape(chr(10).join(details))}",
        f"STATUS:{status}",
        # All-day entries about someone else's trip should not block the reader's time.
        "TRANSP:TRANSPARENT",
    ]
    if base_url is not None:
        lines.append(f"URL:{_storyline_url(base_url, s.id)}")
    lines.append("END:VEVENT")
    return lines


def _storyline_url(base_url: str, storyline_id: str) -> str:
    # Storyline ids are letters, digits and _.:- (the API refuses others): nothing to quote.
    return f"{base_url.rstrip('/')}/storyline/{storyline_id}"


def ics_feed(
    storylines: Iterable[Storyline],
    out: TextIO,
    *,
    today: date | None = None,
    base_url: str | None = None,
) -> int:
    """An RFC 5545 calendar with one all-day event per dated storyline ahead, under way,
    postponed or cancelled.

    Args:
        storylines: storylines to consider; only stages in :data:`ICS_STAGES` with a dated
            window become events. A window of up to :data:`ICS_SPAN_DAYS` days is an event
            spanning it (``DTEND`` is the day after its last day); a longer one is a one-day
            event on its first day, the window given in ``DESCRIPTION``. ``LOCATION`` is the
            destination; cancelled visits are ``STATUS:CANCELLED``, postponed ones
            ``STATUS:TENTATIVE`` with a note.
        out: text stream; lines end in CRLF, so open files with ``newline=""``.
        today: the ``DTSTAMP`` of every event (midnight UTC); the current time when ``None``.
            Pass it for reproducible output.
        base_url: where the dashboard is served; each event's ``URL`` is its storyline's
            page there. ``None``: no ``URL``.

    Returns:
        The number of events written. With none, the calendar has no component, which RFC 5545's
        grammar does not allow but calendar clients accept as an empty feed; it is still written
        so that a subscribed URL never breaks.
    """
    if today is not None:
        stamp = f"{today:%Y%m%d}T000000Z"
    else:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{ICS_PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    out.write("".join(_ics_fold(line) for line in head))
    n = 0
    # Event by event: a feed of any size streams in constant memory.
    for s in storylines:
        if s.stage not in ICS_STAGES or s.when is None or s.when.start is None:
            continue
        out.write("".join(_ics_fold(line) for line in _event(s, stamp, base_url)))
        n += 1
    out.write(_ics_fold("END:VCALENDAR"))
    return n


# --- dyad-year panel ---------------------------------------------------------------------------


def dyad_year_panel(storylines: Iterable[Storyline]) -> list[dict[str, object]]:
    """Count storylines per (visitor country, destination country, year), by current stage:
    a balanced panel.

    The year is the window's start year, else the first report's; a storyline with neither is
    left out (a panel row needs a year, and ``year`` stays an integer column). Every observed
    dyad gets a row for every year from the first to the last observed year, with zeros where
    it had no storyline. International bodies (no visitor state) have ``visitor_country``
    :data:`visitrack.filters.INTERNATIONAL`. Each row has :data:`PANEL_COLUMNS`: one count per
    stage and their ``total``; rows by dyad, then year.
    """
    cells: dict[tuple[str, str, int], dict[str, int]] = {}
    for s in storylines:
        if s.when is not None and s.when.start is not None:
            year = s.when.start.year
        elif s.first_reported is not None:
            year = s.first_reported.year
        else:
            continue
        key = (s.visitor.country or INTERNATIONAL, s.destination.country, year)
        counts = cells.setdefault(key, dict.fromkeys(STAGES, 0))
        counts[s.stage] += 1
    if not cells:
        return []
    years = range(min(k[2] for k in cells), max(k[2] for k in cells) + 1)
    dyads = sorted({(v, d) for v, d, _ in cells})
    rows: list[dict[str, object]] = []
    for visitor, destination in dyads:
        for year in years:
            counts = cells.get((visitor, destination, year)) or dict.fromkeys(STAGES, 0)
            rows.append(
                {
                    "visitor_country": visitor,
                    "destination_country": destination,
                    "year": year,
                    **counts,
                    "total": sum(counts.values()),
                }
            )
    return rows


def panel_csv(rows: Iterable[Mapping[str, object]], out: TextIO) -> int:
    """The panel as CSV with :data:`PANEL_COLUMNS`."""
    return _write_csv(rows, PANEL_COLUMNS, out)


# --- Atom feed -----------------------------------------------------------------------------


def _xml_text(value: str) -> str:
    return xml_escape(_NOT_XML.sub("\ufffd", value))


def _xml_attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


def _feed_id(name: str) -> str:
    """A stable ``urn:uuid:`` for ``name`` (an Atom id must be an IRI that never changes)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"visitrack:{name}").urn


def feed_entries(
    storylines: Iterable[Storyline], limit: int = FEED_ENTRIES
) -> list[tuple[date, int, Storyline]]:
    """What the feed tells, newest first: ``(day, step, storyline)`` for each dated step of a
    storyline's history (step 0: the storyline began; later steps: its stage changed), at
    most ``limit``. Ties: later steps first, then by storyline id."""
    entries = [
        (h.first_reported, n, s)
        for s in storylines
        for n, h in enumerate(s.history)
        if h.first_reported is not None
    ]
    entries.sort(key=lambda e: (e[0], e[1], e[2].id), reverse=True)
    return entries[:limit]


def atom_feed(
    storylines: Iterable[Storyline],
    out: TextIO,
    *,
    base_url: str,
    self_url: str,
    limit: int = FEED_ENTRIES,
    updated: datetime | None = None,
) -> int:
    """An Atom (RFC 4287) feed of new storylines and stage changes, newest first.

    Args:
        storylines: the storylines whose steps may be told; to get the newest ``limit``
            entries of a store it is enough to pass the ``limit`` storylines that changed
            last (each has an entry on the day it last changed).
        out: text stream.
        base_url: where the dashboard is served: each entry links to ``/storyline/ID`` there.
        self_url: this feed's own URL (``rel="self"``).
        limit: entries at most (:data:`FEED_ENTRIES`).
        updated: the feed's ``updated`` when it has no entry (default: now).

    Returns:
        The number of entries written. Entry dates are report days, at midnight UTC.
    """
    entries = feed_entries(storylines, limit)
    if entries:
        stamp = f"{entries[0][0].isoformat()}T00:00:00Z"
    else:
        stamp = (updated or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <title>visitrack: new visits and stage changes</title>\n"
        f"  <id>{_feed_id(self_url)}</id>\n"
        f"  <updated>{stamp}</updated>\n"
        f'  <link rel="self" type="application/atom+xml" href={_xml_attr(self_url)}/>\n'
        f'  <link rel="alternate" type="text/html" href={_xml_attr(base_url.rstrip("/") + "/")}/>\n'
        "  <author><name>visitrack</name></author>\n"
        "  <generator>visitrack</generator>\n"
    )
    for day, step, s in entries:
        stage = s.history[step].stage.replace("_", " ")
        who = _who(s.visitor)
        where = _place(s)
        if step == 0:
            title = f"New: {who} to {where} ({stage})"
        else:
            before = s.history[step - 1].stage.replace("_", " ")
            title = f"{who} to {where}: {before} → {stage}"
        summary = [f"Stage: {stage}, first reported {day.isoformat()}."]
        if s.when is not None and window_text(s.when):
            summary.append(f"When: {window_text(s.when)} ({s.when.text}).")
        if s.host is not None:
            summary.append(f"Host: {_who(s.host)}.")
        summary.append(f"Reports: {len(s.doc_ids)}; now {s.stage.replace('_', ' ')}.")
        link = _storyline_url(base_url, s.id)
        out.write(
            "  <entry>\n"
            f"    <id>{_feed_id(f'{s.id}/{step}/{s.history[step].stage}/{day}')}</id>\n"
            f"    <title>{_xml_text(title)}</title>\n"
            f"    <updated>{day.isoformat()}T00:00:00Z</updated>\n"
            f'    <link rel="alternate" type="text/html" href={_xml_attr(link)}/>\n'
            f"    <summary>{_xml_text(' '.join(summary))}</summary>\n"
            "  </entry>\n"
        )
    out.write("</feed>\n")
    return len(entries)
