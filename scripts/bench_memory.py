"""Memory benchmark: `make bench` (or `python scripts/bench_memory.py`).

Memory must stay bounded whatever the input's size. Each case runs ``visitrack extract`` in a
child process and samples the resident memory of it and its worker processes together:

1. one 50 MB text file: refused before it is read (over the per-file limit);
2. a 50 MB JSONL corpus of news documents (scripts/bench.py's corpus), streamed;
3. a stream of 100,000 short documents read from a named pipe, never written to disk.

For each case: exit code, documents out, wall time, peak RSS (all processes), and the RSS
half-way through the run -- a peak close to the half-way figure means memory did not grow
with the input.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import corpus_row, source_documents  # scripts/ is not a package: imported by path

EXE = str(Path(sys.executable).parent / "visitrack")
SAMPLE_EVERY_S = 0.25
MB = 1024 * 1024

# Written for this benchmark: short reports, a quarter with a trip in them, so the stream
# exercises the parser and the extractor as well as the reader.
LEADERS = (
    "Japanese Prime Minister Ken Mori",
    "Finnish President Lena Holm",
    "Austrian Chancellor Ida Berg",
)
PLACES = ("Oslo", "Ottawa", "Nairobi", "Hanoi", "Lima")
FILLER = (
    "The city council approved a new budget for road repairs on Tuesday.",
    "Rain is expected across the northern provinces later this week.",
    "Shares closed slightly higher after a quiet session.",
)


def stream_rows(n: int) -> Iterator[bytes]:
    for i in range(n):
        text = FILLER[i % len(FILLER)] + f" Report number {i}."
        if i % 4 == 0:
            who, where = LEADERS[i % len(LEADERS)], PLACES[i % len(PLACES)]
            text += f" {who} will visit {where} next month for talks, officials said."
        row = {"id": f"s{i}", "published": "2024-05-01", "text": text}
        yield (json.dumps(row) + "\n").encode()


class Sampler:
    """Resident memory of a process and its children, sampled in the background."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                for p in [self.proc, *self.proc.children(recursive=True)]:
                    total += p.memory_info().rss
            except psutil.Error:
                pass  # a process ended between listing and reading; the next sample counts
            if total:
                self.samples.append((time.monotonic() - self._started, total))
            self._stop.wait(SAMPLE_EVERY_S)

    def stop(self) -> tuple[float, float]:
        """(peak MB, MB half-way through the run)."""
        self._stop.set()
        self._thread.join()
        if not self.samples:
            return 0.0, 0.0
        peak = max(rss for _, rss in self.samples) / MB
        end = self.samples[-1][0]
        early = next((rss for t, rss in self.samples if t >= end / 2), self.samples[-1][1])
        return peak, early / MB


def write_corpus(out: Path, min_bytes: int) -> int:
    """News documents (examples, ../shared) repeated under new ids up to ``min_bytes``."""
    base = source_documents()
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        while fh.tell() < min_bytes:
            d = base[n % len(base)]
            fh.write(corpus_row(d, f"{d.doc_id}-{n}"))
            n += 1
    return n


def run_case(
    label: str, args: list[str], fifo_rows: tuple[Path, Iterator[bytes]] | None = None
) -> None:
    started = time.monotonic()
    proc = subprocess.Popen(
        [EXE, "extract", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    sampler = Sampler(proc.pid)
    lines = 0
    err = b""

    def feed() -> None:
        assert fifo_rows is not None
        fifo, rows = fifo_rows
        with fifo.open("wb") as fh:  # blocks until the reader opens the pipe
            for row in rows:
                fh.write(row)

    def drain_err() -> None:
        nonlocal err
        assert proc.stderr is not None
        err = proc.stderr.read()

    helpers = [threading.Thread(target=drain_err)]
    if fifo_rows is not None:
        helpers.append(threading.Thread(target=feed))
    for t in helpers:
        t.start()
    assert proc.stdout is not None
    docs: set[str] = set()
    for line in proc.stdout:
        lines += 1
        docs.add(json.loads(line)["doc_id"])
    code = proc.wait()
    for t in helpers:
        t.join()
    wall = time.monotonic() - started
    peak, early = sampler.stop()
    first_error = err.decode(errors="replace").strip().splitlines()[:1]
    print(
        f"{label:<34} exit {code}  {lines:>7} records from {len(docs):>6} docs  "
        f"{wall:7.1f} s  peak RSS {peak:7.1f} MB  (half-way {early:7.1f} MB)"
    )
    if first_error:
        print(f"{'':<34} stderr: {first_error[0][:120]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the large inputs (MB)")
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the stream")
    parser.add_argument("--workers", type=int, default=2, help="extraction processes")
    args = parser.parse_args()
    workers = ["--workers", str(args.workers), "--no-progress"]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        line = " ".join(FILLER) + "\n"
        with big.open("w") as fh:
            for _ in range(args.mb * MB // len(line) + 1):
                fh.write(line)
        run_case(f"{args.mb} MB text file", [str(big), "--no-progress"])
        big.unlink()
        corpus = Path(tmp) / "corpus.jsonl"
        n = write_corpus(corpus, args.mb * MB)
        mb = corpus.stat().st_size / MB
        run_case(f"{mb:.0f} MB JSONL ({n} news docs)", [str(corpus), *workers])
        corpus.unlink()
        fifo = Path(tmp) / "stream.jsonl"
        os.mkfifo(fifo)
        run_case(
            f"{args.docs} docs through a pipe",
            [str(fifo), *workers],
            (fifo, stream_rows(args.docs)),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
