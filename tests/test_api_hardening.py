"""Issue #13: the server under attack. Host and Origin on every request, relative links, the
token as configured, strings checked before anything is written, CSV cells that cannot become
formulas, the filter vocabulary the CLI and the API share, bounded exports and caches.

Each test failed on the code before the change it names and passes after it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
