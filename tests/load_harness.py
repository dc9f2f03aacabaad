"""The load run against `visitrack serve`: concurrent clients doing mixed reads and writes.

Fills a SQLite store with synthetic storylines (tests/synthetic_store.py), starts ``visitrack
serve --workers N`` on a free loopback port with a write token, and runs concurrent clients
(asyncio + httpx) against it: the storyline list with assorted filters and pages, one
storyline, one document, the stats, CSV and JSONL exports, and about one write in
``WRITE_EVERY`` requests. tests/test_load.py runs a short load and asserts outcomes only;
scripts/bench_load.py runs the long one and reports latency.
"""

from __future__ import annotations

import asyncio
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

import httpx

from synthetic_store import COUNTRIES, bulk_load
from visitrack.records import STAGES

DEFAULT_CLIENTS = 20
DEFAULT_SECONDS = 60.0
# Two server processes, as scripts/bench_api.py runs them: on 2 cores the load generator
# needs the rest, and two processes writing one SQLite file is the case worth testing.
DEFAULT_WORKERS = 2
DEFAULT_MENTIONS = 10_000
# About one request in this many is a write.
WRITE_EVERY = 10
# Relative weights of the read kinds.
READ_MIX = {
    "visits": 50,
    "storyline": 15,
    "document": 12,
    "stats": 8,
    "export_csv": 7,
    "export_jsonl": 8,
}
EXPORT_KINDS = ("export_csv", "export_jsonl")
# A request that takes longer than this is a transport error (the server is stuck).
REQUEST_TIMEOUT_S = 120.0
# Start-up, and the first write of each process loading the spaCy model.
SERVER_START_S = 90.0
SERVER_STOP_S = 30.0
# Warm-up before timing: writes per server process (each loads the model on its first).
WARMUP_WRITES_PER_WORKER = 2
# Storylines whose documents seed the pool that document reads pick from.
SEED_STORYLINES = 20
PERCENTILES = (0.50, 0.95)
# A write is answered 201 (extracted within the server's short wait) or 202 (a job to ask
# later), or 429 when the extraction queue is full; other reads 200.
EXPECTED_STATUS = {
    "write": (201, 202, 429),
    # An export beyond the server's concurrent-export cap is refused (429, Retry-After).
    "export_csv": (200, 429),
    "export_jsonl": (200, 429),
}
# How long the run waits, after the clients stop, for the writes answered 202 to finish.
JOB_SETTLE_S = 300.0
JOB_POLL_S = 0.5

EXE = shutil.which("visitrack", path=str(Path(sys.executable).parent)) or "visitrack"

# --- article material for writes ---------------------------------------------------------------

VISITORS = [
    "French President Emmanuel Macron",
    "German Chancellor Olaf Scholz",
    "Indian Prime Minister Narendra Modi",
    "Japanese Prime Minister Fumio Kishida",
    "Brazilian President Luiz Inacio Lula da Silva",
    "Turkish President Recep Tayyip Erdogan",
    "South African President Cyril Ramaphosa",
    "Italian Prime Minister Giorgia Meloni",
]
PLACES = [
    "Tokyo",
    "New Delhi",
    "Nairobi",
    "Canberra",
    "Ottawa",
    "Seoul",
    "Jakarta",
    "Cairo",
    "Hanoi",
    "Mexico City",
    "Warsaw",
    "Buenos Aires",
]
TRIPS = [
    "will visit {place} on {month} {day} for talks with his counterpart",
    "visited {place} on {month} {day}, meeting the country's leaders",
    "arrived in {place} on {month} {day} for a two-day official visit",
    "is expected to travel to {place} in {month}",
]
TOPICS = ["trade", "energy", "security", "climate finance", "ports and railways", "fisheries"]
MONTHS = [date(2025, m, 1).strftime("%B") for m in range(1, 13)]


def article(rng: random.Random, ref: str) -> tuple[str, date]:
    """A short news item with one visit, unique by ``ref``; and its publication date."""
    published = date(2025, 1, 1) + timedelta(days=rng.randrange(600))
    trip = rng.choice(TRIPS).format(
        place=rng.choice(PLACES), month=rng.choice(MONTHS), day=rng.randint(1, 28)
    )
    text = (
        f"{rng.choice(VISITORS)} {trip}, officials said on Monday. The agenda covers "
        f"{rng.choice(TOPICS)} and {rng.choice(TOPICS)}. Reference {ref}."
    )
    return text, published


# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str
    status: int
    ms: float


@dataclass
class LoadResult:
    """What the clients saw: every answered request, and what went wrong."""

    samples: list[Sample] = field(default_factory=list)
    transport_errors: list[str] = field(default_factory=list)
    # Answers other than the expected 2xx (4xx included), with the start of their body.
    unexpected: list[str] = field(default_factory=list)
    added: int = 0  # documents the writes added
    with_visits: int = 0  # of those, documents the server found a visit in
    wall_s: float = 0.0
    jobs: list[str] = field(default_factory=list)  # writes answered 202, by job URL

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500)

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and not self.transport_errors


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_ms:
        return float("nan")
    rank = max(1, -(-len(sorted_ms) * q // 1))  # ceil(n * q)
    return sorted_ms[int(rank) - 1]


def report(result: LoadResult, clients: int, seconds: float) -> list[str]:
    """The printed summary, one line each."""
    n = len(result.samples)
    lines = [
        f"load: {clients} clients for {seconds:.0f} s: {n:,} requests, "
        f"{n / result.wall_s if result.wall_s else 0:.1f} req/s",
        f"  {'kind':<13} {'count':>7} {'p50 ms':>9} {'p95 ms':>9}",
    ]
    kinds = sorted({s.kind for s in result.samples}, key=lambda k: (k == "write", k))
    for kind in kinds:
        ms = sorted(s.ms for s in result.samples if s.kind == kind)
        p50, p95 = (percentile(ms, q) for q in PERCENTILES)
        lines.append(f"  {kind:<13} {len(ms):>7,} {p50:>9.1f} {p95:>9.1f}")
    histogram = Counter(s.status for s in result.samples)
    lines.append(
        "status codes: " + ", ".join(f"{code}: {k:,}" for code, k in sorted(histogram.items()))
    )
    lines.append(
        f"5xx: {result.server_errors}; transport errors: {len(result.transport_errors)}; "
        f"other unexpected answers: {len(result.unexpected)}"
    )
    for problem in (result.transport_errors + result.unexpected)[:10]:
        lines.append(f"  {problem}")
    overall = sorted(s.ms for s in result.samples)
    lines.append(f"overall p95: {percentile(overall, 0.95):.1f} ms")
    lines.append(
        f"writes: {result.added:,} documents added, {result.with_visits:,} with a visit found; "
        f"{len(result.jobs):,} answered 202 (a job, finished later)"
    )
    reads = sorted(s.ms for s in result.samples if s.kind != "write")
    lines.append(f"reads p95 with writes running: {percentile(reads, 0.95):.1f} ms")
    # Exports stream whole result sets; the rest is what a dashboard user waits on.
    pages = sorted(s.ms for s in result.samples if s.kind not in ("write", *EXPORT_KINDS))
    lines.append(f"reads p95 without exports: {percentile(pages, 0.95):.1f} ms")
    return lines


# --- the store and the server ------------------------------------------------------------------


def fill_store(db: str, mentions: int) -> dict[str, int]:
    """Bulk-load synthetic storylines into the SQLite file ``db``; returns the store's counts."""
    from visitrack.store import open_store

    bulk_load(db, mentions)
    with open_store(db) as store:
        return store.counts()


@contextmanager
def running_server(db: str, *, token: str, workers: int, log: IO[bytes]) -> Iterator[str]:
    """`visitrack serve` on a free loopback port; yields its base URL and always stops it.

    The server runs in a session of its own, so stopping it takes every worker process too.
    Its stderr (start-up lines, any traceback) goes to ``log``; the access log is dropped.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [EXE, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    env = {**os.environ, "VISITRACK_TOKEN": token}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=log, env=env, start_new_session=True
    )
    try:
        _wait_up(base, proc)
        yield base
    finally:
        _stop(proc)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"visitrack serve exited with status {proc.returncode}")
        try:
            if httpx.get(base + "/api/stats", timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"visitrack serve did not answer within {SERVER_START_S:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # uvicorn's graceful stop, workers included
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=SERVER_STOP_S)
    # Whatever is left of the server's session (a worker that outlived its parent) goes too.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=SERVER_STOP_S)


# --- the clients -------------------------------------------------------------------------------


class _Pools:
    """Ids the readers pick from; writes add theirs as they go."""

    def __init__(self, storylines: list[str], documents: list[str]) -> None:
        self.storylines = storylines
        self.documents = documents


def _filters(rng: random.Random) -> dict[str, str]:
    """Zero to two of the list filters, drawn like a dashboard user would set them."""
    choices: list[dict[str, str]] = [
        {"country": rng.choice(COUNTRIES)},
        {"destination": rng.choice(COUNTRIES)},
        {"visitor": f"person {rng.randrange(5_000):05d}"},
        {"visitor": rng.choice(["modi", "macron", "person 01"])},
        {"stage": rng.choice(STAGES)},
        {"upcoming": "1"},
    ]
    start = date(2000, 1, 1) + timedelta(days=rng.randrange(9_500))
    choices.append({"from": str(start), "to": str(start + timedelta(days=rng.choice((7, 90))))})
    params: dict[str, str] = {}
    for pick in rng.sample(choices, rng.choice((0, 1, 1, 2))):
        params.update(pick)
    return params


def _read_request(kind: str, rng: random.Random, pools: _Pools) -> str:
    if kind == "visits":
        params = _filters(rng)
        params["limit"] = str(rng.choice((20, 50, 50, 100)))
        params["offset"] = str(rng.choice((0, 0, 0, 50, 200, 1000)))
        return "/api/visits?" + urlencode(params)
    if kind == "storyline":
        return "/api/visits/" + rng.choice(pools.storylines)
    if kind == "document":
        return "/api/documents/" + rng.choice(pools.documents)
    if kind == "stats":
        return "/api/stats"
    fmt = "csv" if kind == "export_csv" else "jsonl"
    return "/api/export?" + urlencode({"format": fmt, **_filters(rng)})


async def _write(
    client: httpx.AsyncClient, rng: random.Random, ref: str, token: str
) -> httpx.Response:
    text, published = article(rng, ref)
    auth = {"Authorization": f"Bearer {token}"}
    if rng.random() < 0.5:
        body = {"id": ref, "text": text, "published": str(published)}
        return await client.post("/api/documents", json=body, headers=auth)
    return await client.post(
        "/api/documents",
        content=text,
        params={"doc_id": ref, "published": str(published)},
        headers={**auth, "Content-Type": "text/plain"},
    )


async def _client_loop(
    k: int,
    client: httpx.AsyncClient,
    stop_at: float,
    token: str,
    pools: _Pools,
    result: LoadResult,
    run_tag: str,
) -> None:
    rng = random.Random(f"{run_tag}-{k}")
    kinds = list(READ_MIX)
    weights = list(READ_MIX.values())
    i = 0
    while time.perf_counter() < stop_at:
        i += 1
        kind = "write" if (i + k) % WRITE_EVERY == 0 else rng.choices(kinds, weights)[0]
        ref = f"load-{run_tag}-{k}-{i}"
        t0 = time.perf_counter()
        try:
            if kind == "write":
                r = await _write(client, rng, ref, token)
            else:
                r = await client.get(_read_request(kind, rng, pools))
        except httpx.TransportError as exc:
            result.transport_errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            continue
        result.samples.append(Sample(kind, r.status_code, (time.perf_counter() - t0) * 1000))
        if r.status_code not in EXPECTED_STATUS.get(kind, (200,)):
            result.unexpected.append(f"{kind} {r.request.url.path}: {r.status_code} {r.text[:200]}")
        elif kind == "write":
            _note_write(r, pools, result)


def _note_write(r: httpx.Response, pools: _Pools, result: LoadResult) -> None:
    if r.status_code == 202:
        result.jobs.append(r.json()["url"])
        return
    if r.status_code == 201:
        _note_documents(r.json(), pools, result)


def _note_documents(body: dict[str, Any], pools: _Pools, result: LoadResult) -> None:
    for doc in body["documents"]:
        if doc["outcome"] == "added":
            result.added += 1
            pools.documents.append(doc["doc_id"])
        if doc["visits"]:
            result.with_visits += 1
            pools.storylines.extend(v["storyline_id"] for v in doc["visits"])


async def _seed_pools(client: httpx.AsyncClient) -> _Pools:
    page = (await client.get("/api/visits", params={"limit": 1000})).json()
    storylines = [v["id"] for v in page["visits"]]
    if not storylines:
        raise RuntimeError("the store has no storylines to read")
    documents: list[str] = []
    for sid in storylines[:SEED_STORYLINES]:
        line = (await client.get(f"/api/visits/{sid}")).json()
        documents.extend(s["document"]["doc_id"] for s in line["sources"])
    return _Pools(storylines, documents)


async def _run(
    base: str, token: str, clients: int, seconds: float, warmup_writes: int
) -> tuple[LoadResult, LoadResult]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    run_tag = secrets.token_hex(4)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
        pools = await _seed_pools(client)
        warm = LoadResult()
        # Concurrent, so that each server process gets some and loads its model now.
        await asyncio.gather(
            *(
                _warm_write(client, token, pools, warm, f"{run_tag}-w{n}")
                for n in range(warmup_writes)
            )
        )
        result = LoadResult()
        t0 = time.perf_counter()
        stop_at = t0 + seconds
        await asyncio.gather(
            *(
                _client_loop(k, client, stop_at, token, pools, result, run_tag)
                for k in range(clients)
            )
        )
        result.wall_s = time.perf_counter() - t0
        await _settle_jobs(client, pools, warm)
        await _settle_jobs(client, pools, result)
    return warm, result


async def _warm_write(
    client: httpx.AsyncClient, token: str, pools: _Pools, result: LoadResult, ref: str
) -> None:
    rng = random.Random(ref)
    t0 = time.perf_counter()
    try:
        r = await _write(client, rng, f"load-{ref}", token)
    except httpx.TransportError as exc:
        result.transport_errors.append(f"warm-up write: {type(exc).__name__}: {exc}")
        return
    result.samples.append(Sample("write", r.status_code, (time.perf_counter() - t0) * 1000))
    if r.status_code not in EXPECTED_STATUS["write"]:
        result.unexpected.append(f"warm-up write: {r.status_code} {r.text[:200]}")
    else:
        _note_write(r, pools, result)


async def _settle_jobs(client: httpx.AsyncClient, pools: _Pools, result: LoadResult) -> None:
    """Wait for the writes answered 202 and count what they stored."""
    deadline = time.perf_counter() + JOB_SETTLE_S
    waiting = list(result.jobs)
    while waiting and time.perf_counter() < deadline:
        still = []
        for url in waiting:
            body = (await client.get(url)).json()
            if body["state"] == "pending":
                still.append(url)
            elif body["state"] == "done":
                _note_documents(body, pools, result)
            else:
                result.unexpected.append(f"job {url}: {body['state']} {body.get('error')}")
        waiting = still
        if waiting:
            await asyncio.sleep(JOB_POLL_S)
    result.unexpected.extend(f"job {url}: still pending" for url in waiting)


def run_load(
    base: str, *, token: str, clients: int, seconds: float, workers: int
) -> tuple[LoadResult, LoadResult]:
    """(warm-up, timed run) against the server at ``base``."""
    warmup_writes = WARMUP_WRITES_PER_WORKER * workers
    return asyncio.run(_run(base, token, clients, seconds, warmup_writes))
