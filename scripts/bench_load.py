"""Load run: `visitrack serve` under concurrent clients doing mixed reads and writes.

1. Fills a SQLite store with ``--mentions`` synthetic mentions (default 10,000: about 3,300
   storylines) through tests/synthetic_store.py's bulk loader.
2. Starts ``visitrack serve --workers N`` as a subprocess on a free loopback port, with a
   write token in ``VISITRACK_TOKEN``, and waits until it answers.
3. ``--clients`` concurrent clients (asyncio + httpx, default 20) send requests for
   ``--seconds`` (default 60): the storyline list with assorted filters and pages, one
   storyline, one document, the stats, CSV and JSONL exports, and about one write in
   ``WRITE_EVERY`` requests (``POST /api/documents`` with a new small article holding a visit,
   extracted by the server).
4. Prints requests, requests/s, count and p50/p95 per kind, the status histogram, 5xx and
   transport errors, and the overall p95. Exits 1 on any 5xx or transport error.

The server is always stopped, its whole process group included. tests/test_load.py runs a
short version of the same load through the same functions (tests/load_harness.py).
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from load_harness import (  # noqa: E402 - the load run's one definition, shared with the test
    DEFAULT_CLIENTS,
    DEFAULT_MENTIONS,
    DEFAULT_SECONDS,
    DEFAULT_WORKERS,
    fill_store,
    report,
    run_load,
    running_server,
)


def main() -> int:
    ap = argparse.ArgumentParser(description="visitrack serve under mixed concurrent load")
    ap.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    ap.add_argument("--seconds", type=float, default=DEFAULT_SECONDS)
    ap.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="server processes")
    ap.add_argument("--mentions", type=int, default=DEFAULT_MENTIONS)
    args = ap.parse_args()
    # A plain SIGTERM would end this process without its finally blocks, leaving the server
    # running: turn it into an exit that unwinds them.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(128 + signal.SIGTERM))

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench_load.db")
        t0 = time.perf_counter()
        before = fill_store(db, args.mentions)
        fill_s = time.perf_counter() - t0
        print(
            f"store: {before['storylines']:,} storylines, {before['mentions']:,} mentions, "
            f"{before['documents']:,} documents (SQLite, filled in {fill_s:.1f} s)"
        )
        token = secrets.token_urlsafe(24)
        log_path = Path(tmp) / "serve.log"
        with log_path.open("wb") as log:
            t0 = time.perf_counter()
            with running_server(db, token=token, workers=args.workers, log=log) as base:
                print(
                    f"server: visitrack serve --workers {args.workers} on {base} "
                    f"(token set), up in {time.perf_counter() - t0:.1f} s"
                )
                warm, result = run_load(
                    base,
                    token=token,
                    clients=args.clients,
                    seconds=args.seconds,
                    workers=args.workers,
                )
        print(
            f"warm-up: {len(warm.samples)} writes, 5xx {warm.server_errors}, "
            f"transport errors {len(warm.transport_errors)}"
        )
        for line in report(result, args.clients, args.seconds):
            print(line)
        from visitrack.store import open_store

        with open_store(db) as store:
            after = store.counts()
        stored = after["documents"] - before["documents"]
        print(f"store after the run: {after['documents']:,} documents ({stored:,} new)")
        server_log = log_path.read_text(errors="replace")
        tracebacks = server_log.count("Traceback")
        print(f"server log: {tracebacks} tracebacks")
        if tracebacks:
            print(server_log[-3000:])
    failed = not (warm.ok and result.ok)
    if failed:
        print("FAILED: 5xx answers or transport errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
