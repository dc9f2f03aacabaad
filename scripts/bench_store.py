"""Storage benchmark: `make bench` (second part).

1. Ingest rate: the bundled examples and the shared gold documents, extracted once, then stored
   document by document (one transaction each, storylines relinked) into SQLite and into a
   throwaway PostgreSQL server on loopback: documents/s.
2. Query latency at scale: ``--mentions`` synthetic mentions (default 1,000,000) with their
   storylines, bulk-loaded into each backend, then ``Store.storylines`` with each filter of
   ``visitrack visits`` run ``QUERY_REPEATS`` times: p50 and p95 in ms (target p95 < 50 ms).

Synthetic rows are made by a seeded generator (tests/synthetic_store.py: real country codes,
names, stages, windows), so runs are repeatable.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from visitrack.ingest import read_inputs
from visitrack.pipeline import DocumentResult, run
from visitrack.records import InputFailure
from visitrack.store import open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "tests"))
import pgserver  # noqa: E402 - the test helper that starts a loopback PostgreSQL
from synthetic_store import bulk_load  # noqa: E402 - the seeded synthetic rows

# Each filter query runs this many times; p95 over 200 samples is stable to a millisecond here.
QUERY_REPEATS = 200


def extracted() -> list[DocumentResult]:
    paths = [str(REPO / "src" / "visitrack" / "examples")]
    for sub in ("seeds", "gold/seeds", "gold/dev"):
        if (SHARED / sub).is_dir():
            paths.append(str(SHARED / sub))
    raws = [d for d in read_inputs(paths) if not isinstance(d, InputFailure)]
    return [r for r in run(raws) if r.failure is None]


def ingest_rate(url: str, results: list[DocumentResult]) -> float:
    with open_store(url) as store:
        t0 = time.perf_counter()
        for r in results:
            store.ingest(r)
        return len(results) / (time.perf_counter() - t0)


def latencies(url: str) -> dict[str, tuple[float, float, int]]:
    today = date(2015, 6, 1)
    queries: dict[str, Callable[..., object]] = {}
    with open_store(url) as store:
        queries = {
            "no filter (first 50)": lambda: store.storylines(limit=50),
            "--country": lambda: store.storylines(country="RUS", limit=50),
            "--visitor": lambda: store.storylines(visitor="person 01234", limit=50),
            "--destination": lambda: store.storylines(destination="CHN", limit=50),
            "--stage": lambda: store.storylines(stage="postponed", limit=50),
            "--from/--to": lambda: store.storylines(
                date_from=date(2010, 3, 1), date_to=date(2010, 3, 31), limit=50
            ),
            "--upcoming": lambda: store.storylines(upcoming=True, today=today, limit=50),
            "all filters": lambda: store.storylines(
                country="USA",
                destination="CHN",
                stage="announced",
                date_from=date(2005, 1, 1),
                date_to=date(2020, 1, 1),
                limit=50,
            ),
        }
        out: dict[str, tuple[float, float, int]] = {}
        for name, q in queries.items():
            q()  # warm the cache
            times = []
            n = 0
            for _ in range(QUERY_REPEATS):
                t0 = time.perf_counter()
                n = len(q())  # type: ignore[arg-type]
                times.append((time.perf_counter() - t0) * 1000)
            times.sort()
            out[name] = (statistics.median(times), times[int(0.95 * len(times)) - 1], n)
    return out


def report(
    backend: str, url: str, results: list[DocumentResult], n_mentions: int, tmp: Path
) -> None:
    rate = ingest_rate(url, results)
    print(
        f"{backend}: ingest {len(results)} documents at {rate:.1f} documents/s "
        "(extraction excluded; one transaction per document, storylines relinked)"
    )
    secs = bulk_load(url, n_mentions)
    with open_store(url) as store:
        counts = store.counts()
    print(
        f"{backend}: bulk-loaded {counts['mentions']:,} mentions, {counts['storylines']:,} "
        f"storylines in {secs:.0f} s"
    )
    for name, (p50, p95, n) in latencies(url).items():
        flag = "ok" if p95 < 50 else "OVER 50 ms"
        print(f"  visits {name:<22} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({n} rows) {flag}")


def main() -> int:
    ap = argparse.ArgumentParser(description="visitrack storage benchmark")
    ap.add_argument("--mentions", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = ap.parse_args()
    results = extracted()
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("sqlite", "both"):
            report("sqlite", str(Path(tmp) / "bench.db"), results, args.mentions, Path(tmp))
        if args.backend in ("postgresql", "both"):
            try:
                with pgserver.temporary_server() as admin:
                    report("postgresql", admin, results, args.mentions, Path(tmp))
            except pgserver.PgUnavailable as exc:
                print(f"postgresql: skipped ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
