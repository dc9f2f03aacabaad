"""Tests for visitrack.store, each run on a SQLite file and on a real PostgreSQL server.

The documents and visits are built by hand (no spaCy): the store's job is to keep what the
pipeline produced, link it, and give it back unchanged.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from visitrack.records import (
    EXTRACTOR_VERSION,
    STAGES,
    CleanDocument,
    Destination,
    DocumentResult,
    Evidence,
    InputFailure,
    Party,
    RawDocument,
    Story,
    Visit,
    When,
)
from visitrack.store import (
    ID_LENGTH,
    DocumentInfo,
    Ingested,
    Store,
    StoreError,
    content_hash,
    head_revision,
    open_store,
    shorten_id,
    text_hash,
)
from visitrack.store.models import Base

pytest_plugins = ("conftest_pg",)

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as s:
        yield s


# --- builders ----------------------------------------------------------------------------------

XI = Party("Xi Jinping", "head_of_state", "CHN")
PUTIN = Party("Vladimir Putin", "head_of_state", "RUS")
MODI = Party("Narendra Modi", "head_of_government", "IND")
MACRON = Party("Emmanuel Macron", "head_of_state", "FRA")
SCHOLZ = Party("Olaf Scholz", "head_of_government", "DEU")
ERDOGAN = Party("Recep Tayyip Erdoğan", "head_of_state", "TUR")


def visit(
    doc_id: str,
    visitor: Party = XI,
    destination: str = "RUS",
    *,
    stage: Any = "announced",
    published: date | None = date(2023, 3, 1),
    window: tuple[date, date] | None = None,
    host: Party | None = PUTIN,
    city: str | None = "Moscow",
    sentence: str = "Xi Jinping will visit Moscow.",
    confidence: float = 0.8125,
) -> Visit:
    return Visit(
        doc_id=doc_id,
        published=published,
        visitor=visitor,
        host=host,
        destination=Destination(destination, city),
        kind="state_visit",
        occasion=None,
        stage=stage,
        when=When("from the 20th", *window) if window else None,
        evidence=(Evidence(0, len(sentence), sentence),),
        confidence=confidence,
    )


def result(
    doc_id: str,
    visits: Sequence[Visit],
    *,
    content: str | None = None,
    published: date | None = date(2023, 3, 1),
    title: str | None = None,
) -> DocumentResult:
    body = content if content is not None else f"Text of {doc_id}. Xi Jinping will visit Moscow."
    raw = RawDocument(doc_id=doc_id, source=f"{doc_id}.txt", content=body)
    doc = CleanDocument(
        doc_id=doc_id,
        text=body,
        stories=(Story(0, len(body), published),),
        title=title or f"Title {doc_id}",
        url=f"https://news.example/{doc_id}",
        published=published,
    )
    return DocumentResult(raw, doc, tuple(visits))


def failed(doc_id: str, reason: str = "not UTF-8 or any known encoding") -> DocumentResult:
    raw = RawDocument(doc_id=doc_id, source=f"{doc_id}.txt", content="")
    return DocumentResult(raw, None, (), InputFailure(f"{doc_id}.txt", reason, "ingest"))


def snapshot(store: Store) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """Everything linking decided: the storylines and which storyline each mention is in."""
    lines = sorted((s.to_dict() for s in store.storylines()), key=lambda d: d["id"])
    mentions = sorted(((sid, v.to_dict()) for sid, v in store.mentions()), key=repr)
    return lines, mentions


def without_ids(
    snap: tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]],
) -> tuple[list[str], list[str]]:
    """A snapshot with each storyline id replaced by the storyline itself.

    Storyline ids depend on the order documents arrived in (a storyline keeps the id it was
    first given), so stores fed in different orders agree on everything but the ids.
    """
    lines, mentions = snap
    body = {line["id"]: json.dumps({**line, "id": None}, sort_keys=True) for line in lines}
    return sorted(body.values()), sorted(
        json.dumps([body[sid], v], sort_keys=True) for sid, v in mentions
    )


# --- opening and migrations ----------------------------------------------------------------------


def test_open_migrates_to_head(store_url: str) -> None:
    with open_store(store_url):
        pass
    with open_store(store_url) as store:  # second open: already at head, nothing to do
        assert store.counts() == {"documents": 0, "mentions": 0, "storylines": 0, "failures": 0}
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert version == head_revision() == "0007"
    assert "storyline_search" in tables
    assert {
        "documents",
        "mentions",
        "storylines",
        "failures",
        "visitor_names",
        "alembic_version",
    } <= tables


def test_models_match_migrations(store_url: str) -> None:
    """The ORM models and the migrations describe the same schema (no pending autogenerate)."""
    with open_store(store_url):
        pass
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            # The search table is no model (an FTS5 table on SQLite, with its shadow tables):
            # visitrack.store.search creates and reads it.
            opts = {
                "compare_type": True,
                "include_name": lambda name, kind, _parent: (
                    not (kind == "table" and str(name).startswith("storyline_search"))
                ),
            }
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_storyline_filter_columns_are_indexed(store_url: str) -> None:
    with open_store(store_url):
        pass
    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            indexed = {
                table: {tuple(ix["column_names"]) for ix in insp.get_indexes(table)}
                for table in ("storylines", "mentions")
            }
    finally:
        engine.dispose()
    for column in (
        "visitor_country",
        "destination_country",
        "stage",
        "when_start",
        "when_end",
        "first_reported",
        "storyline_key",
    ):
        # a single-column index, or a composite that starts with the column
        assert any(ix[0] == column for ix in indexed["storylines"]), column
    assert ("storyline_key",) in indexed["mentions"]
    assert any(cols[0] == "doc_id" for cols in indexed["mentions"])


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with open_store(str(path)) as store:
        store.ingest(result("a", [visit("a")]))
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file
    finally:
        conn.close()


def test_plain_path_and_env_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VISITRACK_DB", raising=False)
    with open_store() as store:
        assert store.url == "sqlite:///./visitrack.db"
    assert (tmp_path / "visitrack.db").exists()
    monkeypatch.setenv("VISITRACK_DB", str(tmp_path / "from_env.db"))
    with open_store():
        pass
    assert (tmp_path / "from_env.db").exists()
    with open_store("relative.db"):
        pass
    assert (tmp_path / "relative.db").exists()


def test_in_memory_sqlite_keeps_its_schema() -> None:
    with open_store("sqlite://") as store:
        assert store.ingest(result("a", [visit("a")])) == "added"
        assert store.counts()["storylines"] == 1


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/db", "unsupported database 'mysql'"),
        ("://x", "not a database URL"),
        ("postgresql://u@host:notaport/db", "not a database URL"),
        ("postgresql://nobody:s3cret@127.0.0.1:1/nowhere", "cannot open database"),
        ("sqlite:////nonexistent-dir/sub/x.db", "unable to open database file"),
        ("/nonexistent-dir/sub/x.db", "file /nonexistent-dir/sub/x.db"),
        ("   ", "empty database URL"),
    ],
)
def test_bad_url_gives_clear_error(url: str, expected: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert expected in message
    assert "s3cret" not in message
    assert "Traceback" not in message and "[SQL:" not in message
    # No driver exception chained on: a caller printing the error shows one clean line.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


# --- ingest ---------------------------------------------------------------------------------------


def test_ingest_added_then_unchanged(store: Store) -> None:
    first = result("a", [visit("a"), visit("a", MODI, "USA", host=None, city=None)])
    assert store.ingest(first) == "added"
    after = store.counts()
    assert after == {"documents": 1, "mentions": 2, "storylines": 2, "failures": 0}
    before = snapshot(store)
    assert store.ingest(first) == "unchanged"
    assert store.ingest(first) == "unchanged"
    assert store.counts() == after
    assert snapshot(store) == before


def test_visits_round_trip_exactly(store: Store) -> None:
    """What comes back is equal, field for field, to what the pipeline produced."""
    visits = [
        visit("a", window=(date(2023, 3, 20), date(2023, 3, 22)), confidence=0.123456789),
        visit("a", ERDOGAN, "DEU", host=None, city=None, published=None, stage="proposed"),
    ]
    store.ingest(result("a", visits))
    got = sorted((v for _, v in store.mentions()), key=lambda v: v.visitor.country or "")
    assert got == sorted(visits, key=lambda v: v.visitor.country or "")


def test_replaced_document_relinks(store: Store) -> None:
    store.ingest(result("a", [visit("a", stage="announced")]))
    store.ingest(result("b", [visit("b", stage="announced", published=date(2023, 3, 2))]))
    (line,) = store.storylines()
    assert line.mentions == 2 and line.doc_ids == ("a", "b")

    # Document b is corrected: it now reports Modi going to the USA, not Xi to Russia.
    corrected = result(
        "b",
        [visit("b", MODI, "USA", host=None, city=None, published=date(2023, 3, 2))],
        content="Corrected text of b.",
    )
    assert store.ingest(corrected) == "replaced"
    assert store.counts() == {"documents": 2, "mentions": 2, "storylines": 2, "failures": 0}
    by_visitor = {s.visitor.name: s for s in store.storylines()}
    assert by_visitor["Xi Jinping"].doc_ids == ("a",)
    assert by_visitor["Xi Jinping"].mentions == 1
    assert by_visitor["Narendra Modi"].doc_ids == ("b",)
    doc = store.document("b")
    assert doc is not None and doc.cleaned_text == "Corrected text of b."
    assert doc.content_hash == content_hash("Corrected text of b.")
    # Every mention points at a storyline that exists.
    ids = {s.id for s in store.storylines()}
    assert {sid for sid, _ in store.mentions()} == ids


def test_replaced_document_updates_stage(store: Store) -> None:
    store.ingest(result("a", [visit("a", stage="announced")]))
    later = visit("a", stage="completed", published=date(2023, 3, 1))
    assert store.ingest(result("a", [later], content="Xi visited Moscow.")) == "replaced"
    (line,) = store.storylines()
    assert line.stage == "completed"
    assert store.counts()["mentions"] == 1


def test_replaced_with_no_visits_removes_storylines(store: Store) -> None:
    store.ingest(result("a", [visit("a")]))
    assert store.ingest(result("a", [], content="Nothing about visits.")) == "replaced"
    assert store.counts() == {"documents": 1, "mentions": 0, "storylines": 0, "failures": 0}


def test_failures_recorded_once_and_cleared(store: Store) -> None:
    assert store.ingest(failed("x")) == "failed"
    assert store.ingest(failed("x")) == "failed"  # a re-run does not pile up copies
    assert store.counts()["failures"] == 1
    store.ingest(failed("x", reason="a different problem"))
    store.record_failure("y.txt", "extract", "internal error in the extract stage")
    assert store.counts()["failures"] == 3
    assert store.counts()["documents"] == 0
    # Once the same input is processed, its old failures are obsolete.
    fixed = replace(result("x", [visit("x")]), raw=RawDocument("x", "x.txt", "Fixed content."))
    assert store.ingest(fixed) == "added"
    assert store.counts()["failures"] == 1


def test_failure_keeps_stored_document(store: Store) -> None:
    store.ingest(result("a", [visit("a")]))
    assert store.ingest(failed("a")) == "failed"
    assert store.counts() == {"documents": 1, "mentions": 1, "storylines": 1, "failures": 1}


def test_crash_during_ingest_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A document is written whole or not at all; running again completes it."""
    import visitrack.link

    store.ingest(result("a", [visit("a")]))
    before = snapshot(store)

    def boom(visits: Sequence[Visit]) -> list[Any]:
        raise KeyboardInterrupt  # stands in for a kill between the insert and the re-link

    monkeypatch.setattr(visitrack.link, "link", boom)  # the store looks it up per call
    with pytest.raises(KeyboardInterrupt):
        store.ingest(result("b", [visit("b")]))
    assert store.counts()["documents"] == 1
    assert snapshot(store) == before
    monkeypatch.undo()
    assert store.ingest(result("b", [visit("b")])) == "added"
    assert store.counts() == {"documents": 2, "mentions": 2, "storylines": 1, "failures": 0}


# --- linking across documents ---------------------------------------------------------------------


def _story_docs() -> list[DocumentResult]:
    """Three documents following Xi's trip, plus unrelated visits."""
    window = (date(2023, 3, 20), date(2023, 3, 22))
    return [
        result("a", [visit("a", stage="invited", published=date(2023, 2, 1))]),
        result(
            "b",
            [
                visit("b", stage="announced", published=date(2023, 3, 17), window=window),
                visit("b", MODI, "USA", host=None, city=None, published=date(2023, 3, 17)),
            ],
        ),
        result(
            "c",
            [
                visit("c", stage="completed", published=date(2023, 3, 23), window=window),
                visit("c", MACRON, "CHN", host=None, city="Beijing", published=date(2023, 3, 23)),
            ],
        ),
    ]


def test_order_independence(tmp_path: Path, store_url: str) -> None:
    """Ingesting A, B, C one by one or C, B, A gives the same storylines (their ids are the
    ones each store first gave them)."""
    docs = _story_docs()
    with open_store(store_url) as forward:
        for doc in docs:
            forward.ingest(doc)
        expected = snapshot(forward)
    with open_store(str(tmp_path / "backward.db")) as backward:
        for doc in reversed(docs):
            backward.ingest(doc)
        assert without_ids(snapshot(backward)) == without_ids(expected)
    xi = [line for line in expected[0] if line["visitor"]["name"] == "Xi Jinping"]
    assert len(xi) == 1
    assert xi[0]["doc_ids"] == ["a", "b", "c"] and xi[0]["stage"] == "completed"


def test_store_agrees_with_linking_everything_at_once(store: Store) -> None:
    from visitrack.link import link

    docs = _story_docs()
    for doc in docs:
        store.ingest(doc)
    direct = sorted(
        (line.to_dict() for line, _ in link([v for d in docs for v in d.visits])),
        key=lambda d: d["id"],
    )
    assert snapshot(store)[0] == direct


def test_concurrent_ingest_matches_sequential(store_url: str, tmp_path: Path) -> None:
    """Writers in parallel on overlapping storylines end where one writer would."""
    docs = [
        result(
            f"d{i:02}",
            [visit(f"d{i:02}", published=date(2023, 3, 1 + i % 20), stage="announced")],
        )
        for i in range(24)
    ]
    with open_store(store_url):
        pass  # migrate once, so the threads race on data, not on DDL
    errors: list[BaseException] = []

    def worker(part: list[DocumentResult]) -> None:
        try:
            with open_store(store_url) as mine:
                for doc in part:
                    mine.ingest(doc)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(docs[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_store(store_url) as parallel, open_store(str(tmp_path / "seq.db")) as sequential:
        for doc in docs:
            sequential.ingest(doc)
        assert without_ids(snapshot(parallel)) == without_ids(snapshot(sequential))
        assert parallel.check() == []


# --- reading --------------------------------------------------------------------------------------


@pytest.fixture
def filled(store: Store) -> dict[str, str]:
    """Five storylines with known attributes; returns visitor surname -> storyline id."""
    store.ingest(
        result(
            "xi",
            [
                visit(
                    "xi",
                    stage="announced",
                    window=(date(2023, 3, 20), date(2023, 3, 22)),
                    published=date(2023, 3, 1),
                )
            ],
        )
    )
    store.ingest(
        result(
            "modi",
            [
                visit(
                    "modi",
                    MODI,
                    "USA",
                    stage="completed",
                    window=(date(2023, 6, 21), date(2023, 6, 24)),
                    published=date(2023, 6, 25),
                    host=None,
                    city="Washington",
                )
            ],
            published=date(2023, 6, 25),
        )
    )
    store.ingest(
        result(
            "macron",
            [
                visit(
                    "macron",
                    MACRON,
                    "CHN",
                    stage="invited",
                    published=date(2023, 1, 10),
                    host=XI,
                    city=None,
                )
            ],
            published=date(2023, 1, 10),
        )
    )
    store.ingest(
        result(
            "scholz",
            [
                visit(
                    "scholz",
                    SCHOLZ,
                    "IND",
                    stage="postponed",
                    window=(date(2024, 2, 1), date(2024, 2, 3)),
                    published=date(2023, 12, 1),
                    host=MODI,
                    city=None,
                )
            ],
            published=date(2023, 12, 1),
        )
    )
    store.ingest(
        result(
            "erdogan",
            [
                visit(
                    "erdogan",
                    ERDOGAN,
                    "DEU",
                    stage="proposed",
                    published=None,
                    host=None,
                    city=None,
                )
            ],
            published=None,
        )
    )
    return {s.visitor.name.split()[-1]: s.id for s in store.storylines() if s.visitor.name}


def names(lines: Sequence[Any]) -> list[str]:
    return [line.visitor.name.split()[-1] for line in lines]


def test_storylines_sorted_newest_first(store: Store, filled: dict[str, str]) -> None:
    # By first report, newest first; the undated one last on every backend.
    assert names(store.storylines()) == ["Scholz", "Modi", "Jinping", "Macron", "Erdoğan"]


def test_filter_country_matches_visitor_or_destination(
    store: Store, filled: dict[str, str]
) -> None:
    assert names(store.storylines(country="CHN")) == ["Jinping", "Macron"]
    assert names(store.storylines(country="DEU")) == ["Scholz", "Erdoğan"]
    assert store.storylines(country="BRA") == []


def test_filter_visitor_substring_any_case(store: Store, filled: dict[str, str]) -> None:
    assert names(store.storylines(visitor="MODI")) == ["Modi"]
    assert names(store.storylines(visitor="jinp")) == ["Jinping"]
    assert names(store.storylines(visitor="ERDOĞAN")) == ["Erdoğan"]  # beyond ASCII
    assert store.storylines(visitor="%") == []  # LIKE wildcards are taken literally
    assert store.storylines(visitor="_") == []


def test_filter_destination_and_stage(store: Store, filled: dict[str, str]) -> None:
    assert names(store.storylines(destination="IND")) == ["Scholz"]
    assert names(store.storylines(destination="CHN")) == ["Macron"]
    assert names(store.storylines(stage="completed")) == ["Modi"]
    assert names(store.storylines(stage="invited", country="FRA")) == ["Macron"]


def test_filter_dates_overlap_window(store: Store, filled: dict[str, str]) -> None:
    assert names(store.storylines(date_from=date(2023, 6, 1))) == ["Scholz", "Modi"]
    # Macron has no window: dated by its first report, 2023-01-10.
    assert names(store.storylines(date_to=date(2023, 2, 1))) == ["Macron"]
    one_day = date(2023, 3, 21)
    assert names(store.storylines(date_from=one_day, date_to=one_day)) == ["Jinping"]
    # A window overlapping the range by its last day counts.
    assert names(store.storylines(date_from=date(2023, 6, 24), date_to=date(2023, 7, 1))) == [
        "Modi"
    ]


def test_filter_upcoming(store: Store, filled: dict[str, str]) -> None:
    # Completed and cancelled visits are over; visits without a window are not "upcoming".
    assert names(store.storylines(upcoming=True, today=date(2023, 3, 21))) == [
        "Scholz",
        "Jinping",
    ]
    assert names(store.storylines(upcoming=True, today=date(2023, 3, 23))) == ["Scholz"]
    assert store.storylines(upcoming=True, today=date(2025, 1, 1)) == []


def test_limit_and_offset(store: Store, filled: dict[str, str]) -> None:
    assert names(store.storylines(limit=2)) == ["Scholz", "Modi"]
    assert names(store.storylines(limit=2, offset=2)) == ["Jinping", "Macron"]
    assert store.storylines(offset=10) == []
    with pytest.raises(StoreError):
        store.storylines(limit=-1)


def test_storyline_with_mentions_and_documents(store: Store) -> None:
    for doc in _story_docs():
        store.ingest(doc)
    xi = store.storylines(visitor="xi jinping")[0]
    found = store.storyline(xi.id)
    assert found is not None
    line, mentions = found
    assert line == xi
    assert [h.stage for h in line.history] == ["invited", "announced", "completed"]
    # In order of publication, each with its document's title, URL and date.
    assert [doc.doc_id for _, doc in mentions] == ["a", "b", "c"]
    assert all(isinstance(doc, DocumentInfo) for _, doc in mentions)
    assert mentions[1][1].title == "Title b"
    assert mentions[1][1].url == "https://news.example/b"
    assert mentions[0][0].stage == "invited" and mentions[2][0].stage == "completed"
    assert store.storyline("no-such-id") is None


def test_document_lookup(store: Store) -> None:
    store.ingest(result("a", [visit("a")], title="Xi to visit Moscow"))
    doc = store.document("a")
    assert doc is not None
    assert doc.title == "Xi to visit Moscow"
    assert doc.url == "https://news.example/a"
    assert doc.published == date(2023, 3, 1)
    assert doc.source == "a.txt"
    assert doc.cleaned_text == "Text of a. Xi Jinping will visit Moscow."
    assert doc.ingested_at.tzinfo is not None
    assert store.document("missing") is None


def test_mentions_stream_every_linked_mention(store: Store) -> None:
    for doc in _story_docs():
        store.ingest(doc)
    pairs = list(store.mentions())
    assert len(pairs) == store.counts()["mentions"] == 5
    lines = {s.id: s for s in store.storylines()}
    for sid, v in pairs:
        assert v.doc_id in lines[sid].doc_ids


def test_date_filter_from_the_first_day_of_the_calendar(
    store: Store, filled: dict[str, str]
) -> None:
    # The window bound reaches back by the longest stored span; near day one it used to
    # underflow (OverflowError) instead of clamping.
    dated = ["Scholz", "Modi", "Jinping", "Macron"]  # Erdoğan's storyline has no date at all
    assert names(store.storylines(date_from=date.min)) == dated
    assert names(store.storylines(date_from=date.min, date_to=date.max)) == dated


# --- per-document mentions and statistics ---------------------------------------------------------


def test_document_mentions_in_document_order_with_storylines(store: Store) -> None:
    docs = _story_docs()
    for doc in docs:
        store.ingest(doc)
    found = store.document_mentions("b")
    assert [v for _, v in found] == list(docs[1].visits)  # the visits, exactly, in order
    lines = {s.visitor.name: s for s in store.storylines()}
    assert [sid for sid, _ in found] == [lines["Xi Jinping"].id, lines["Narendra Modi"].id]
    assert all("b" in lines[v.visitor.name or ""].doc_ids for _, v in found)
    assert store.document_mentions("no-such-document") == []
    store.ingest(result("b", [], content="b, rewritten without a visit"))
    assert store.document_mentions("b") == []


def test_stats_counts_by_stage_country_pair_and_month(store: Store, filled: dict[str, str]) -> None:
    # A second storyline of Xi's (no window: dated by its report) makes CHN the top visitor.
    store.ingest(
        result(
            "xi-usa",
            [visit("xi-usa", XI, "USA", host=None, city=None, published=date(2023, 3, 5))],
            published=date(2023, 3, 5),
        )
    )
    stats = store.stats()
    assert stats["total"] == 6 == store.counts()["storylines"]
    assert stats["by_stage"] == {
        "proposed": 1,
        "invited": 1,
        "in_preparation": 0,
        "announced": 2,
        "ongoing": 0,
        "completed": 1,
        "postponed": 1,
        "cancelled": 0,
    }
    # Largest first, ties by country code.
    assert stats["by_visitor_country"] == [
        {"country": "CHN", "count": 2},
        {"country": "DEU", "count": 1},
        {"country": "FRA", "count": 1},
        {"country": "IND", "count": 1},
        {"country": "TUR", "count": 1},
    ]
    assert [row["country"] for row in stats["by_destination_country"]] == [
        "USA",  # Modi and Xi
        "CHN",
        "DEU",
        "IND",
        "RUS",
    ]
    # Each pair and month says which stages its storylines are in.
    assert stats["pairs"][:3] == [
        {
            "visitor_country": "CHN",
            "destination_country": "RUS",
            "count": 1,
            "by_stage": {"announced": 1},
        },
        {
            "visitor_country": "CHN",
            "destination_country": "USA",
            "count": 1,
            "by_stage": {"announced": 1},
        },
        {
            "visitor_country": "DEU",
            "destination_country": "IND",
            "count": 1,
            "by_stage": {"postponed": 1},
        },
    ]
    # By the month the window starts, else the first report; the undated one is left out.
    assert [(row["month"], row["count"]) for row in stats["over_time"]] == [
        ("2023-01", 1),
        ("2023-03", 2),
        ("2023-06", 1),
        ("2024-02", 1),
    ]
    for row in stats["pairs"] + stats["over_time"]:
        assert sum(row["by_stage"].values()) == row["count"]
        assert list(row["by_stage"]) == [s for s in STAGES if s in row["by_stage"]]
    # The month and pair rows split by stage are the stage-filtered answers put together.
    for stage in STAGES:
        alone = store.stats(stage=stage)
        assert {r["month"]: r["count"] for r in alone["over_time"]} == {
            r["month"]: r["by_stage"][stage] for r in stats["over_time"] if stage in r["by_stage"]
        }
        assert {
            (r["visitor_country"], r["destination_country"], r["count"]) for r in alone["pairs"]
        } == {
            (r["visitor_country"], r["destination_country"], r["by_stage"][stage])
            for r in stats["pairs"]
            if stage in r["by_stage"]
        }


def test_stats_top_trims_the_breakdowns(store: Store, filled: dict[str, str]) -> None:
    top = store.stats(top=2)
    assert len(top["by_visitor_country"]) == len(top["pairs"]) == 2
    assert top["total"] == 5  # top trims the breakdowns, not the totals
    with pytest.raises(StoreError, match="top must be at least 1"):
        store.stats(top=0)


def test_stats_of_an_empty_store(store: Store) -> None:
    stats = store.stats()
    assert stats["total"] == 0 and set(stats["by_stage"].values()) == {0}
    assert stats["by_visitor_country"] == stats["pairs"] == stats["over_time"] == []


# --- document identity ------------------------------------------------------------------------


def sourced(
    doc_id: str,
    key: str,
    visits: Sequence[Visit],
    *,
    content: str,
    canonical: str | None = None,
) -> DocumentResult:
    """A result whose reader named its source (``key``), as the file and URL readers do."""
    base = result(doc_id, visits, content=content)
    assert base.document is not None
    return DocumentResult(
        replace(base.raw, source=key.split(":", 1)[1], source_key=key),
        replace(base.document, url=None, canonical_url=canonical),
        tuple(visits),
    )


def test_same_name_from_two_sources_is_two_documents(store: Store) -> None:
    # siteA/index.html and siteB/index.html under ids by file name (--id-from name).
    a = sourced("index", "file:/siteA/index.html", [visit("index")], content="Xi goes.")
    b = sourced("index", "file:/siteB/index.html", [visit("index", MODI, "USA")], content="Modi.")
    assert store.ingest_document(a) == Ingested("added", "index")
    second = store.ingest_document(b)
    assert (second.outcome, second.doc_id) == ("added", "index~2")
    assert store.counts() == {"documents": 2, "mentions": 2, "storylines": 2, "failures": 0}
    first = store.document("index")
    assert first is not None and first.cleaned_text == "Xi goes."
    assert [v.doc_id for _, v in store.document_mentions("index~2")] == ["index~2"]
    assert store.check() == []


def test_only_the_same_source_replaces_and_it_says_so(store: Store) -> None:
    store.ingest(sourced("r", "file:/news/r.txt", [visit("r")], content="Xi will go."))
    changed = sourced("r", "file:/news/r.txt", [visit("r", stage="completed")], content="Xi went.")
    done = store.ingest_document(changed)
    assert (done.outcome, done.doc_id) == ("replaced", "r")
    assert done.note is not None and "/news/r.txt" in done.note
    (line,) = store.storylines()
    assert line.stage == "completed"
    assert store.counts()["documents"] == 1


def test_same_text_from_another_source_is_one_document_with_two_sources(store: Store) -> None:
    store.ingest(sourced("feed-1", "url:https://a.test/x", [visit("feed-1")], content="Xi  goes."))
    dup = sourced("url-2", "url:https://b.test/y", [visit("url-2")], content="XI GOES.")
    got = store.ingest_document(dup)
    assert (got.outcome, got.doc_id) == ("duplicate", "feed-1")
    # One document, one report: the storyline does not count the article twice.
    assert store.counts() == {"documents": 1, "mentions": 1, "storylines": 1, "failures": 0}
    doc = store.document("feed-1")
    assert doc is not None and set(doc.sources) == {"https://a.test/x", "https://b.test/y"}
    (line,) = store.storylines()
    assert line.doc_ids == ("feed-1",)


def test_same_canonical_url_is_the_same_source(store: Store) -> None:
    canonical = "https://news.test/story"
    first = sourced("p1", "file:/mirror1/p.html", [visit("p1")], content="A.", canonical=canonical)
    assert store.ingest(first) == "added"
    doc = store.document("p1")
    assert doc is not None and doc.canonical_url == canonical
    newer = sourced(
        "p2",
        "file:/mirror2/p.html",
        [visit("p2", stage="completed")],
        content="B.",
        canonical=canonical,
    )
    assert store.ingest_document(newer) == Ingested(
        "replaced", "p1", "new content from /mirror2/p.html"
    )
    assert store.counts()["documents"] == 1


def test_known_costs_a_hash_for_stored_bytes(store: Store) -> None:
    doc = sourced("k", "file:/k.txt", [visit("k")], content="Xi will visit Moscow.")
    assert store.known(doc.raw) is None  # new: extract it
    store.ingest(doc)
    assert store.known(doc.raw) == Ingested("unchanged", "k")
    elsewhere = replace(doc.raw, source="/copy/k.txt", source_key="file:/copy/k.txt")
    found = store.known(elsewhere)
    assert found is not None and (found.outcome, found.doc_id) == ("duplicate", "k")
    edited = replace(doc.raw, content="Xi visited Moscow.")
    assert store.known(edited) is None  # the same source with new bytes: extract, replace
    assert store.counts()["documents"] == 1


def test_over_long_ids_are_shortened_and_stay_distinct(store: Store) -> None:
    long_a, long_b = "a/" * 200 + "x.txt", "a/" * 200 + "y.txt"
    store.ingest(sourced(long_a, f"file:/{long_a}", [visit("x")], content="X."))
    store.ingest(sourced(long_b, f"file:/{long_b}", [visit("y")], content="Y."))
    ids = {sid for sid, _ in store.mentions()}
    assert store.counts()["documents"] == 2 and len(ids) >= 1
    assert store.document(shorten_id(long_a)) is not None
    assert shorten_id(long_a) != shorten_id(long_b) and len(shorten_id(long_a)) <= ID_LENGTH


def test_migration_text_hash_matches_the_store() -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / (
        "src/visitrack/store/migrations/versions/0003_document_identity.py"
    )
    spec = importlib.util.spec_from_file_location("m0003", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for sample in ("Xi  Jinping\nwill VISIT.", "", "café"):
        assert module._text_hash(sample) == text_hash(sample)


# --- read-only opening ------------------------------------------------------------------------


def test_read_only_open_refuses_a_missing_sqlite_file(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    with pytest.raises(StoreError, match=r"no database file .*typo\.db: no such file"):
        open_store(str(typo), create=False)
    assert not typo.exists()


def test_read_only_open_refuses_a_database_without_a_store(store_url: str, tmp_path: Path) -> None:
    if store_url.startswith("sqlite"):
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()  # a file, but no store in it
        store_url = f"sqlite:///{empty}"
    with pytest.raises(StoreError, match="no visitrack store"):
        open_store(store_url, create=False)
    with open_store(store_url):
        pass  # ingest's way: creates it
    with open_store(store_url, create=False) as store:
        assert store.counts()["documents"] == 0


# --- stable storyline ids ---------------------------------------------------------------------


def test_storyline_keeps_its_id_when_an_earlier_report_arrives(store: Store) -> None:
    window = (date(2023, 3, 20), date(2023, 3, 22))
    store.ingest(result("b", [visit("b", published=date(2023, 3, 17), window=window)]))
    (first,) = store.storylines()
    store.ingest(result("a", [visit("a", stage="invited", published=date(2023, 2, 1))]))
    store.ingest(result("c", [visit("c", stage="completed", published=date(2023, 3, 23))]))
    (grown,) = store.storylines()
    assert grown.id == first.id
    assert grown.doc_ids == ("a", "b", "c")
    assert store.storyline(first.id) is not None
    assert store.check() == []


def test_merged_storylines_redirect_the_old_id(store: Store) -> None:
    # Two undated reports seven months apart are two trips; a report between them joins
    # them into one: one of the two ids lives on, the other redirects to it.
    store.ingest(result("jan", [visit("jan", published=date(2023, 1, 1))]))
    store.ingest(result("aug", [visit("aug", published=date(2023, 8, 1))]))
    before = {s.id for s in store.storylines()}
    assert len(before) == 2
    store.ingest(result("apr", [visit("apr", published=date(2023, 4, 15))]))
    (merged,) = store.storylines()
    assert merged.id in before
    (gone,) = before - {merged.id}
    moved = store.redirect(gone)
    assert moved is not None and (moved.new_id, moved.reason) == (merged.id, "merged")
    assert store.storyline(gone) is None and store.redirect(merged.id) is None
    assert store.check() == []
    # The bridge goes away: the storylines split again, each id resolves once more.
    store.ingest(result("apr", [], content="Corrected: nothing about Xi."))
    after = {s.id for s in store.storylines()}
    assert len(after) == 2 and merged.id in after
    for old in before:
        assert old in after or store.redirect(old) is not None
    assert store.check() == []


# --- re-extraction ----------------------------------------------------------------------------


def _age(url: str, version: str | None) -> None:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE documents SET extractor_version = :v"), {"v": version})
    finally:
        engine.dispose()


def test_reprocess_relinks_only_what_changed(store: Store, store_url: str) -> None:
    store.ingest(result("a", [visit("a")]))
    store.ingest(result("b", [visit("b", MODI, "USA", host=None, city=None)]))
    ids = {s.visitor.name: s.id for s in store.storylines()}
    _age(store_url, "1")
    # --since-version 1: made by versions before 1; none. By default: before the current one.
    assert store.count_stale("1") == 0 and store.count_stale() == 2
    _age(store_url, None)  # stored before versions were kept: older than any
    assert store.count_stale("1") == 2
    stale = list(store.stale_documents(batch=1))
    assert [r.doc_id for r in stale] == ["a", "b"]
    assert stale[0].content == "Text of a. Xi Jinping will visit Moscow."
    # a: the new extractor finds the same; b: it now sees the trip done.
    same = result("a", [visit("a")])
    better = result("b", [visit("b", MODI, "USA", host=None, city=None, stage="completed")])
    assert store.reprocess(same) is False
    assert store.reprocess(better) is True
    assert store.count_stale() == 0  # resumable: nothing left for a second run
    by_name = {s.visitor.name: s for s in store.storylines()}
    assert by_name["Narendra Modi"].stage == "completed"
    assert {name: s.id for name, s in by_name.items()} == ids  # ids kept
    doc = store.document("b")
    assert doc is not None and doc.extractor_version == EXTRACTOR_VERSION
    assert store.check() == []


# --- migration from the previous release ------------------------------------------------------


def _store_at_0002(url: str) -> None:
    """A store as the release before document identity left it: schema 0002, one document
    ('report', named by its file name), one mention, one storyline."""
    from alembic import command

    from visitrack.store.db import _alembic_config, _create_engine, _normalise_url

    target = _normalise_url(url)
    engine = _create_engine(target)
    try:
        with engine.begin() as conn:
            config = _alembic_config(target)
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            body = "Xi Jinping will visit Moscow."
            conn.execute(
                text(
                    "INSERT INTO documents (doc_id, content_hash, source, title, url, published,"
                    " cleaned_text, ingested_at) VALUES ('report', :h, 'news/report.txt', 'T',"
                    " NULL, '2023-03-01', :t, '2023-03-02 10:00:00')"
                ),
                {"h": content_hash(body), "t": body},
            )
            conn.execute(
                text(
                    "INSERT INTO storylines (id, storyline_key, visitor_name, visitor_search,"
                    " visitor_role, visitor_country, destination_country, destination_city, kind,"
                    " stage, history, doc_ids, mention_count, first_reported, last_reported,"
                    " span_start, span_end, span_days, sort_day) VALUES ('old0000storyl',"
                    " 'xi jinping->RUS', 'Xi Jinping', 'xi jinping', 'head_of_state', 'CHN',"
                    " 'RUS', 'Moscow', 'state_visit', 'announced', :h, '[\"report\"]', 1,"
                    " '2023-03-01', '2023-03-01', '2023-03-01', '2023-03-01', 0, '2023-03-01')"
                ),
                {
                    "h": '[{"stage": "announced", "first_reported": "2023-03-01", '
                    '"doc_ids": ["report"]}]'
                },
            )
            conn.execute(
                text(
                    "INSERT INTO mentions (doc_id, ordinal, storyline_key, storyline_id,"
                    " visitor_name, visitor_role, visitor_country, host_name, host_role,"
                    " host_country, destination_country, destination_city, kind, stage,"
                    " confidence, published, evidence) VALUES ('report', 0, 'xi jinping->RUS',"
                    " 'old0000storyl', 'Xi Jinping', 'head_of_state', 'CHN', 'Vladimir Putin',"
                    " 'head_of_state', 'RUS', 'RUS', 'Moscow', 'state_visit', 'announced',"
                    " 0.8125, '2023-03-01', :e)"
                ),
                {"e": '[{"start": 0, "end": 29, "text": "Xi Jinping will visit Moscow."}]'},
            )
    finally:
        engine.dispose()


def test_migration_keeps_ids_and_stops_silent_replacement(store_url: str) -> None:
    _store_at_0002(store_url)
    with open_store(store_url, create=False) as store:
        assert store.check() == []
        old = store.document("report")
        assert old is not None and old.sources == ("news/report.txt",)
        (line,) = store.storylines()
        assert line.id == "old0000storyl"  # ids cited before the upgrade keep resolving
        # Another file called report (in another folder) no longer replaces it.
        other = sourced(
            "report", "file:/elsewhere/report.txt", [visit("report", MODI, "USA")], content="M."
        )
        assert store.ingest_document(other) == Ingested("added", "report~2")
        kept = store.document("report")
        assert kept is not None and kept.cleaned_text == "Xi Jinping will visit Moscow."
        # The same article again, from a path: one document with one more source.
        again = sourced(
            "news/report.txt",
            "file:/news/report.txt",
            [visit("x")],
            content="Xi Jinping will visit Moscow.",
        )
        assert store.known(again.raw) == Ingested(
            "duplicate", "report", "same content as stored document report"
        )
        # A report of the same trip grows the old storyline under its old id.
        store.ingest(result("later", [visit("later", published=date(2023, 3, 5))]))
        assert {s.id for s in store.storylines() if s.visitor.name == "Xi Jinping"} == {
            "old0000storyl"
        }
        assert store.check() == []


OLD_RELEASE_SCRIPT = """
import sys
from datetime import date
import visitrack
from visitrack.records import (
    CleanDocument, Destination, DocumentResult, Evidence, Party, RawDocument, Story, Visit
)
from visitrack.store import open_store

assert visitrack.__file__.startswith(sys.argv[2]), visitrack.__file__
xi = Party("Xi Jinping", "head_of_state", "CHN")
def doc(doc_id, source, body, day, stage):
    v = Visit(doc_id, day, xi, None, Destination("RUS", "Moscow"), "state_visit", None, stage,
              None, (Evidence(0, len(body), body),), 0.9)
    clean = CleanDocument(doc_id, body, (Story(0, len(body), day),), None, None, day)
    return DocumentResult(RawDocument(doc_id, source, body), clean, (v,))
with open_store(sys.argv[1]) as store:
    store.ingest(doc("report", "jan/report.txt", "Xi Jinping will visit Moscow.",
                     date(2023, 3, 1), "announced"))
    store.ingest(doc("later", "jan/later.txt", "Xi Jinping is in Moscow.",
                     date(2023, 3, 21), "ongoing"))
    print(store.storylines()[0].id)
"""


def _previous_release(tmp_path: Path) -> Path:
    """The source tree of the release before document identity (the commit before the one
    that added migration 0003), from git; skips when the history is not there."""
    import shutil
    import subprocess
    import tarfile

    repo = Path(__file__).resolve().parents[1]
    migration = "src/visitrack/store/migrations/versions/0003_document_identity.py"
    git = shutil.which("git")
    if git is None or not (repo / ".git").exists():
        pytest.skip("no git history to take the previous release from")
    added = subprocess.run(
        [git, "log", "--format=%H", "--diff-filter=A", "-1", "--", migration],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not added:
        pytest.skip("migration 0003 is not committed yet")
    archive = tmp_path / "old.tar"
    subprocess.run(
        [git, "archive", "-o", str(archive), f"{added}^", "src/visitrack"],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "old", filter="data")
    return tmp_path / "old" / "src"


def test_a_store_built_by_the_previous_release_is_migrated(store_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    old_src = _previous_release(tmp_path)
    built = subprocess.run(
        [sys.executable, "-c", OLD_RELEASE_SCRIPT, store_url, str(old_src)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(old_src), "PATH": "/usr/bin:/bin"},
    )
    assert built.returncode == 0, built.stderr
    old_id = built.stdout.strip()
    with open_store(store_url, create=False) as store:
        assert store.check() == []
        (line,) = store.storylines()
        assert line.id == old_id and line.doc_ids == ("report", "later")
        # The next file called report, from another folder, is another document.
        feb = sourced("report", "file:/feb/report.txt", [visit("report", MODI)], content="M.")
        assert store.ingest_document(feb) == Ingested("added", "report~2")
        # An earlier report of the same trip joins the storyline under its old id.
        store.ingest(result("feb", [visit("feb", stage="invited", published=date(2023, 2, 1))]))
        xi = [s for s in store.storylines() if s.visitor.name == "Xi Jinping"]
        assert [s.id for s in xi] == [old_id] and xi[0].doc_ids[0] == "feb"
        assert store.check() == []


def test_history_is_in_report_order_with_undated_steps_placed_and_marked(store: Store) -> None:
    store.ingest(result("a", [visit("a", stage="invited", published=date(2025, 4, 1))]))
    store.ingest(result("b", [visit("b", stage="cancelled", published=date(2025, 4, 20))]))
    store.ingest(result("c", [visit("c", stage="announced", published=None)], published=None))
    (line,) = store.storylines()
    assert [
        (h["stage"], h["first_reported"], h.get("placed_by")) for h in line.to_dict()["history"]
    ] == [
        ("invited", "2025-04-01", None),
        ("announced", None, "stage"),
        ("cancelled", "2025-04-20", None),
    ]
