"""Fuzz targets: one function per part of the pipeline, bytes in, an exception out on a bug.

Shared by ``scripts/fuzz.py`` (atheris, coverage-guided), ``tests/test_fuzz_regressions.py``
(replays saved crashing inputs) and ``tests/test_fuzz.py`` (hypothesis, which calls the
``check_*``/``run_*`` helpers with structured inputs). A target returns quietly when the code
under test behaved; it raises :class:`BrokenInvariant` when the code returned something the
contract forbids, and lets any exception of the code itself escape.

What counts as a bug:

* any exception out of a reader, the cleaner, the time normaliser or the extractor (readers
  and the pipeline promise to turn bad input into failures, never to raise);
* a failure result whose reason says "internal error" (the pipeline caught a crash);
* a record that breaks ``visitrack.schema.validate_record``, an evidence span that is not the
  text it quotes, or output that cannot be written as UTF-8 JSONL;
* offsets (stories, sentences, time mentions) that do not point at their own text;
* a document that takes longer than :data:`HANG_LIMIT_S` (enforced by the fuzzer).

The grammar vocabulary at the bottom feeds the hypothesis grammar and atheris' dictionary.
"""

from __future__ import annotations

import atexit
import gzip
import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from visitrack import nlp, timex
from visitrack.clean import clean
from visitrack.ingest import document_from_text, read_inputs
from visitrack.pipeline import DocumentResult, run
from visitrack.readers.dispatch import read_sources
from visitrack.records import CleanDocument, InputFailure, RawDocument
from visitrack.schema import validate_record

__all__ = [
    "HANG_GUARD_S",
    "HANG_LIMIT_S",
    "READER_KINDS",
    "TARGETS",
    "BrokenInvariant",
    "check_items",
    "check_result",
    "cleaner",
    "extractor",
    "readers",
    "run_clean",
    "run_extract",
    "run_read",
    "run_timex",
    "timex_target",
]

# The requirement: no document may take longer than this (libFuzzer's -timeout). The tests do
# not time documents (a loaded machine is slow, not broken); they stop a true hang at
# HANG_GUARD_S, far above anything a working target takes.
HANG_LIMIT_S: Final = 5.0
HANG_GUARD_S: Final = 12 * HANG_LIMIT_S

# Publication dates a target can be given: none, the whole calendar range Python allows (a
# JSONL row or --published can carry any ISO date), and the news years in between.
NEWS_EPOCH = date(1990, 1, 1)
EDGE_DATES: Final = (date.min, date.max, date(1900, 1, 1), date(2100, 12, 31))


class BrokenInvariant(AssertionError):
    """The code under test returned normally but its output breaks the contract."""


def _require(ok: object, what: str) -> None:
    if not ok:
        raise BrokenInvariant(what)


# --- byte helpers ------------------------------------------------------------------------------


def _text(data: bytes) -> str:
    # Readers hand the pipeline decoded text; "replace" gives every code point a way in.
    return data.decode("utf-8", errors="replace")


def _published(selector: bytes) -> date | None:
    """Two bytes -> no date, an edge of the calendar, or a day in 1990..2169."""
    if len(selector) < 2 or selector[0] < 16:
        return None
    if selector[0] < 24:
        return EDGE_DATES[selector[1] % len(EDGE_DATES)]
    return NEWS_EPOCH + timedelta(days=((selector[0] << 8) | selector[1]) % (180 * 366))


_TENSES: Final[tuple[timex.Tense | None, ...]] = (None, "past", "present", "future")


# --- readers -----------------------------------------------------------------------------------

# How a payload reaches the readers: (name, file name or None for stdin, via read_sources?).
# read_sources is the dispatcher the CLI uses (WARC, feeds, sniffing); read_inputs is the plain
# reader underneath it. english_only is off except for "jsonl-web", so langid runs only there.
READER_KINDS: Final[tuple[str, ...]] = (
    "txt",
    "html",
    "jsonl",
    "jsonl-web",
    "warc",
    "warc.gz",
    "warc-gzipped",
    "feed",
    "sniffed",
    "stdin",
)
_READER_FILES: Final = {
    "txt": "doc.txt",
    "html": "doc.html",
    "jsonl": "corpus.jsonl",
    "jsonl-web": "corpus.jsonl",
    "warc": "crawl.warc",
    "warc.gz": "crawl.warc.gz",
    "warc-gzipped": "crawl.warc.gz",
    "feed": "feed.xml",
    "sniffed": "download",
}
_workdir: Path | None = None


def _scratch() -> Path:
    global _workdir
    if _workdir is None:
        # Under $TMPDIR, which scripts/fuzz.py points into a directory it removes itself (a
        # libFuzzer worker ends without running atexit handlers).
        _workdir = Path(tempfile.mkdtemp(prefix="visitrack-fuzz-"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
    return _workdir


def run_read(kind: str, payload: bytes) -> list[RawDocument | InputFailure]:
    """Feed ``payload`` to the reader for ``kind`` and check every item it yields."""
    if kind == "stdin":
        items = list(read_inputs(["-"], stdin=io.BytesIO(payload)))
    else:
        path = _scratch() / _READER_FILES[kind]
        path.write_bytes(gzip.compress(payload, mtime=0) if kind == "warc-gzipped" else payload)
        if kind in ("txt", "html", "jsonl"):
            items = list(read_inputs([str(path)]))
        else:
            items = list(
                read_sources([str(path)], english_only=kind == "jsonl-web", follow_feed_links=False)
            )
    check_items(items)
    return items


def check_items(items: Iterable[object]) -> None:
    """Readers yield documents with usable fields, or failures with a reason."""
    for item in items:
        if isinstance(item, InputFailure):
            _require(item.reason.strip(), f"failure without a reason from {item.source!r}")
            _require(item.source, "failure without a source")
        elif isinstance(item, RawDocument):
            _require(isinstance(item.content, str), "content is not text")
            _require(item.doc_id.strip(), f"empty doc_id from {item.source!r}")
            _require(
                item.published is None or type(item.published) is date,
                f"published is {type(item.published).__name__}, not a date",
            )
            _require(_utf8_ok(item.content), f"content of {item.source!r} is not valid UTF-8")
        else:
            raise BrokenInvariant(f"reader yielded a {type(item).__name__}")


def _utf8_ok(text: str) -> bool:
    # A lone surrogate ("\ud800" from a JSON escape) would crash the UTF-8 JSONL writer later.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readers(data: bytes) -> None:
    """Target: byte 0 picks the reader (see :data:`READER_KINDS`), the rest is the file."""
    if not data:
        return
    run_read(READER_KINDS[data[0] % len(READER_KINDS)], data[1:])


# --- cleaner -----------------------------------------------------------------------------------


def run_clean(text: str, *, is_html: bool, published: date | None = None) -> CleanDocument:
    """Clean one text, split it into sentences as the pipeline does, and check the offsets."""
    raw = RawDocument("fuzz", "<fuzz>", text, is_html=is_html, published=published)
    doc = clean(raw)
    _require(isinstance(doc.text, str), "cleaned text is not text")
    _require(doc.stories, "no stories (the pipeline expects at least one)")
    prev_end = 0
    for story in doc.stories:
        _require(
            prev_end <= story.start <= story.end <= len(doc.text),
            f"story [{story.start}, {story.end}) out of order or outside the text "
            f"(length {len(doc.text)}, previous story ends at {prev_end})",
        )
        prev_end = story.end
        if published is not None:
            _require(story.published == published, "the published override was not kept")
        sentences = nlp.split_sentences(doc.text[story.start : story.end], offset=story.start)
        for s in sentences:
            _require(doc.text[s.start : s.end] == s.text, f"sentence offsets miss {s.text!r}")
        nlp.select_for_parsing(sentences)
    return doc


def cleaner(data: bytes) -> None:
    """Target: byte 0 says HTML or not, bytes 1-2 an override date, the rest is the page."""
    if not data:
        return
    run_clean(_text(data[3:]), is_html=bool(data[0] & 1), published=_published(data[1:3]))


# --- time normaliser ---------------------------------------------------------------------------


def run_timex(text: str, published: date | None, tense: timex.Tense | None) -> None:
    """find_times, normalise and duration_days on one text, with their invariants."""
    prev_end = 0
    for m in timex.find_times(text, published, tense):
        _require(prev_end <= m.start < m.end <= len(text), f"mention {m.text!r} overlaps or is out")
        _require(text[m.start : m.end] == m.text == m.when.text, f"offsets miss {m.text!r}")
        _check_window(m.when.start, m.when.end, m.text)
        prev_end = m.end
    when = timex.normalise(text, published, tense)
    if when is not None:
        _require(when.start is not None and when.end is not None, "normalise gave half a window")
        _check_window(when.start, when.end, when.text)
    days = timex.duration_days(text)
    _require(days is None or 0 < days <= timex.MAX_DURATION_DAYS, f"duration of {days} days")


def _check_window(start: date | None, end: date | None, text: str) -> None:
    _require((start is None) == (end is None), f"half a window for {text!r}")
    if start is not None and end is not None:
        _require(start <= end, f"window of {text!r} ends before it starts: {start}..{end}")


def timex_target(data: bytes) -> None:
    """Target: byte 0 picks the tense, bytes 1-2 the publication date, the rest is text."""
    if not data:
        return
    run_timex(_text(data[3:]), _published(data[1:3]), _TENSES[data[0] % len(_TENSES)])


# --- extractor ---------------------------------------------------------------------------------


def run_extract(docs: Sequence[tuple[str, date | None]]) -> list[DocumentResult]:
    """Run the whole pipeline over (text or HTML, published) pairs and check every result."""
    raws = [
        document_from_text(text, doc_id=f"fuzz-{i}", published=published)
        for i, (text, published) in enumerate(docs)
    ]
    # The pipeline's own time limit is off: it works with SIGALRM, which would take the signal
    # (and its timer) from libFuzzer's -timeout and from the hypothesis tests' hang check.
    results = list(run(raws, time_limit_s=None))
    _require(len(results) == len(raws), "the pipeline lost or added documents")
    for result in results:
        check_result(result)
    return results


def check_result(result: DocumentResult) -> None:
    """A pipeline result: no internal error, every record valid and quoting its own text."""
    if result.failure is not None:
        _require(
            "internal error" not in result.failure.reason,
            f"{result.failure.stage}: {result.failure.reason}",
        )
        return
    doc = result.document
    _require(doc is not None, "a result with neither document nor failure")
    assert doc is not None
    for visit in result.visits:
        record = visit.to_dict()
        problems = validate_record(record)
        _require(not problems, f"record breaks the schema: {problems}: {record}")
        # Written as the CLI writes it: UTF-8 JSONL, non-ASCII kept.
        json.dumps(record, ensure_ascii=False).encode("utf-8")
        for ev in visit.evidence:
            _require(
                doc.text[ev.start : ev.end] == ev.text,
                f"evidence [{ev.start}, {ev.end}) is not the text it quotes: {ev.text!r}",
            )


def extractor(data: bytes) -> None:
    """Target: bytes 0-1 pick the publication date, the rest is the document."""
    run_extract([(_text(data[2:]), _published(data[:2]))])


TARGETS: Final[dict[str, Callable[[bytes], None]]] = {
    "readers": readers,
    "cleaner": cleaner,
    "timex": timex_target,
    "extractor": extractor,
}


# --- vocabulary of the news grammar ---------------------------------------------------------

# Public figures and places, so that the resolver knows them and the extractor fires; the
# sentences built from them are written by the grammar, not taken from any article.
LEADERS: Final = (
    "Emmanuel Macron",
    "Xi Jinping",
    "Vladimir Putin",
    "Joe Biden",
    "Narendra Modi",
    "Olaf Scholz",
    "Luiz Inacio Lula da Silva",
    "Recep Tayyip Erdogan",
    "Cyril Ramaphosa",
    "Sergey Lavrov",
    "Wang Yi",
    "Antonio Guterres",
)
TITLES: Final = (
    "President",
    "Prime Minister",
    "Foreign Minister",
    "Chancellor",
    "King",
    "Defence Minister",
    "Secretary-General",
    "Ambassador",
)
# (country, demonym, city)
PLACES: Final = (
    ("France", "French", "Paris"),
    ("China", "Chinese", "Beijing"),
    ("Russia", "Russian", "Moscow"),
    ("India", "Indian", "New Delhi"),
    ("Germany", "German", "Berlin"),
    ("Japan", "Japanese", "Tokyo"),
    ("Brazil", "Brazilian", "Brasilia"),
    ("Turkey", "Turkish", "Ankara"),
    ("South Africa", "South African", "Pretoria"),
    ("Kenya", "Kenyan", "Nairobi"),
    ("Vietnam", "Vietnamese", "Hanoi"),
    ("Egypt", "Egyptian", "Cairo"),
    ("Ukraine", "Ukrainian", "Kyiv"),
    ("Saudi Arabia", "Saudi", "Riyadh"),
)
# "{dest}" is a country or city; each phrase follows the visitor.
TRIP_PHRASES: Final = (
    "will visit {dest}",
    "visited {dest}",
    "is expected to arrive in {dest}",
    "arrived in {dest}",
    "is on a two-day state visit to {dest}",
    "travelled to {dest}",
    "will travel to {dest}",
    "has been invited to visit {dest}",
    "accepted an invitation to visit {dest}",
    "postponed a planned trip to {dest}",
    "cancelled his visit to {dest}",
    "will attend the summit in {dest}",
    "is set to fly to {dest}",
    "plans to visit {dest}",
    "may visit {dest}",
    "last visited {dest}",
    "is in {dest}",
    "will head to {dest}",
    "held talks in {dest}",
    "left for {dest}",
)
NEGATED_PHRASES: Final = (
    "did not visit {dest}",
    "will not travel to {dest}",
    "has no plans to visit {dest}",
    "denied reports that he would visit {dest}",
    "ruled out a trip to {dest}",
    "never went to {dest}",
    "spoke by phone with officials in {dest}",
)
TIME_PHRASES: Final = (
    "next spring",
    "on May 9",
    "in early September",
    "last week",
    "on Tuesday",
    "in 2025",
    "from April 30 to May 6",
    "later this year",
    "in the coming days",
    "two weeks ago",
    "by the end of the month",
    "between May 3 and 5",
    "next March",
    "this summer",
    "on Jan. 25-26",
    "on 9 May 2025",
    "on 2024-05-16",
    "yesterday",
    "the day after tomorrow",
    "in mid-October",
    "since February 2022",
    "in the first half of next year",
    "on Monday, December 5",
    "in the spring of next year",
    "within the next two weeks",
)
TAILS: Final = (
    ".",
    ", officials said.",
    ", the ministry announced on Monday.",
    " for talks on trade.",
    " to attend a summit.",
    ", according to a statement.",
    " at the invitation of his counterpart.",
)


def warc_bytes(pages: Sequence[tuple[str, str, str, str]], *, gz: bool) -> bytes:
    """A WARC file (record by record gzipped when ``gz``) of ``(status, content type, body,
    record type)`` records; "request" records get a GET line, "response" ones an HTTP status."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for i, (status, ctype, body, rec_type) in enumerate(pages):
        payload = body.encode("utf-8")
        if rec_type == "request":
            http = StatusAndHeaders(f"GET /{i} HTTP/1.1", [("Host", "example.org")])
            payload = b""
        elif rec_type == "response":
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        else:
            http = None
        record = writer.create_warc_record(
            f"https://example.org/{i}",
            rec_type,
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=http,
            warc_headers_dict={"WARC-Date": f"2024-05-{i + 10}T08:00:00Z"},
        )
        writer.write_record(record)
    return buf.getvalue()
