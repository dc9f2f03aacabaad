"""Crash safety and concurrency of `visitrack ingest`, run as a user runs it.

- ``Store.check`` / ``visitrack check`` find what a broken store would show.
- SIGKILL at random points of an ingest, ten times: the store passes the integrity check each
  time, and a rerun ends with exactly what a clean run stores.
- Two ingest processes on overlapping inputs at once, into SQLite (WAL, busy timeout) and into
  PostgreSQL: nothing lost, nothing duplicated; the same storylines as a clean run (their ids
  are the ones the store first gave them, so they may differ with the order of arrival).

The corpus is the shared dev gold set (real news pages), read from ../shared at test time.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from visitrack.store import open_store

pytest_plugins = ("conftest_pg",)

EXE = str(Path(sys.executable).parent / "visitrack")
# Ten kills, at times spread over a whole ingest of the dev corpus (about 4-8 s on the 2-core
# CI machine, model load included), so they land in start-up, parsing and writing alike.
KILL_TRIALS = 10
KILL_AFTER_S = (0.5, 7.0)
RUN_TIMEOUT_S = 600


def _vt(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _without_ids(snap: dict[str, object]) -> dict[str, object]:
    """A snapshot with each storyline id replaced by the storyline itself.

    A storyline keeps the id it was first given, so two processes taking documents in
    different orders may name a storyline differently; everything else must agree.
    """
    lines: list[dict[str, object]] = snap["storylines"]  # type: ignore[assignment]
    body = {str(d["id"]): json.dumps({**d, "id": None}, sort_keys=True) for d in lines}
    mentions = []
    for row in snap["mentions"]:  # type: ignore[attr-defined]
        sid, visit = json.loads(row)
        mentions.append(json.dumps([body[sid], visit], sort_keys=True))
    return {
        "counts": snap["counts"],
        "storylines": sorted(body.values()),
        "mentions": sorted(mentions),
    }


def _snapshot(url: str) -> dict[str, object]:
    with open_store(url) as store:
        lines = sorted((s.to_dict() for s in store.storylines()), key=lambda d: d["id"])
        mentions = sorted(
            json.dumps([sid, v.to_dict()], sort_keys=True) for sid, v in store.mentions()
        )
        return {"counts": store.counts(), "storylines": lines, "mentions": mentions}


@pytest.fixture(scope="module")
def corpus(shared: Path) -> list[str]:
    dev = shared / "gold" / "dev"
    return [str(p) for p in sorted(dev.iterdir()) if p.name != "gold.jsonl"]


@pytest.fixture(scope="module")
def clean_run(corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    _vt("ingest", *corpus, "--db", str(db), "-q")
    return _snapshot(str(db))


def test_check_passes_a_sound_store_and_names_broken_links(tmp_path: Path) -> None:
    db = tmp_path / "visits.db"
    doc = tmp_path / "trip.txt"
    doc.write_text(
        "Japanese Prime Minister Ken Mori arrived in Oslo on Monday for a two-day visit."
    )
    _vt("ingest", str(doc), "--published", "2024-05-06", "--db", str(db), "-q")
    assert _vt("check", "--db", str(db)).stdout.startswith("ok: 1 documents, 1 mentions")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE mentions SET storyline_id = NULL"))
    engine.dispose()
    proc = _vt("check", "--db", str(db), check=False)
    assert proc.returncode == 1
    assert "1 mention(s) in no storyline" in proc.stderr
    assert "has no mentions" in proc.stderr


@pytest.mark.slow  # ten killed ingests and their reruns: minutes
def test_sigkill_mid_ingest_then_rerun_equals_clean_run(
    corpus: list[str], clean_run: dict[str, object], tmp_path: Path
) -> None:
    rng = random.Random(20261122)
    for trial in range(KILL_TRIALS):
        db = tmp_path / f"killed{trial}.db"
        proc = subprocess.Popen(
            [EXE, "ingest", *corpus, "--db", str(db), "-q"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(*KILL_AFTER_S))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if db.exists():
            # What the killed run committed is whole: the database's own check and the
            # store's links both hold.
            with open_store(str(db)) as store:
                assert store.check() == [], f"trial {trial}"
        _vt("ingest", *corpus, "--db", str(db), "-q")
        assert _snapshot(str(db)) == clean_run, f"trial {trial}"


def _ingest_at_once(url: str, parts: list[list[str]]) -> None:
    """Start one ingest process per part at the same moment; all must succeed."""
    with open_store(url):
        pass  # create the schema first, so the processes race on data rather than on DDL
    procs = [
        subprocess.Popen(
            [EXE, "ingest", *part, "--db", url, "-q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for part in parts
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
        assert proc.returncode == 0, err
        assert "Traceback" not in err


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "shared.db")
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.mark.slow  # two concurrent ingest processes
def test_two_ingests_on_overlapping_inputs_lose_and_duplicate_nothing(
    corpus: list[str], clean_run: dict[str, object], db_url: str
) -> None:
    # Two thirds each, the middle third in both, in opposite orders so the processes meet
    # on the same documents and storylines mid-run rather than one trailing the other.
    third = len(corpus) // 3
    first = corpus[: 2 * third]
    second = list(reversed(corpus[third:]))
    _ingest_at_once(db_url, [first, second])
    with open_store(db_url) as store:
        assert store.check() == []
        assert store.counts()["documents"] == len(corpus)
    assert _without_ids(_snapshot(db_url)) == _without_ids(clean_run)
