"""Score the extractor on every gold set under ../shared/gold with the shared scorer.

Usage: python scripts/evaluate.py [--shared ../shared] [--report-dir out/eval] [--json]

For each gold set it runs the pipeline over the set's documents (everything but gold.jsonl),
writes the predictions as JSONL, and runs ``shared/eval/score.py`` on them, printing its
figures. ``--report-dir`` keeps the predictions and the scorer's miss/false-hit reports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from visitrack.ingest import read_inputs
from visitrack.pipeline import run
from visitrack.records import InputFailure, RawDocument


def predict(gold_dir: Path, out: Path) -> tuple[int, float]:
    """Run the pipeline over one gold set's documents; return (documents, seconds)."""
    paths = sorted(str(p) for p in gold_dir.iterdir() if p.name != "gold.jsonl" and p.is_file())
    t0 = time.perf_counter()
    docs: list[RawDocument] = []
    for item in read_inputs(paths):
        if isinstance(item, InputFailure):
            print(f"  read failure: {item.source}: {item.reason}", file=sys.stderr)
        else:
            docs.append(item)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for result in run(docs):
            n += 1
            if result.failure is not None:
                # a broken stage must show, not pass as a document without visits
                print(
                    f"  failed: {result.failure.source}: {result.failure.reason}", file=sys.stderr
                )
            for v in result.visits:
                fh.write(json.dumps(v.to_dict(), ensure_ascii=False) + "\n")
    return n, time.perf_counter() - t0


def score(shared: Path, gold_dir: Path, pred: Path, report: Path | None) -> dict[str, object]:
    cmd = [sys.executable, str(shared / "eval" / "score.py"), str(gold_dir), str(pred), "--json"]
    if report is not None:
        cmd += ["--report", str(report)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def evaluate(shared: Path, report_dir: Path | None) -> dict[str, dict[str, object]]:
    results: dict[str, dict[str, object]] = {}
    for gold_dir in sorted(p for p in (shared / "gold").iterdir() if (p / "gold.jsonl").exists()):
        with tempfile.TemporaryDirectory() as tmp:
            base = report_dir if report_dir is not None else Path(tmp)
            base.mkdir(parents=True, exist_ok=True)
            pred = base / f"{gold_dir.name}.pred.jsonl"
            _docs, secs = predict(gold_dir, pred)  # the scorer reports its own document count
            report = base / f"{gold_dir.name}.report.json"
            res = score(shared, gold_dir, pred, report)
            res["seconds"] = round(secs, 2)
            res["reliability"] = reliability(pred, report)
            results[gold_dir.name] = res
    return results


# Confidence bins of the reliability table: [low, high).
CONFIDENCE_BINS = ((0.0, 0.6), (0.6, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))


def reliability(pred: Path, report: Path) -> list[dict[str, float | int]]:
    """Per confidence bin: how many records, their mean confidence, and the share that match a
    gold visit (a record is right when the scorer does not list it as a false hit)."""
    false_hits = json.loads(report.read_text(encoding="utf-8")).get("false_hits", [])
    wrong = [json.dumps(h["pred"], sort_keys=True) for h in false_hits]
    rows: list[tuple[float, bool]] = []
    for line in pred.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        key = json.dumps(rec, sort_keys=True)
        bad = key in wrong
        if bad:
            wrong.remove(key)
        rows.append((float(rec["confidence"]), not bad))
    table: list[dict[str, float | int]] = []
    for low, high in CONFIDENCE_BINS:
        hits = [(c, ok) for c, ok in rows if low <= c < high]
        if hits:
            table.append(
                {
                    "low": low,
                    "high": min(high, 1.0),
                    "records": len(hits),
                    "mean_confidence": round(sum(c for c, _ in hits) / len(hits), 3),
                    "right": round(sum(ok for _, ok in hits) / len(hits), 3),
                }
            )
    return table


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--report-dir", type=Path, help="keep predictions and reports here")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    if not (args.shared / "eval" / "score.py").exists():
        print(
            f"evaluate: no scorer at {args.shared}/eval/score.py (is ../shared there?)",
            file=sys.stderr,
        )
        return 2
    results = evaluate(args.shared, args.report_dir)
    if args.json:
        print(json.dumps(results))
        return 0
    for name, r in results.items():
        when = r["when_accuracy"]
        print(
            f"{name:6s} docs {r['documents']:3}  tp {r['tp']:3} fp {r['fp']:3} fn {r['fn']:3}  "
            f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}  "
            f"stage {r['stage_accuracy']:.3f}  "
            f"when {'n/a' if when is None else format(when, '.3f')} ({r['when_checked']} checked)"
            f"  {r['seconds']} s"
        )
    print("\nreliability (records by confidence; 'right' = share matching a gold visit)")
    for name, r in results.items():
        cells = [
            f"[{b['low']:.2f},{b['high']:.2f}) n={b['records']} conf={b['mean_confidence']:.2f} "
            f"right={b['right']:.2f}"
            for b in r["reliability"]  # type: ignore[attr-defined]
        ]
        print(f"{name:6s} " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
