"""Issue #13: the server under attack. Host and Origin on every request, relative links, the
token as configured, strings checked before anything is written, CSV cells that cannot become
formulas, the filter vocabulary the CLI and the API share, bounded exports and caches.

Each test failed on the code before the change it names and passes after it.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from api_corpus import build_db
from visitrack.api import create_app
from visitrack.store import open_store

with warnings.catch_warnings():
    # Starlette 1.x warns that its TestClient will move to httpx2; the client works as is.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytest_plugins = ("conftest_pg",)

LOOPBACK = "http://127.0.0.1:8000"
TOKEN = "hardening-token-1234"
BACKENDS = ("sqlite", "postgresql")
ARTICLE = "German Chancellor Olaf Scholz will visit Canberra next month, his office said."
READ_PATHS = (
    "/",
    "/docs",
    "/openapi.json",
    "/api/visits",
    "/api/stats",
    "/api/export",
    "/api/documents/modi-moscow",
    "/static/app.js",
)


def _client(url: str, **kwargs: Any) -> Iterator[TestClient]:
    kwargs.setdefault("bind_host", "127.0.0.1")
    base = kwargs.pop("base_url", LOOPBACK)
    with TestClient(create_app(url, **kwargs), base_url=base) as client:
        yield client


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_db(tmp_path_factory.mktemp("hard") / "visits.db")


@pytest.fixture
def client(db_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    yield from _client(db_path)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, str]]:
    """A client without a token on its own copy of the corpus, and the store's URL."""
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    url = build_db(tmp_path / "w.db")
    for c in _client(url):
        yield c, url


def _counts(url: str) -> dict[str, int]:
    with open_store(url) as store:
        return store.counts()


def _error(r: Any) -> str:
    body = r.json()
    assert set(body) == {"error"}, body
    return str(body["error"])


# --- Host and Origin -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", READ_PATHS)
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_reads_on_loopback_refuse_a_foreign_host(client: TestClient, path: str, host: str) -> None:
    # DNS rebinding: a page from evil.example whose name now resolves to 127.0.0.1.
    r = client.get(path, headers={"Host": host})
    assert r.status_code == 403, r.text[:200]
    assert host in _error(r) and "not served" in _error(r)


@pytest.mark.parametrize(
    "host",
    [
        "[::1]evil.example:8000",
        "[::1]evil.example",
        "127.0.0.1:8000@evil.example",
        "127.0.0.1:80:80",
        "127.0.0.1:port",
        "127.0.0.1 evil.example",
        "localhost.",
        "[::1",
        "",
    ],
)
def test_malformed_hosts_are_refused_for_reads_and_writes(
    fresh: tuple[TestClient, str], host: str
) -> None:
    c, url = fresh
    before = _counts(url)
    r = c.get("/api/visits", headers={"Host": host})
    assert r.status_code in (400, 403), r.text[:200]
    assert "Host" in _error(r) or "host" in _error(r)
    w = c.post(
        "/api/documents", content=ARTICLE, headers={"Host": host, "Content-Type": "text/plain"}
    )
    assert w.status_code in (400, 403), w.text[:200]
    assert _counts(url) == before


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST", "127.0.0.2"]
)
def test_loopback_hosts_are_served(client: TestClient, host: str) -> None:
    assert client.get("/api/visits", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "origin",
    [
        "https://127.0.0.1:8000",  # the scheme differs: another origin
        "http://127.0.0.1:8001",
        "http://127.0.0.1:8000.evil.example",
        "http://127.0.0.1:8000/",
        "null",
    ],
)
def test_writes_on_loopback_need_exactly_the_same_origin(
    fresh: tuple[TestClient, str], origin: str
) -> None:
    c, url = fresh
    before = _counts(url)
    r = c.post(
        "/api/documents", content=ARTICLE, headers={"Origin": origin, "Content-Type": "text/plain"}
    )
    assert r.status_code == 403, r.text[:200]
    assert "origin" in _error(r)
    assert _counts(url) == before


def test_a_same_origin_write_on_loopback_is_accepted(fresh: tuple[TestClient, str]) -> None:
    c, _ = fresh
    r = c.post(
        "/api/documents",
        content=ARTICLE,
        headers={"Origin": "http://127.0.0.1:8000", "Content-Type": "text/plain"},
    )
    assert r.status_code in (201, 202), r.text[:200]


def test_an_allow_list_guards_a_public_bind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    url = build_db(tmp_path / "pub.db")
    for c in _client(
        url, bind_host="0.0.0.0", allowed_hosts=("visits.example",), base_url="http://x"
    ):
        assert c.get("/api/visits", headers={"Host": "visits.example"}).status_code == 200
        assert c.get("/api/visits", headers={"Host": "VISITS.example:8080"}).status_code == 200
        r = c.get("/api/visits", headers={"Host": "evil.example"})
        assert r.status_code == 403 and "evil.example" in _error(r)


def test_page_links_are_relative_and_ignore_the_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without an allow-list a public bind answers any Host; the cached `next` link must not
    # carry the first asker's.
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    url = build_db(tmp_path / "links.db")
    for c in _client(url, bind_host="0.0.0.0", base_url="http://x"):
        first = c.get("/api/visits", params={"limit": 1}, headers={"Host": "evil.example"}).json()
        again = c.get("/api/visits", params={"limit": 1}, headers={"Host": "good.example"}).json()
        for body in (first, again):
            assert body["next"].startswith("/api/visits?"), body["next"]
            assert "example" not in body["next"]
        second = c.get(again["next"]).json()
        assert second["previous"].startswith("/api/visits?")


# --- the token -----------------------------------------------------------------------------------


@pytest.mark.parametrize("configured", [f"{TOKEN} ", f" {TOKEN}\n", f"{TOKEN}\t"])
def test_a_token_with_surrounding_space_is_stripped(tmp_path: Path, configured: str) -> None:
    url = build_db(tmp_path / "tok.db")
    for c in _client(url, token=configured):
        r = c.post(
            "/api/documents",
            content=ARTICLE,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
        )
        assert r.status_code in (201, 202), r.text[:200]


@pytest.mark.parametrize("configured", ["two words", "tab\tinside", "ctl\x01char", "  "])
def test_a_token_that_cannot_be_sent_is_refused_at_start(tmp_path: Path, configured: str) -> None:
    from visitrack.errors import VisitrackError

    with pytest.raises(VisitrackError, match="VISITRACK_TOKEN"):
        create_app(str(tmp_path / "t.db"), token=configured)


# --- strings checked before anything is written ------------------------------------------------

# JSON escapes, so the body is valid UTF-8 JSON whatever the escape stands for.
BAD_STRINGS = {
    "surrogate": ("\\ud800", "lone surrogate"),
    "nul": ("\\u0000", "NUL"),
    "control": ("\\u0001", "control"),
}
LONG = {"id": 256, "title": 2_001, "url": 8_193}


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store of each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "empty.db")
        return
    yield request.getfixturevalue("pg_database")


def _batch(bad_field: str, bad_json: str) -> str:
    rows = [
        '{"id": "one", "text": "Indian Prime Minister Narendra Modi visited Moscow in July."}',
        '{"id": "two", "text": "French President Emmanuel Macron visited Japan in May.", '
        '"url": "https://news.example/two", "title": "Macron in Japan"}',
        '{"id": "three", "text": "German Chancellor Olaf Scholz visited India in June."}',
    ]
    middle = json.loads(rows[1])
    key = "text" if bad_field == "text" else bad_field
    middle_json = json.dumps(middle)
    # Put the escape inside the field's JSON string, as a client would send it.
    old = json.dumps(middle[key])
    rows[1] = middle_json.replace(old, old[:-1] + bad_json + '"', 1)
    return "\n".join(rows)


@pytest.mark.parametrize("field", ["id", "url", "title", "text"])
@pytest.mark.parametrize("kind", list(BAD_STRINGS))
def test_a_bad_string_in_any_field_refuses_the_whole_batch(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, field: str, kind: str
) -> None:
    if field == "text" and kind == "control":
        pytest.skip("article text keeps its control characters (the cleaner drops them)")
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    escape, words = BAD_STRINGS[kind]
    for c in _client(empty_url):
        r = c.post(
            "/api/documents",
            content=_batch(field, escape),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert r.status_code == 400, r.text[:300]
        message = _error(r)
        assert "request document 2" in message and f"'{field}'" in message and words in message
    assert _counts(empty_url) == {"documents": 0, "mentions": 0, "storylines": 0, "failures": 0}


@pytest.mark.parametrize("field", list(LONG))
def test_an_over_long_field_is_a_400_naming_it(
    empty_url: str, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    row = {"id": "x", "text": "Modi visited Moscow in July.", field: "a" * LONG[field]}
    for c in _client(empty_url):
        r = c.post("/api/documents", json={"documents": [row]})
        assert r.status_code == 400, r.text[:300]
        assert f"'{field}'" in _error(r) and "at most" in _error(r)
    assert _counts(empty_url)["documents"] == 0


def test_a_lone_surrogate_in_a_single_json_document_is_400(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Once a 500: the row was re-encoded as UTF-8 before it was checked.
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    for c in _client(str(tmp_path / "s.db")):
        r = c.post(
            "/api/documents",
            content=b'{"id": "s", "text": "Modi \\ud800 visited Moscow."}',
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 400 and "'text' holds a lone surrogate" in _error(r)
        r = c.post(
            "/api/documents",
            content="Modi visited Moscow.",
            params={"title": "bad\x01title"},
            headers={"Content-Type": "text/plain"},
        )
        assert r.status_code == 400 and "'title' holds a control character" in _error(r)


@pytest.mark.parametrize("kind", list(BAD_STRINGS))
def test_the_cli_refuses_the_same_row_with_the_same_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    from visitrack.cli import main

    escape, words = BAD_STRINGS[kind]
    corpus = tmp_path / "rows.jsonl"
    corpus.write_text(_batch("title", escape) + "\n", encoding="utf-8")
    db = tmp_path / "cli.db"
    assert main(["ingest", "--db", str(db), "--no-progress", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert f"{corpus}:2: 'title' holds a" in err and words in err
    with open_store(str(db)) as store:
        assert store.document(f"{corpus}#two") is None
        assert store.document(f"{corpus}#one") is not None


def test_a_batch_the_database_would_refuse_part_of_is_stored_not_at_all(empty_url: str) -> None:
    from dataclasses import replace

    from test_store import result, visit
    from visitrack.store import StoreError

    good = result("good", [visit("good")])
    bad = result("bad", [visit("bad")])
    assert bad.document is not None
    # What no reader lets through, handed to the store directly: a NUL in the cleaned title.
    bad = replace(bad, document=replace(bad.document, title="Title\x00bad"))
    with open_store(empty_url) as store:
        with pytest.raises(StoreError, match=r"'bad'.*title.*U\+0000"):
            store.ingest_batch([good, bad])
        assert store.counts() == {"documents": 0, "mentions": 0, "storylines": 0, "failures": 0}
        assert [i.outcome for i in store.ingest_batch([good])] == ["added"]


# --- CSV cells -----------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]


def test_csv_cells_that_start_a_formula_are_neutralised(fresh: tuple[TestClient, str]) -> None:
    c, url = fresh
    rows = [
        {
            "id": f,
            "title": f,
            "text": f"Japanese Prime Minister Fumio Kishida visited Paris in May {n}.",
        }
        for n, f in enumerate(FORMULAS)
    ]
    r = c.post("/api/documents", json={"documents": rows})
    assert r.status_code in (201, 202), r.text[:300]
    from visitrack.export import mentions_csv

    answer = c.get("/api/export", params={"format": "csv"}).text
    with open_store(url) as store:
        out = io.StringIO()
        mentions_csv(store.mentions(), out)
    for text in (answer, out.getvalue()):
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        starts = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t")]
        assert starts == [], starts
    # The value is kept, as text: one mention row per document.
    assert "'=HYPERLINK" in out.getvalue() and "'+1+1" in answer


# --- ids with slashes ----------------------------------------------------------------------------

SLASH_IDS = ["a/b", "/abs/path.txt", "a//b", "dir/", "a/../b", "..", "./x", "a/%2F/b"]


def test_ids_with_slashes_can_be_fetched_over_http(tmp_path: Path) -> None:
    import httpx

    from api_corpus import serve_in_thread

    url = str(tmp_path / "slash.db")
    rows = [
        {"id": i, "text": f"Indian Prime Minister Narendra Modi visited Moscow in July, round {n}."}
        for n, i in enumerate(SLASH_IDS)
    ]
    with serve_in_thread(create_app(url, token=TOKEN)) as base:
        r = httpx.post(
            f"{base}/api/documents",
            json={"documents": rows},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        assert r.status_code in (201, 202), r.text[:300]
        for doc_id in SLASH_IDS:
            got = httpx.get(f"{base}/api/document", params={"id": doc_id}, timeout=30)
            assert got.status_code == 200, (doc_id, got.text[:200])
            assert got.json()["doc_id"] == doc_id
        assert httpx.get(f"{base}/api/documents/a/b", timeout=30).json()["doc_id"] == "a/b"
        missing = httpx.get(f"{base}/api/document", params={"id": "nope/x"}, timeout=30)
        assert missing.status_code == 404 and "nope/x" in missing.json()["error"]


# --- bounded exports, caches and slow clients ------------------------------------------------

# Storylines in the export test's store: an export several megabytes long, far more than the
# socket buffers and the stream's chunks hold, so an unread export stays open.
EXPORT_MENTIONS = 30_000


@contextmanager
def _live(app: Any, *, header_timeout_s: float = 10.0) -> Iterator[str]:
    """``app`` under uvicorn as `visitrack serve` configures it, on a free loopback port."""
    with _live_server(app, header_timeout_s=header_timeout_s) as (base, _server):
        yield base


@contextmanager
def _live_server(
    app: Any, *, header_timeout_s: float = 10.0, shared_socket: bool = False
) -> Iterator[tuple[str, Any]]:
    """:func:`_live`, yielding the uvicorn server too. ``shared_socket``: on a listening socket
    uvicorn binds itself, as it does for the processes of ``--workers N``."""
    import threading
    import time

    import uvicorn

    from api_corpus import SERVER_START_S, free_port
    from visitrack.api import server_config

    config = server_config(
        app, port=free_port(), header_timeout_s=header_timeout_s, log_level="warning"
    )
    server = uvicorn.Server(config)
    sockets = [config.bind_socket()] if shared_socket else None
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    try:
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{config.port}", server
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    from synthetic_store import bulk_load

    db = str(tmp_path_factory.mktemp("big") / "big.db")
    bulk_load(db, EXPORT_MENTIONS)
    return db


def _open_unread_export(base: str) -> socket.socket:
    """An export request whose answer is not read: the server's writer waits for the client."""
    where = urlsplit(base)
    sock = socket.create_connection((where.hostname, where.port), timeout=SOCKET_TIMEOUT_S)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(f"GET /api/export?format=jsonl HTTP/1.1\r\nHost: {where.netloc}\r\n\r\n".encode())
    assert sock.recv(64).startswith(b"HTTP/1.1 200")
    return sock


SOCKET_TIMEOUT_S = 60.0


# How long the test waits for a closed export's slot to come back (polled; the wait only turns
# a leak into a failure instead of a hang).
SLOT_WAIT_S = 30.0


@pytest.mark.slow
def test_exports_beyond_the_cap_get_429_and_a_slot_frees_when_one_ends(big_store: str) -> None:
    import time

    import httpx

    with _live(create_app(big_store, max_exports=2)) as base:
        held = [_open_unread_export(base), _open_unread_export(base)]
        try:
            r = httpx.get(f"{base}/api/export", params={"format": "csv"}, timeout=30)
            assert r.status_code == 429, r.text[:200]
            assert "2 exports are running" in r.json()["error"]
            assert int(r.headers["retry-after"]) > 0
            # Reads other than exports are not held up.
            assert httpx.get(f"{base}/api/visits", timeout=30).status_code == 200
            held[0].close()  # a client that goes away frees its slot
            deadline = time.monotonic() + SLOT_WAIT_S
            while time.monotonic() < deadline:
                r = httpx.get(
                    f"{base}/api/export", params={"format": "ics", "stage": "ongoing"}, timeout=30
                )
                if r.status_code != 429:
                    break
                time.sleep(0.1)
            assert r.status_code == 200, r.text[:200]
            assert r.text.startswith("BEGIN:VCALENDAR")
            assert r.text.endswith("END:VCALENDAR\r\n")
        finally:
            for sock in held:
                sock.close()


def test_a_streamed_export_is_the_whole_export(big_store: str) -> None:
    from visitrack import export

    for c in _client(big_store):
        r = c.get("/api/export", params={"format": "jsonl", "country": "RUS"})
        assert r.status_code == 200
    with open_store(big_store) as store:
        out = io.StringIO()
        export.write("jsonl", store.storylines(country="RUS"), out)
    assert r.text == out.getvalue() and r.text.count("\n") > 100


def test_the_list_cache_drops_expired_answers_and_caps_its_bytes() -> None:
    from visitrack.api import ResponseCache

    now = [0.0]
    cache = ResponseCache(ttl=2.0, size=1024, max_bytes=8_000, clock=lambda: now[0])
    for n in range(10):
        cache.put(f"page{n}", b"x" * 100)
    assert len(cache) == 10
    now[0] = 3.0  # every entry is past its time
    cache.put("fresh", b"y" * 100)
    assert len(cache) == 1 and cache.get("page0") is None
    for n in range(20):
        cache.put(f"big{n}", b"z" * 900)
    assert cache.bytes <= 8_000 and cache.get("big19") == b"z" * 900
    cache.put("huge", b"h" * 2_000)  # over an eighth of the cache: answered, not kept
    assert cache.get("huge") is None


def test_a_client_that_sends_headers_too_slowly_is_cut_off(db_path: str) -> None:
    with _live(create_app(db_path), header_timeout_s=1.0) as base:
        where = urlsplit(base)
        with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
            sock.sendall(b"GET /api/visits HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and no end
            assert sock.recv(1024) == b""  # closed by the server, not by the socket timeout
        # A prompt client on the same server is served.
        with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
            sock.sendall(f"GET /api/stats HTTP/1.1\r\nHost: {where.netloc}\r\n\r\n".encode())
            assert sock.recv(64).startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize("shared_socket", [False, True], ids=["one-process", "workers"])
def test_answers_are_sent_without_waiting_for_an_acknowledgement(
    db_path: str, shared_socket: bool
) -> None:
    """TCP_NODELAY on every connection: with Nagle's algorithm on, an answer written in two
    parts waits for the client's delayed acknowledgement (about 40 ms a request). asyncio sets
    it only where the listening socket's protocol number is TCP, which the socket uvicorn binds
    for ``--workers N`` does not say."""
    import httpx

    live = _live_server(create_app(db_path), shared_socket=shared_socket)
    with live as (base, server), httpx.Client(base_url=base) as http:
        assert http.get("/api/stats").status_code == 200
        # The kept-alive connection that answered, as the server holds it.
        held = [c.transport.get_extra_info("socket") for c in server.server_state.connections]
        assert held, "the server holds the connection open"
        for sock in held:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_a_body_that_arrives_too_slowly_is_408(tmp_path: Path) -> None:
    url = build_db(tmp_path / "slow.db")
    with _live(create_app(url, token=TOKEN, body_timeout_s=1.0)) as base:
        where = urlsplit(base)
        with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
            sock.sendall(
                (
                    f"POST /api/documents HTTP/1.1\r\nHost: {where.netloc}\r\n"
                    f"Authorization: Bearer {TOKEN}\r\nContent-Type: text/plain\r\n"
                    "Content-Length: 1000\r\n\r\nGerman Chancellor"
                ).encode()
            )
            answer = b""
            # The answer closes the connection: read until it does (headers and body may
            # arrive in separate packets).
            while chunk := sock.recv(4096):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"took over 1 s to arrive" in answer
    assert _counts(url)["documents"] == 3


def test_a_server_process_keeps_its_startup_objects_out_of_full_collections(
    db_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from visitrack.api import ENV_DB, app_from_env

    monkeypatch.setenv(ENV_DB, db_path)
    gc.unfreeze()
    app = None
    try:
        app = app_from_env()
        # Frozen: the garbage collector's full passes under load no longer walk them.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        if app is not None:
            app.state.store.close()
