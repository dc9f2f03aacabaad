"""The README's "Bad input" table, row by row, on every surface that takes input.

Each row is checked on ``visitrack extract`` (exit code, one stderr line naming the input and
the reason, no traceback), on ``visitrack ingest`` into a store that already holds documents
(the same lines, the failure recorded, nothing stored lost) and on ``POST /api/documents``
(status and ``{"error": ...}``, nothing stored on a refusal).

Every start of the command loads spaCy, so the command runs few times: one ``extract`` and one
``ingest`` over every input that must fail and one of each over every input that must be read,
the four at once, plus quick runs for usage errors. The web is a server on 127.0.0.1, a closed
local port and an ``.invalid`` host; nothing reaches the internet. All texts are written for
these tests.
"""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from api_corpus import build_db
from test_cli import EXE, Run, visitrack
from test_sources import html_route, local_server, page
from visitrack.api import MAX_BODY_BYTES, create_app
from visitrack.ingest import MAX_INPUT_BYTES
from visitrack.readers.warc import doc_id_for
from visitrack.readers.web import DEFAULT_MAX_BYTES
from visitrack.store import open_store

with warnings.catch_warnings():
    # Starlette 1.x warns that its TestClient will move to httpx2; the client works as is.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PUBLISHED = "2024-05-14"
TRUDEAU = (
    "Canadian Prime Minister Justin Trudeau will travel to Mexico next month for a summit on "
    "trade, his office said."
)
MODI = (
    "Indian Prime Minister Narendra Modi will visit Austria next week, the foreign ministry in "
    "New Delhi said on Tuesday."
)
LULA = (
    "Brazilian President Luiz Inácio Lula da Silva will visit Portugal next week, his office "
    "in Brasília said on Monday."
)
KISHIDA = (
    "Japanese Prime Minister Fumio Kishida (岸田文雄) will visit India next week for an annual "
    "summit, officials in Tokyo said."
)
SCHOLZ = (
    "German Chancellor Olaf Scholz arrived in Beijing on Sunday for a three-day visit \u2013 his "
    "second trip to China \u2013 officials said."
)
# Only ever inside a script or an attribute: a visit to Brazil found anywhere means markup
# was read as text.
XI = "Chinese President Xi Jinping will visit Brazil next month."
FRENCH = (
    "Le président de la République se rendra au Japon la semaine prochaine pour des "
    "entretiens sur le commerce et la sécurité, a indiqué lundi l'Élysée dans un communiqué."
)
# A document of the seeded store (tests/api_corpus.py); bad inputs below reuse its id.
STORED_ID = "modi-moscow"
STORED_TEXT = "Indian Prime Minister Narendra Modi visited Moscow in July"

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256))
# NULs where the spaces were: neither text nor UTF-16 without a byte-order mark.
NUL_TEXT = TRUDEAU.encode().replace(b" ", b"\x00")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))

# Long enough for a good local page on a loaded 2-core machine (0.3 s timed one out under the
# full suite), short enough that the test server's slow page (SLOW_SECONDS, 2 s) times out.
FETCH_TIMEOUT = "1.0"
RUN_TIMEOUT_S = 300
STDIN_FILE = "stdin.bin"


# --- WARC archives -------------------------------------------------------------------------------


WARC_URI = "http://news.test/{name}/{i}"
WARC_DATE = "2024-05-1{i}T08:00:00Z"


def warc_archive(name: str, *, gz: bool, records: int = 3) -> tuple[bytes, list[int]]:
    """A WARC of ``records`` HTML pages, each reporting Modi's trip, and each record's offset
    (plus the end of the file)."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    offsets = []
    for i in range(records):
        body = page(f"Story {i}", MODI).encode()
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            WARC_URI.format(name=name, i=i),
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": WARC_DATE.format(i=i)},
        )
        offsets.append(buf.tell())
        writer.write_record(record)
    offsets.append(buf.tell())
    return buf.getvalue(), offsets


def warc_doc(name: str, i: int) -> str:
    return doc_id_for(WARC_URI.format(name=name, i=i), WARC_DATE.format(i=i))


def _edit_record(data: bytes, offsets: list[int], i: int, old: bytes, new: bytes) -> bytes:
    record = data[offsets[i] : offsets[i + 1]]
    assert old in record
    return data[: offsets[i]] + record.replace(old, new, 1) + data[offsets[i + 1] :]


def _content_length(data: bytes, offsets: list[int], i: int, delta: int) -> bytes:
    record = data[offsets[i] : offsets[i + 1]]
    head, _, rest = record.partition(b"Content-Length: ")
    digits, _, tail = rest.partition(b"\r\n")
    changed = head + b"Content-Length: " + str(int(digits) + delta).encode() + b"\r\n" + tail
    return data[: offsets[i]] + changed + data[offsets[i + 1] :]


@dataclass(frozen=True)
class BrokenWarc:
    """A damaged archive: its file, where the failure is reported, and the pages that survive."""

    file: str
    source: str
    reason: str
    survivors: tuple[int, ...]
    data: bytes


def broken_warcs() -> list[BrokenWarc]:
    out = []
    data, at = warc_archive("cut-member", gz=True)
    out.append(
        BrokenWarc(
            "cut-member.warc.gz",
            f"cut-member.warc.gz@{at[2]}",
            "truncated WARC record (",
            (0, 1),
            data[: at[3] - 30],  # the last gzip member loses its end
        )
    )
    data, at = warc_archive("cut-header", gz=False)
    out.append(
        BrokenWarc(
            "cut-header.warc",
            f"cut-header.warc@{at[2]}",
            "broken WARC record: no Content-Length header",
            (0, 1),
            data[: at[2] + 60],
        )
    )
    data, at = warc_archive("corrupt-member", gz=True)
    middle = (at[1] + at[2]) // 2
    out.append(
        BrokenWarc(
            "corrupt-member.warc.gz",
            "corrupt-member.warc.gz",
            f"broken WARC record at byte {at[1]} (unreadable bytes where a record should start)",
            (0, 2),
            data[:middle] + bytes(16) + data[middle + 16 :],
        )
    )
    data, at = warc_archive("bad-header", gz=False)
    out.append(
        BrokenWarc(
            "bad-header.warc",
            f"bad-header.warc@{at[1]}",
            "broken WARC record: no WARC-Type header",
            (0, 2),
            _edit_record(data, at, 1, b"WARC-Type: response", b"WARC-Type response"),
        )
    )
    data, at = warc_archive("bad-length", gz=False)
    out.append(
        BrokenWarc(
            "bad-length.warc",
            f"bad-length.warc@{at[1]}",
            "broken WARC record: bad Content-Length 'many'",
            (0, 2),
            _edit_record(data, at, 1, b"Content-Length: ", b"Content-Length: many\r\nX-Was: "),
        )
    )
    data, at = warc_archive("long-length", gz=False)
    out.append(
        BrokenWarc(
            "long-length.warc",
            f"long-length.warc@{at[1]}",
            "Content-Length does not match",
            (0, 2),
            _content_length(data, at, 1, 200),
        )
    )
    data, at = warc_archive("short-length", gz=False)
    out.append(
        BrokenWarc(
            "short-length.warc",
            f"short-length.warc@{at[1]}",
            "Content-Length does not match",
            (0, 2),
            _content_length(data, at, 1, -40),
        )
    )
    return out


BROKEN_WARCS = broken_warcs()


# --- inputs --------------------------------------------------------------------------------------


def rss(base: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<item><title>Trip</title><link>{base}/story</link><description>{TRUDEAU}"
        "</description></item></channel></rss>"
    )


HOSTILE_HTML = (
    "<!doctype html><html><head><title>Summit</title>"
    f'<script>var lede = "{XI}"; document.cookie = "stolen";</script>'
    "<style>body { background: url(javascript:alert(1)) }</style></head><body>"
    f"<article><h1>Summit</h1><p onmouseover=\"alert('{XI}')\">{TRUDEAU}</p>"
    '<a href="javascript:alert(document.domain)">more</a>'
    '<img src="x" onerror="alert(2)"><iframe src="javascript:alert(3)"></iframe>'
    f'<svg onload="alert(4)"><text>{XI}</text></svg>'
    "</article></body></html>"
)
NESTED_HTML = (
    "<html><body>" + "<div>" * 10_000 + f"<p>{TRUDEAU}</p>" + "<span><b>" * 5_000 + "</body>"
)
BIG_ATTRIBUTE_HTML = (
    f'<html><body><article><p data-x="{"A" * 1_000_000}">{TRUDEAU}</p></article></body></html>'
)


@dataclass(frozen=True)
class Bad:
    """An input that must fail: its table row, how stderr names it, and the reason's words.

    In ``source``, ``{web}`` stands for the local server, ``{slow}`` for the same server under
    another host name (so its slow page does not hold up the others: one request per host at a
    time) and ``{closed}`` for a port nothing listens on.
    """

    row: str
    source: str
    reason: str

    def where(self, web: Web) -> str:
        return self.source.format(web=web.base, slow=web.slow_base, closed=web.closed_port)


BAD = [
    Bad("binary", f"binary/{STORED_ID}.txt", "binary file, not text (pdf)"),
    Bad("binary", "photo.png", "binary file, not text (png image)"),
    Bad("binary", "nul.txt", "binary file, not text (contains nul bytes)"),
    Bad("binary", "control.txt", "binary file, not text (too many control characters)"),
    Bad("binary", "<stdin>", "binary file, not text (pdf)"),
    Bad("empty", f"empty/{STORED_ID}.txt", "empty file"),
    Bad("empty", "blank.txt", "empty file"),
    Bad("empty", "empty.jsonl", "empty file"),
    Bad("huge", f"huge/{STORED_ID}.txt", f"file too large ({MAX_INPUT_BYTES + 1:,} bytes, limit"),
    Bad("huge", "huge.html", "file too large (30.0 MiB, limit 20.0 MiB)"),
    Bad("huge", "rows.jsonl:8", "line too large (over the 20.0 MiB limit)"),
    Bad("missing", "no-such-file.txt", "no such file or directory"),
    Bad("encoding", "latin1.jsonl:1", "malformed JSON: not valid utf-8"),
    Bad("jsonl", "rows.jsonl:2", "malformed JSON: unterminated string"),
    Bad("jsonl", "rows.jsonl:3", "'text' must be a string, not number"),
    Bad("jsonl", "rows.jsonl:4", "row has neither 'text' nor 'html'"),
    Bad("jsonl", "rows.jsonl:5", "malformed JSON: row is an array, not an object"),
    Bad("jsonl", "rows.jsonl:6", "'id' must be a string or integer, not array"),
    Bad("jsonl", "rows.jsonl:7", "bad 'published' value 'next week'"),
    Bad("jsonl", "rows.jsonl:9", "empty 'text'"),
    *[Bad("warc", w.source, w.reason) for w in BROKEN_WARCS],
    Bad("url", "http://127.0.0.1:{closed}/story", "connection failed: connection refused"),
    # An .invalid name never resolves (RFC 6761); without any DNS the words differ a little.
    Bad("url", "http://news.invalid/story", "name"),
    Bad("url", "{web}/gone", "HTTP 404"),
    Bad("url", "{slow}/slow", "timed out (after 4 attempts)"),
    Bad("url", "{web}/private/story", "disallowed by robots.txt"),
    Bad("url", "{web}/huge", "page too large (over the 5120 KiB limit)"),
    Bad("feed", "page.rss", "not a feed: an HTML page"),
    Bad("feed", "garbage.rss", "not a feed: no <rss>, <feed> or <rdf:RDF> element"),
    Bad("feed", "empty.atom", "not a feed: empty"),
    Bad("feed", "{web}/wire.rss", "not a feed: an HTML page"),
    Bad("language", "web.jsonl:1", "not English (detected: fr)"),
    Bad("language", "{web}/fr", "not English (detected: fr)"),
]
BAD_IDS = [f"{b.row}:{b.source.rsplit('/', 1)[-1]}" for b in BAD]

# What the failing runs are given. A directory walk names its files (binary/modi-moscow.txt);
# JSONL rows and WARC records are named by line and by offset.
BAD_PATHS = [
    "binary",
    "photo.png",
    "nul.txt",
    "control.txt",
    "-",
    "empty",
    "blank.txt",
    "empty.jsonl",
    "huge",
    "huge.html",
    "no-such-file.txt",
    "latin1.jsonl",
    "rows.jsonl",
    *[w.file for w in BROKEN_WARCS],
    "page.rss",
    "garbage.rss",
    "empty.atom",
    "web.jsonl",
]
# Documents in the failing runs that are fine: they must still come out.
SURVIVORS = {"rows.jsonl#row-first", "rows.jsonl#row-last"} | {
    warc_doc(w.file.split(".")[0], i) for w in BROKEN_WARCS for i in w.survivors
}


@dataclass(frozen=True)
class Good:
    """An input that must be read: its row, file, document id and the visit found in it."""

    row: str
    path: str
    visitor: str
    destination: str
    evidence: str

    @property
    def doc_id(self) -> str:
        return self.path  # the path as given (the runs give paths relative to their folder)


GOOD = [
    Good("encoding", "latin1.txt", "Luiz Inácio Lula da Silva", "PRT", "Lula da Silva will"),
    Good("encoding", "utf16.txt", "Fumio Kishida", "IND", "Kishida (岸田文雄) will"),
    Good("encoding", "utf16-nobom.txt", "Fumio Kishida", "IND", "Kishida (岸田文雄) will"),
    Good("encoding", "cp1252.txt", "Olaf Scholz", "CHN", "visit \u2013 his"),
    Good("truncated", "truncated.html", "Justin Trudeau", "MEX", "Trudeau will travel"),
    Good("truncated", "cut-tag.html", "Narendra Modi", "AUT", "Modi will visit"),
    Good("malicious", "hostile.html", "Justin Trudeau", "MEX", "Trudeau will travel"),
    Good("malicious", "nested.html", "Justin Trudeau", "MEX", "Trudeau will travel"),
    Good("malicious", "big-attribute.html", "Justin Trudeau", "MEX", "Trudeau will travel"),
]
GOOD_IDS = [f"{g.row}:{g.path}" for g in GOOD]
# Read without a failure but with nothing to find: a page without text, and a French file the
# user named (only documents from the web are screened for language).
QUIET = ["no-text.html", "french.txt"]


def write_inputs(root: Path, web: Web) -> None:
    for sub, content in (("binary", PDF), ("empty", b"")):
        (root / sub).mkdir()
        (root / sub / f"{STORED_ID}.txt").write_bytes(content)
    (root / "huge").mkdir()
    with open(root / "huge" / f"{STORED_ID}.txt", "wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)  # sparse: refused by its size, never read
    with open(root / "huge.html", "wb") as fh:
        fh.truncate(30 * 1024 * 1024)
    (root / "photo.png").write_bytes(PNG)
    (root / STDIN_FILE).write_bytes(PDF)
    (root / "nul.txt").write_bytes(NUL_TEXT)
    (root / "control.txt").write_bytes(bytes(range(1, 9)) * 40 + TRUDEAU.encode())
    (root / "blank.txt").write_bytes(b" \n\t\r\n  \n")
    (root / "empty.jsonl").write_bytes(b"\n\n")
    (root / "latin1.jsonl").write_bytes(b'{"id": "latin", "text": "%s"}\n' % LULA.encode("latin-1"))
    rows = [
        json.dumps({"id": "row-first", "text": TRUDEAU, "published": PUBLISHED}),
        '{"id": "row-2", "text": "unterminated',
        json.dumps({"id": "row-3", "text": 42}),
        json.dumps({"id": "row-4", "title": "A headline and nothing else"}),
        json.dumps([1, 2]),
        json.dumps({"id": ["row-6"], "text": TRUDEAU}),
        json.dumps({"id": "row-7", "text": TRUDEAU, "published": "next week"}),
        json.dumps({"id": "row-8", "text": "x" * (MAX_INPUT_BYTES + 10)}),
        json.dumps({"id": STORED_ID, "text": ""}),
        json.dumps({"id": "row-last", "text": MODI, "published": PUBLISHED}),
    ]
    (root / "rows.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for w in BROKEN_WARCS:
        (root / w.file).write_bytes(w.data)
    (root / "page.rss").write_text(page("Not a feed", TRUDEAU), encoding="utf-8")
    (root / "garbage.rss").write_bytes(b"{{ this is \x01 not XML }}")
    (root / "empty.atom").write_bytes(b"")
    (root / "web.jsonl").write_text(
        json.dumps({"id": "fr", "text": FRENCH, "url": "https://journal.example/fr"}) + "\n",
        encoding="utf-8",
    )
    urls = [b.where(web) for b in BAD if b.source.startswith(("http", "{"))]
    (root / "links.urls").write_text("".join(u + "\n" for u in urls), encoding="utf-8")

    (root / "latin1.txt").write_bytes(LULA.encode("latin-1"))
    (root / "utf16.txt").write_bytes(KISHIDA.encode("utf-16"))
    (root / "utf16-nobom.txt").write_bytes(KISHIDA.encode("utf-16-le"))
    (root / "cp1252.txt").write_bytes(SCHOLZ.encode("cp1252"))
    (root / "truncated.html").write_text(
        f"<html><head><title>Trip</title></head><body><article><p>{TRUDEAU}</p><p>The summit "
        "will also cover the envir",
        encoding="utf-8",
    )
    (root / "cut-tag.html").write_text(
        f'<html><body><article><p>{MODI}</p><div class="sto', encoding="utf-8"
    )
    (root / "hostile.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (root / "nested.html").write_text(NESTED_HTML, encoding="utf-8")
    (root / "big-attribute.html").write_text(BIG_ATTRIBUTE_HTML, encoding="utf-8")
    (root / "no-text.html").write_text("<html><body><div></div>", encoding="utf-8")
    (root / "french.txt").write_text(FRENCH, encoding="utf-8")


# --- the web, the inputs, the runs ---------------------------------------------------------------


@dataclass(frozen=True)
class Web:
    base: str
    slow_base: str
    closed_port: int


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    with local_server() as (base, routes):
        routes["/private/story"] = html_route(page("Trip", TRUDEAU))
        routes["/huge"] = html_route("<p>" + "x" * DEFAULT_MAX_BYTES + "</p>")
        routes["/wire.rss"] = (200, "application/rss+xml", page("Not a feed", MODI).encode())
        routes["/fr"] = html_route(page("Visite", FRENCH, lang="fr"))
        yield Web(base, base.replace("127.0.0.1", "localhost"), closed)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, web: Web) -> Path:
    root = tmp_path_factory.mktemp("inputs")
    write_inputs(root, web)
    return root


@dataclass(frozen=True)
class Stored:
    """An ingest run and the store it wrote to, with the counts from before it."""

    run: Run
    db: str
    before: dict[str, int]


@dataclass(frozen=True)
class Runs:
    extract_bad: Run
    ingest_bad: Stored
    extract_good: Run
    ingest_good: Stored


def _start(command: str, inputs: Path, *args: str) -> subprocess.Popen[bytes]:
    argv = [str(EXE), command, "--no-progress", "--fetch-timeout", FETCH_TIMEOUT, *args]
    # Standard input (for "-" among the inputs) from a file, so no run waits for its reader.
    with open(inputs / STDIN_FILE, "rb") as stdin:
        return subprocess.Popen(
            argv, cwd=inputs, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )


def _finish(proc: subprocess.Popen[bytes]) -> Run:
    out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    return Run(proc.returncode, out.decode("utf-8"), err.decode("utf-8", errors="replace"))


def _seeded(path: Path) -> tuple[str, dict[str, int]]:
    url = build_db(path)
    with open_store(url) as store:
        return url, store.counts()


@pytest.fixture(scope="module")
def runs(inputs: Path, nlp_model: Any) -> Runs:
    # The four runs at once: each mostly waits (for spaCy to load, for the web), so together
    # they take about as long as the slowest.
    bad = [*BAD_PATHS, "--urls", "links.urls"]
    good = [g.path for g in GOOD] + QUIET
    procs = [_start("extract", inputs, *bad), _start("extract", inputs, *good)]
    try:
        bad_db, bad_before = _seeded(inputs.parent / "bad.db")
        good_db, good_before = _seeded(inputs.parent / "good.db")
        procs.append(_start("ingest", inputs, "--db", bad_db, *bad))
        procs.append(_start("ingest", inputs, "--db", good_db, *good))
        extract_bad, extract_good, ingest_bad, ingest_good = [_finish(p) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return Runs(
        extract_bad,
        Stored(ingest_bad, bad_db, bad_before),
        extract_good,
        Stored(ingest_good, good_db, good_before),
    )


@pytest.fixture(scope="module")
def extract_bad(runs: Runs) -> Run:
    return runs.extract_bad


@pytest.fixture(scope="module")
def ingest_bad(runs: Runs) -> Stored:
    return runs.ingest_bad


@pytest.fixture(scope="module")
def extract_good(runs: Runs) -> Run:
    return runs.extract_good


@pytest.fixture(scope="module")
def ingest_good(runs: Runs) -> Stored:
    return runs.ingest_good


def lines_about(run: Run, source: str) -> list[str]:
    prefix = f"visitrack: {source}: "
    return [line for line in run.stderr_lines() if line.startswith(prefix)]


def records_by_doc(run: Run) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in run.records():
        out.setdefault(r["doc_id"], []).append(r)
    return out


def failures(db: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT source, stage, reason FROM failures"))


def stored_as(db: str, source: str) -> str | None:
    """The document an input went into: its own, or the one with the same text it joined."""
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT doc_id FROM document_sources WHERE source = ?", (source,)
        ).fetchone()
    return str(row[0]) if row else None


def summary_count(run: Run, outcome: str) -> int:
    """How many inputs ``ingest`` counted under ``outcome`` in its summary line."""
    summary = run.stderr_lines()[-1]
    return int(summary.split(f" {outcome},")[0].rsplit(" ", 1)[-1])


# --- the CLI: inputs that fail -------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_extract_names_the_input_and_the_reason(extract_bad: Run, web: Web, bad: Bad) -> None:
    (line,) = lines_about(extract_bad, bad.where(web))
    assert bad.reason in line, line


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_ingest_names_and_records_it(ingest_bad: Stored, web: Web, bad: Bad) -> None:
    source = bad.where(web)
    (line,) = lines_about(ingest_bad.run, source)
    assert bad.reason in line, line
    recorded = [reason for where, _, reason in failures(ingest_bad.db) if where == source]
    assert len(recorded) == 1 and bad.reason in recorded[0]


def test_failing_runs_exit_one_without_a_traceback(extract_bad: Run, ingest_bad: Stored) -> None:
    for run in (extract_bad, ingest_bad.run):
        assert run.code == 1, run.stderr
        assert "Traceback" not in run.stderr + run.stdout
        assert all(line.startswith("visitrack: ") for line in run.stderr_lines())
    # One line per failure and nothing else (ingest adds its summary): no library chatter.
    assert len(extract_bad.stderr_lines()) == len(BAD)
    assert len(ingest_bad.run.stderr_lines()) == len(BAD) + 1


def test_the_good_parts_of_bad_inputs_still_come_out(extract_bad: Run) -> None:
    found = set(records_by_doc(extract_bad))
    assert found == SURVIVORS


def test_ingest_loses_nothing_stored(ingest_bad: Stored) -> None:
    with open_store(ingest_bad.db) as store:
        after = store.counts()
        kept = store.document(STORED_ID)
        lines = store.storylines(visitor="Narendra Modi")
    # Bad inputs named like a stored document (binary/, empty/, huge/, a JSONL row) left it be.
    assert kept is not None and kept.cleaned_text is not None
    assert kept.cleaned_text.startswith(STORED_TEXT)
    assert any(line.destination.country == "RUS" for line in lines)
    for table in ("documents", "mentions", "storylines"):
        assert after[table] >= ingest_bad.before[table]
    # Every survivor is stored: a new document, or one more source of a stored document with
    # the same text (several broken archives hold the same page).
    added = summary_count(ingest_bad.run, "added")
    duplicates = summary_count(ingest_bad.run, "duplicates")
    assert added + duplicates == len(SURVIVORS), ingest_bad.run.stderr
    assert after["documents"] == ingest_bad.before["documents"] + added
    assert after["failures"] == ingest_bad.before["failures"] + len(BAD)
    stages = {stage for _, stage, _ in failures(ingest_bad.db)}
    assert "language" in stages


# --- the CLI: inputs that are read ---------------------------------------------------------------


@pytest.mark.parametrize("good", GOOD, ids=GOOD_IDS)
def test_extract_reads_it(extract_good: Run, good: Good) -> None:
    (visit,) = records_by_doc(extract_good)[good.doc_id]
    assert visit["visitor"]["name"] == good.visitor
    assert visit["destination"]["country"] == good.destination
    assert good.evidence in visit["evidence"][0]["text"]


def test_reading_runs_exit_zero_quietly(extract_good: Run, ingest_good: Stored) -> None:
    assert extract_good.code == 0, extract_good.stderr
    assert extract_good.stderr_lines() == []
    # Markup is never text: the visit hidden in a script and in attributes is not found.
    assert all(r["destination"]["country"] != "BRA" for r in extract_good.records())
    assert set(records_by_doc(extract_good)) == {g.doc_id for g in GOOD}
    assert ingest_good.run.code == 0, ingest_good.run.stderr
    assert "Traceback" not in ingest_good.run.stderr


@pytest.mark.parametrize("good", GOOD, ids=GOOD_IDS)
def test_ingest_stores_it(ingest_good: Stored, good: Good) -> None:
    # Inputs with the same text (utf16.txt and utf16-nobom.txt) are one document.
    doc_id = stored_as(ingest_good.db, good.path)
    assert doc_id is not None
    with open_store(ingest_good.db) as store:
        doc = store.document(doc_id)
        after = store.counts()
    assert doc is not None and doc.cleaned_text is not None
    assert good.evidence in doc.cleaned_text
    assert "alert(" not in doc.cleaned_text and "<" not in doc.cleaned_text
    duplicates = summary_count(ingest_good.run, "duplicates")
    assert after["documents"] + duplicates == (
        ingest_good.before["documents"] + len(GOOD) + len(QUIET)
    )


# --- the CLI: a document that stalls a stage ----------------------------------------------------


def test_a_document_that_stalls_a_stage_is_cut_off(tmp_path: Path, nlp_model: Any) -> None:
    # Two megabytes of text take seconds to clean: far past a limit of a fifth of a second.
    stall = tmp_path / "stall.txt"
    stall.write_text("The committee met on Tuesday to discuss the budget. " * 40_000)
    db, before = _seeded(tmp_path / "stall.db")
    for args in (("extract",), ("ingest", "--db", db)):
        run = visitrack(*args, "--time-limit", "0.2", stall)
        assert run.code == 1, run.stderr
        (line,) = lines_about(run, str(stall))
        assert "took longer than the time limit of 0.2 s" in line
        assert "Traceback" not in run.stderr
    with open_store(db) as store:
        after = store.counts()
    assert after["documents"] == before["documents"]
    assert after["failures"] == before["failures"] + 1


# --- the CLI: bad options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("extract", "--published", "2024-13-01", "x.txt"), "--published: not a date"),
        (("extract", "--bogus", "x.txt"), "unrecognized arguments: --bogus"),
        (("extract",), "give at least one PATH or --urls FILE"),
        (("ingest", "--workers", "0", "x.txt"), "--workers: not a positive whole number"),
        (("extract", "--fetch-timeout", "0", "x.txt"), "--fetch-timeout: not a number of seconds"),
        (("ingest", "--engine", "dask", "x.txt"), "--engine dask needs --scheduler"),
    ],
    ids=["published", "unknown", "no-path", "workers", "fetch-timeout", "dask"],
)
def test_bad_options_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    run = visitrack(*args)
    assert run.code == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


def test_a_file_that_is_not_a_database_is_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("My notes, not a database.\n", encoding="utf-8")
    run = visitrack("ingest", "--db", notes, tmp_path / "missing.txt")
    assert run.code == 1
    assert run.stderr_lines() == [
        f"visitrack: cannot open database file {notes}: file is not a database"
    ]
    assert notes.read_text(encoding="utf-8") == "My notes, not a database.\n"


# --- the API -------------------------------------------------------------------------------------


TOKEN = "bad-input-token"


@dataclass(frozen=True)
class Post:
    """A POST /api/documents: the body and its type, and the status and words of the answer
    (for a document that is read, the visitor it reports, or none)."""

    case: str
    body: bytes
    ctype: str
    status: int
    words: str
    params: tuple[tuple[str, str], ...] = ()
    visitor: str | None = None


def _jsonl_with(line: str) -> bytes:
    return (json.dumps({"id": "a1", "text": MODI}) + "\n" + line + "\n").encode()


REFUSED = [
    Post("binary:pdf", PDF, "text/plain", 415, "binary data (pdf)"),
    Post("binary:png", PNG, "application/octet-stream", 415, "binary data (png image)"),
    Post("binary:nul", NUL_TEXT, "text/plain", 415, "contains nul bytes"),
    Post("empty:nothing", b"", "text/plain", 400, "request body is empty"),
    Post("empty:blank", b" \n\t ", "text/html", 400, "request body is empty"),
    Post("empty:bom", b"\xef\xbb\xbf \n", "text/plain", 400, "request body is empty"),
    Post(
        "empty:text",
        json.dumps({"id": STORED_ID, "text": ""}).encode(),
        "application/json",
        400,
        "request document 1: empty 'text'",
    ),
    Post("huge:body", b"a" * (MAX_BODY_BYTES + 1), "text/plain", 413, "over 5 MB"),
    Post("huge:line", _jsonl_with("a" * MAX_BODY_BYTES), "application/x-ndjson", 413, "5 MB"),
    Post(
        "encoding:declared-wrong",
        LULA.encode("latin-1"),
        "text/plain; charset=utf-8",
        400,
        "request body is not valid utf-8 text",
    ),
    Post(
        "encoding:json-not-utf8",
        b'{"text": "%s"}' % LULA.encode("latin-1"),
        "application/json",
        400,
        "request body is not valid utf-8 text",
    ),
    Post("encoding:unknown", b"text", "text/plain; charset=klingon", 400, "unknown charset"),
    Post(
        "jsonl:bad-json",
        _jsonl_with('{"id": "a2", "text": "unterminated'),
        "application/x-ndjson",
        400,
        "request document 2: malformed JSON",
    ),
    Post(
        "jsonl:wrong-type",
        _jsonl_with('{"id": "a2", "text": 42}'),
        "application/x-ndjson",
        400,
        "request document 2: 'text' must be a string, not number",
    ),
    Post(
        "jsonl:no-text",
        _jsonl_with('{"id": "a2", "title": "x"}'),
        "application/x-ndjson",
        400,
        "request document 2: row has neither 'text' nor 'html'",
    ),
    Post(
        "jsonl:not-object",
        _jsonl_with("[1, 2]"),
        "application/x-ndjson",
        400,
        "request document 2: malformed JSON: row is an array, not an object",
    ),
    Post("warc:plain", BROKEN_WARCS[3].data, "text/plain", 415, "a WARC archive"),
    Post("warc:gzip", warc_archive("posted", gz=True)[0], "text/plain", 415, "binary data (gzip)"),
    Post("warc:typed", b"WARC/1.0\r\n", "application/warc", 415, "unsupported content type"),
    Post("url:body", b"https://news.example/story", "text/plain", 400, "does not fetch"),
    Post(
        "url:json",
        b'{"url": "https://news.example/story"}',
        "application/json",
        400,
        "row has neither 'text' nor 'html'",
    ),
    Post("feed:as-text", rss("http://news.example").encode(), "text/plain", 415, "RSS/Atom feed"),
    Post(
        "feed:typed",
        rss("http://news.example").encode(),
        "application/rss+xml",
        415,
        "unsupported content type 'application/rss+xml'",
    ),
    Post("options:published", MODI.encode(), "text/plain", 400, "'soon'", (("published", "soon"),)),
    Post("options:type", b"a,b", "text/csv", 415, "unsupported content type 'text/csv'"),
    Post("options:id", MODI.encode(), "text/plain", 400, "'id' must be", (("doc_id", "x" * 300),)),
]

LULA_NAME = "Luiz Inácio Lula da Silva"
READ = [
    Post("encoding:latin1", LULA.encode("latin-1"), "text/plain", 201, "Inácio", visitor=LULA_NAME),
    Post(
        "encoding:declared",
        LULA.encode("latin-1"),
        "text/plain; charset=iso-8859-1",
        201,
        "Brasília",
        visitor=LULA_NAME,
    ),
    Post(
        "encoding:utf16",
        KISHIDA.encode("utf-16"),
        "text/plain",
        201,
        "岸田文雄",
        visitor="Fumio Kishida",
    ),
    Post(
        "truncated:html",
        f"<html><body><p>{TRUDEAU}</p><p>More ab".encode(),
        "text/html",
        201,
        "Trudeau will",
        visitor="Justin Trudeau",
    ),
    Post(
        "malicious:hostile",
        HOSTILE_HTML.encode(),
        "text/html",
        201,
        "Trudeau will",
        visitor="Justin Trudeau",
    ),
    Post(
        "malicious:nested",
        NESTED_HTML.encode(),
        "text/html",
        201,
        "Trudeau will",
        visitor="Justin Trudeau",
    ),
    Post(
        "malicious:attribute",
        BIG_ATTRIBUTE_HTML.encode(),
        "text/html",
        201,
        "Trudeau will",
        visitor="Justin Trudeau",
    ),
    # A "feed" that is an HTML page is just a page when posted.
    Post(
        "feed:not-xml",
        page("Not a feed", MODI).encode(),
        "text/html",
        201,
        "Modi will",
        visitor="Narendra Modi",
    ),
    # A submission is the user's own document, like a file named on the command line: kept.
    Post("language:french", FRENCH.encode(), "text/plain", 201, "Élysée"),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, nlp_model: Any) -> Iterator[TestClient]:
    db = build_db(tmp_path_factory.mktemp("api") / "api.db")
    # no answer cache: these tests read what is stored right after each write (a cached answer
    # may be up to LIST_CACHE_MAX_STALE_S old, tests/test_api_cache.py covers that promise)
    app = create_app(db, token=TOKEN, cache_ttl_s=0.0, cache_max_stale_s=0.0)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


def _post(api: TestClient, post: Post, **params: str) -> Any:
    headers = {"Content-Type": post.ctype, "Authorization": f"Bearer {TOKEN}"}
    query = {**dict(post.params), **params}
    return api.post("/api/documents", content=post.body, headers=headers, params=query)


def _stored(api: TestClient) -> dict[str, int]:
    counts: dict[str, int] = api.get("/api/stats").json()["store"]
    return counts


@pytest.mark.parametrize("post", REFUSED, ids=[p.case for p in REFUSED])
def test_api_refuses_with_a_reason_and_stores_nothing(api: TestClient, post: Post) -> None:
    before = _stored(api)
    r = _post(api, post)
    assert r.status_code == post.status, r.text
    assert post.words in r.json()["error"]
    assert _stored(api) == before
    kept = api.get(f"/api/documents/{STORED_ID}").json()
    assert kept["text"].startswith(STORED_TEXT)


@pytest.mark.parametrize("post", READ, ids=[p.case for p in READ])
def test_api_reads_it(api: TestClient, post: Post) -> None:
    before = _stored(api)
    r = _post(api, post, published=PUBLISHED, doc_id=post.case.replace(":", "-"))
    assert r.status_code == post.status, r.text
    (doc,) = r.json()["documents"]
    # A body whose text an earlier case already stored joins that document.
    assert doc["outcome"] in ("added", "duplicate") and "error" not in doc
    assert [v["visitor"]["name"] for v in doc["visits"]] == ([post.visitor] if post.visitor else [])
    text = api.get(f"/api/documents/{doc['doc_id']}").json()["text"]
    assert post.words in text
    # Markup never becomes text: no script, handler or hidden visit reaches the store.
    assert "alert(" not in text and XI not in text
    added = doc["outcome"] == "added"
    assert _stored(api)["documents"] == before["documents"] + added
