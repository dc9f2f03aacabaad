"""The answer cache's consistency promise (#13): list and stats answers are served at most
``cache_max_stale_s`` seconds old, a stale one is served while one refresh recomputes it, a
write through a server process marks its answers stale (once they are
``REFRESH_AFTER_WRITE_S`` old) without throwing them away, and the cache stays bounded. The
time bounds are the promise itself, not speed targets: an answer older than the bound is never
served, however slow the machine."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_corpus import build_db
from visitrack.api import (
    LIST_CACHE_TTL_S,
    REFRESH_AFTER_WRITE_S,
    CacheStamp,
    ResponseCache,
    create_app,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

LOOPBACK = "http://127.0.0.1:8000"
TOKEN = "cache-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Written for these tests: one trip, found by the extractor.
TRIP = "Japan's Prime Minister Ken Mori arrived in Oslo on Monday for a two-day visit."
OTHER_TRIP = "Chile's President Rosa Vidal arrived in Lisbon on Tuesday for a state visit."
# Bounds on polling loops: they only turn a hang into a failure.
SETTLE_S = 60.0
POLL_S = 0.05


# --- the cache on its own, on a clock the test moves -------------------------------------------


def _cache(now: list[float], **kwargs: Any) -> ResponseCache:
    defaults: dict[str, Any] = {
        "ttl": 2.0,
        "size": 1024,
        "max_bytes": 8_000,
        "max_stale": 5.0,
        "refresh_after_write": 1.0,
    }
    return ResponseCache(clock=lambda: now[0], **{**defaults, **kwargs})


def test_an_answer_is_fresh_then_stale_then_gone() -> None:
    now = [0.0]
    cache = _cache(now)
    cache.put("page", b"old")
    hit = cache.lookup("page")
    assert hit is not None and hit.fresh and hit.body == b"old"
    now[0] = 3.0  # past the TTL, within max_stale: served, marked stale
    hit = cache.lookup("page")
    assert hit is not None and not hit.fresh and hit.body == b"old"
    now[0] = 5.5  # past max_stale: never served again
    assert cache.lookup("page") is None and cache.get("page") is None and len(cache) == 0


def test_a_write_marks_answers_stale_without_dropping_them() -> None:
    now = [0.0]
    cache = _cache(now)
    cache.put("page", b"before the write")
    now[0] = 1.5  # within the TTL: fresh until a write
    assert (hit := cache.lookup("page")) is not None and hit.fresh
    cache.invalidate()
    hit = cache.lookup("page")
    assert hit is not None and not hit.fresh and hit.body == b"before the write"
    # A computation that began after the write is fresh.
    cache.put("page", b"after the write", cache.stamp())
    hit = cache.lookup("page")
    assert hit is not None and hit.fresh and hit.body == b"after the write"


def test_a_write_does_not_force_a_refresh_of_a_young_answer() -> None:
    # Writes come several times a second under load: each must not make every answer just
    # computed stale again, or popular answers are recomputed after every write.
    now = [0.0]
    cache = _cache(now, refresh_after_write=1.0)
    cache.put("page", b"just computed")
    now[0] = 0.9
    cache.invalidate()
    assert (hit := cache.lookup("page")) is not None and hit.fresh
    now[0] = 1.0  # as old as the bound: the write now counts
    assert (hit := cache.lookup("page")) is not None and not hit.fresh
    # Without a write the same answer stays fresh for the whole TTL.
    cache.put("other", b"no write since", cache.stamp())
    now[0] = 2.9
    assert (hit := cache.lookup("other")) is not None and hit.fresh
    # Writes all along change nothing to the age bound.
    for step in range(8):
        now[0] = 3.0 + step * 0.25
        cache.invalidate()
    now[0] = 5.1
    assert cache.lookup("page") is None


def test_the_api_s_cache_lets_a_write_wait_less_than_its_ttl() -> None:
    # At or past the TTL, a write through the process would never make an answer stale.
    assert 0 < REFRESH_AFTER_WRITE_S < LIST_CACHE_TTL_S


def test_an_answer_computed_across_a_write_counts_as_computed_before_it() -> None:
    now = [0.0]
    cache = _cache(now)
    began = cache.stamp()  # a read begins ...
    cache.invalidate()  # ... a write lands while it runs ...
    now[0] = 0.5
    cache.put("page", b"may miss the write", began)  # ... and its answer is kept
    now[0] = 0.6
    cache.put("later", b"saw the write", cache.stamp())
    now[0] = 1.2  # the first began 1.2 s ago, before the write: stale
    hit = cache.lookup("page")
    assert hit is not None and not hit.fresh
    hit = cache.lookup("later")  # began after the write: fresh for the TTL
    assert hit is not None and hit.fresh


def test_an_answer_kept_regardless_of_writes_is_fresh_for_its_own_time() -> None:
    now = [0.0]
    cache = _cache(now)
    cache.put("export", b"kept")
    now[0] = 3.0  # past the TTL
    cache.invalidate()  # and after a write
    assert (hit := cache.lookup("export", fresh_for=4.0)) is not None and hit.fresh
    now[0] = 4.5
    assert (hit := cache.lookup("export", fresh_for=4.0)) is not None and not hit.fresh
    now[0] = 5.1  # the age bound holds all the same
    assert cache.lookup("export", fresh_for=4.0) is None


def test_an_older_computation_does_not_replace_a_newer_answer() -> None:
    now = [10.0]
    cache = _cache(now)
    slow = CacheStamp(at=9.0, generation=0)
    cache.put("page", b"newer", CacheStamp(at=9.5, generation=0))
    cache.put("page", b"older", slow)
    assert cache.get("page") == b"newer"


def test_the_age_bound_counts_from_when_the_computation_began() -> None:
    now = [0.0]
    cache = _cache(now)
    began = cache.stamp()
    now[0] = 4.0  # a slow query
    cache.put("page", b"read at 0", began)
    now[0] = 5.1
    assert cache.get("page") is None


def test_one_refresh_per_answer_and_a_bounded_number_at_once() -> None:
    cache = _cache([0.0], max_refreshes=2)
    assert cache.claim("a")
    assert not cache.claim("a")  # already being refreshed
    assert cache.claim("b")
    assert not cache.claim("c")  # two running
    cache.release("a")
    assert cache.claim("c") and cache.claim("a") is False


def test_the_cache_stays_bounded_with_stale_answers_in_it() -> None:
    now = [0.0]
    cache = _cache(now, size=50)
    for n in range(40):
        cache.put(f"old{n}", b"x" * 100)
    cache.invalidate()  # stale, still held
    assert len(cache) == 40
    for n in range(30):
        cache.put(f"new{n}", b"y" * 100)
    assert len(cache) == 50  # the entry cap evicts the least recently used
    now[0] = 5.5  # everything is past max_stale
    cache.put("last", b"z" * 100)
    assert len(cache) == 1 and cache.bytes == 100
    for n in range(30):
        cache.put(f"big{n}", b"w" * 900)
    assert cache.bytes <= 8_000


# --- through the API -----------------------------------------------------------------------


def _client(url: str, **kwargs: Any) -> TestClient:
    """A client of one server process over ``url`` (use it in ``with``)."""
    return TestClient(create_app(url, token=TOKEN, bind_host="127.0.0.1", **kwargs), LOOPBACK)


def _storyline_ids(c: TestClient) -> set[str]:
    r = c.get("/api/visits", params={"limit": 1000})
    assert r.status_code == 200
    return {v["id"] for v in r.json()["visits"]}


def _wait_until(done: Callable[[], bool], failure: str) -> None:
    """Poll ``done`` until it holds; fail with ``failure`` after SETTLE_S (a bound on a hang,
    not a timing assertion)."""
    deadline = time.monotonic() + SETTLE_S
    while not done():
        assert time.monotonic() < deadline, failure
        time.sleep(POLL_S)


def _submit(c: TestClient, doc_id: str, text: str = TRIP) -> str:
    r = c.post("/api/documents", json={"id": doc_id, "text": text}, headers=AUTH)
    assert r.status_code == 201, r.text[:300]
    (doc,) = r.json()["documents"]
    assert doc["outcome"] == "added" and doc["visits"], doc  # the 201 shows it at once
    return str(doc["visits"][0]["storyline_id"])


def test_a_write_through_this_server_shows_in_its_lists_after_one_refresh(
    tmp_path: Path,
) -> None:
    url = build_db(tmp_path / "c.db")
    # A TTL far longer than the test: only the write can make the cached list stale.
    with _client(url, cache_ttl_s=600.0, cache_max_stale_s=1200.0) as c:
        before = _storyline_ids(c)
        stats_before = c.get("/api/stats").json()["total"]
        new_id = _submit(c, "cache-own-write")
        assert new_id not in before
        _wait_until(lambda: new_id in _storyline_ids(c), "the list never showed the write")
        _wait_until(
            lambda: c.get("/api/stats").json()["total"] != stats_before,
            "the stats never showed the write",
        )


def test_another_server_process_s_write_shows_within_the_bound(tmp_path: Path) -> None:
    url = build_db(tmp_path / "c.db")
    max_stale = 1.0
    with (
        _client(url, cache_ttl_s=0.3, cache_max_stale_s=max_stale) as reader,
        _client(url) as writer,
    ):
        before = _storyline_ids(reader)  # now cached in the reader
        new_id = _submit(writer, "cache-other-write")  # the reader's cache is not told
        written = time.monotonic()
        assert new_id not in before
        time.sleep(max_stale + 0.05)
        # Every answer the reader serves now began after the write.
        assert new_id in _storyline_ids(reader), f"{time.monotonic() - written:.2f} s after"


def test_a_stale_answer_is_served_while_it_is_refreshed(tmp_path: Path) -> None:
    url = build_db(tmp_path / "c.db")
    with _client(url, cache_ttl_s=0.2, cache_max_stale_s=600.0) as reader, _client(url) as writer:
        before = _storyline_ids(reader)
        new_id = _submit(writer, "cache-stale-while-refresh")
        time.sleep(0.3)  # past the reader's TTL
        # The reader answers from its stale copy (no wait on the database) and starts a
        # refresh, whose answer the next readers get.
        assert _storyline_ids(reader) == before
        _wait_until(lambda: new_id in _storyline_ids(reader), "the refresh never landed")


def test_an_export_asked_again_is_the_cached_bytes(tmp_path: Path) -> None:
    url = build_db(tmp_path / "c.db")
    with (
        _client(url, cache_ttl_s=600.0, cache_max_stale_s=1200.0) as reader,
        _client(url) as writer,
    ):
        first = reader.get("/api/export", params={"format": "csv"})
        assert first.status_code == 200
        new_id = _submit(writer, "cache-export")  # another process: the reader is not told
        again = reader.get("/api/export", params={"format": "csv"})
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["content-disposition"] == first.headers["content-disposition"]
        assert new_id not in again.text
        # Other filters, another answer.
        other = reader.get("/api/export", params={"format": "jsonl"})
        assert other.status_code == 200 and new_id in other.text


def test_an_export_shows_another_process_s_write_within_the_bound(tmp_path: Path) -> None:
    url = build_db(tmp_path / "c.db")
    max_stale = 1.0
    with (
        _client(url, cache_ttl_s=0.3, cache_max_stale_s=max_stale) as reader,
        _client(url) as writer,
    ):
        assert reader.get("/api/export", params={"format": "csv"}).status_code == 200
        new_id = _submit(writer, "cache-export-bound")
        time.sleep(max_stale + 0.05)
        assert new_id in reader.get("/api/export", params={"format": "csv"}).text


def test_a_kept_export_is_served_while_it_is_refreshed(tmp_path: Path) -> None:
    url = build_db(tmp_path / "c.db")
    with (
        _client(url, cache_max_stale_s=600.0, cache_export_fresh_s=0.2) as reader,
        _client(url) as writer,
    ):
        first = reader.get("/api/export", params={"format": "jsonl"})
        assert first.status_code == 200
        new_id = _submit(writer, "cache-export-refresh")
        time.sleep(0.3)  # past the export's fresh time, far within the bound
        # The kept bytes at once, and a refresh whose answer the next readers get.
        again = reader.get("/api/export", params={"format": "jsonl"})
        assert again.content == first.content
        assert again.headers["content-disposition"] == first.headers["content-disposition"]
        _wait_until(
            lambda: new_id in reader.get("/api/export", params={"format": "jsonl"}).text,
            "the refresh never landed",
        )
        # The refreshed bytes are what a reader computing the export itself gets.
        refreshed = reader.get("/api/export", params={"format": "jsonl"}).content
        assert refreshed == writer.get("/api/export", params={"format": "jsonl"}).content
