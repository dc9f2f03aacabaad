"""Regression floors on the shared gold sets, scored by the shared scorer.

The floors are the figures measured when they were set, minus a small margin, so that a change
that costs accuracy fails here; `make eval` prints the current figures.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]

# Measured 2026-12-02: seeds F1 1.000, stage 1.000, when 1.000; dev F1 0.942, stage 0.954,
# when 0.912; dev2 F1 0.911, stage 0.953, when 0.859. Floors keep a margin of about one or two
# visits' worth on each set.
FLOORS = {
    "seeds": {"f1": 0.95, "stage_accuracy": 0.90, "when_accuracy": 0.90},
    "dev": {"f1": 0.91, "stage_accuracy": 0.92, "when_accuracy": 0.87},
    "dev2": {"f1": 0.89, "stage_accuracy": 0.93, "when_accuracy": 0.83},
}


def _load_evaluate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evaluate", REPO / "scripts" / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["evaluate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(shared: Path) -> dict[str, dict[str, object]]:
    evaluate = _load_evaluate()
    out: dict[str, dict[str, object]] = evaluate.evaluate(shared, None)
    return out


@pytest.mark.parametrize("gold_set", sorted(FLOORS))
def test_accuracy_floor(results: dict[str, dict[str, float]], gold_set: str) -> None:
    if gold_set not in results:
        pytest.skip(f"gold set {gold_set} not present")
    got = results[gold_set]
    for metric, floor in FLOORS[gold_set].items():
        assert got[metric] is not None
        assert got[metric] >= floor, f"{gold_set} {metric} {got[metric]} < floor {floor}"
