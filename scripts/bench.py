"""Speed benchmark for extraction: `make bench`.

Two corpora, each measured the same way:

- *visit stories*: at least ``--min-mb`` MB of news text made of the bundled examples and,
  when ../shared is beside the checkout, its seed and gold documents, repeated under new ids.
  Nearly every story is about a visit, so nearly every story is parsed: the worst case.
- *wire stream*: Reuters-21578 stories (../shared/corpora/reuters21578) in an order fixed by
  ``WIRE_SEED``, at least ``--min-mb`` MB of cleaned text: ordinary news, where most stories
  hold no trip and the pre-filter skips them. Left out when the corpus is not beside the
  checkout.

For each:

1. Prints the share of the cleaned text the pre-filter sends to spaCy (trigger sentences and
   context sentences), which bounds the ratio: parsing that share and doing nothing else would
   be 1 / share times faster than parsing everything.
2. Runs ``visitrack extract`` on it in a child process: wall time, words/s, documents/s, peak RSS.
3. In this process, times the bare spaCy pipeline (``nlp.pipe``, every component) over the same
   cleaned text, and prints the ratio (extract speed / bare pipeline speed; target >= 2.0), by
   wall clock and by CPU time. The CPU-time ratio is the steadier one on a shared machine: other
   people's processes stretch wall time, not the CPU seconds a run uses.

Then times ``visitrack extract`` on one small file, start-up included (target < 3 s).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from visitrack import nlp
from visitrack.clean import clean
from visitrack.ingest import read_inputs
from visitrack.records import CleanDocument, InputFailure, RawDocument

REPO = Path(__file__).resolve().parents[1]
SMALL_FILE_RUNS = 3
SHARED = REPO.parent / "shared"
WIRE = SHARED / "corpora" / "reuters21578"
# Any fixed seed: it fixes which wire stories make up the corpus, so runs compare.
WIRE_SEED = 2026
# Stories cleaned at a time while the wire corpus grows to its size.
WIRE_BATCH = 100


def source_documents() -> list[RawDocument]:
    paths = [str(REPO / "src" / "visitrack" / "examples")]
    for sub in ("seeds", "gold/seeds", "gold/dev"):
        if (SHARED / sub).is_dir():
            paths.append(str(SHARED / sub))
    docs = [d for d in read_inputs(paths) if not isinstance(d, InputFailure)]
    return [d for d in docs if not d.source.endswith("gold.jsonl")]


def corpus_row(d: RawDocument, doc_id: str) -> str:
    """One JSONL line carrying document ``d`` under a new id."""
    row = {"id": doc_id, "published": d.published.isoformat() if d.published else None}
    row["html" if d.is_html else "text"] = d.content
    return json.dumps(row, ensure_ascii=False) + "\n"


def parsed_shares(docs: list[CleanDocument]) -> tuple[float, float]:
    """Shares of the cleaned characters the pre-filter sends to spaCy: (all, trigger
    sentences)."""
    parsed = trigger = 0
    for d in docs:
        for story in d.stories:
            sents = nlp.split_sentences(d.text[story.start : story.end], offset=story.start)
            for s in nlp.select_for_parsing(sents):
                parsed += len(s.text)
                trigger += len(s.text) if s.has_trigger else 0
    total = max(1, sum(len(d.text) for d in docs))
    return parsed / total, trigger / total


def build_corpus(out: Path, min_bytes: int) -> tuple[int, list[str], tuple[float, float]]:
    """Write the visit-story corpus; return (documents, cleaned texts, shares parsed)."""
    base = source_documents()
    docs = [clean(d) for d in base]
    cleaned = [d.text for d in docs]
    shares = parsed_shares(docs)
    n = size = 0
    texts: list[str] = []
    with out.open("w", encoding="utf-8") as fh:
        while size < min_bytes:
            for d, text in zip(base, cleaned, strict=True):
                fh.write(corpus_row(d, f"{d.doc_id}-{n}"))
                n += 1
                size += len(text.encode("utf-8"))
                texts.append(text)
    return n, texts, shares


def build_wire_corpus(out: Path, min_bytes: int) -> tuple[int, list[str], tuple[float, float]]:
    """Write the wire-stream corpus (Reuters rows as they are, which ``visitrack extract``
    reads), at least ``min_bytes`` of cleaned text; return (documents, cleaned texts, shares
    parsed)."""
    lines = [line for f in sorted(WIRE.glob("*.jsonl")) for line in f.open(encoding="utf-8")]
    random.Random(WIRE_SEED).shuffle(lines)
    docs: list[CleanDocument] = []
    taken = size = 0
    while taken < len(lines) and size < min_bytes:
        out.write_text("".join(lines[taken : taken + WIRE_BATCH]), encoding="utf-8")
        batch = [clean(d) for d in read_inputs([str(out)]) if not isinstance(d, InputFailure)]
        docs += batch
        size += sum(len(d.text.encode("utf-8")) for d in batch)
        taken += WIRE_BATCH
    out.write_text("".join(lines[:taken]), encoding="utf-8")
    return len(docs), [d.text for d in docs], parsed_shares(docs)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_extract(corpus: Path, out: Path) -> tuple[float, float]:
    """Run the CLI on the corpus; return (wall seconds, CPU seconds)."""
    exe = Path(sys.executable).parent / "visitrack"
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    subprocess.run([str(exe), "extract", str(corpus), "-o", str(out)], check=False)
    return time.perf_counter() - t0, _children_cpu() - cpu0


def bare_pipeline(texts: list[str]) -> tuple[float, float]:
    """Parse every text with every component; return (wall seconds, CPU seconds)."""
    model = nlp.load_model()
    list(model.pipe(texts[:2]))  # warm-up
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for _ in model.pipe(texts, batch_size=nlp.PIPE_BATCH_SIZE):
        pass
    return time.perf_counter() - t0, time.process_time() - cpu0


@dataclass(frozen=True)
class Corpus:
    name: str
    path: Path
    docs: int
    texts: list[str]
    shares: tuple[float, float]


def measure_extract(c: Corpus) -> tuple[float, float]:
    """Print the pre-filter share and the extraction run of one corpus; return its (wall,
    CPU) seconds."""
    share, trigger = c.shares
    words = sum(len(t.split()) for t in c.texts)
    size = sum(len(t.encode("utf-8")) for t in c.texts)
    print(f"{c.name}: {c.docs} documents, {size / 1e6:.2f} MB cleaned text, {words} words")
    print(
        f"  pre-filter: {share:.0%} of the cleaned text goes to spaCy ({trigger:.0%} trigger "
        f"sentences, {share - trigger:.0%} context); parsing only that: ratio {1 / share:.2f}"
    )
    out = c.path.with_suffix(".out.jsonl")
    secs, cpu = run_extract(c.path, out)
    visits = sum(1 for _ in out.open(encoding="utf-8"))
    print(
        f"  visitrack extract: {secs:.1f} s (CPU {cpu:.1f} s)  {words / secs:,.0f} words/s  "
        f"{c.docs / secs:.1f} docs/s  {visits} visits"
    )
    return secs, cpu


def measure_bare(c: Corpus, extract: tuple[float, float]) -> None:
    """Print the bare pipeline's run over one corpus and the ratio to its extraction run."""
    words = sum(len(t.split()) for t in c.texts)
    bare, bare_cpu = bare_pipeline(c.texts)
    print(
        f"{c.name}: bare spaCy nlp.pipe (all components): {bare:.1f} s (CPU {bare_cpu:.1f} s)  "
        f"{words / bare:,.0f} words/s"
    )
    secs, cpu = extract
    print(
        f"  ratio extract/bare speed: {bare / secs:.2f} wall, {bare_cpu / cpu:.2f} CPU "
        "(target >= 2.0; extract includes model load, reading and cleaning)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="visitrack extraction benchmark")
    ap.add_argument("--min-mb", type=float, default=1.0, help="corpus size in MB (default 1)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "visits.jsonl"
        corpora = [Corpus("visit stories", path, *build_corpus(path, int(args.min_mb * 1e6)))]
        if WIRE.is_dir():
            path = Path(tmp) / "wire.jsonl"
            corpora.append(
                Corpus("wire stream", path, *build_wire_corpus(path, int(args.min_mb * 1e6)))
            )
        else:
            print(f"wire stream: left out ({WIRE} is not there)")
        # every extraction before this process loads the model: a child started later would
        # inherit its memory, and the peak RSS it reports with it
        runs = [measure_extract(c) for c in corpora]
        # the kernel keeps one figure for all waited-for children: the largest
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"peak RSS of visitrack extract (largest run): {peak_kb / 1024:.0f} MB")
        for c, run in zip(corpora, runs, strict=True):
            measure_bare(c, run)

        small = REPO / "src" / "visitrack" / "examples" / "beijing_state_visit.txt"
        exe = Path(sys.executable).parent / "visitrack"
        # median of SMALL_FILE_RUNS: one cold start can pay for the page cache
        times = []
        for _ in range(SMALL_FILE_RUNS):
            t0 = time.perf_counter()
            subprocess.run([str(exe), "extract", str(small)], check=False, capture_output=True)
            times.append(time.perf_counter() - t0)
        print(
            f"visitrack extract on one small file: median {statistics.median(times):.2f} s "
            f"of {SMALL_FILE_RUNS} runs (target < 3 s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
