"""Per-document time limits: a stalled document becomes a failure, the run goes on."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from visitrack import pipeline
from visitrack.ingest import document_from_text
from visitrack.limits import TimeLimitExceeded, applies, time_limit

EXE = str(Path(sys.executable).parent / "visitrack")
# A pattern that backtracks exponentially on a run of a's with no final match: about 2**40
# steps, far beyond any test's patience unless the limit interrupts it.
BACKTRACKING = re.compile(r"(a+)+$")
SHORT_LIMIT_S = 0.3

# Written for these tests: trip sentences, each different (the cleaner drops repeated lines as
# boilerplate), so the document keeps the parser busy for many seconds (it parses about 250
# sentences a second on the CI machine).
SLOW_DOCUMENT = "\n\n".join(
    f"Spanish Foreign Minister Ana Ruiz will visit Japan in round {i} of talks on trade quota {i}."
    for i in range(3000)
)
QUICK_DOCUMENT = "Japanese Prime Minister Ken Mori arrived in Oslo on Monday for a two-day visit."


def test_limit_interrupts_runaway_regex() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info, time_limit(SHORT_LIMIT_S):
        BACKTRACKING.match("a" * 40 + "b")
    assert time.monotonic() - started < 30 * SHORT_LIMIT_S
    assert "0.3 s" in str(info.value)


def test_limit_disarms_and_restores_the_previous_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) == before


def test_a_callers_alarm_is_kept() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, _frame: fired.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with time_limit(1):  # shorter than the caller's: ours runs, theirs is re-armed after
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with time_limit(5):  # the caller's alarm comes first: it is left to fire
            time.sleep(0.5)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_no_limit_and_other_threads_run_unlimited() -> None:
    seen: list[bool] = []

    def body() -> None:
        seen.append(applies())
        with time_limit(0.01):
            time.sleep(0.05)  # would exceed the limit if one were armed

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    assert seen == [False]
    with time_limit(None):
        time.sleep(0.01)


def _raw(doc_id: str, text: str) -> pipeline.RawDocument:
    return document_from_text(text, doc_id=doc_id, published=date(2024, 5, 1))


def test_slow_document_fails_and_the_others_are_extracted() -> None:
    docs = [
        _raw("before", QUICK_DOCUMENT),
        _raw("slow", SLOW_DOCUMENT),
        _raw("after", QUICK_DOCUMENT),
    ]
    results = list(pipeline.run(docs, time_limit_s=1.0))
    assert [r.raw.doc_id for r in results] == ["before", "slow", "after"]
    slow = results[1]
    assert slow.failure is not None
    # the limit covers the whole document: on a loaded machine it may run out while the long
    # document is still being cleaned, before extraction starts
    assert slow.failure.stage in {"clean", "extract"}
    assert "time limit of 1 s" in slow.failure.reason
    for quick in (results[0], results[2]):
        assert quick.failure is None
        assert [(v.visitor.country, v.destination.country) for v in quick.visits] == [
            ("JPN", "NOR")
        ]


def test_the_limit_also_holds_off_the_main_thread() -> None:
    # A server runs the pipeline on worker threads, where no alarm can be set: the clock
    # check between parsed sentences stops the document there.
    docs = [_raw("slow", SLOW_DOCUMENT), _raw("after", QUICK_DOCUMENT)]
    results: list[pipeline.DocumentResult] = []
    worker = threading.Thread(target=lambda: results.extend(pipeline.run(docs, time_limit_s=1.0)))
    worker.start()
    worker.join()
    assert results[0].failure is not None
    assert "time limit of 1 s" in results[0].failure.reason
    assert results[1].failure is None and len(results[1].visits) == 1


def test_cli_reports_the_time_out_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a-slow.txt").write_text(SLOW_DOCUMENT)
    (tmp_path / "b-quick.txt").write_text(QUICK_DOCUMENT)
    proc = subprocess.run(
        [EXE, "extract", str(tmp_path), "--published", "2024-05-01", "--time-limit", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "a-slow.txt" in proc.stderr
    assert "took longer than the time limit of 1 s" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert f'"doc_id": "{tmp_path / "b-quick.txt"}"' in proc.stdout


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_bad_time_limit_is_a_usage_error(value: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(QUICK_DOCUMENT)
    proc = subprocess.run(
        [EXE, "extract", str(tmp_path / "a.txt"), "--time-limit", value],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "--time-limit" in proc.stderr
