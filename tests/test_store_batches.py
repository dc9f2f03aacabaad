"""Concurrent API batches on one store (#13): two server processes storing batches whose
documents touch the same storylines in opposite orders. On PostgreSQL each document of a
batch used to take its storyline locks while holding the previous document's, so two such
batches could each wait for the other (a deadlock, one batch refused with 503); batches now
take turns, as SQLite's writers always did."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from test_store import MACRON, MODI, SCHOLZ, XI, result, snapshot, visit, without_ids
from visitrack.records import DocumentResult, Party
from visitrack.store import open_store

pytest_plugins = ("conftest_pg",)

ROUNDS = 12
PARTIES: tuple[Party, ...] = (XI, MODI, MACRON, SCHOLZ)


def _batch(tag: str, order: tuple[int, ...]) -> list[DocumentResult]:
    """One document per visitor in ``order``, each adding a report to that visitor's
    storyline (the same storylines in every batch)."""
    return [
        result(
            f"{tag}-{k}",
            [visit(f"{tag}-{k}", PARTIES[k], published=date(2023, 3, 1))],
            content=f"Report {tag}-{k}: {PARTIES[k].name} will visit Moscow.",
        )
        for k in order
    ]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_batches_over_the_same_storylines_in_opposite_orders_all_store(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'b.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_database")
    )
    with open_store(url):
        pass  # migrate once, so the threads race on data, not on DDL
    forward, backward = (0, 1, 2, 3), (3, 2, 1, 0)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer(side: str, order: tuple[int, ...]) -> None:
        try:
            with open_store(url) as mine:
                for n in range(ROUNDS):
                    batch = _batch(f"{side}{n}", order)
                    start.wait(timeout=60)
                    mine.ingest_batch(batch)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            start.abort()

    threads = [
        threading.Thread(target=writer, args=("f", forward)),
        threading.Thread(target=writer, args=("b", backward)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(url) as store, open_store(str(tmp_path / "seq.db")) as sequential:
        assert store.counts()["documents"] == 2 * ROUNDS * len(PARTIES)
        for n in range(ROUNDS):
            sequential.ingest_batch(_batch(f"f{n}", forward))
            sequential.ingest_batch(_batch(f"b{n}", backward))
        assert without_ids(snapshot(store)) == without_ids(snapshot(sequential))
        assert store.check() == []
