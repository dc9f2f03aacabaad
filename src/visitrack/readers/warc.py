"""WARC and WARC.gz archives (Common Crawl's news crawl) to :class:`RawDocument` s.

Only HTTP responses with status 200 and an HTML type are documents; requests, metadata,
redirects, revisits, images and scripts are passed over silently (they are not news, and a
crawl holds far more of them than pages). A broken record becomes an :class:`InputFailure` and
reading resumes at the next record that can be found, so one damaged record does not cost the
rest of a multi-gigabyte archive.

Publication dates: the capture date (``WARC-Date``) is when the crawler saw the page, which can
be days or years after it was published, so by default it is *not* used: ``published`` stays
``None`` and the cleaner finds the page's own date. ``published_from_capture=True`` puts the
capture date in ``published`` instead (it then overrides the page), for crawls known to be
fresh, such as a daily news crawl.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import BinaryIO, cast

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]
from warcio.limitreader import LimitReader  # type: ignore[import-untyped]
from warcio.recordloader import ArcWarcRecord  # type: ignore[import-untyped]

from visitrack.readers.decode import decode_body
from visitrack.readers.files import MAX_INPUT_BYTES
from visitrack.records import InputFailure, RawDocument

__all__ = ["WARC_SUFFIXES", "doc_id_for", "looks_like_warc", "read_warc"]

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz", ".warc.wgz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
HTTP_OK = "200"
GZIP_MAGIC = b"\x1f\x8b"
# A gzip member as WARC writers make them: magic plus the deflate method byte.
GZIP_MEMBER = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/"
# Where a new uncompressed record can begin after a damaged one: a version line on its own.
WARC_RECORD_START = b"\nWARC/1."
# Hex digits of the SHA-1 kept in a document id: 64 bits, no collision in any real crawl.
DOC_ID_HEX = 16
SCAN_BLOCK_BYTES = 1024 * 1024
# Compressed bytes read to check that a gzip member opens with a WARC header.
GZIP_PROBE_BYTES = 4096
NO_PAGES_REASON = "no HTML pages in WARC file (no 200 text/html responses)"
# Marks, in the stream of items, the point where a file turns out to be gzipped as a whole.
_WHOLE_GZIP = InputFailure("", "gzipped as a whole")


class _QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator without its own stderr warning for a record whose Content-Length is
    wrong: ``err_count`` still counts them, and :func:`read_warc` reports each one in the
    run's own one-line form, naming the file and offset."""

    INC_RECORD = ""


def looks_like_warc(head: bytes) -> bool:
    """Whether a file's first bytes are an uncompressed WARC or a gzip one (checked later)."""
    return head.startswith(WARC_MAGIC)


def doc_id_for(uri: str, warc_date: str) -> str:
    """A short id, stable across runs, for one capture of one URL."""
    digest = hashlib.sha1(f"{uri}\n{warc_date}".encode(), usedforsecurity=False)
    return "warc-" + digest.hexdigest()[:DOC_ID_HEX]


def read_warc(
    path: str, *, published: date | None = None, published_from_capture: bool = False
) -> Iterator[RawDocument | InputFailure]:
    """Yield each HTML page of a WARC file (plain or gzip), in file order.

    ``published`` overrides every date; otherwise see the module doc for the capture date.
    A file gzipped as a whole (``gzip crawl.warc``) rather than record by record is read
    through one decompressing stream; record offsets then count decompressed bytes.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - the generator streams from it
    except OSError as err:
        yield InputFailure(path, f"cannot open WARC file ({(err.strerror or str(err)).lower()})")
        return
    with fh:
        gzipped = fh.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        done = 0
        tally = _Tally()
        for item in _read_records(fh, path, gzipped, tally, published, published_from_capture):
            if item is _WHOLE_GZIP:
                break
            done += 1
            yield item
        else:
            if tally.pages == 0 and not tally.failed:
                yield InputFailure(path, NO_PAGES_REASON)
            return
    # warcio reads only the first record of such a file; read it again, decompressed, and
    # carry on after the items already given.
    tally = _Tally()
    try:
        with gzip.open(path, "rb") as inner:
            stream = cast(BinaryIO, inner)  # GzipFile reads and seeks like a binary file
            items = _read_records(stream, path, False, tally, published, published_from_capture)
            for n, item in enumerate(items):
                if n >= done:
                    yield item
    except (OSError, EOFError, zlib.error) as err:
        yield InputFailure(path, f"broken gzip stream ({err})")
        return
    if tally.pages == 0 and not tally.failed:
        yield InputFailure(path, NO_PAGES_REASON)


class _Tally:
    """What a pass over a WARC file found: pages, and whether anything failed."""

    __slots__ = ("failed", "pages")

    def __init__(self) -> None:
        self.pages = 0
        self.failed = False


def _read_records(
    fh: BinaryIO,
    path: str,
    gzipped: bool,
    tally: _Tally,
    published: date | None,
    published_from_capture: bool,
) -> Iterator[RawDocument | InputFailure]:
    """The pages and failures of one pass over ``fh``; ``_WHOLE_GZIP`` when the file turns
    out to be gzipped as a whole."""
    start = 0
    reported_at: int | None = None
    while True:
        fh.seek(start)
        last_offset: int | None = None
        last_end = start
        try:
            it = _QuietArchiveIterator(fh)
            for record in it:
                # get_record_offset() reads the record to its end, so the page is read
                # first and the offset asked for afterwards (through this callable).
                errors_before = it.err_count
                item = _document(
                    record, path, it.get_record_offset, published, published_from_capture
                )
                last_offset = it.get_record_offset()
                last_end = last_offset + it.get_record_length()
                if reported_at is not None and last_offset > reported_at:
                    reported_at = None  # past the damage: a later failure is a new one
                damage = _damage(record, it.err_count > errors_before)
                if damage is not None and not isinstance(item, InputFailure):
                    item = InputFailure(f"{path}@{last_offset}", damage)
                if isinstance(item, InputFailure):
                    tally.failed = True
                    # The parse error a damaged record leads to is the same damage.
                    reported_at = last_offset
                elif item is not None:
                    tally.pages += 1
                if item is not None:
                    yield item
            return_ok = True
            # warcio ends quietly when the file stops inside a record's header.
            rest = _data_after(fh, last_end)
            if rest is not None:
                tally.failed = True
                yield InputFailure(
                    f"{path}@{rest}", "truncated WARC record (the file ends inside it)"
                )
        # warcio raises ArchiveLoadFailed for a bad header, but a corrupt gzip member comes
        # out as zlib.error, EOFError or ValueError: any of them means "this record".
        except Exception as err:
            if gzipped and _gzipped_whole(err):
                yield _WHOLE_GZIP
                return
            return_ok = False
            failed_at = start if last_offset is None else last_offset
            tally.failed = True
            if reported_at is None:
                reported_at = failed_at
                # Named where the damage starts: the end of the last record read whole.
                yield InputFailure(path, _broken(err, last_end))
        if return_ok:
            return
        # Resume at the next record boundary after the one that failed.
        found = _next_record_start(fh, failed_at + 1, gzipped=gzipped)
        if found is None:
            return
        start = found


def _document(
    record: ArcWarcRecord,
    path: str,
    offset: Callable[[], int],
    published: date | None,
    from_capture: bool,
) -> RawDocument | InputFailure | None:
    if record.format == "warc":
        if not record.rec_type:
            return InputFailure(f"{path}@{offset()}", "broken WARC record: no WARC-Type header")
        length = record.rec_headers.get_header("Content-Length")
        if length is None or not length.strip().isdigit():
            # Missing, the header was most likely cut short; a bad value was written so.
            what = (
                "no Content-Length header" if length is None else f"bad Content-Length {length!r}"
            )
            return InputFailure(f"{path}@{offset()}", f"broken WARC record: {what}")
    if record.rec_type != "response":
        return None
    http = record.http_headers
    if http is None:
        # A response record must carry HTTP headers; one without them is damaged.
        return InputFailure(
            f"{path}@{offset()}", "broken WARC record: response without HTTP headers"
        )
    if http.get_statuscode() != HTTP_OK:
        return None
    ctype = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if ctype not in HTML_TYPES:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    warc_date = record.rec_headers.get_header("WARC-Date") or ""
    body = record.content_stream().read(MAX_INPUT_BYTES + 1)
    where = f"{path}@{offset()}" + (f" ({uri})" if uri else "")
    if not uri:
        return InputFailure(where, "broken WARC record: response without WARC-Target-URI")
    if len(body) > MAX_INPUT_BYTES:
        return InputFailure(where, f"page too large (over {MAX_INPUT_BYTES // (1024 * 1024)} MiB)")
    if not body.strip():
        return InputFailure(where, "empty page")
    day = published
    if day is None and from_capture:
        day = _capture_day(warc_date)
    return RawDocument(
        doc_id=doc_id_for(uri, warc_date),
        source=where,
        content=decode_body(body, _charset(http.get_header("Content-Type") or "")),
        is_html=True,
        published=day,
        url=uri,
    )


def _gzipped_whole(err: Exception) -> bool:
    """warcio's error for a .warc.gz compressed as one gzip stream instead of one per record."""
    return isinstance(err, ArchiveLoadFailed) and "non-chunked gzip" in str(err)


def _damage(record: ArcWarcRecord, misaligned: bool) -> str | None:
    """Why a record that was read to its end is damaged, or ``None``."""
    stream = record.raw_stream
    if isinstance(stream, LimitReader) and stream.limit > 0:
        # The file (or its gzip member) ended before the record's Content-Length was reached.
        got = stream._orig_limit - stream.limit
        return f"truncated WARC record ({got} of {stream._orig_limit} bytes)"
    if misaligned:
        return "broken WARC record: Content-Length does not match the record's length"
    return None


def _data_after(fh: BinaryIO, pos: int) -> int | None:
    """Offset of the first byte after ``pos`` that is not blank, or ``None`` at the end."""
    fh.seek(pos)
    while block := fh.read(SCAN_BLOCK_BYTES):
        stripped = block.lstrip()
        if stripped:
            return pos + len(block) - len(stripped)
        pos += len(block)
    return None


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _capture_day(warc_date: str) -> date | None:
    try:
        # WARC-Date is UTC with a trailing Z (ISO 8601), which fromisoformat reads on 3.11.
        return datetime.fromisoformat(warc_date).date()
    except ValueError:
        return None


def _broken(err: BaseException, near: int) -> str:
    detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if not isinstance(err, ArchiveLoadFailed | zlib.error | EOFError | ValueError):
        # warcio itself trips (AttributeError, TypeError) on some damaged headers; its
        # internals mean nothing to the reader.
        detail = f"unreadable record header ({type(err).__name__})"
    elif not detail.isascii() or not detail.isprintable():
        # A damaged record's "first line" is often compressed bytes: keep the terminal clean.
        detail = "unreadable bytes where a record should start"
    return f"broken WARC record at byte {near} ({detail[:120]}); skipped to the next record"


def _next_record_start(fh: BinaryIO, pos: int, *, gzipped: bool) -> int | None:
    """Offset of the next record start at or after ``pos``, scanning in blocks.

    In a gzip WARC the member magic can also occur by chance inside compressed data, so a
    candidate counts only if it decompresses to a WARC header.
    """
    while True:
        found = _find(fh, pos, GZIP_MEMBER if gzipped else WARC_RECORD_START)
        if found is None:
            return None
        if not gzipped:
            # An uncompressed record's "WARC/1." follows a newline; the match starts there.
            return found + 1
        if _gzip_member_is_warc(fh, found):
            return found
        pos = found + 1


def _find(fh: BinaryIO, pos: int, needle: bytes) -> int | None:
    fh.seek(pos)
    base = pos
    tail = b""
    while True:
        block = fh.read(SCAN_BLOCK_BYTES)
        if not block:
            return None
        data = tail + block
        at = data.find(needle)
        if at >= 0:
            return base - len(tail) + at
        tail = data[-(len(needle) - 1) :]
        base += len(block)


def _gzip_member_is_warc(fh: BinaryIO, pos: int) -> bool:
    fh.seek(pos)
    # wbits 16+MAX_WBITS: expect a gzip header; a few KiB always cover a WARC version line.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = inflater.decompress(fh.read(GZIP_PROBE_BYTES), len(WARC_MAGIC))
    except zlib.error:
        return False
    return head.startswith(WARC_MAGIC)
