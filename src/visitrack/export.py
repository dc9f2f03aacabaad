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
import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO, cast

from visitrack.fields import neutral_cell
from visitrack.records import AHEAD_STAGES, STAGES, Party, Stage, Storyline, Visit, When

__all__ = [
    "EXPORT_CHUNKS_AHEAD",
    "EXPORT_CHUNK_CHARS",
    "ICS_STAGES",
    "MENTION_COLUMNS",
    "PANEL_COLUMNS",
    "STORYLINE_COLUMNS",
    "TEXT_FORMATS",
    "ExportStream",
    "dyad_year_panel",
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
    "history",
)
MENTION_COLUMNS: tuple[str, ...] = (
    "storyline_id",
    "doc_id",
    "published",
    *_VISIT_COLUMNS,
    "confidence",
    "evidence",
)
# The panel's international bodies have no visitor state: their visitor_country is "" (not
# None) so that rows sort and every writer (CSV, Parquet, a data frame) sees one string type.
PANEL_COLUMNS: tuple[str, ...] = (
    "visitor_country",
    "destination_country",
    "year",
    *STAGES,
    "total",
)
# Stages worth a calendar entry: the trip is still ahead or under way. Done, postponed and
# cancelled trips have no date to put in a calendar.
ICS_STAGES: tuple[Stage, ...] = AHEAD_STAGES
# RFC 5545 §3.1: content lines are folded at 75 octets, continuation lines start with a space.
ICS_LINE_OCTETS = 75
ICS_PRODID = "-//visitrack//visit storylines//EN"

_Cell = str | int | float | None


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


def _storyline_row(s: Storyline) -> dict[str, _Cell]:
    return {
        "id": s.id,
        **_party("visitor", s.visitor, role=True),
        **_party("host", s.host, role=False),
        "destination_country": s.destination.country,
        "destination_city": s.destination.city,
        "kind": s.kind,
        "occasion": s.occasion,
        "stage": s.stage,
        **_when(s.when),
        "first_reported": _iso(s.first_reported),
        "last_reported": _iso(s.last_reported),
        "mentions": s.mentions,
        "doc_ids": ";".join(s.doc_ids),
        "history": _history_text(s),
    }


def _evidence_text(v: Visit) -> str | None:
    # One line per mention: the evidence sentence's own line breaks carry no meaning here.
    return " ".join(v.evidence[0].text.split()) if v.evidence else None


def _mention_row(storyline_id: str, v: Visit) -> dict[str, _Cell]:
    return {
        "storyline_id": storyline_id,
        "doc_id": v.doc_id,
        "published": _iso(v.published),
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


def _cell(value: object) -> object:
    if value is None:
        return ""
    return neutral_cell(value) if isinstance(value, str) else value


def _write_csv(rows: Iterable[Mapping[str, object]], columns: Sequence[str], out: TextIO) -> int:
    """CSV with a header; ``None`` becomes an empty cell, and a text cell a spreadsheet would
    read as a formula (a submitted id ``=HYPERLINK(...)``) is kept as text
    (:func:`visitrack.fields.neutral_cell`)."""
    writer = csv.writer(out)
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
        n += 1
    return n


# --- storylines and mentions -------------------------------------------------------------------


def storylines_jsonl(storylines: Iterable[Storyline], out: TextIO) -> int:
    """One storyline per line in the contract's JSON shape (``shared/spec/storyline.md``)."""
    n = 0
    for s in storylines:
        out.write(json.dumps(s.to_dict(), ensure_ascii=False) + "\n")
        n += 1
    return n


def mentions_jsonl(mentions: Iterable[tuple[str, Visit]], out: TextIO) -> int:
    """``(storyline_id, visit)`` pairs, one a line: the visit's JSON with its storyline's id."""
    n = 0
    for sid, v in mentions:
        out.write(json.dumps({"storyline_id": sid, **v.to_dict()}, ensure_ascii=False) + "\n")
        n += 1
    return n


def storylines_csv(storylines: Iterable[Storyline], out: TextIO) -> int:
    """Storylines as flat CSV (:data:`STORYLINE_COLUMNS`).

    ``doc_ids`` are ``;``-joined; ``history`` is ``stage@YYYY-MM-DD;...`` (an empty date when a
    stage was only reported by undated documents).
    """
    return _write_csv((_storyline_row(s) for s in storylines), STORYLINE_COLUMNS, out)


def mentions_csv(mentions: Iterable[tuple[str, Visit]], out: TextIO) -> int:
    """``(storyline_id, visit)`` pairs as flat CSV (:data:`MENTION_COLUMNS`).

    ``evidence`` is the first supporting sentence, whitespace collapsed to single spaces.
    """
    return _write_csv((_mention_row(sid, v) for sid, v in mentions), MENTION_COLUMNS, out)


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
) -> int:
    """Write storylines (or, given ``mentions``, mentions) in ``fmt``; the CLI and API share it.

    Args:
        fmt: one of :data:`TEXT_FORMATS`.
        storylines: what to export.
        out: a text stream opened with ``newline=""``.
        mentions: export these ``(storyline_id, visit)`` pairs instead (``csv`` and ``jsonl``
            only; the calendar and the panel are built from storylines).
        today: the iCalendar feed's stamp day (default: today).

    Returns:
        How many records were written.
    """
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(TEXT_FORMATS)}; got {fmt!r}")
    if mentions is not None and fmt == "jsonl":
        return mentions_jsonl(mentions, out)
    if mentions is not None and fmt == "csv":
        return mentions_csv(mentions, out)
    if fmt == "jsonl":
        return storylines_jsonl(storylines, out)
    if fmt == "csv":
        return storylines_csv(storylines, out)
    if fmt == "ics":
        return ics_feed(storylines, out, today=today or date.today())
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
        write(fmt, storylines, cast(TextIO, sink), today=today)
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
            args=(self._queue, self._stop, fmt, storylines, today),
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
    storylines: Sequence[Storyline], mentions: Sequence[tuple[str, Visit]], path: Path
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
        "history": pa.list_(step),
    }
    line_schema = pa.schema([(c, typed.get(c, text)) for c in STORYLINE_COLUMNS])
    mention_schema = pa.schema([(c, typed.get(c, text)) for c in MENTION_COLUMNS])

    def line(s: Storyline) -> dict[str, object]:
        row: dict[str, object] = dict(_storyline_row(s))
        row.update(
            when_start=s.when.start if s.when else None,
            when_end=s.when.end if s.when else None,
            first_reported=s.first_reported,
            last_reported=s.last_reported,
            doc_ids=list(s.doc_ids),
            history=[
                {"stage": h.stage, "first_reported": h.first_reported, "doc_ids": list(h.doc_ids)}
                for h in s.history
            ],
        )
        return row

    def mention(sid: str, v: Visit) -> dict[str, object]:
        row: dict[str, object] = dict(_mention_row(sid, v))
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


def _event(s: Storyline, stamp: str) -> list[str]:
    assert s.when is not None and s.when.start is not None
    end = s.when.end if s.when.end and s.when.end >= s.when.start else s.when.start
    dest = s.destination.country
    if s.destination.city:
        dest = f"{s.destination.city}, {dest}"
    summary = f"{_who(s.visitor)} to {dest} — {s.stage.replace('_', ' ')}"
    details = []
    if s.occasion:
        details.append(f"Occasion: {s.occasion}")
    if s.host is not None:
        details.append(f"Host: {_who(s.host)}")
    details.append(f"Dates as reported: {s.when.text}")
    details.append("History: " + ", ".join(_history_text(s).split(";")))
    details.append(f"Sources: {', '.join(s.doc_ids)}")
    # Plans that are not yet confirmed are tentative entries, so calendars can show them apart.
    status = "CONFIRMED" if s.stage in ("announced", "ongoing") else "TENTATIVE"
    return [
        "BEGIN:VEVENT",
        f"UID:{s.id}@visitrack",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{s.when.start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{end + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"DESCRIPTION:{_ics_escape(chr(10).join(details))}",
        f"STATUS:{status}",
        # All-day entries about someone else's trip should not block the reader's time.
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def ics_feed(storylines: Iterable[Storyline], out: TextIO, *, today: date | None = None) -> int:
    """An RFC 5545 calendar with one all-day event per upcoming or ongoing dated storyline.

    Args:
        storylines: storylines to consider; only stages in :data:`ICS_STAGES` with a dated
            window become events (``DTEND`` is the day after the window's last day).
        out: text stream; lines end in CRLF, so open files with ``newline=""``.
        today: the ``DTSTAMP`` of every event (midnight UTC); the current time when ``None``.
            Pass it for reproducible output.

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
        out.write("".join(_ics_fold(line) for line in _event(s, stamp)))
        n += 1
    out.write(_ics_fold("END:VCALENDAR"))
    return n


# --- dyad-year panel ---------------------------------------------------------------------------


def dyad_year_panel(storylines: Iterable[Storyline]) -> list[dict[str, object]]:
    """Count storylines per (visitor country, destination country, year), by current stage.

    The year is the window's start year, else the first report's; a storyline with neither gets
    ``year`` ``None`` and sorts after every dated row of its dyad. International bodies (no
    visitor state) have ``visitor_country`` ``""``. Each row has :data:`PANEL_COLUMNS`: one
    count per stage (0 when none) and their ``total``.
    """
    cells: dict[tuple[str, str, int | None], dict[str, int]] = {}
    for s in storylines:
        if s.when is not None and s.when.start is not None:
            year: int | None = s.when.start.year
        elif s.first_reported is not None:
            year = s.first_reported.year
        else:
            year = None
        key = (s.visitor.country or "", s.destination.country, year)
        counts = cells.setdefault(key, dict.fromkeys(STAGES, 0))
        counts[s.stage] += 1
    rows: list[dict[str, object]] = []
    for (visitor, destination, year), counts in sorted(
        cells.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] is None, kv[0][2] or 0)
    ):
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
    """The panel as CSV with :data:`PANEL_COLUMNS`; an unknown year is an empty cell."""
    return _write_csv(rows, PANEL_COLUMNS, out)
