"""Hostile requests against the HTTP API: what tests/test_api.py does not already try.

SQL injection through every query parameter of /api/visits and /api/export and through the
path parameters, on SQLite and on PostgreSQL; markup in submitted ids, titles, URLs and text;
tokens; body limits over real HTTP (uvicorn, chunked bodies); CORS; and 4xx answers that name
the problem. Every refusal must leave the store as it was.
"""

from __future__ import annotations

import http.client
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from api_corpus import (
    HOSTILE,
    HOSTILE_ID,
    HOSTILE_TITLE,
    HOSTILE_URLS,
    build_db,
    fill_store,
    hostile_rows,
    serve_in_thread,
)
from visitrack.api import MAX_BODY_BYTES, create_app
from visitrack.store import open_store

with warnings.catch_warnings():
    # Starlette 1.x warns that its TestClient will move to httpx2; the client works as is.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytest_plugins = ("conftest_pg",)

LOOPBACK = "http://127.0.0.1:8000"
TOKEN = "correct-horse-battery-staple-42"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EVIL_ORIGIN = "https://evil.example"
BACKENDS = ("sqlite", "postgresql")

# Classic and backend-specific injection strings, plus the characters that break naive LIKE
# patterns or string literals (quote, backslash, wildcard, NUL).
SQL_PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "RUS' --",
    "1; DROP TABLE storylines; --",
    "x'); DROP TABLE documents; --",
    "' UNION SELECT id, id, id FROM documents --",
    "%' AND 1=0 UNION SELECT name FROM sqlite_master --",
    "'; SELECT pg_sleep(10); --",
    "1) OR (1=1",
    "\\",
    "'",
    "%",
    "_",
    "\x00",
    "a\x00' OR 1=1 --",
    "1 OR 1=1",
    "-1",
    "99999999999999999999999999",
    "2024-01-01' OR '1'='1",
    "x" * 5000,
]
VISITS_PARAMS = [
    "country",
    "visitor",
    "destination",
    "stage",
    "from",
    "to",
    "upcoming",
    "limit",
    "offset",
]
EXPORT_PARAMS = ["format", "country", "visitor", "destination", "stage", "from", "to", "upcoming"]
# Tricks only a path can carry: dot segments, slashes, an encoded percent sign, a blank id.
PATH_PAYLOADS = [*SQL_PAYLOADS, "..", "../../etc/passwd", "a/b", "*", "%25", " "]


def _counts(url: str) -> dict[str, int]:
    # Reads every table: a dropped table would raise here.
    with open_store(url) as store:
        return store.counts()


def _is_json_error(r: httpx.Response) -> bool:
    if not 400 <= r.status_code < 500:
        return False
    if r.headers.get("content-type") != "application/json":
        return False
    body = r.json()
    return set(body) == {"error"} and isinstance(body["error"], str) and bool(body["error"])


def _client(url: str, **kwargs: Any) -> Iterator[TestClient]:
    with TestClient(create_app(url, **kwargs), base_url=LOOPBACK) as client:
        yield client


# --- SQL injection ---------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API corpus in a store of each backend, shared by the read-only tests."""
    if request.param == "sqlite":
        yield fill_store(str(tmp_path_factory.mktemp("sec") / "visits.db"))
        return
    with request.getfixturevalue("pg_new_database")() as url:
        yield fill_store(url)


@pytest.fixture(scope="module")
def reader(corpus_url: str) -> Iterator[TestClient]:
    yield from _client(corpus_url, token=TOKEN, bind_host="127.0.0.1")


@pytest.fixture(scope="module")
def baseline(corpus_url: str) -> dict[str, int]:
    counts = _counts(corpus_url)
    assert counts["storylines"] == 3  # the corpus is there, so "finds nothing" means something
    return counts


@pytest.mark.parametrize("param", VISITS_PARAMS)
def test_sql_injection_through_visits_parameters(
    reader: TestClient, corpus_url: str, baseline: dict[str, int], param: str
) -> None:
    wrong = []
    for payload in SQL_PAYLOADS:
        r = reader.get("/api/visits", params={param: payload})
        if not (_is_json_error(r) or (r.status_code == 200 and r.json()["visits"] == [])):
            wrong.append((payload[:40], r.status_code, r.text[:200]))
    assert wrong == []
    assert _counts(corpus_url) == baseline
    assert len(reader.get("/api/visits").json()["visits"]) == baseline["storylines"]


@pytest.mark.parametrize("param", EXPORT_PARAMS)
def test_sql_injection_through_export_parameters(
    reader: TestClient, corpus_url: str, baseline: dict[str, int], param: str
) -> None:
    wrong = []
    for payload in SQL_PAYLOADS:
        params = {"format": "jsonl", param: payload}
        r = reader.get("/api/export", params=params)
        if not (_is_json_error(r) or (r.status_code == 200 and r.text.strip() == "")):
            wrong.append((payload[:40], r.status_code, r.text[:200]))
    assert wrong == []
    assert _counts(corpus_url) == baseline


@pytest.mark.parametrize("route", ["/api/visits/", "/api/documents/"])
def test_sql_injection_through_path_parameters(
    reader: TestClient, corpus_url: str, baseline: dict[str, int], route: str
) -> None:
    wrong = []
    for payload in PATH_PAYLOADS:
        r = reader.get(route + quote(payload, safe=""))
        if not _is_json_error(r):
            wrong.append((payload[:40], r.status_code, r.text[:200]))
    assert wrong == []
    assert _counts(corpus_url) == baseline


# --- markup in submitted documents -------------------------------------------------------------


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """A token-guarded client on its own copy of the corpus, and the store's URL."""
    url = build_db(tmp_path / "w.db")
    for client in _client(url, token=TOKEN, bind_host="127.0.0.1"):
        yield client, url


def test_markup_in_ids_titles_urls_and_text_comes_back_as_json_data(
    writer: tuple[TestClient, str],
) -> None:
    client, _ = writer
    rows = hostile_rows()
    batch = "\n".join(json.dumps(row) for row in rows)
    r = client.post(
        "/api/documents", content=batch, headers={**AUTH, "Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    results = r.json()["documents"]
    assert [d["doc_id"] for d in results] == [row["id"] for row in rows]
    assert all(d["visits"] for d in results), results  # each row carries a visit

    for row, result in zip(rows, results, strict=True):
        doc = client.get("/api/documents/" + quote(row["id"], safe=""))
        assert doc.status_code == 200
        # JSON, never sniffed as HTML: the markup is data in a string.
        assert doc.headers["content-type"] == "application/json"
        assert doc.headers["x-content-type-options"] == "nosniff"
        body = doc.json()
        assert (body["doc_id"], body["title"], body["url"]) == (row["id"], row["title"], row["url"])
        assert "<script>window.__pwned = 1;" in body["text"]

        line = client.get(f"/api/visits/{result['visits'][0]['storyline_id']}")
        assert line.headers["content-type"] == "application/json"
        sources = {s["document"]["doc_id"]: s["document"] for s in line.json()["sources"]}
        assert sources[row["id"]]["title"] == row["title"]
        assert sources[row["id"]]["url"] == row["url"]


def test_markup_in_a_text_submission_query_is_data(writer: tuple[TestClient, str]) -> None:
    client, _ = writer
    r = client.post(
        "/api/documents",
        content=HOSTILE,
        params={"doc_id": HOSTILE_ID, "title": HOSTILE_TITLE, "url": HOSTILE_URLS[1]},
        headers={**AUTH, "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    body = client.get("/api/documents/" + quote(HOSTILE_ID, safe="")).json()
    assert (body["title"], body["url"]) == (HOSTILE_TITLE, HOSTILE_URLS[1])


# --- tokens --------------------------------------------------------------------------------------

ARTICLE = "German Chancellor Olaf Scholz will visit Canberra next month, his office said."


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong-token",
        f"Bearer {TOKEN[:-1]}",  # a prefix of the token
        f"Bearer {TOKEN}x",  # the token and more
        f"Bearer {TOKEN.upper()}",
        TOKEN,  # no scheme
        f"Token {TOKEN}",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN} {TOKEN}",
        "Bearer tök",  # not ASCII: compared as bytes, not a crash
    ],
)
def test_writes_without_the_right_token_are_refused_and_store_nothing(
    writer: tuple[TestClient, str], authorization: str | None
) -> None:
    client, url = writer
    before = _counts(url)
    headers: dict[str, Any] = {"Content-Type": "text/plain"}
    if authorization is not None:
        # latin-1, as a client puts a non-ASCII header on the wire
        headers["Authorization"] = authorization.encode("latin-1")
    r = client.post("/api/documents", content=ARTICLE, headers=headers)
    assert r.status_code == 401
    assert "Authorization: Bearer" in r.json()["error"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert _counts(url) == before


def test_a_token_in_the_query_string_is_not_a_credential(writer: tuple[TestClient, str]) -> None:
    client, url = writer
    before = _counts(url)
    for name in ("token", "access_token", "authorization"):
        r = client.post(
            "/api/documents",
            content=ARTICLE,
            params={name: TOKEN},
            headers={"Content-Type": "text/plain"},
        )
        assert r.status_code == 401
    assert _counts(url) == before


@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])  # RFC 7235: the scheme ignores case
def test_the_right_token_writes_even_on_loopback(
    writer: tuple[TestClient, str], scheme: str
) -> None:
    client, url = writer
    before = _counts(url)
    r = client.post(
        "/api/documents",
        content=ARTICLE,
        headers={"Authorization": f"{scheme} {TOKEN}", "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    assert _counts(url)["documents"] == before["documents"] + 1


# --- body limits over real HTTP ------------------------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A token-guarded server under uvicorn on a free port, and its store's URL."""
    url = build_db(tmp_path / "live.db")
    with serve_in_thread(create_app(url, token=TOKEN, bind_host="127.0.0.1")) as base:
        yield base, url


# A refusal comes back at once; this only turns a hang into a failure instead of a stuck run.
SOCKET_TIMEOUT_S = 60.0
CHUNK = 64 * 1024


def _post_chunked(base: str, body: bytes, ctype: str) -> tuple[int, dict[str, Any]]:
    """POST ``body`` with Transfer-Encoding: chunked and no Content-Length."""
    where = urlsplit(base)
    conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=SOCKET_TIMEOUT_S)
    try:
        chunks = (body[i : i + CHUNK] for i in range(0, len(body), CHUNK))
        conn.request(
            "POST",
            "/api/documents",
            body=chunks,
            headers={**AUTH, "Content-Type": ctype},
            encode_chunked=True,
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_chunked_body_just_over_the_limit_is_413(live: tuple[str, str]) -> None:
    base, url = live
    before = _counts(url)
    status, body = _post_chunked(base, b"a" * (MAX_BODY_BYTES + 1), "text/plain")
    assert status == 413
    assert "request body is over 5 MB" in body["error"]
    assert "visitrack ingest" in body["error"]  # says what to do instead
    assert _counts(url) == before


def test_chunked_body_at_the_limit_is_read(live: tuple[str, str]) -> None:
    # Exactly the limit gets past the size check to the JSON parser: no off-by-one.
    base, _ = live
    status, body = _post_chunked(base, b"{" * MAX_BODY_BYTES, "application/json")
    assert status == 400
    assert "malformed JSON" in body["error"]


def test_declared_length_over_the_limit_is_refused_before_the_body(live: tuple[str, str]) -> None:
    base, url = live
    where = urlsplit(base)
    conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=SOCKET_TIMEOUT_S)
    try:
        conn.putrequest("POST", "/api/documents")
        for name, value in {
            **AUTH,
            "Content-Type": "text/plain",
            "Content-Length": str(MAX_BODY_BYTES + 1),
        }.items():
            conn.putheader(name, value)
        conn.endheaders()  # and no body at all: the answer must not wait for one
        response = conn.getresponse()
        assert response.status == 413
        assert "over 5 MB" in json.loads(response.read())["error"]
    finally:
        conn.close()
    assert _counts(url)["documents"] == 3


# --- CORS ----------------------------------------------------------------------------------------


def _cors_headers(r: httpx.Response) -> list[str]:
    return [name for name in r.headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/visits", "GET"),
        ("/api/export", "GET"),
        ("/api/stats", "GET"),
        ("/api/documents", "POST"),
        ("/api/documents/modi-moscow", "GET"),
    ],
)
def test_cross_origin_preflight_gets_no_allow_headers(
    reader: TestClient, path: str, method: str
) -> None:
    r = reader.options(
        path,
        headers={
            "Origin": EVIL_ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert _cors_headers(r) == []
    assert _is_json_error(r)  # a 4xx the browser reads as "no"


def test_foreign_origin_requests_get_no_cors_headers(
    writer: tuple[TestClient, str],
) -> None:
    client, url = writer
    sid = client.get("/api/visits").json()["visits"][0]["id"]
    for path in ("/api/visits", f"/api/visits/{sid}", "/api/stats", "/api/export", "/"):
        r = client.get(path, headers={"Origin": EVIL_ORIGIN})
        assert r.status_code == 200
        assert _cors_headers(r) == []
    r = client.post(
        "/api/documents",
        content=ARTICLE,
        headers={**AUTH, "Origin": EVIL_ORIGIN, "Content-Type": "text/plain"},
    )
    # The token holder may write from anywhere, but the page cannot read the answer.
    assert r.status_code == 201 and _cors_headers(r) == []
    assert _counts(url)["documents"] == 4


# --- clear 4xx -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/nothing", "/api", "/api/visits/abc/extra", "/static/x.js"])
def test_unknown_routes_are_404_naming_the_path(reader: TestClient, path: str) -> None:
    r = reader.get(path)
    assert r.status_code == 404 and _is_json_error(r)
    assert path in r.json()["error"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/visits", "GET"),
        ("POST", "/api/visits", "GET"),
        ("PUT", "/api/documents", "POST"),
        ("GET", "/api/documents", "POST"),
        ("PATCH", "/api/visits/abc", "GET"),
        ("POST", "/api/stats", "GET"),
    ],
)
def test_wrong_method_is_405_naming_method_and_the_allowed_one(
    reader: TestClient, method: str, path: str, allowed: str
) -> None:
    r = reader.request(method, path)
    assert r.status_code == 405 and _is_json_error(r)
    assert r.json()["error"] == f"{method} is not allowed on {path}; use {allowed}"
    assert r.headers["allow"] == allowed


@pytest.mark.parametrize(
    "ctype",
    [
        "multipart/form-data; boundary=x",  # what a cross-site HTML form sends
        "application/x-www-form-urlencoded",
        "application/xml",
        "image/png",
    ],
)
def test_wrong_content_type_is_415_naming_it(writer: tuple[TestClient, str], ctype: str) -> None:
    client, url = writer
    before = _counts(url)
    r = client.post("/api/documents", content=ARTICLE, headers={**AUTH, "Content-Type": ctype})
    assert r.status_code == 415 and _is_json_error(r)
    assert repr(ctype.split(";")[0]) in r.json()["error"]
    assert "application/json" in r.json()["error"]  # and what to send instead
    assert _counts(url) == before


DEEP = "[" * 100_000


@pytest.mark.parametrize(
    ("body", "ctype", "fragment"),
    [
        (DEEP, "application/json", "malformed JSON: nested too deeply"),
        ('{"text": ' + DEEP + "}", "application/json", "malformed JSON"),
        (f'{{"text": "a", "id": {"9" * 5000}}}', "application/json", "malformed JSON"),
        ("[]", "application/json", "JSON body must be an object"),
        ("null", "application/json", "JSON body must be an object"),
        ('"just a string"', "application/json", "JSON body must be an object"),
        ('{"documents": [1]}', "application/json", "request document 1: malformed JSON"),
        ('{"documents": [{"text": 5}]}', "application/json", "'text' must be a string"),
        (
            '{"id": "a", "text": "x"}\n{"id": "b", "text": ',
            "application/x-ndjson",
            "request document 2: malformed JSON",
        ),
        ('{"id": "a", "text": "x"}\n' + DEEP, "application/x-ndjson", "request document 2"),
        ('{"id": "a\\u0000b", "text": "x"}', "application/json", "NUL"),
        ('{"id": ["a"], "text": "x"}', "application/json", "'id' must be a string or integer"),
        ('{"text": "x", "title": 7}', "application/json", "'title' must be a string"),
    ],
)
def test_bad_json_is_400_naming_the_problem(
    writer: tuple[TestClient, str], body: str, ctype: str, fragment: str
) -> None:
    client, url = writer
    before = _counts(url)
    r = client.post("/api/documents", content=body, headers={**AUTH, "Content-Type": ctype})
    assert r.status_code == 400 and _is_json_error(r), r.text
    assert fragment in r.json()["error"]
    assert _counts(url) == before


def test_invalid_utf8_json_is_400(writer: tuple[TestClient, str]) -> None:
    client, url = writer
    r = client.post(
        "/api/documents",
        content=b'{"text": "caf\xe9 visit"}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 400 and "utf-8" in r.json()["error"].lower()
    assert _counts(url)["documents"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0001-01-01"},  # once an OverflowError in the store's window bound: a 500
        {"to": "9999-12-31"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"offset": "1000000000"},
    ],
)
def test_extreme_but_valid_values_get_normal_answers(
    reader: TestClient, params: dict[str, str]
) -> None:
    r = reader.get("/api/visits", params=params)
    assert r.status_code == 200, r.text
    expected = 0 if "offset" in params else 3
    assert r.json()["count"] == expected
    # The export has no pages: an offset is an unknown parameter there (a 400, #13).
    filters = {k: v for k, v in params.items() if k != "offset"}
    assert reader.get("/api/export", params={**filters, "format": "csv"}).status_code == 200
