"""API benchmark: `/api/visits` latency and throughput, and the dashboard's first load.

1. Bulk-loads ``--mentions`` synthetic mentions (default 300,000: about 100,000 storylines)
   into a SQLite file (tests/synthetic_store.py, as scripts/bench_store.py does).
2. Starts `visitrack serve`'s app under uvicorn in a separate process on a free loopback
   port (a separate process, so the load generator does not share the server's GIL).
3. ``--clients`` concurrent asyncio+httpx clients (default 20) request /api/visits with a
   rotating mix of the CLI's filters for ``--seconds`` (default 15): p50/p95/p99 latency and
   requests/s. Target p95 < 100 ms.
4. Headless Chromium (/usr/bin/chromium through playwright) loads the dashboard: time to the
   load event and to the timeline being drawn.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from synthetic_store import bulk_load  # noqa: E402 - the seeded synthetic rows and bulk loader

TARGET_P95_MS = 100.0
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_S = 60.0
# The mix each client cycles through: a first page, each filter alone, and a deep page.
QUERIES = [
    "limit=50",
    "country=RUS&limit=50",
    "visitor=person%2001234&limit=50",
    "destination=CHN&limit=50",
    "stage=postponed&limit=50",
    "from=2010-03-01&to=2010-03-31&limit=50",
    "upcoming=1&limit=50",
    "country=USA&destination=CHN&stage=announced&from=2005-01-01&to=2020-01-01&limit=50",
    "limit=50&offset=5000",
]

# `visitrack serve --workers N` without its access log, which would measure the terminal.
SERVER_CODE = """
import os, sys, uvicorn
os.environ["VISITRACK_DB"] = sys.argv[1]
uvicorn.run("visitrack.api:app_from_env", factory=True, workers=int(sys.argv[3]),
            host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""
# Server processes: the machine has 2 cores, and the load generator needs some of them.
SERVER_WORKERS = 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(base: str, path: str = "/api/stats") -> None:
    """Until the server answers ``path``."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + path, timeout=30).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the API server did not start")


async def load(base: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(k: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        i = k
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            r = await client.get("/api/visits?" + QUERIES[i % len(QUERIES)])
            latencies.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                errors += 1
            i += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        await asyncio.gather(*(worker(k, client) for k in range(clients)))
    return latencies, errors


def dashboard_load(base: str) -> tuple[float, float] | None:
    if not CHROMIUM.exists():
        print(f"dashboard: skipped ({CHROMIUM} not installed)")
        return None
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/api/stats")  # warm the connection, not the dashboard's files
        t0 = time.perf_counter()
        page.goto(base + "/", wait_until="load")
        loaded = (time.perf_counter() - t0) * 1000
        page.wait_for_selector("#timeline svg rect.bar", timeout=60_000)
        drawn = (time.perf_counter() - t0) * 1000
        browser.close()
    return loaded, drawn


def main() -> int:
    ap = argparse.ArgumentParser(description="visitrack API benchmark")
    ap.add_argument("--mentions", type=int, default=300_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=15.0)
    args = ap.parse_args()
    from visitrack.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench_api.db")
        secs = bulk_load(db, args.mentions)
        with open_store(db) as store:
            counts = store.counts()
        print(
            f"bulk-loaded {counts['storylines']:,} storylines ({counts['mentions']:,} mentions) "
            f"in {secs:.0f} s"
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER_CODE, db, str(port), str(SERVER_WORKERS)]
        )
        try:
            wait_up(base)
            asyncio.run(load(base, args.clients, 2.0))  # warm caches and the thread pool
            t0 = time.perf_counter()
            lat, errors = asyncio.run(load(base, args.clients, args.seconds))
            wall = time.perf_counter() - t0
            lat.sort()
            p50 = statistics.median(lat)
            p95 = lat[int(0.95 * len(lat)) - 1]
            p99 = lat[int(0.99 * len(lat)) - 1]
            flag = "ok" if p95 < TARGET_P95_MS else f"OVER {TARGET_P95_MS:.0f} ms"
            print(
                f"/api/visits, {args.clients} clients, {args.seconds:.0f} s: {len(lat):,} "
                f"requests, {len(lat) / wall:.0f} req/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                f"p99 {p99:.1f} ms, {errors} errors ({flag})"
            )
            times = dashboard_load(base)
            if times is not None:
                print(
                    f"dashboard first load: load event {times[0]:.0f} ms, "
                    f"timeline drawn {times[1]:.0f} ms"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
