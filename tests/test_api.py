"""The HTTP API (visitrack.api) through httpx, against a real SQLite file in tmp_path."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_corpus import HOSTILE, build_db
from visitrack.api import MAX_BATCH_DOCUMENTS, MAX_BODY_BYTES, MAX_PAGE_SIZE, create_app

with warnings.catch_warnings():
    # Starlette 1.x warns that its TestClient will move to httpx2; the client works as is.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LOOPBACK = "http://127.0.0.1:8000"
TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_db(tmp_path_factory.mktemp("api") / "visits.db")


def _client(url: str, **kwargs: Any) -> Iterator[TestClient]:
    bind = kwargs.pop("bind_host", "127.0.0.1")
    base = kwargs.pop("base_url", LOOPBACK)
    with TestClient(create_app(url, bind_host=bind, **kwargs), base_url=base) as client:
        yield client


@pytest.fixture
def client(db_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    yield from _client(db_path)


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client on its own copy of the database, for tests that write."""
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    yield from _client(build_db(tmp_path / "w.db"))


def _visits(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/api/visits", params=params)
    assert r.status_code == 200, r.text
    return r.json()["visits"]  # type: ignore[no-any-return]


# --- reading ---------------------------------------------------------------------------------


def test_visits_lists_storylines_per_spec(client: TestClient) -> None:
    body = client.get("/api/visits").json()
    assert body["count"] == 3 and body["next"] is None and body["previous"] is None
    keys = {
        "id", "visitor", "host", "destination", "kind", "occasion", "stage", "when",
        "history", "doc_ids", "mentions", "first_reported", "last_reported",
    }  # fmt: skip
    assert all(keys <= set(v) for v in body["visits"])
    names = {v["visitor"]["name"] for v in body["visits"]}
    assert names == {"Emmanuel Macron", "Olaf Scholz", "Narendra Modi"}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"country": "RUS"}, {"Narendra Modi"}),
        ({"country": "IND"}, {"Narendra Modi", "Olaf Scholz"}),
        ({"destination": "IND"}, {"Olaf Scholz"}),
        ({"visitor": "macron"}, {"Emmanuel Macron"}),
        ({"stage": "completed"}, {"Narendra Modi"}),
        ({"stage": "ongoing"}, {"Olaf Scholz"}),
        ({"upcoming": "true"}, {"Emmanuel Macron"}),
        ({"from": "2024-10-01", "to": "2024-12-31"}, {"Olaf Scholz"}),
        ({"to": "2024-08-01"}, {"Narendra Modi"}),
    ],
)
def test_visits_filters(client: TestClient, params: dict[str, str], names: set[str]) -> None:
    assert {v["visitor"]["name"] for v in _visits(client, **params)} == names


def test_visits_pagination(client: TestClient) -> None:
    first = client.get("/api/visits", params={"limit": 2}).json()
    assert first["count"] == 2 and first["next"] is not None
    second = client.get(first["next"]).json()
    assert second["count"] == 1 and second["next"] is None and second["previous"] is not None
    ids = [v["id"] for v in first["visits"] + second["visits"]]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"country": "Atlantis"}, "country must be a country: an ISO 3166 alpha-3 code"),
        ({"destination": "XQZ"}, "destination must be a country"),
        ({"stage": "done"}, "stage must be one of proposed"),
        ({"from": "May 2024"}, "from must be a date as YYYY, YYYY-MM or YYYY-MM-DD"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "must not be after"),
        ({"limit": str(MAX_PAGE_SIZE + 1)}, f"limit must be between 1 and {MAX_PAGE_SIZE}"),
        ({"limit": "ten"}, "limit must be a whole number"),
        ({"offset": "-1"}, "offset must be between 0 and"),
        ({"upcoming": "maybe"}, "upcoming must be true or false"),
        ({"visitor": "x" * 500}, "visitor must be at most"),
    ],
)
def test_visits_bad_parameters_are_400_with_a_message(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    r = client.get("/api/visits", params=params)
    assert r.status_code == 400
    assert fragment in r.json()["error"]


@pytest.mark.parametrize(
    "params",
    [
        {"visitor": "' OR '1'='1"},
        {"visitor": "%"},
        {"visitor": "_"},
        {"visitor": "x'); DROP TABLE storylines; --"},
        {"country": "RUS' OR 1=1 --"},
        {"stage": "completed' OR '1'='1"},
        {"from": "2024-01-01' OR 1=1"},
    ],
)
def test_sql_injection_attempts_are_refused_or_find_nothing(
    client: TestClient, params: dict[str, str]
) -> None:
    r = client.get("/api/visits", params=params)
    assert r.status_code == 400 or r.json()["visits"] == []
    assert len(_visits(client)) == 3  # the tables are intact


def test_one_storyline_with_history_evidence_and_sources(client: TestClient) -> None:
    sid = _visits(client, visitor="scholz")[0]["id"]
    body = client.get(f"/api/visits/{sid}").json()
    assert body["id"] == sid
    assert body["history"][0]["stage"] == "ongoing"
    (source,) = body["sources"]
    assert source["document"]["doc_id"] == "scholz-india"
    assert source["visit"]["evidence"][0]["text"].startswith("German Chancellor Olaf Scholz")


def test_unknown_and_malformed_storyline_ids(client: TestClient) -> None:
    r = client.get("/api/visits/ffffffffffff")
    assert r.status_code == 404 and "no storyline with id" in r.json()["error"]
    assert client.get("/api/visits/a%20b").status_code == 400


def test_document_text_and_its_visits(client: TestClient) -> None:
    body = client.get("/api/documents/modi-moscow").json()
    assert body["text"].startswith("Indian Prime Minister Narendra Modi visited Moscow")
    (visit,) = body["visits"]
    ev = visit["evidence"][0]
    assert body["text"][ev["start"] : ev["end"]] == ev["text"]
    assert visit["storyline_id"] == _visits(client, visitor="modi")[0]["id"]
    assert client.get("/api/documents/nope").status_code == 404


def test_stats(client: TestClient) -> None:
    body = client.get("/api/stats").json()
    assert body["total"] == 3
    assert body["by_stage"]["completed"] == 1 and body["by_stage"]["announced"] == 1
    [pair] = [
        p
        for p in body["pairs"]
        if (p["visitor_country"], p["destination_country"]) == ("IND", "RUS")
    ]
    assert pair["count"] == 1 and sum(pair["by_stage"].values()) == 1
    assert sum(row["count"] for row in body["over_time"]) == 3
    assert {s: n for row in body["over_time"] for s, n in row["by_stage"].items()} == {
        s: n for s, n in body["by_stage"].items() if n
    }
    assert body["store"]["documents"] == 3


@pytest.mark.parametrize(
    ("fmt", "media", "needle"),
    [
        ("csv", "text/csv", "visitor_name"),
        ("jsonl", "application/x-ndjson", '"Emmanuel Macron"'),
        ("ics", "text/calendar", "BEGIN:VCALENDAR"),
        ("panel", "text/csv", "visitor_country,destination_country,year"),
    ],
)
def test_export_formats(client: TestClient, fmt: str, media: str, needle: str) -> None:
    r = client.get("/api/export", params={"format": fmt})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert needle in r.text
    assert "attachment" in r.headers["content-disposition"]


def test_export_filters_and_bad_format(client: TestClient) -> None:
    lines = client.get("/api/export", params={"format": "jsonl", "country": "IND"}).text
    assert len(lines.strip().splitlines()) == 2
    r = client.get("/api/export", params={"format": "xlsx"})
    assert r.status_code == 400 and "format must be one of csv, jsonl, ics, panel" in r.text


def test_pages_docs_and_security_headers(client: TestClient) -> None:
    for path in ("/", "/storyline/abc", "/docs"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert "cdn" not in r.text.lower()
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/openapi.json").json()["paths"]["/api/visits"]
    assert "access-control-allow-origin" not in client.get("/api/visits").headers
    assert client.get("/nowhere").json() == {"error": "no such page: /nowhere"}


# --- writing ---------------------------------------------------------------------------------

ARTICLE = (
    "Japanese Prime Minister Fumio Kishida visited Paris in May, meeting President Emmanuel Macron."
)


def test_submit_text_stores_and_returns_visits(fresh: TestClient) -> None:
    r = fresh.post(
        "/api/documents",
        content=ARTICLE,
        params={"published": "2024-06-03", "doc_id": "kishida"},
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.text
    (doc,) = r.json()["documents"]
    assert doc["doc_id"] == "kishida" and doc["outcome"] == "added"
    (visit,) = doc["visits"]
    assert visit["visitor"]["name"] == "Fumio Kishida"
    assert visit["destination"]["country"] == "FRA"
    assert fresh.get(f"/api/visits/{visit['storyline_id']}").status_code == 200
    again = fresh.post(
        "/api/documents",
        content=ARTICLE,
        params={"published": "2024-06-03", "doc_id": "kishida"},
        headers={"Content-Type": "text/plain"},
    )
    assert again.json()["documents"][0]["outcome"] == "unchanged"


def test_submit_json_html_and_jsonl_batch(fresh: TestClient) -> None:
    html = f"<html><body><article><p>{ARTICLE}</p></article></body></html>"
    r = fresh.post("/api/documents", json={"html": html, "published": "2024-06-03"})
    assert r.status_code == 201, r.text
    first_id = r.json()["documents"][0]["doc_id"]
    assert first_id.startswith("api-")
    batch = "\n".join(
        json.dumps({"id": f"b{i}", "text": t, "published": "2024-06-03"})
        for i, t in enumerate([ARTICLE, "Nothing about travel here."])
    )
    r = fresh.post(
        "/api/documents", content=batch, headers={"Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 201
    docs = r.json()["documents"]
    # b0 holds the text the HTML post held: one document with two sources, not two.
    assert [d["outcome"] for d in docs] == ["duplicate", "added"]
    assert [d["doc_id"] for d in docs] == [first_id, "b1"]
    assert len(docs[0]["visits"]) == 1 and docs[1]["visits"] == []


@pytest.mark.parametrize(
    ("body", "ctype", "status", "fragment"),
    [
        ("", "text/plain", 400, "request body is empty"),
        ("{not json", "application/json", 400, "malformed JSON"),
        ('{"title": "x"}', "application/json", 400, "neither 'text' nor 'html'"),
        ('{"text": 5}', "application/json", 400, "'text' must be a string"),
        ('{"text": "a", "published": "soon"}', "application/json", 400, "published"),
        ('{"documents": {}}', "application/json", 400, "'documents' must be a list"),
        ("a,b", "text/csv", 415, "unsupported content type 'text/csv'"),
        (
            "\n".join(['{"id": "x", "text": "a"}'] * 2),
            "application/x-ndjson",
            400,
            "appears twice",
        ),
        (
            "\n".join(f'{{"id": "d{i}", "text": "a"}}' for i in range(MAX_BATCH_DOCUMENTS + 1)),
            "application/x-ndjson",
            413,
            f"send at most {MAX_BATCH_DOCUMENTS}",
        ),
    ],
)
def test_submit_bad_bodies(
    fresh: TestClient, body: str, ctype: str, status: int, fragment: str
) -> None:
    r = fresh.post("/api/documents", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status, r.text
    assert fragment in r.json()["error"]


def test_body_size_limit(fresh: TestClient) -> None:
    big = b"a" * (MAX_BODY_BYTES + 1)
    r = fresh.post("/api/documents", content=big, headers={"Content-Type": "text/plain"})
    assert r.status_code == 413 and "over 5 MB" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(6):
            yield b"a" * (1024 * 1024)

    r = fresh.post("/api/documents", content=chunks(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 413


def test_loopback_without_token_refuses_foreign_host_and_origin(fresh: TestClient) -> None:
    r = fresh.post(
        "/api/documents",
        content=ARTICLE,
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and "cross-origin" in r.json()["error"]
    r = fresh.post(
        "/api/documents",
        content=ARTICLE,
        headers={"Content-Type": "text/plain", "Host": "evil.example"},
    )
    # Refused before the write is looked at: a foreign Host reads nothing either (#13).
    assert r.status_code == 403 and "'evil.example' is not served here" in r.json()["error"]


def test_non_loopback_without_token_refuses_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    for client in _client(str(tmp_path / "x.db"), bind_host="0.0.0.0"):
        r = client.post("/api/documents", content=ARTICLE, headers={"Content-Type": "text/plain"})
        assert r.status_code == 403
        assert "set VISITRACK_TOKEN" in r.json()["error"]
        assert client.get("/api/visits").status_code == 200  # reads stay open


@pytest.mark.parametrize("source", ["argument", "environment"])
def test_token_required_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    kwargs: dict[str, Any] = {"bind_host": "0.0.0.0", "base_url": "http://visits.example"}
    if source == "argument":
        kwargs["token"] = TOKEN
    else:
        monkeypatch.setenv("VISITRACK_TOKEN", TOKEN)
    for client in _client(str(tmp_path / "t.db"), **kwargs):
        plain = {"Content-Type": "text/plain"}
        assert client.post("/api/documents", content=ARTICLE, headers=plain).status_code == 401
        wrong = {**plain, "Authorization": "Bearer nope"}
        assert client.post("/api/documents", content=ARTICLE, headers=wrong).status_code == 401
        right = {**plain, "Authorization": f"Bearer {TOKEN}"}
        r = client.post("/api/documents", content=ARTICLE, headers=right)
        assert r.status_code == 201, r.text


def test_script_injection_is_stored_and_returned_as_data(fresh: TestClient) -> None:
    r = fresh.post("/api/documents", json={"id": "hostile", "text": HOSTILE})
    assert r.status_code == 201
    (visit,) = r.json()["documents"][0]["visits"]
    doc = fresh.get("/api/documents/hostile")
    assert doc.headers["content-type"] == "application/json"
    assert "<script>window.__pwned = 1;" in doc.json()["text"]
    assert 'onerror="window.__pwned=2' in doc.json()["text"]
    assert visit["visitor"]["country"] == "BRA"


def test_api_answers_a_stalled_submission_as_that_documents_failure(tmp_path: Path) -> None:
    # Written for this test: trip sentences, each different, enough to keep the parser busy
    # far beyond the limit.
    slow = "\n\n".join(
        f"Spanish Foreign Minister Ana Ruiz will visit Japan in round {i} of talks on quota {i}."
        for i in range(3000)
    )
    quick = "Japan's Prime Minister Ken Mori arrived in Oslo on Monday for a two-day visit."
    for client in _client(str(tmp_path / "api.db"), token=TOKEN, time_limit_s=1.0):
        rows = [
            {"id": "slow", "text": slow, "published": "2024-05-01"},
            {"id": "quick", "text": quick, "published": "2024-05-01"},
        ]
        r = client.post(
            "/api/documents",
            content="\n".join(json.dumps(row) for row in rows),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-ndjson"},
        )
    assert r.status_code == 201, r.text
    stalled, answered = r.json()["documents"]
    assert "time limit of 1 s" in stalled["error"]
    assert stalled["visits"] == []
    assert len(answered["visits"]) == 1


def test_a_moved_storyline_id_redirects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from test_store import result, visit
    from visitrack.store import open_store

    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    db = str(tmp_path / "moved.db")
    with open_store(db) as store:
        store.ingest(result("jan", [visit("jan", published=date(2023, 1, 1))]))
        store.ingest(result("aug", [visit("aug", published=date(2023, 8, 1))]))
        before = {s.id for s in store.storylines()}
        store.ingest(result("apr", [visit("apr", published=date(2023, 4, 15))]))
        (merged,) = store.storylines()
    (gone,) = before - {merged.id}
    for client in _client(db):
        r = client.get(f"/api/visits/{gone}", follow_redirects=False)
        assert r.status_code == 308
        assert r.headers["location"] == f"/api/visits/{merged.id}"
        assert r.json() == {"id": gone, "moved_to": merged.id, "reason": "merged"}
        assert client.get(f"/api/visits/{gone}").json()["id"] == merged.id
        assert client.get("/api/visits/nosuchid").status_code == 404


def test_document_ids_with_slashes_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from test_store import result, visit
    from visitrack.store import open_store

    monkeypatch.delenv("VISITRACK_TOKEN", raising=False)
    db = str(tmp_path / "paths.db")
    base = result("siteA/index.html", [visit("siteA/index.html")])
    with open_store(db) as store:
        store.ingest(replace(base, raw=replace(base.raw, source_key="file:/c/siteA/index.html")))
    for client in _client(db):
        doc = client.get("/api/documents/siteA/index.html").json()
        assert doc["doc_id"] == "siteA/index.html"
        assert doc["sources"] == ["siteA/index.html.txt"]
        assert doc["extractor_version"]
