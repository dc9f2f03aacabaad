"""Audit the extractor on the Reuters-21578 corpus: run, draw a sample, judge it, re-score it.

Usage:
    python scripts/reuters_audit.py run  [--corpus DIR] [--out PRED.jsonl] [--workers N]
    python scripts/reuters_audit.py draw [--pred PRED.jsonl] [--verdicts FILE] [-n 100] [--seed S]
                                         [--part records|records_v2|records_v3|records_v4]
    python scripts/reuters_audit.py show DOC_ID...     # print a story for reading (never commit it)
    python scripts/reuters_audit.py score [--pred PRED.jsonl] [--verdicts FILE] [--json]

``run`` extracts visits from every story (``--workers 1`` uses the library in this process,
more workers go through ``visitrack extract --workers N``). ``draw`` samples, with a fixed seed,
``n`` records of the predictions and ``n`` stories that contain a trip word but gave no record,
and writes (or extends: verdicts already given are kept) the verdict file. ``score`` reads the
verdicts against the current predictions and prints precision, stage and time accuracy, the
misses of the no-record sample and the error classes; records the extractor produces now in
sampled stories that nobody has judged are listed as unjudged, judged records it no longer
produces as gone.

The verdict file holds two record samples: ``records`` (seed 1987, drawn from the first
extractor's output, with its no-record sample ``no_record``) and ``records_v2`` (a fresh sample
of the current output, ``draw --part records_v2 --seed 2026``; records only, verdicts of keys
already judged with the same stage and time are reused). Later fresh samples, ``records_v3``
(``draw --part records_v3 --seed 2027``) and ``records_v4`` (``--seed 2028``), each live in a
companion file next to the main one (``reuters_sample_v3.json``, ``reuters_sample_v4.json``; same
row format, as the main file's format is fixed by its test), which ``score`` reads too; a
companion's draw reuses verdicts of the main file's parts and of the earlier companions.
``new_records`` holds verdicts on
records a later extractor added to the stories of either sample (judged after the fact, not part
of either random sample; ``unsampled`` holds the records those stories had at draw time); a
``miss`` story counts as fixed when one of them is correct.

A record is keyed by doc id + visitor name + visitor country + destination country; a doc id
qualified by its corpus file (``.../reut2-000.jsonl#reut-5``) counts by its last part. The verdict
file holds ids, keys, verdicts, error classes and short notes in the auditor's own words only:
the corpus text must never be copied into the project.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "reuters21578"
DEFAULT_PRED = Path("/tmp/reuters_pred_base.jsonl")
DEFAULT_VERDICTS = ROOT / "audit" / "reuters_sample.json"
DEFAULT_SEED = 1987

#: Verdicts on a sampled record: a real visit with the right visitor and destination, or not.
RECORD_VERDICTS = ("correct", "wrong")
#: Verdicts on a sampled no-record story: a real visit the extractor missed, or none reported.
STORY_VERDICTS = ("miss", "no_visit")
MAX_NOTE = 200
#: The longest a serialised row may be: ids and a short note, nothing that could carry copied text.
MAX_ROW = 600

#: Words that make a story worth reading for a missed visit.
TRIP_WORDS = re.compile(
    r"\b(visit\w*|trips?|travel\w*|arriv(?:e|es|ed|ing)|tour(?:s|ed|ing)?|talks in|summit\w*"
    r"|flew to|fly to|flies to|went to|leaves? for|left for|depart(?:s|ed|ing|ure)?|stopover)\b",
    re.IGNORECASE,
)

Key = tuple[str, str, str, str]


def story_id(doc_id: object) -> str:
    """The story's own id (``reut-N``) of a document id, which the extractor may qualify by the
    corpus file it came from (``.../reut2-000.jsonl#reut-N``): the last part is the story's."""
    return str(doc_id or "").rsplit("#", 1)[-1]


def record_key(rec: dict[str, Any]) -> Key:
    visitor = rec.get("visitor") or {}
    dest = rec.get("destination") or {}
    return (
        story_id(rec.get("doc_id")),
        str(visitor.get("name") or ""),
        str(visitor.get("country") or ""),
        str(dest.get("country") or ""),
    )


def row_key(row: dict[str, Any]) -> Key:
    return (
        str(row["doc_id"]),
        str(row.get("visitor") or ""),
        str(row.get("visitor_country") or ""),
        str(row.get("destination") or ""),
    )


def load_predictions(path: Path) -> dict[Key, dict[str, Any]]:
    """Predictions by key; when one key repeats, the first record stands for it."""
    out: dict[Key, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out.setdefault(record_key(rec), rec)
    return out


# ---------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class Story:
    doc_id: str
    date: str
    title: str
    dateline: str
    body: str

    @property
    def readable(self) -> str:
        return f"{self.title}\n{self.dateline}\n{self.body}"


def _tag(text: str, name: str) -> str:
    m = re.search(rf"<{name}>(.*?)</{name}>", text, re.DOTALL)
    return html.unescape(m.group(1)).strip() if m else ""


def iter_stories(corpus: Path) -> Iterator[Story]:
    for path in sorted(corpus.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                row = json.loads(line)
                text = str(row["text"])
                body = _tag(text, "BODY")
                if not body:  # a few stories have only a TEXT element
                    body = re.sub(r"<[^>]+>", " ", _tag(text, "TEXT"))
                yield Story(
                    doc_id=str(row["id"]),
                    date=_tag(text, "DATE"),
                    title=_tag(text, "TITLE"),
                    dateline=_tag(text, "DATELINE"),
                    body=body,
                )


def find_stories(corpus: Path, ids: Iterable[str]) -> dict[str, Story]:
    wanted = set(ids)
    found: dict[str, Story] = {}
    for s in iter_stories(corpus):
        if s.doc_id in wanted:
            found[s.doc_id] = s
            if len(found) == len(wanted):
                break
    return found


# ---------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    corpus: Path = args.corpus
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.workers > 1:
        exe = Path(sys.executable).with_name("visitrack")
        cmd = [str(exe), "extract", str(corpus), "-o", str(out), "--workers", str(args.workers)]
        return subprocess.run(cmd, check=False).returncode

    from visitrack.ingest import read_inputs
    from visitrack.pipeline import run
    from visitrack.records import InputFailure, RawDocument

    paths = sorted(str(p) for p in corpus.glob("*.jsonl"))
    docs: list[RawDocument] = []
    for item in read_inputs(paths):
        if isinstance(item, InputFailure):
            print(f"read failure: {item.source}: {item.reason}", file=sys.stderr)
        else:
            docs.append(item)
    n = visits = 0
    with out.open("w", encoding="utf-8") as fh:
        for result in run(docs):
            n += 1
            for v in result.visits:
                visits += 1
                fh.write(json.dumps(v.to_dict(), ensure_ascii=False) + "\n")
            if n % 1000 == 0:
                print(f"{n} documents, {visits} visits", file=sys.stderr)
    print(f"{n} documents, {visits} visits -> {out}", file=sys.stderr)
    return 0


# ---------------------------------------------------------------- draw


def _when(rec: dict[str, Any]) -> str | None:
    w = rec.get("when")
    if not w:
        return None
    return f"{w.get('start')}..{w.get('end')}"


def record_row(rec: dict[str, Any]) -> dict[str, Any]:
    doc_id, name, country, dest = record_key(rec)
    return {
        "doc_id": doc_id,
        "visitor": name or None,
        "visitor_country": country or None,
        "destination": dest or None,
        "pred_stage": rec.get("stage"),
        "pred_when": _when(rec),
        "verdict": None,
        "stage_ok": None,
        "time_ok": None,
        "classes": [],
        "note": "",
    }


def story_row(doc_id: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "verdict": None, "classes": [], "note": ""}


#: Fresh samples drawn after the main file's format was fixed, oldest first: each lives in a
#: companion file of its own with its draw-time baseline (``unsampled_vN``).
COMPANION_PARTS = ("records_v3", "records_v4", "records_v5")


def sample_suffix(part: str) -> str:
    """``v4`` of ``records_v4``."""
    return part.rsplit("_", 1)[-1]


def companion_parts(part: str) -> tuple[str, str]:
    """The lists of a companion file: the sample and the records its stories had at draw time."""
    return part, f"unsampled_{sample_suffix(part)}"


def companion_path(verdicts: Path, part: str) -> Path:
    """The companion file of ``part`` next to the main verdict file (``reuters_sample_v4.json``)."""
    return verdicts.with_name(f"{verdicts.stem}_{sample_suffix(part)}.json")


def load_companion(path: Path, part: str) -> dict[str, Any]:
    """The companion verdict file of one fresh sample (empty when there is none)."""
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {
        "about": f"Fresh record sample {part} of the Reuters-21578 audit (see "
        "scripts/reuters_audit.py). Ids, keys and the auditor's own verdicts only; "
        "no article text.",
        **{p: [] for p in companion_parts(part)},
    }


def load_verdicts(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"records": [], "no_record": []}


#: The verdict file's lists, written one row a line so that diffs stay readable.
PARTS = ("records", "new_records", "records_v2", "no_record", "unsampled")
#: The lists of judged record rows (same row format).
RECORD_PARTS = ("records", "new_records", "records_v2")


def check_rows(rows: Iterable[dict[str, Any]]) -> None:
    """Refuse a row that is long enough to carry copied article text."""
    for r in rows:
        if len(str(r.get("note") or "")) > MAX_NOTE:
            raise ValueError(f"note longer than {MAX_NOTE} characters: {r}")
        if len(json.dumps(r, ensure_ascii=False)) > MAX_ROW:
            raise ValueError(f"row longer than {MAX_ROW} characters: {r}")


def save_verdicts(path: Path, data: dict[str, Any], parts: tuple[str, ...] = PARTS) -> None:
    for part in parts:
        if part.startswith("records") or part == "new_records":
            check_rows(data.get(part, []))
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{"]
    meta = {k: v for k, v in data.items() if k not in parts}
    for k, v in meta.items():
        lines.append(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    for i, part in enumerate(parts):
        rows = data.get(part, [])
        lines.append(f"  {json.dumps(part)}: [")
        body = [f"    {json.dumps(r, ensure_ascii=False)}" for r in rows]
        lines.append(",\n".join(body))
        lines.append("  ]" + ("," if i < len(parts) - 1 else ""))
    lines.append("}")
    path.write_text("\n".join(x for x in lines if x) + "\n", encoding="utf-8")


def draw_fresh(
    preds: dict[Key, dict[str, Any]],
    data: dict[str, Any],
    n: int,
    seed: int,
    *,
    part: str = "records_v2",
    judged_from: dict[str, Any] | None = None,
) -> int:
    """Draw a fresh record sample into ``part`` of ``data``, reusing verdicts on unchanged keys.

    ``records_v2`` lives in the main verdict file and reuses its ``records`` and ``new_records``;
    a later sample lives in its companion file ``data`` and reuses the judged record rows of
    ``judged_from``: the main file's parts and those of earlier companions (later parts win when
    a key was judged twice)."""
    keys = sorted(preds)
    sample = random.Random(seed).sample(keys, min(n, len(keys)))
    source = data if judged_from is None else judged_from
    if part == "records_v2":
        source_parts: tuple[str, ...] = ("records", "new_records")
    else:
        source_parts = (*RECORD_PARTS, *COMPANION_PARTS[: COMPANION_PARTS.index(part)])
    judged = {
        row_key(r): r
        for src in source_parts
        for r in source.get(src, [])
        if r.get("verdict") in RECORD_VERDICTS
    }
    rows = data.setdefault(part, [])
    have = {row_key(r) for r in rows}
    added = 0
    for k in sample:
        if k in have:
            continue
        row = record_row(preds[k])
        old = judged.get(k)
        if old and (old["pred_stage"], old["pred_when"]) == (row["pred_stage"], row["pred_when"]):
            row = dict(old)
        rows.append(row)
        added += 1
    # As for the first sample: the records of the drawn stories that were produced at draw
    # time but not drawn are the baseline that later extractors' new records are told from.
    drawn = {row_key(r) for r in rows}
    docs = {r["doc_id"] for r in rows}
    base = "unsampled" if part == "records_v2" else companion_parts(part)[1]
    unsampled = {tuple(k) for k in data.get(base, [])}
    unsampled |= {k for k in keys if k[0] in docs and k not in drawn}
    data[base] = [list(k) for k in sorted(unsampled)]
    data.setdefault(f"seed_{sample_suffix(part)}", seed)
    return added


def cmd_draw(args: argparse.Namespace) -> int:
    preds = load_predictions(args.pred)
    if args.part in COMPANION_PARTS:
        judged = load_verdicts(args.verdicts)
        for earlier in COMPANION_PARTS[: COMPANION_PARTS.index(args.part)]:
            older = load_companion(companion_path(args.verdicts, earlier), earlier)
            judged[earlier] = older.get(earlier, [])
        path = companion_path(args.verdicts, args.part)
        comp = load_companion(path, args.part)
        added = draw_fresh(preds, comp, args.n, args.seed, part=args.part, judged_from=judged)
        comp.setdefault("pred", str(args.pred))
        save_verdicts(path, comp, companion_parts(args.part))
        print(f"added {added} records to {args.part} of {path}", file=sys.stderr)
        return 0
    if args.part == "records_v2":
        data = load_verdicts(args.verdicts)
        added = draw_fresh(preds, data, args.n, args.seed)
        save_verdicts(args.verdicts, data)
        print(f"added {added} records to records_v2 of {args.verdicts}", file=sys.stderr)
        return 0
    rng = random.Random(args.seed)
    keys = sorted(preds)
    sample = rng.sample(keys, min(args.n, len(keys)))
    with_record = {k[0] for k in keys}
    candidates = sorted(
        s.doc_id
        for s in iter_stories(args.corpus)
        if s.doc_id not in with_record and TRIP_WORDS.search(s.readable)
    )
    stories = rng.sample(candidates, min(args.n, len(candidates)))

    data = load_verdicts(args.verdicts)
    have = {row_key(r) for r in data["records"]}
    have_docs = {r["doc_id"] for r in data["no_record"]}
    added_r = added_s = 0
    for k in sample:
        if k not in have:
            data["records"].append(record_row(preds[k]))
            added_r += 1
    for d in stories:
        if d not in have_docs:
            data["no_record"].append(story_row(d))
            added_s += 1
    # Records of the sampled stories that were produced at draw time but not drawn: score
    # tells them apart from records a later extractor adds (those are the unjudged new ones).
    drawn = {row_key(r) for r in data["records"]}
    docs = {r["doc_id"] for r in data["records"]} | {r["doc_id"] for r in data["no_record"]}
    unsampled = {tuple(k) for k in data.get("unsampled", [])}
    unsampled |= {k for k in keys if k[0] in docs and k not in drawn}
    data["unsampled"] = [list(k) for k in sorted(unsampled)]
    data.setdefault("seed", args.seed)
    data.setdefault(
        "about",
        "Audit sample of Reuters-21578 (see scripts/reuters_audit.py). Ids, keys and the "
        "auditor's own verdicts only; no article text.",
    )
    save_verdicts(args.verdicts, data)
    print(
        f"{len(keys)} record keys, {len(candidates)} trip-word stories without a record; "
        f"added {added_r} records and {added_s} stories to {args.verdicts}",
        file=sys.stderr,
    )
    return 0


# ---------------------------------------------------------------- show


def cmd_show(args: argparse.Namespace) -> int:
    stories = find_stories(args.corpus, args.doc_ids)
    preds: dict[str, list[dict[str, Any]]] = {}
    if args.pred.exists():
        for rec in load_predictions(args.pred).values():
            preds.setdefault(story_id(rec["doc_id"]), []).append(rec)
    for d in args.doc_ids:
        s = stories.get(d)
        print(f"===== {d}  {s.date if s else '(not in corpus)'}")
        if s and args.brief:
            print(f"{s.title}\n{s.dateline}")
            sents = re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", " ".join(s.body.split()))
            for sent in sents:
                if TRIP_WORDS.search(sent):
                    print(f"  | {sent}")
        elif s:
            print(s.readable)
        for rec in preds.get(d, []):
            v, dest = rec.get("visitor") or {}, rec.get("destination") or {}
            print(
                f"  -> {v.get('name')} ({v.get('role')}, {v.get('country')}) to "
                f"{dest.get('country')}/{dest.get('city')} stage={rec.get('stage')} "
                f"when={_when(rec)} occasion={rec.get('occasion')}"
            )
            for e in rec.get("evidence", []):
                print(f"     ev: {e.get('text')}")
    return 0


# ---------------------------------------------------------------- score


def _pct(num: int, den: int) -> str:
    return f"{num}/{den} = {100.0 * num / den:.1f}%" if den else f"{num}/0"


#: Classes of a wrong record that still name the right trip (lenient precision counts it).
LENIENT_PREFIXES = ("visitor country:", "name:")


def _count(rs: list[dict[str, Any]]) -> dict[str, int]:
    c: Counter[str] = Counter(x for r in rs for x in r.get("classes", []))
    return dict(c.most_common())


def record_stats(preds: dict[Key, dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, stage and time accuracy of one list of judged record rows."""
    present: list[dict[str, Any]] = []
    gone: list[dict[str, Any]] = []
    unjudged_rows: list[dict[str, Any]] = []
    for r in rows:
        if r.get("verdict") not in RECORD_VERDICTS:
            unjudged_rows.append(r)
        elif row_key(r) in preds:
            present.append(r)
        else:
            gone.append(r)
    correct = [r for r in present if r["verdict"] == "correct"]
    lenient = [
        r
        for r in present
        if r["verdict"] == "wrong"
        and r.get("classes")
        and all(c.startswith(LENIENT_PREFIXES) for c in r["classes"])
    ]
    stage_judged = stage_ok = time_judged = time_ok = 0
    stage_changed: list[Key] = []
    time_changed: list[Key] = []
    for r in correct:
        cur = preds[row_key(r)]
        if r.get("stage_ok") is not None:
            if cur.get("stage") != r.get("pred_stage"):
                stage_changed.append(row_key(r))
            else:
                stage_judged += 1
                stage_ok += bool(r["stage_ok"])
        if r.get("time_ok") is not None:
            if _when(cur) != r.get("pred_when"):
                time_changed.append(row_key(r))
            else:
                time_judged += 1
                time_ok += bool(r["time_ok"])
    return {
        "records_sampled": len(rows),
        "records_judged_present": len(present),
        "records_correct": len(correct),
        "precision": len(correct) / len(present) if present else None,
        "records_right_trip": len(correct) + len(lenient),
        "stage": [stage_ok, stage_judged],
        "time": [time_ok, time_judged],
        "stage_changed_since_judged": [list(k) for k in stage_changed],
        "time_changed_since_judged": [list(k) for k in time_changed],
        "gone": [[*row_key(r), r["verdict"]] for r in gone],
        "unjudged_rows": [list(row_key(r)) for r in unjudged_rows],
        "classes_wrong_records": _count([r for r in present if r["verdict"] == "wrong"]),
        "classes_correct_records": _count(correct),
    }


def score(
    preds: dict[Key, dict[str, Any]],
    data: dict[str, Any],
    companions: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Score the main file's parts and the companion files (``{part: companion data}``)."""
    companions = companions or {}
    rows = data.get("records", [])
    new_rows = data.get("new_records", [])
    stories = data.get("no_record", [])
    fresh_rows = data.get("records_v2", [])
    comp_rows = [r for part, comp in companions.items() for r in comp.get(part, [])]
    judged_keys = {row_key(r) for r in [*rows, *new_rows, *fresh_rows, *comp_rows]}
    baseline = {(k[0], k[1], k[2], k[3]) for k in data.get("unsampled", [])}
    sampled_docs = {r["doc_id"] for r in [*rows, *fresh_rows]} | {s["doc_id"] for s in stories}
    # Records in sampled stories that were neither drawn nor there at draw time: a changed
    # extractor produced them, and nobody has judged them yet (judged ones go to new_records).
    new = [k for k in sorted(preds) if k[0] in sampled_docs and k not in judged_keys | baseline]

    s_judged = [s for s in stories if s.get("verdict") in STORY_VERDICTS]
    misses = [s for s in s_judged if s["verdict"] == "miss"]
    docs_now = {k[0] for k in preds}
    now_with_record = [[s["doc_id"], s.get("verdict")] for s in stories if s["doc_id"] in docs_now]
    fixed_docs = {
        r["doc_id"] for r in new_rows if r.get("verdict") == "correct" and row_key(r) in preds
    }
    still = [s for s in misses if s["doc_id"] not in fixed_docs]

    res = record_stats(preds, rows)
    res.update(
        {
            "unjudged_new": [list(k) for k in new],
            "stories_sampled": len(stories),
            "stories_judged": len(s_judged),
            "stories_missed": len(misses),
            "missed_doc_ids": [s["doc_id"] for s in misses],
            "stories_still_missed": len(still),
            "still_missed_doc_ids": [s["doc_id"] for s in still],
            "misses_fixed": sorted(s["doc_id"] for s in misses if s["doc_id"] in fixed_docs),
            "stories_now_with_record": now_with_record,
            "classes_misses": _count(misses),
            "classes_misses_still": _count(still),
            "new_records": record_stats(preds, new_rows),
            "fresh": record_stats(preds, fresh_rows),
            "seed_v2": data.get("seed_v2"),
        }
    )
    for part, comp in companions.items():
        # A companion sample's stories: records neither drawn, nor there at its draw, nor judged
        # in any part are new since its draw (judge them into the main file's new_records).
        sfx = sample_suffix(part)
        c_rows = comp.get(part, [])
        c_docs = {r["doc_id"] for r in c_rows}
        c_base = {(k[0], k[1], k[2], k[3]) for k in comp.get(companion_parts(part)[1], [])}
        res[f"fresh_{sfx}"] = record_stats(preds, c_rows)
        res[f"fresh_{sfx}"]["unjudged_new"] = [
            list(k)
            for k in sorted(preds)
            if k[0] in c_docs and k not in judged_keys | c_base | baseline
        ]
        res[f"seed_{sfx}"] = comp.get(f"seed_{sfx}")
    return res


def _print_sample(res: dict[str, Any], indent: str = "  ") -> None:
    n = res["records_judged_present"]
    print(f"{indent}precision (judged records still produced): {_pct(res['records_correct'], n)}")
    print(
        f"{indent}right trip, counting wrong visitor country/name as right: "
        f"{_pct(res['records_right_trip'], n)}"
    )
    print(f"{indent}stage right (correct records): {_pct(*res['stage'])}")
    print(f"{indent}time right (correct records):  {_pct(*res['time'])}")
    if res["stage_changed_since_judged"] or res["time_changed_since_judged"]:
        print(f"{indent}stage/time changed since judged (not counted above; re-judge these):")
        for k in res["stage_changed_since_judged"]:
            print(f"{indent}  stage  {' | '.join(k)}")
        for k in res["time_changed_since_judged"]:
            print(f"{indent}  time   {' | '.join(k)}")
    print(f"{indent}judged, no longer produced: {len(res['gone'])}")
    for g in res["gone"]:
        tag = "FIXED (was wrong)" if g[4] == "wrong" else "LOST (was correct)"
        print(f"{indent}  {tag}: {' | '.join(g[:4])}")
    print(f"{indent}rows without a verdict (unjudged): {len(res['unjudged_rows'])}")
    for k in res["unjudged_rows"]:
        print(f"{indent}  UNJUDGED: {' | '.join(k)}")


def _print_classes(title: str, classes: dict[str, int]) -> None:
    print()
    print(f"error classes, {title}:")
    for c, k in classes.items():
        print(f"  {k:3d}  {c}")


def cmd_score(args: argparse.Namespace) -> int:
    preds = load_predictions(args.pred)
    data = load_verdicts(args.verdicts)
    comp_paths = {p: companion_path(args.verdicts, p) for p in COMPANION_PARTS}
    companions = {p: load_companion(f, p) for p, f in comp_paths.items() if f.exists()}
    res = score(preds, data, companions)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    fresh = res["fresh"]
    print(f"predictions: {args.pred} ({len(preds)} record keys)")
    files = [args.verdicts, *(comp_paths[p] for p in companions)]
    print(f"verdicts:    {' + '.join(str(f) for f in files)}")
    print()
    for part in reversed(companions):  # the newest sample first
        sfx = sample_suffix(part)
        cres = res[f"fresh_{sfx}"]
        print(
            f"FRESH record sample {sfx[1:]} ({part}, seed {res[f'seed_{sfx}']}): "
            f"{cres['records_sampled']} rows"
        )
        _print_sample(cres)
        print(f"  new records in its stories since the draw: {len(cres['unjudged_new'])}")
        for k in cres["unjudged_new"]:
            print(f"    NEW: {' | '.join(k)}")
        print()
    print(
        f"FRESH record sample (records_v2, seed {res['seed_v2']}): {fresh['records_sampled']} rows"
    )
    _print_sample(fresh)
    print()
    print(f"first record sample (records, seed {data.get('seed')}): {res['records_sampled']} rows")
    _print_sample(res)
    print(
        f"  new records in the stories of either sample since the draw (unjudged): "
        f"{len(res['unjudged_new'])}"
    )
    for k in res["unjudged_new"]:
        print(f"    NEW: {' | '.join(k)}")
    nr = res["new_records"]
    if nr["records_sampled"]:
        print()
        print(f"judged new records in sampled stories: {nr['records_sampled']} rows")
        _print_sample(nr)
    print()
    print(f"no-record sample: {res['stories_sampled']} stories, {res['stories_judged']} judged")
    print(f"  stories with a real visit missed (as judged): {res['stories_missed']}")
    print(f"  misses fixed (a correct record now): {len(res['misses_fixed'])}")
    for d in res["misses_fixed"]:
        print(f"    FIXED: {d}")
    print(f"  misses still present: {res['stories_still_missed']}")
    if res["stories_now_with_record"]:
        print("  sampled stories that now give a record (check them):")
        for d, v in res["stories_now_with_record"]:
            print(f"    {d} (judged {v})")
    for part in reversed(companions):
        cres = res[f"fresh_{sample_suffix(part)}"]
        _print_classes(f"{part}, wrong records (false positives)", cres["classes_wrong_records"])
        _print_classes(f"{part}, field errors on correct records", cres["classes_correct_records"])
    _print_classes("FRESH sample, wrong records (false positives)", fresh["classes_wrong_records"])
    _print_classes(
        "FRESH sample, field errors on correct records", fresh["classes_correct_records"]
    )
    _print_classes("first sample, wrong records (false positives)", res["classes_wrong_records"])
    _print_classes("first sample, field errors on correct records", res["classes_correct_records"])
    _print_classes("misses still present in the no-record sample", res["classes_misses_still"])
    return 0


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("run", help="extract visits from the whole corpus")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--out", type=Path, default=DEFAULT_PRED)
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("draw", help="draw the record and no-record samples")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--pred", type=Path, default=DEFAULT_PRED)
    p.add_argument("--verdicts", type=Path, default=DEFAULT_VERDICTS)
    p.add_argument("-n", type=int, default=100)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--part", choices=("records", "records_v2", *COMPANION_PARTS), default="records")
    p.set_defaults(func=cmd_draw)

    p = sub.add_parser("show", help="print stories and their records, for reading")
    p.add_argument("doc_ids", nargs="+")
    p.add_argument("--brief", action="store_true", help="title and trip-word sentences only")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--pred", type=Path, default=DEFAULT_PRED)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("score", help="score the verdicts against the current predictions")
    p.add_argument("--pred", type=Path, default=DEFAULT_PRED)
    p.add_argument("--verdicts", type=Path, default=DEFAULT_VERDICTS)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)

    args = ap.parse_args(argv)
    rc: int = args.func(args)
    return rc


if __name__ == "__main__":
    sys.exit(main())
