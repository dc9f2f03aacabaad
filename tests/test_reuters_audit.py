"""The Reuters audit sample's format: ids, keys and short verdicts only, never article text."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
VERDICTS = ROOT / "audit" / "reuters_sample.json"
#: The fresh samples kept in companion files that have been drawn and judged.
COMPANION_SAMPLES = ["records_v3", "records_v4", "records_v5"]
#: Rows of each drawn sample.
SAMPLE_ROWS = {"records_v3": 100, "records_v4": 100}
#: The census ``records_v5``: every record of the output it was drawn from (484), and the
#: records later extractors added, judged after.
CENSUS_MIN_ROWS = {"records_v5": 484}
STAGES = {
    "proposed",
    "invited",
    "in_preparation",
    "announced",
    "ongoing",
    "completed",
    "postponed",
    "cancelled",
    None,
}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "reuters_audit", ROOT / "scripts" / "reuters_audit.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["reuters_audit"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(VERDICTS.read_text(encoding="utf-8"))
    return loaded


def _companion(part: str) -> dict[str, Any]:
    audit = _script()
    loaded: dict[str, Any] = json.loads(
        audit.companion_path(VERDICTS, part).read_text(encoding="utf-8")
    )
    return loaded


@pytest.mark.parametrize("part", ["records", "new_records", "records_v2"])
def test_record_rows(data: dict[str, Any], part: str) -> None:
    _check_record_rows(data[part])


@pytest.mark.parametrize("part", COMPANION_SAMPLES)
def test_companion_record_rows(part: str) -> None:
    _check_record_rows(_companion(part)[part])


def _check_record_rows(rows: list[dict[str, Any]]) -> None:
    audit = _script()
    assert rows
    keys = set()
    for r in rows:
        assert set(r) == {
            "doc_id",
            "visitor",
            "visitor_country",
            "destination",
            "pred_stage",
            "pred_when",
            "verdict",
            "stage_ok",
            "time_ok",
            "classes",
            "note",
        }, r
        assert r["doc_id"].startswith("reut-")
        assert r["verdict"] in (*audit.RECORD_VERDICTS, None)
        assert r["pred_stage"] in STAGES
        assert r["stage_ok"] in (True, False, None)
        assert r["time_ok"] in (True, False, None)
        assert isinstance(r["classes"], list)
        assert all(isinstance(c, str) and len(c) <= 80 for c in r["classes"])
        assert isinstance(r["note"], str) and len(r["note"]) <= audit.MAX_NOTE
        if r["verdict"] == "wrong":
            assert r["classes"], f"a wrong record needs an error class: {r}"
        key = audit.row_key(r)
        assert key not in keys, f"duplicate key {key}"
        keys.add(key)


def test_story_rows(data: dict[str, Any]) -> None:
    audit = _script()
    rows = data["no_record"]
    assert rows
    assert len({r["doc_id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == {"doc_id", "verdict", "classes", "note"}, r
        assert r["doc_id"].startswith("reut-")
        assert r["verdict"] in (*audit.STORY_VERDICTS, None)
        assert isinstance(r["note"], str) and len(r["note"]) <= audit.MAX_NOTE
        if r["verdict"] == "miss":
            assert r["classes"], f"a miss needs a class: {r}"


def test_top_level_and_unsampled(data: dict[str, Any]) -> None:
    assert set(data) <= {
        "seed",
        "seed_v2",
        "about",
        "records",
        "new_records",
        "records_v2",
        "no_record",
        "unsampled",
    }
    assert isinstance(data["seed"], int)
    assert isinstance(data["seed_v2"], int)
    for k in data.get("unsampled", []):
        assert isinstance(k, list) and len(k) == 4 and all(isinstance(x, str) for x in k), k
        assert k[0].startswith("reut-")


def test_no_row_is_long(data: dict[str, Any]) -> None:
    """A row is ids and a short note: nothing long enough to carry copied article text."""
    rows = data["records"] + data["new_records"] + data["records_v2"] + data["no_record"]
    for r in rows:
        assert len(json.dumps(r, ensure_ascii=False)) <= 600


@pytest.mark.parametrize("part", COMPANION_SAMPLES)
def test_companion_file(part: str) -> None:
    """A companion file holds its seed, its sample of judged keys (100, or a census of the
    whole output) and its draw-time baseline, and no row long enough to carry copied article
    text."""
    audit = _script()
    comp = _companion(part)
    sfx = audit.sample_suffix(part)
    assert set(comp) == {"about", f"seed_{sfx}", "pred", part, f"unsampled_{sfx}"}
    assert isinstance(comp[f"seed_{sfx}"], int)
    for k in comp[f"unsampled_{sfx}"]:
        assert isinstance(k, list) and len(k) == 4 and all(isinstance(x, str) for x in k), k
        assert k[0].startswith("reut-")
    rows = comp[part]
    if part in SAMPLE_ROWS:
        assert len(rows) == SAMPLE_ROWS[part]
    else:
        assert len(rows) >= CENSUS_MIN_ROWS[part]
    for r in rows:
        assert len(json.dumps(r, ensure_ascii=False)) <= 600
        assert r["verdict"] in audit.RECORD_VERDICTS, r
        if r["verdict"] == "correct":
            assert r["stage_ok"] in (True, False) and r["time_ok"] in (True, False), r


def test_score_on_a_toy_sample() -> None:
    audit = _script()
    rec = {
        "doc_id": "reut-1",
        "visitor": {"name": "A B", "country": "USA"},
        "destination": {"country": "JPN"},
        "stage": "ongoing",
        "when": None,
    }
    preds = {audit.record_key(rec): rec}
    row = audit.record_row(rec) | {"verdict": "correct", "stage_ok": True, "time_ok": True}
    gone = dict(row, visitor="C D", verdict="wrong", classes=["not a visit"])
    extra = dict(rec, visitor={"name": "E F", "country": "USA"})
    preds[audit.record_key(extra)] = extra
    res = audit.score(preds, {"records": [row, gone], "no_record": []})
    assert res["precision"] == 1.0
    assert res["stage"] == [1, 1]
    assert len(res["gone"]) == 1
    assert res["unjudged_new"] == [["reut-1", "E F", "USA", "JPN"]]
    # A record that was already there when the sample was drawn is not new.
    res = audit.score(
        preds, {"records": [row], "no_record": [], "unsampled": [list(audit.record_key(extra))]}
    )
    assert res["unjudged_new"] == []
    assert res["precision"] == 1.0


def test_fresh_sample_is_complete(data: dict[str, Any]) -> None:
    """The fresh sample has 100 distinct keys, every one judged."""
    audit = _script()
    rows = data["records_v2"]
    assert len(rows) == 100
    assert all(r["verdict"] in audit.RECORD_VERDICTS for r in rows)
    for r in rows:
        if r["verdict"] == "correct":
            assert r["stage_ok"] in (True, False) and r["time_ok"] in (True, False), r


def test_draw_fresh_reuses_unchanged_verdicts() -> None:
    audit = _script()
    recs = [
        {
            "doc_id": f"reut-{i}",
            "visitor": {"name": "A B", "country": "USA"},
            "destination": {"country": "JPN"},
            "stage": "ongoing",
            "when": None,
        }
        for i in range(5)
    ]
    preds = {audit.record_key(r): r for r in recs}
    same = audit.record_row(recs[0]) | {"verdict": "correct", "stage_ok": True, "time_ok": True}
    moved = audit.record_row(recs[1]) | {"pred_stage": "announced", "verdict": "correct"}
    data: dict[str, Any] = {"records": [same, moved], "no_record": []}
    assert audit.draw_fresh(preds, data, 5, 2026) == 5
    assert data["seed_v2"] == 2026
    by_key = {audit.row_key(r): r for r in data["records_v2"]}
    assert by_key[audit.row_key(same)]["verdict"] == "correct"
    assert by_key[audit.record_key(recs[1])]["verdict"] is None  # stage changed: judge again
    assert audit.draw_fresh(preds, data, 5, 2026) == 0  # drawing again adds nothing
    res = audit.score(preds, data)
    assert res["fresh"]["records_sampled"] == 5
    assert res["fresh"]["records_correct"] == 1
    assert len(res["fresh"]["unjudged_rows"]) == 4


def test_a_correct_new_record_fixes_a_miss() -> None:
    audit = _script()
    rec = {
        "doc_id": "reut-9",
        "visitor": {"name": "A B", "country": "USA"},
        "destination": {"country": "JPN"},
        "stage": "ongoing",
        "when": None,
    }
    preds = {audit.record_key(rec): rec}
    story = {"doc_id": "reut-9", "verdict": "miss", "classes": ["miss: x"], "note": ""}
    data: dict[str, Any] = {"records": [], "no_record": [story]}
    res = audit.score(preds, data)
    assert res["unjudged_new"] == [["reut-9", "A B", "USA", "JPN"]]
    assert res["stories_still_missed"] == 1
    row = audit.record_row(rec) | {"verdict": "correct", "stage_ok": True, "time_ok": True}
    data["new_records"] = [row]
    res = audit.score(preds, data)
    assert res["unjudged_new"] == []
    assert res["misses_fixed"] == ["reut-9"]
    assert res["stories_still_missed"] == 0
    assert res["new_records"]["precision"] == 1.0


def test_companion_draw_reuses_earlier_samples(tmp_path: Path) -> None:
    """A v4 draw goes to its own file and reuses the verdicts of the main file and of v3 on
    keys whose stage and time are unchanged; score reports every companion sample."""
    audit = _script()
    recs = [
        {
            "doc_id": f"reut-{i}",
            "visitor": {"name": "A B", "country": "USA"},
            "destination": {"country": "JPN"},
            "stage": "ongoing",
            "when": None,
        }
        for i in range(4)
    ]
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    ok = {"verdict": "correct", "stage_ok": True, "time_ok": True}
    main_file = tmp_path / "reuters_sample.json"
    main_data = {"records": [audit.record_row(recs[0]) | ok], "no_record": []}
    audit.save_verdicts(main_file, main_data)
    wrong = {"verdict": "wrong", "classes": ["host taken as visitor"]}
    v3 = audit.load_companion(tmp_path / "reuters_sample_v3.json", "records_v3")
    v3["records_v3"] = [
        audit.record_row(recs[1]) | wrong,
        audit.record_row(recs[2]) | ok | {"pred_stage": "announced"},  # stage changed since
    ]
    audit.save_verdicts(
        tmp_path / "reuters_sample_v3.json", v3, audit.companion_parts("records_v3")
    )
    main_before = main_file.read_text(encoding="utf-8")
    argv = ["draw", "--part", "records_v4", "--seed", "2028", "-n", "4"]
    assert audit.main([*argv, "--pred", str(pred), "--verdicts", str(main_file)]) == 0
    v4_file = tmp_path / "reuters_sample_v4.json"
    v4 = json.loads(v4_file.read_text(encoding="utf-8"))
    assert v4["seed_v4"] == 2028 and v4["pred"] == str(pred)
    verdicts = {r["doc_id"]: r["verdict"] for r in v4["records_v4"]}
    assert verdicts == {"reut-0": "correct", "reut-1": "wrong", "reut-2": None, "reut-3": None}
    assert main_file.read_text(encoding="utf-8") == main_before  # left as it was

    companions = {
        p: audit.load_companion(audit.companion_path(main_file, p), p)
        for p in ("records_v3", "records_v4")
    }
    res = audit.score(audit.load_predictions(pred), main_data, companions)
    assert res["seed_v4"] == 2028
    assert res["fresh_v4"]["records_correct"] == 1
    assert res["fresh_v4"]["precision"] == 0.5
    assert len(res["fresh_v4"]["unjudged_rows"]) == 2
    assert res["fresh_v3"]["records_judged_present"] == 2
