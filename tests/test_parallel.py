"""Parallel extraction (local processes, a Dask cluster on loopback) and progress reporting.

Parallel runs must give exactly what the sequential pipeline gives: same documents, same
visits, same order. Texts are written for these tests.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pytest

from visitrack.parallel import run_parallel
from visitrack.pipeline import DocumentResult, run
from visitrack.progress import Progress
from visitrack.records import RawDocument

TEXTS = [
    "WARSAW, May 13 (Wire) - President Amara Lindqvist of Norland will travel to Portugal next "
    "week for talks on fisheries and trade, her office said on Monday.",
    "The foreign minister of Estavia arrived in Kenya on Tuesday for a three-day visit focused "
    "on agriculture, the ministry said.",
    "Prime Minister Olu Bakare postponed his planned trip to Japan, citing a budget vote at home.",
    "Heavy rain flooded several streets in the capital overnight; no injuries were reported.",
    "<html><body><article><h1>State visit</h1><p>King Haakon of Tirland will pay a state visit "
    "to France in June, the palace announced on Wednesday.</p></article></body></html>",
]


def corpus(n: int) -> list[RawDocument]:
    return [
        RawDocument(
            doc_id=f"doc-{i:03d}",
            source=f"mem:{i}",
            content=TEXTS[i % len(TEXTS)],
            is_html=TEXTS[i % len(TEXTS)].startswith("<html"),
        )
        for i in range(n)
    ]


def summary(results: list[DocumentResult]) -> list[tuple[str, list[dict[str, Any]], str | None]]:
    return [
        (
            r.raw.doc_id,
            [v.to_dict() for v in r.visits],
            r.failure.reason if r.failure else None,
        )
        for r in results
    ]


@pytest.fixture(scope="module")
def sequential() -> list[DocumentResult]:
    return list(run(corpus(12)))


def test_two_local_workers_match_sequential(sequential: list[DocumentResult]) -> None:
    got = list(run_parallel(iter(corpus(12)), workers=2, chunk_size=2))
    assert summary(got) == summary(sequential)
    assert sum(len(r.visits) for r in got) >= 2  # the texts do hold visits


def test_one_worker_is_the_plain_pipeline(sequential: list[DocumentResult]) -> None:
    assert summary(list(run_parallel(corpus(12), workers=1))) == summary(sequential)


class _KillsWorker:
    """Unpickling this in a worker ends the process, like a segfault or the OOM killer."""

    doc_id = "killer"
    source = "mem:killer"

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return (os._exit, (1,))


@pytest.mark.slow  # worker processes started, one killed
def test_worker_crash_fails_only_its_chunk(sequential: list[DocumentResult]) -> None:
    docs: list[Any] = corpus(6)
    docs.insert(3, _KillsWorker())  # the second chunk (killer, doc-003, doc-004) dies
    got = list(run_parallel(docs, workers=2, chunk_size=3))
    assert [r.raw.doc_id for r in got] == [d.doc_id for d in docs]
    failed = [r.raw.doc_id for r in got if r.failure is not None]
    assert failed == ["killer", "doc-003", "doc-004"]
    assert all(r.failure and r.failure.stage == "parallel" for r in got[3:6])
    ok = [r for r in got if r.failure is None]
    assert summary(ok) == summary([sequential[i] for i in (0, 1, 2, 5)])


@pytest.mark.slow  # a local Dask cluster
@pytest.mark.filterwarnings("ignore")  # distributed warns about ports and event loops
def test_dask_local_cluster_matches_sequential(sequential: list[DocumentResult]) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        got = list(
            run_parallel(
                corpus(12), engine="dask", scheduler=cluster.scheduler_address, chunk_size=3
            )
        )
    assert summary(got) == summary(sequential)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="scheduler"):
        next(run_parallel(corpus(1), engine="dask"))
    with pytest.raises(ValueError, match="chunk_size"):
        next(run_parallel(corpus(1), chunk_size=0))


# --- progress ----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def results(sequential: list[DocumentResult]) -> Iterator[DocumentResult]:
    yield from sequential[:5]


def test_progress_plain_lines_and_summary(sequential: list[DocumentResult]) -> None:
    out = io.StringIO()
    clock = FakeClock()
    with Progress(10, True, stream=out, clock=clock, interval=5.0) as progress:
        for r in results(sequential):
            clock.now += 2.0
            progress.advance(r)
        progress.fail()
    lines = out.getvalue().splitlines()
    first3 = sum(len(r.visits) for r in sequential[:3])
    visits = sum(len(r.visits) for r in sequential[:5])
    # ticks at +2, +4, +6, +8, +10 s: one line once 5 s have passed (at +6), the next not
    # before +11, then the summary.
    assert lines == [
        f"visitrack: 3/10 documents, 0.5 docs/s, {first3} visits, 0 failed, 0:06 elapsed, ETA 0:14",
        f"visitrack: done: 6 documents in 0:10 (0.6 docs/s), {visits} visits, 1 failed",
    ]


def test_progress_unknown_total_and_disabled(sequential: list[DocumentResult]) -> None:
    out = io.StringIO()
    clock = FakeClock()
    with Progress(None, True, stream=out, clock=clock, interval=1.0) as progress:
        clock.now += 1.0
        progress.advance(sequential[0])
    assert "ETA" not in out.getvalue() and out.getvalue().startswith("visitrack: 1 documents")
    silent = io.StringIO()
    with Progress(3, False, stream=silent, clock=clock) as progress:
        progress.advance(sequential[0])
    assert silent.getvalue() == "" and progress.done == 1


def test_progress_bar_on_a_terminal(sequential: list[DocumentResult]) -> None:
    out = io.StringIO()
    with Progress(2, True, stream=out, interactive=True) as progress:
        for r in sequential[:2]:
            progress.advance(r)
    text = out.getvalue()
    assert "2/2" in text and "docs/s" in text and "visitrack: done: 2 documents" in text
