"""Throughput and scaling of parallel extraction (``visitrack.parallel``).

1. Builds a JSONL corpus of cleaned news text (the bundled examples and the shared gold
   documents, cleaned once and repeated under new ids) of ``--max-mb`` MB.
2. Throughput over the first ``--mb`` MB with 1 and 2 local workers and on a Dask LocalCluster
   (2 worker processes, 1 thread each, loopback only): docs/s, MB/s, scaling efficiency
   (speed-up / workers; target >= 0.8 on the 2-core machine).
3. Time against corpus size (``--sizes``, 2 local workers): a least-squares line, its slope
   (s/MB), R² and the worst relative deviation from it.
4. Peak RSS per worker process, sampled with psutil while each run goes.

Every run includes reading the JSONL and starting (and loading the model in) the workers,
as a user's run would; the Dask cluster itself is started before the clock.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psutil  # type: ignore[import-untyped]

from visitrack.clean import clean
from visitrack.ingest import read_inputs
from visitrack.parallel import run_parallel
from visitrack.records import InputFailure, RawDocument

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MB = 1024 * 1024
# Sampling period of the RSS watcher: workers' memory moves slowly, one read a second is
# plenty and costs nothing measurable.
RSS_SAMPLE_S = 0.5
# Child processes smaller than this are helpers (resource tracker, Dask nanny), not workers
# holding a spaCy model.
MIN_WORKER_RSS = 150 * MB
EFFICIENCY_TARGET = 0.8


def source_texts() -> list[tuple[str, str, str | None]]:
    """(doc id, cleaned text, publication date) of every source document."""
    paths = [str(REPO / "src" / "visitrack" / "examples")]
    for sub in ("gold/seeds", "gold/dev"):
        if (SHARED / sub).is_dir():
            paths.append(str(SHARED / sub))
    out = []
    for item in read_inputs(paths):
        if isinstance(item, InputFailure) or item.source.endswith("gold.jsonl"):
            continue
        doc = clean(item)
        day = doc.published.isoformat() if doc.published else None
        out.append((item.doc_id, doc.text, day))
    return out


def build_corpus(path: Path, max_bytes: int) -> list[int]:
    """Write rows until ``max_bytes`` of text; return the cumulative text bytes per row."""
    base = source_texts()
    cumulative: list[int] = []
    size = n = 0
    with path.open("w", encoding="utf-8") as fh:
        while size < max_bytes:
            for doc_id, text, day in base:
                fh.write(json.dumps({"id": f"{doc_id}-{n}", "text": text, "published": day}) + "\n")
                n += 1
                size += len(text.encode("utf-8"))
                cumulative.append(size)
    return cumulative


def first_rows(path: Path, rows: int) -> Iterator[RawDocument]:
    count = 0
    for item in read_inputs([str(path)]):
        if count >= rows:
            return
        if isinstance(item, RawDocument):
            count += 1
            yield item


def rows_for(cumulative: list[int], mb: float) -> tuple[int, int]:
    want = int(mb * MB)
    for i, size in enumerate(cumulative):
        if size >= want:
            return i + 1, size
    return len(cumulative), cumulative[-1]


class RssWatcher:
    """Peak RSS of each child process while a run goes."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(RSS_SAMPLE_S):
            for child in me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                self.peaks[child.pid] = max(self.peaks.get(child.pid, 0), rss)

    def workers(self) -> list[int]:
        return sorted((v for v in self.peaks.values() if v >= MIN_WORKER_RSS), reverse=True)


def timed(corpus: Path, rows: int, **kw: Any) -> dict[str, Any]:
    with RssWatcher() as watch:
        start = time.perf_counter()
        docs = visits = failures = 0
        for result in run_parallel(first_rows(corpus, rows), **kw):
            docs += 1
            visits += len(result.visits)
            failures += result.failure is not None
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "docs": docs,
        "visits": visits,
        "failures": failures,
        "worker_rss_mb": [round(v / MB) for v in watch.workers()],
    }


def report(label: str, run: dict[str, Any], text_bytes: int) -> None:
    s = run["seconds"]
    print(
        f"{label:<22} {run['docs']:>6} docs {text_bytes / MB:6.2f} MB {s:8.1f} s "
        f"{run['docs'] / s:7.1f} docs/s {text_bytes / MB / s:6.3f} MB/s "
        f"visits {run['visits']:>6} failed {run['failures']} "
        f"worker peak RSS MB {run['worker_rss_mb'] or _in_process()}",
        flush=True,
    )


def _in_process() -> str:
    # One worker runs in this process: its peak is this process's (Linux reports KiB).
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} (in process)"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0, help="throughput corpus size (MB of text)")
    ap.add_argument("--sizes", default="1,2,4,8", help="corpus sizes (MB) for the time-size fit")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    sizes = [float(x) for x in args.sizes.split(",") if x]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        cumulative = build_corpus(corpus, int(max([args.mb, *sizes]) * MB))
        print(f"corpus: {len(cumulative)} rows, {cumulative[-1] / MB:.2f} MB of cleaned text")
        rows, size = rows_for(cumulative, args.mb)

        print(f"\n== throughput on {size / MB:.2f} MB ({rows} documents) ==", flush=True)
        one = timed(corpus, rows, workers=1)
        report("local, 1 worker", one, size)
        many = timed(corpus, rows, workers=args.workers)
        report(f"local, {args.workers} workers", many, size)
        speedup = one["seconds"] / many["seconds"]
        eff = speedup / args.workers
        verdict = "meets" if eff >= EFFICIENCY_TARGET else "below"
        print(
            f"speed-up {speedup:.2f}x, scaling efficiency {eff:.2f} "
            f"({verdict} the {EFFICIENCY_TARGET} target)"
        )
        if not args.no_dask:
            from distributed import LocalCluster

            make_cluster: Any = LocalCluster  # distributed is untyped
            with make_cluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster:
                dask_run = timed(corpus, rows, engine="dask", scheduler=cluster.scheduler_address)
            report(f"dask, {args.workers} workers", dask_run, size)
            d_eff = one["seconds"] / dask_run["seconds"] / args.workers
            print(f"dask scaling efficiency {d_eff:.2f}")

        print(f"\n== time against corpus size ({args.workers} local workers) ==", flush=True)
        xs: list[float] = []
        ys: list[float] = []
        for mb in sizes:
            n, nbytes = rows_for(cumulative, mb)
            r = timed(corpus, n, workers=args.workers)
            report(f"{mb:g} MB", r, nbytes)
            xs.append(nbytes / MB)
            ys.append(r["seconds"])
        slope, intercept = np.polyfit(xs, ys, 1)
        fit = [slope * x + intercept for x in xs]
        ss_res = sum((y - f) ** 2 for y, f in zip(ys, fit, strict=True))
        mean = sum(ys) / len(ys)
        ss_tot = sum((y - mean) ** 2 for y in ys)
        r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
        worst = max(abs(y - f) / f for y, f in zip(ys, fit, strict=True))
        print(
            f"fit: time = {slope:.1f} s/MB x size + {intercept:.1f} s; R² = {r2:.4f}; "
            f"worst relative deviation {worst:.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
