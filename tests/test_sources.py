"""Corpus readers: WARC files, RSS/Atom feeds, URL lists, language filter, polite fetching.

Everything is served from 127.0.0.1 or written to tmp_path; nothing reaches the internet. All
article texts are written for these tests.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from visitrack.readers.dispatch import read_sources
from visitrack.readers.feeds import parse_feed
from visitrack.readers.lang import detect_language
from visitrack.readers.warc import doc_id_for, read_warc
from visitrack.readers.web import Fetcher, FetchFailure, FetchResult
from visitrack.records import DocumentResult, InputFailure, RawDocument

STORY_A = (
    "President Amara Lindqvist of Norland will travel to Portugal next week for talks on "
    "fisheries and trade, her office said on Monday. The two-day official visit is her first "
    "to Lisbon since taking office, and she is expected to meet the Portuguese prime minister."
)
STORY_B = (
    "The foreign minister of Estavia arrived in Kenya on Tuesday for a three-day visit focused "
    "on agriculture and water projects, according to a statement from the ministry. He will "
    "also visit a solar farm outside Nairobi before returning home on Friday."
)
STORY_FR = (
    "Le président de la République se rendra au Portugal la semaine prochaine pour des "
    "entretiens sur la pêche et le commerce, a indiqué lundi son cabinet. Cette visite "
    "officielle de deux jours sera la première à Lisbonne depuis son entrée en fonctions."
)


def page(title: str, body: str, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )


# --- a local HTTP server -----------------------------------------------------------------------


SLOW_SECONDS = 2.0
ROBOTS = "User-agent: *\nDisallow: /private/\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
        status, ctype, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test), which is the point

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


@contextlib.contextmanager
def local_server() -> Iterator[tuple[str, dict[str, tuple[int, str, bytes]]]]:
    """A server on 127.0.0.1 in a thread: its base URL and the routes to fill in."""
    routes: dict[str, tuple[int, str, bytes]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    routes["/robots.txt"] = (200, "text/plain", ROBOTS.encode())
    try:
        yield base, routes
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture()
def server() -> Iterator[tuple[str, dict[str, tuple[int, str, bytes]]]]:
    with local_server() as served:
        yield served


def html_route(text: str) -> tuple[int, str, bytes]:
    return (200, "text/html; charset=utf-8", text.encode())


def fast_fetcher(**kw: object) -> Fetcher:
    opts: dict[str, object] = {"min_delay": 0.0, "backoff": 0.01, "timeout": 0.5, "retries": 1}
    opts.update(kw)
    return Fetcher(**opts)  # type: ignore[arg-type]


# --- WARC --------------------------------------------------------------------------------------


def _warc_bytes(gz: bool, broken_after_first: bool = False) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    records = [
        ("http://news.test/a", "text/html; charset=utf-8", page("Norland visit", STORY_A)),
        ("http://news.test/logo.png", "image/png", "\x89PNG not really"),
        ("http://news.test/b", "text/html", page("Estavia visit", STORY_B)),
    ]
    broken_at = None
    for i, (uri, ctype, body) in enumerate(records):
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        payload = body.encode()
        rec = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": f"2024-05-1{i}T08:00:00Z"},
        )
        writer.write_record(rec)
        if i == 0:
            broken_at = buf.tell()
    data = buf.getvalue()
    if broken_after_first:
        assert broken_at is not None
        junk = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: x\r\n\r\nnot a record\r\n\r\n"
        if gz:
            junk = gzip.compress(b"this gzip member holds no WARC record at all\r\n" * 3)
        data = data[:broken_at] + junk + data[broken_at:]
    return data


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_reads_html_responses_and_skips_the_rest(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(_warc_bytes(gz))
    items = list(read_sources([str(path)]))
    assert all(isinstance(i, RawDocument) for i in items)
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert [d.url for d in docs] == ["http://news.test/a", "http://news.test/b"]
    assert docs[0].is_html and "Lindqvist" in docs[0].content
    assert docs[0].doc_id == doc_id_for("http://news.test/a", "2024-05-10T08:00:00Z")
    assert docs[0].published is None  # the page's own date wins by default


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_broken_warc_record_is_a_failure_and_reading_goes_on(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("broken.warc.gz" if gz else "broken.warc")
    path.write_bytes(_warc_bytes(gz, broken_after_first=True))
    items = list(read_warc(str(path)))
    docs = [i for i in items if isinstance(i, RawDocument)]
    fails = [i for i in items if isinstance(i, InputFailure)]
    assert [d.url for d in docs] == ["http://news.test/a", "http://news.test/b"]
    assert len(fails) == 1
    assert "broken WARC record" in fails[0].reason and fails[0].source.startswith(str(path))


def test_warc_capture_date_on_request(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(_warc_bytes(False))
    docs = list(read_sources([str(path)], published_from_capture=True))
    assert [d.published for d in docs if isinstance(d, RawDocument)] == [
        date(2024, 5, 10),
        date(2024, 5, 12),
    ]


def test_warc_found_by_content_and_in_directories(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "crawl.warc.gz").write_bytes(_warc_bytes(True))
    (tmp_path / "note.txt").write_text(STORY_B, encoding="utf-8")
    odd = tmp_path / "capture.bin"
    odd.write_bytes(_warc_bytes(False))
    assert len([i for i in read_sources([str(odd)]) if isinstance(i, RawDocument)]) == 2
    items = list(read_sources([str(tmp_path / "note.txt"), str(tmp_path)]))
    sources = [i.source for i in items]
    assert all(isinstance(i, RawDocument) for i in items)
    # note.txt named, then the walk: note.txt again, then the archive's two pages
    assert len(items) == 4 and sources[0] == sources[1] == str(tmp_path / "note.txt")


def test_warc_without_pages_is_reported(tmp_path: Path) -> None:
    buf = io.BytesIO()
    WARCWriter(buf, gzip=False).write_record(
        WARCWriter(buf).create_warcinfo_record("x.warc", {"software": "test"})
    )
    path = tmp_path / "empty.warc"
    path.write_bytes(buf.getvalue())
    (item,) = list(read_sources([str(path)]))
    assert isinstance(item, InputFailure) and "no HTML pages" in item.reason


# --- feeds -------------------------------------------------------------------------------------


def _rss(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Test wire</title><link>{base}/</link>
<item><title>Norland visit</title><link>{base}/a</link><guid>a-1</guid>
<pubDate>Mon, 13 May 2024 09:00:00 GMT</pubDate><description>Teaser A.</description></item>
<item><title>Estavia visit</title><link>{base}/missing</link><guid>b-1</guid>
<pubDate>Tue, 14 May 2024 09:00:00 GMT</pubDate><description>{STORY_B}</description></item>
</channel></rss>"""


def _atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Test wire</title><id>urn:test</id>
<updated>2024-05-14T09:00:00Z</updated>
<entry><title>Estavia visit</title><id>urn:b</id><link href="{base}/b"/>
<published>2024-05-14T09:00:00Z</published><updated>2024-05-14T09:00:00Z</updated>
<summary>Teaser B.</summary></entry>
</feed>"""


def test_rss_entries_followed_to_pages_with_summary_fallback(
    server: tuple[str, dict[str, tuple[int, str, bytes]]], tmp_path: Path
) -> None:
    base, routes = server
    routes["/a"] = html_route(page("Norland visit", STORY_A))
    feed = tmp_path / "wire.rss"
    feed.write_text(_rss(base), encoding="utf-8")
    with fast_fetcher() as fetch:
        items = list(read_sources([str(feed)], fetch=fetch))
    first, second = items
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert "Lindqvist" in first.content and first.url == f"{base}/a"
    assert first.published == date(2024, 5, 13) and first.title == "Norland visit"
    # /missing is a 404: the entry's own description stands in for the article
    assert STORY_B in second.content and second.published == date(2024, 5, 14)
    # A fetched article is named by its URL, as a URL list names it: one document either way.
    assert first.doc_id == f"{base}/a" and first.source_key == f"url:{base}/a"
    assert second.doc_id.startswith("feed-") and first.doc_id != second.doc_id


def test_atom_feed_found_by_sniffing_and_followed(
    server: tuple[str, dict[str, tuple[int, str, bytes]]], tmp_path: Path
) -> None:
    base, routes = server
    routes["/b"] = html_route(page("Estavia visit", STORY_B))
    feed = tmp_path / "wire.txt"  # no feed extension: found by its root element
    feed.write_text(_atom(base), encoding="utf-8")
    with fast_fetcher() as fetch:
        (doc,) = list(read_sources([str(feed)], fetch=fetch))
    assert isinstance(doc, RawDocument) and doc.is_html and "Nairobi" in doc.content


def test_feed_offline_uses_entry_text(tmp_path: Path) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_text(_rss("http://127.0.0.1:9"), encoding="utf-8")
    items = list(read_sources([str(feed)], follow_feed_links=False, english_only=False))
    assert [i.content.splitlines()[0] for i in items if isinstance(i, RawDocument)] == [
        "Norland visit",
        "Estavia visit",
    ]


def test_feed_url_in_a_list_is_read_as_a_feed(
    server: tuple[str, dict[str, tuple[int, str, bytes]]], tmp_path: Path
) -> None:
    base, routes = server
    routes["/feed"] = (200, "application/atom+xml", _atom(base).encode())
    routes["/b"] = html_route(page("Estavia visit", STORY_B))
    urls = tmp_path / "list.urls"
    urls.write_text(f"{base}/feed\n", encoding="utf-8")
    with fast_fetcher() as fetch:
        (doc,) = list(read_sources([str(urls)], fetch=fetch))
    assert isinstance(doc, RawDocument) and doc.url == f"{base}/b"


# --- URL lists and the polite fetcher ----------------------------------------------------------


def test_url_list_with_failures_of_every_kind(
    server: tuple[str, dict[str, tuple[int, str, bytes]]], tmp_path: Path
) -> None:
    base, routes = server
    routes["/a"] = html_route(page("Norland visit", STORY_A))
    routes["/private/c"] = html_route(page("Hidden", STORY_B))
    routes["/huge"] = html_route(page("Huge", STORY_B * 200))
    routes["/fr"] = html_route(page("Visite", STORY_FR, lang="fr"))
    routes["/b.txt"] = (200, "text/plain", STORY_B.encode())
    listing = tmp_path / "list.txt"
    listing.write_text(
        f"# today's links\n{base}/a\n{base}/gone\n{base}/slow\n{base}/private/c\n"
        f"{base}/huge\n{base}/fr\n\n{base}/b.txt\n",
        encoding="utf-8",
    )
    with fast_fetcher(timeout=0.3, max_bytes=20_000) as fetch:
        started = time.monotonic()
        items = list(read_sources([str(listing)], kind="urls", fetch=fetch))
        took = time.monotonic() - started
    got = {
        i.source.removeprefix(base): (i.reason if isinstance(i, InputFailure) else "ok")
        for i in items
    }
    assert got["/a"] == "ok" and got["/b.txt"] == "ok"
    assert got["/gone"] == "HTTP 404"
    assert got["/slow"].startswith("timed out (after 2 attempts)")
    assert got["/private/c"] == "disallowed by robots.txt"
    assert got["/huge"].startswith("page too large")
    assert got["/fr"] == "not English (detected: fr)"
    assert [i.source.removeprefix(base) for i in items] == [
        "/a", "/gone", "/slow", "/private/c", "/huge", "/fr", "/b.txt"
    ]  # fmt: skip
    lang_fail = next(i for i in items if isinstance(i, InputFailure) and "English" in i.reason)
    assert lang_fail.stage == "language"
    assert took < SLOW_SECONDS * 2  # the slow page was abandoned, not waited out


def test_fetcher_names_itself_and_retries_server_errors() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        assert "visitrack" in request.headers["user-agent"]
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        if len(calls) < 4:
            return httpx.Response(503)
        return httpx.Response(200, html="<html><body><p>ok</p></body></html>")

    waits: list[float] = []
    fetch = Fetcher(
        transport=httpx.MockTransport(handler),
        retries=3,
        backoff=0.5,
        min_delay=0,
        sleep=waits.append,
    )
    result = fetch.fetch("http://site.test/story")
    assert isinstance(result, FetchResult) and "ok" in result.text
    assert calls == ["/robots.txt", "/story", "/story", "/story"]
    assert [w for w in waits if w > 0] == [0.5, 1.0]  # exponential backoff
    fetch.close()


def test_fetcher_keeps_a_minimum_delay_per_host_and_obeys_unreachable_robots() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "down.test":
            return httpx.Response(500)
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nCrawl-delay: 3\n")
        return httpx.Response(200, html="<p>ok</p>")

    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    fetch = Fetcher(
        transport=httpx.MockTransport(handler), min_delay=1.0, retries=0, sleep=sleep,
        clock=lambda: now[0],
    )  # fmt: skip
    assert isinstance(fetch.fetch("http://up.test/1"), FetchResult)
    assert isinstance(fetch.fetch("http://up.test/2"), FetchResult)
    assert waits and max(waits) == pytest.approx(3.0)  # the host's crawl-delay, over min_delay
    down = fetch.fetch("http://down.test/x")
    assert isinstance(down, FetchFailure) and down.reason == "disallowed by robots.txt"
    fetch.close()


def test_one_connection_per_host_at_a_time() -> None:
    active: dict[str, int] = {}
    peak: dict[str, int] = {}
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        with lock:
            active[host] = active.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), active[host])
        time.sleep(0.02)
        with lock:
            active[host] -= 1
        return httpx.Response(200, html="<p>ok</p>")

    fetch = Fetcher(transport=httpx.MockTransport(handler), min_delay=0, respect_robots=False)
    urls = [f"http://h{i % 2}.test/{i}" for i in range(12)]
    threads = [threading.Thread(target=fetch.fetch, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fetch.close()
    assert peak == {"h0.test": 1, "h1.test": 1}


# --- language ----------------------------------------------------------------------------------


def test_language_detection() -> None:
    assert detect_language(STORY_A).lang == "en"
    assert detect_language(STORY_FR).lang == "fr" and not detect_language(STORY_FR).is_english
    assert detect_language(page("Visite", STORY_FR), is_html=True).lang == "fr"
    assert detect_language("Bonjour.").is_english  # too short to judge: kept


def test_non_english_web_row_skipped_and_counted_unless_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "crawl.jsonl"
    rows = [
        {"id": "en", "text": STORY_A, "url": "http://example.test/en"},
        {"id": "fr", "text": STORY_FR, "url": "http://example.test/fr"},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    items = list(read_sources([str(corpus)]))
    assert isinstance(items[0], RawDocument)
    assert isinstance(items[1], InputFailure) and items[1].stage == "language"
    assert items[1].reason == "not English (detected: fr)"
    kept = list(read_sources([str(corpus)], english_only=False))
    assert all(isinstance(i, RawDocument) for i in kept)


def test_a_named_local_file_is_not_screened(tmp_path: Path) -> None:
    # a file the user names is theirs to have read; only web material is screened
    (tmp_path / "fr.txt").write_text(STORY_FR, encoding="utf-8")
    items = list(read_sources([str(tmp_path / "fr.txt")]))
    assert len(items) == 1 and isinstance(items[0], RawDocument)


def test_plain_inputs_fall_back_to_read_inputs(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    row = {"id": "x1", "text": STORY_A, "published": "2024-05-13"}
    corpus.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (doc,) = list(read_sources([str(corpus)]))
    assert isinstance(doc, RawDocument) and doc.doc_id == f"{corpus}#x1"
    assert doc.published == date(2024, 5, 13)
    (missing,) = list(read_sources([str(tmp_path / "nope.txt")]))
    assert isinstance(missing, InputFailure) and missing.reason == "no such file or directory"


def test_a_feed_that_is_not_xml_is_one_failure(tmp_path: Path) -> None:
    bad = tmp_path / "news.rss"
    bad.write_text("no angle brackets here {{{", encoding="utf-8")
    items = list(read_sources([str(bad)]))
    assert len(items) == 1 and isinstance(items[0], InputFailure)
    assert items[0].reason.startswith("not a feed")


def test_a_feed_is_never_read_from_the_path_or_url_it_contains(tmp_path: Path) -> None:
    # Found while fuzzing the readers: feedparser takes bytes or a string that name a file or
    # URL as that file or URL, so a feed file holding a path was read from the path.
    elsewhere = tmp_path / "elsewhere.rss"
    elsewhere.write_text(_rss("http://127.0.0.1:9"), encoding="utf-8")
    for content in (str(elsewhere), elsewhere.as_uri()):
        feed = tmp_path / "news.rss"
        feed.write_text(content, encoding="utf-8")
        items = list(read_sources([str(feed)], follow_feed_links=False, english_only=False))
        assert len(items) == 1 and isinstance(items[0], InputFailure), items
        assert items[0].reason.startswith("not a feed")
        # A fetched page reaches the parser as a string.
        (fetched,) = list(parse_feed(content, source="https://example.org/feed", fetch=None))
        assert isinstance(fetched, InputFailure) and fetched.reason.startswith("not a feed")


@pytest.mark.parametrize("name", [b"ut\xff8", b"ut\x00f-8"], ids=["not utf-8", "nul"])
def test_a_feed_with_an_unusable_encoding_name_is_one_failure(tmp_path: Path, name: bytes) -> None:
    # Found by fuzzing: feedparser raised UnicodeDecodeError or ValueError on these names.
    feed = tmp_path / "news.rss"
    feed.write_bytes(
        b'<?xml version="1.0" encoding="' + name + b'"?><rss><channel></channel></rss>'
    )
    items = list(read_sources([str(feed)], follow_feed_links=False, english_only=False))
    assert len(items) == 1 and isinstance(items[0], InputFailure), items
    assert items[0].reason.startswith("malformed feed XML")


def test_warc_gzipped_as_a_whole_is_read_to_the_end(tmp_path: Path) -> None:
    # Found by fuzzing: `gzip crawl.warc` makes one gzip stream; warcio stops after its first
    # record, and the rest of the file went unreported.
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(_warc_bytes(False)))
    whole = list(read_warc(str(path)))
    plain = tmp_path / "crawl.warc"
    plain.write_bytes(_warc_bytes(False))
    per_record = list(read_warc(str(plain)))
    assert [d.doc_id for d in whole] == [d.doc_id for d in per_record]
    assert all(isinstance(d, RawDocument) for d in whole) and len(whole) == 2


def test_warc_gzipped_as_a_whole_and_damaged_says_where(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip.compress(_warc_bytes(False, broken_after_first=True)))
    items = list(read_warc(str(path)))
    assert [type(i) for i in items] == [RawDocument, InputFailure, RawDocument], items


def test_one_article_through_a_feed_and_a_url_list_is_one_source(
    server: tuple[str, dict[str, tuple[int, str, bytes]]], tmp_path: Path
) -> None:
    from visitrack.store import open_store

    base, routes = server
    routes["/a"] = html_route(page("Norland visit", STORY_A))
    feed = tmp_path / "wire.rss"
    feed.write_text(_rss(base), encoding="utf-8")
    urls = tmp_path / "reading.urls"
    urls.write_text(f"{base}/a\n", encoding="utf-8")
    with fast_fetcher() as fetch:
        from_feed = next(iter(read_sources([str(feed)], fetch=fetch)))
        (from_list,) = list(read_sources([str(urls)], kind="urls", fetch=fetch))
    assert isinstance(from_feed, RawDocument) and isinstance(from_list, RawDocument)
    assert (from_feed.doc_id, from_feed.source_key) == (from_list.doc_id, from_list.source_key)
    with open_store(str(tmp_path / "v.db")) as store:
        assert store.known(from_feed) is None
        store.ingest(DocumentResult(from_feed, None, ()))
        found = store.known(from_list)
        assert found is not None and (found.outcome, found.doc_id) == ("unchanged", f"{base}/a")
        assert store.counts()["documents"] == 1
