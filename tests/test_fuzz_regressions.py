"""Replay every input the fuzzer saved in tests/fuzz_regressions/<target>/, and smoke-test
scripts/fuzz.py itself.

Each saved input once crashed or hung its target; replayed through the same target function
(tests/fuzz_targets.py) it must now pass. Its speed is not asserted here (the fuzzer holds each
document to HANG_LIMIT_S); a true hang is stopped at HANG_GUARD_S and fails. The inputs are
mutations of the bundled examples and of snippets written for the fuzzer.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import fuzz_targets
from visitrack.limits import time_limit

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
# Runs per target for the smoke test: enough to load every target and mutate a little.
SMOKE_RUNS = 200

SAVED = sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file() and not p.name.startswith("."))


def test_saved_inputs_are_filed_under_a_known_target() -> None:
    for path in SAVED:
        assert path.parent.name in fuzz_targets.TARGETS, path


@pytest.mark.parametrize("path", SAVED, ids=[f"{p.parent.name}/{p.name}" for p in SAVED])
def test_saved_input_no_longer_fails(path: Path) -> None:
    target = fuzz_targets.TARGETS[path.parent.name]
    with time_limit(fuzz_targets.HANG_GUARD_S):
        target(path.read_bytes())


@pytest.mark.slow  # every fuzz target under atheris, each in its own process
def test_fuzz_script_smoke(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "fuzz.py"),
            "--target",
            "all",
            "--runs",
            str(SMOKE_RUNS),
            "--regressions",
            str(tmp_path / "saved"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = dict(re.findall(r"^(\w+)\s+([\d,]+)\s+0\s+0\s+[\d.]+$", proc.stdout, re.M))
    assert set(rows) == {*fuzz_targets.TARGETS, "total"}, proc.stdout
    counts = {name: int(n.replace(",", "")) for name, n in rows.items()}
    assert all(counts[t] >= SMOKE_RUNS for t in fuzz_targets.TARGETS), proc.stdout
    assert counts["total"] == sum(counts[t] for t in fuzz_targets.TARGETS)
    assert not (tmp_path / "saved").exists()
