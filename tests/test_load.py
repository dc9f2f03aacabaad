"""A short load run against `visitrack serve`: concurrent reads and writes, no 5xx.

The same run as ``scripts/bench_load.py`` (tests/load_harness.py), shorter and with fewer
clients: two server processes over one SQLite file, a token, writes extracted by the server
while other clients read. Latency is the bench's business; this asserts only outcomes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import load_harness as bench_load  # the load run's one definition, shared with the bench
from visitrack.store import open_store

# A server and its clients for a while: `make test` runs it, `make test-quick` not.
pytestmark = pytest.mark.slow

CLIENTS = 8
SECONDS = 10.0
WORKERS = 2
MENTIONS = 3_000
TOKEN = "load-test-token"


def test_mixed_load_gets_no_server_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "load.db")
    before = bench_load.fill_store(db, MENTIONS)
    log_path = tmp_path / "serve.log"
    with (
        log_path.open("wb") as log,
        bench_load.running_server(db, token=TOKEN, workers=WORKERS, log=log) as base,
    ):
        warm, result = bench_load.run_load(
            base, token=TOKEN, clients=CLIENTS, seconds=SECONDS, workers=WORKERS
        )
    report = "\n".join(bench_load.report(result, CLIENTS, SECONDS))
    for run in (warm, result):
        assert run.server_errors == 0, report
        assert run.transport_errors == [], report
        # Every answer was the expected 200/201: a run refused wholesale (a wrong token, a
        # bad query) would otherwise pass for a quiet one.
        assert run.unexpected == [], report
    kinds = {s.kind for s in result.samples}
    assert kinds == {"write", *bench_load.READ_MIX}, report
    # What the server said it added is in the store, and nothing else was.
    with open_store(db) as store:
        after = store.counts()
    assert result.added > 0
    assert after["documents"] - before["documents"] == warm.added + result.added
    assert "Traceback" not in log_path.read_text(errors="replace")
