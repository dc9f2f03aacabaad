"""Submissions off the request path (#13): a bounded queue of batches in front of the
extraction workers; 201 within a short wait, else 202 and a job to ask; 429 when the queue is
full; a disconnected client's work dropped; a time budget per submission."""

from __future__ import annotations

import json
import socket
import sqlite3
import time
import warnings
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from api_corpus import build_db
from test_api_hardening import _live
from visitrack.api import create_app
from visitrack.jobs import BUDGET_STAGE, Extractor, extract_within
from visitrack.records import RawDocument
from visitrack.store import open_store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytest_plugins = ("conftest_pg",)

LOOPBACK = "http://127.0.0.1:8000"
TOKEN = "jobs-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUICK = "Japan's Prime Minister Ken Mori arrived in Oslo on Monday for a two-day visit."
# Written for these tests: trip sentences, each different, enough to keep the parser busy for
# seconds (the per-document time limit cuts it off at 1 s).
SLOW = "\n\n".join(
    f"Spanish Foreign Minister Ana Ruiz will visit Japan in round {i} of talks on quota {i}."
    for i in range(3000)
)
# Bounds on polling loops: they only turn a hang into a failure.
SETTLE_S = 120.0
POLL_S = 0.1


def _client(url: str, **kwargs: Any) -> Iterator[TestClient]:
    with TestClient(
        create_app(url, token=TOKEN, bind_host="127.0.0.1", **kwargs), base_url=LOOPBACK
    ) as c:
        yield c


def _wait_for_job(c: TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        body: dict[str, Any] = c.get(url).json()
        if body["state"] != "pending":
            return body
        time.sleep(POLL_S)
    raise AssertionError(f"job {url} still pending")


def test_a_submission_that_takes_longer_than_the_wait_is_a_202_job(tmp_path: Path) -> None:
    url = build_db(tmp_path / "j.db")
    for c in _client(url, submit_wait_s=0.0):
        r = c.post("/api/documents", json={"id": "quick", "text": QUICK}, headers=AUTH)
        assert r.status_code == 202, r.text[:200]
        body = r.json()
        assert body["state"] == "pending" and body["count"] == 1
        assert r.headers["location"] == body["url"] == f"/api/jobs/{body['job']}"
        assert int(r.headers["retry-after"]) > 0
        done = _wait_for_job(c, body["url"])
        assert done["state"] == "done" and done["finished_at"]
        (doc,) = done["documents"]
        assert doc["doc_id"] == "quick" and doc["outcome"] == "added" and doc["visits"]
        assert c.get("/api/document", params={"id": "quick"}).status_code == 200
        assert c.get("/api/jobs/" + "0" * 32).status_code == 404
        assert c.get("/api/jobs/nope").status_code == 400


def test_a_quick_submission_is_still_answered_201(tmp_path: Path) -> None:
    for c in _client(build_db(tmp_path / "q.db")):
        assert c.get("/api/stats").json()["total"] == 3  # and now cached
        r = c.post("/api/documents", json={"id": "quick", "text": QUICK}, headers=AUTH)
        assert r.status_code == 201, r.text[:200]
        assert r.json()["documents"][0]["visits"]
        # A write through this server marks the cached answers stale: readers get them while
        # one refresh runs in the background (tests/test_api_cache.py has the bound).
        deadline = time.monotonic() + SETTLE_S
        while c.get("/api/stats").json()["total"] != 4:
            assert time.monotonic() < deadline, "the write never showed in the stats"
            time.sleep(POLL_S)


def test_a_full_queue_is_429_with_retry_after(tmp_path: Path) -> None:
    url = build_db(tmp_path / "full.db")
    for c in _client(url, submit_wait_s=0.0, max_pending=1, time_limit_s=1.0):
        first = c.post("/api/documents", json={"id": "slow", "text": SLOW}, headers=AUTH)
        assert first.status_code == 202
        second = c.post("/api/documents", json={"id": "quick", "text": QUICK}, headers=AUTH)
        assert second.status_code == 429, second.text[:200]
        assert "submissions are waiting" in second.json()["error"]
        assert int(second.headers["retry-after"]) > 0
        # Reads are answered while the batch runs.
        assert c.get("/api/visits").status_code == 200
        assert _wait_for_job(c, first.json()["url"])["state"] == "done"
        again = c.post("/api/documents", json={"id": "quick", "text": QUICK}, headers=AUTH)
        assert again.status_code in (201, 202)


def test_a_batch_past_its_time_budget_answers_its_documents_as_failures(tmp_path: Path) -> None:
    raws = [RawDocument(doc_id=f"d{n}", source=f"d{n}", content=QUICK) for n in range(3)]
    late = extract_within(raws, None, deadline=time.time() - 1)
    assert [r.failure.stage for r in late if r.failure] == [BUDGET_STAGE] * 3
    assert all("time budget" in r.failure.reason for r in late if r.failure)
    url = build_db(tmp_path / "b.db")
    for c in _client(url, budget_s=0.0):
        r = c.post("/api/documents", json={"id": "late", "text": QUICK}, headers=AUTH)
        assert r.status_code == 201, r.text[:200]
        (doc,) = r.json()["documents"]
        assert doc["outcome"] == "failed" and "time budget" in doc["error"]
    with open_store(url) as store:
        assert store.document("late") is None


def test_a_client_that_goes_away_has_its_batch_dropped(tmp_path: Path) -> None:
    url = build_db(tmp_path / "gone.db")
    with _live(create_app(url, token=TOKEN, time_limit_s=1.0)) as base:
        where = urlsplit(base)
        body = json.dumps({"documents": [{"id": "slow", "text": SLOW}]}).encode()
        with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
            sock.sendall(
                (
                    f"POST /api/documents HTTP/1.1\r\nHost: {where.netloc}\r\n"
                    f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body
            )
            # Until the server has the job, then go.
            deadline = time.monotonic() + SETTLE_S
            while not _jobs(url) and time.monotonic() < deadline:
                time.sleep(POLL_S)
        deadline = time.monotonic() + SETTLE_S
        while _jobs(url) == ["pending"] and time.monotonic() < deadline:
            time.sleep(POLL_S)
    assert _jobs(url) == ["dropped"]
    with open_store(url) as store:
        assert store.document("slow") is None


def _jobs(url: str) -> list[str]:
    with sqlite3.connect(url) as conn:
        return [state for (state,) in conn.execute("SELECT state FROM jobs")]


@pytest.mark.slow
def test_serve_extracts_in_worker_processes(tmp_path: Path) -> None:
    """`visitrack serve`'s own set-up: extraction in a process pool, jobs in the store."""
    url = build_db(tmp_path / "proc.db")
    extractor = Extractor(processes=1)
    try:
        raws = [RawDocument(doc_id="q", source="q", content=QUICK, published=date.today())]
        future = extractor.submit(raws)
        assert future is not None
        (result,) = future.result(timeout=SETTLE_S)
        assert result.failure is None and result.visits
    finally:
        extractor.close()
    with open_store(url) as store:
        store.create_job("a" * 32, 1)
        store.finish_job("a" * 32, "done", {"documents": []})
        job = store.job("a" * 32)
        assert job is not None and job.state == "done" and job.answer == {"documents": []}
        assert job.finished_at is not None
        assert job.finished_at - job.submitted_at < timedelta(hours=1)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_jobs_are_kept_in_the_store_on_both_backends(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    url = (
        str(tmp_path / "jobs.db") if backend == "sqlite" else request.getfixturevalue("pg_database")
    )
    with open_store(url) as store:
        store.create_job("b" * 32, 2)
        pending = store.job("b" * 32)
        assert pending is not None and pending.state == "pending" and pending.answer is None
        store.finish_job("b" * 32, "done", {"documents": [{"doc_id": "Erdoğan"}]})
        done = store.job("b" * 32)
        assert done is not None and done.answer == {"documents": [{"doc_id": "Erdoğan"}]}
        # A finished job past its keeping time goes when the next one is made.
        store.create_job("c" * 32, 1, keep_s=0.0)
        assert store.job("b" * 32) is None and store.job("c" * 32) is not None
        assert store.job("d" * 32) is None


def test_extraction_processes_run_at_a_lower_priority_than_the_server() -> None:
    import os

    from visitrack.jobs import EXTRACT_NICENESS

    extractor = Extractor(processes=1)
    try:
        future = extractor.submit([RawDocument("nice", "nice", QUICK)])
        assert future is not None
        (result,) = future.result(timeout=SETTLE_S)
        assert result.failure is None
        (pid,) = extractor.worker_pids()
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + EXTRACT_NICENESS)
    finally:
        extractor.close()


def test_a_job_whose_extraction_process_is_killed_fails_with_a_clear_error(
    tmp_path: Path,
) -> None:
    import os
    import signal

    url = build_db(tmp_path / "killed.db")
    app = create_app(url, token=TOKEN, extract_processes=1, submit_wait_s=0.0)
    with TestClient(app, base_url=LOOPBACK) as c:
        r = c.post("/api/documents", json={"id": "slow", "text": SLOW}, headers=AUTH)
        assert r.status_code == 202, r.text[:200]
        deadline = time.monotonic() + SETTLE_S
        while not app.state.extractor.worker_pids():
            assert time.monotonic() < deadline, "no extraction process started"
            time.sleep(POLL_S)
        for pid in app.state.extractor.worker_pids():
            os.kill(pid, signal.SIGKILL)
        done = _wait_for_job(c, r.json()["url"])
        assert done["state"] == "failed"
        assert "extraction process stopped" in done["error"] and "submit it again" in done["error"]
        assert c.get("/api/document", params={"id": "slow"}).status_code == 404
        # The next submission gets a fresh process.
        r = c.post("/api/documents", json={"id": "after", "text": QUICK}, headers=AUTH)
        assert r.status_code == 202
        assert _wait_for_job(c, r.json()["url"])["state"] == "done"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_job_its_server_process_left_pending_fails_when_asked(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    url = (
        build_db(tmp_path / "lost.db")
        if backend == "sqlite"
        else request.getfixturevalue("pg_database")
    )
    # Lost after the budget plus a few per-document time limits: here a quarter of a second.
    for c in _client(url, budget_s=0.0, time_limit_s=0.05):
        store = c.app.state.store  # type: ignore[attr-defined]
        # A job recorded by a server process that was then killed: nothing will finish it.
        store.create_job("e" * 32, 1)
        pending = c.get("/api/jobs/" + "e" * 32).json()
        time.sleep(0.3)
        lost = c.get("/api/jobs/" + "e" * 32).json()
        assert lost["state"] == "failed" and "submit it again" in lost["error"], lost
        assert lost["finished_at"] and pending["submitted_at"] == lost["submitted_at"]
        # A finished job is never overwritten by that.
        store.create_job("f" * 32, 1)
        store.finish_job("f" * 32, "done", {"documents": []})
        assert not store.finish_job("f" * 32, "failed", {"error": "x"}, only_pending=True)
        time.sleep(0.3)
        assert c.get("/api/jobs/" + "f" * 32).json()["state"] == "done"
