"""Document and storyline identity as a user meets it on the command line.

Two files of one name, a typo in --db, a storyline id cited before it moved, documents made
by an older extractor: each run through `visitrack` as a user runs it. Texts written for
these tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from visitrack.records import EXTRACTOR_VERSION
from visitrack.store import open_store

EXE = str(Path(sys.executable).parent / "visitrack")
RUN_TIMEOUT_S = 600

XI = "Chinese President Xi Jinping will visit Moscow next week, the Kremlin said on Monday."
MODI = "Indian Prime Minister Narendra Modi arrived in Washington on Monday for a state visit."


def _vt(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [EXE, *args], capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=cwd
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["visits", "show", "export", "check", "serve", "reprocess"])
def test_read_only_commands_refuse_a_missing_database(tmp_path: Path, command: str) -> None:
    typo = tmp_path / "typo.db"
    extra = {"show": ["abc"], "export": ["--format", "csv"]}.get(command, [])
    proc = _vt(command, *extra, "--db", str(typo))
    assert proc.returncode == 1
    assert f"no database file {typo}: no such file" in proc.stderr
    assert "only `visitrack ingest` creates" in proc.stderr
    assert not typo.exists()


def test_same_file_names_in_two_folders_are_two_documents(tmp_path: Path) -> None:
    _write(tmp_path / "siteA" / "index.html", f"<html><body><p>{XI}</p></body></html>")
    _write(tmp_path / "siteB" / "index.html", f"<html><body><p>{MODI}</p></body></html>")
    _write(tmp_path / "report.txt", XI.replace("next week", "in May"))
    _write(tmp_path / "report.html", f"<p>{MODI.replace('Washington', 'New York')}</p>")
    db = tmp_path / "v.db"
    args = ("ingest", "siteA", "siteB", "report.txt", "report.html", "--published", "2024-05-06")
    proc = _vt(*args, "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "4 added, 0 replaced" in proc.stderr
    with open_store(str(db), create=False) as store:
        ids = {sid for sid, _ in store.mentions()}
        assert store.counts()["documents"] == 4 and ids
        for doc_id in ("siteA/index.html", "siteB/index.html", "report.txt", "report.html"):
            assert store.document(doc_id) is not None, doc_id
    # The second run costs a hash per document: nothing extracted, nothing changed.
    again = _vt(*args, "--db", str(db), cwd=tmp_path)
    assert "0 added, 0 replaced, 0 duplicates, 4 unchanged" in again.stderr
    # Editing one file replaces that document, and says so.
    _write(tmp_path / "siteA" / "index.html", f"<p>{XI.replace('next week', 'on Friday')}</p>")
    edited = _vt(*args, "--db", str(db), cwd=tmp_path)
    assert "siteA/index.html: replaced document siteA/index.html" in edited.stderr
    assert "0 added, 1 replaced" in edited.stderr


def test_an_id_another_source_holds_is_qualified_and_said(tmp_path: Path) -> None:
    # The old scheme (--id-from name) names both files "index": the second is index~2.
    _write(tmp_path / "siteA" / "index.html", f"<p>{XI}</p>")
    _write(tmp_path / "siteB" / "index.html", f"<p>{MODI}</p>")
    db = tmp_path / "v.db"
    proc = _vt("ingest", "siteA", "siteB", "--id-from", "name", "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "siteB/index.html: stored as index~2 (id index is another source's document)" in (
        proc.stderr
    )
    assert "2 added, 0 replaced" in proc.stderr
    with open_store(str(db), create=False) as store:
        first, second = store.document("index"), store.document("index~2")
        assert first is not None and second is not None
        assert first.sources == ("siteA/index.html",) and second.sources == ("siteB/index.html",)


def test_reprocess_refreshes_what_an_older_extractor_made(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", XI)
    _write(tmp_path / "b.txt", MODI)
    db = tmp_path / "v.db"
    assert _vt("ingest", "a.txt", "b.txt", "--db", str(db), "-q", cwd=tmp_path).returncode == 0
    with open_store(str(db)) as store:
        before = sorted(s.id for s in store.storylines())
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # as a store made before versions were kept
        conn.execute(text("UPDATE documents SET extractor_version = NULL"))
    engine.dispose()
    proc = _vt("reprocess", "--db", str(db), "--batch", "1")
    assert proc.returncode == 0, proc.stderr
    assert "reprocessed 2 documents" in proc.stderr and "0 failed" in proc.stderr
    with open_store(str(db)) as store:
        assert sorted(s.id for s in store.storylines()) == before
        doc = store.document("a.txt")
        assert doc is not None and doc.extractor_version == EXTRACTOR_VERSION
        assert store.check() == []
    # Resumable: nothing is left for a second run.
    assert "reprocessed 0 documents" in _vt("reprocess", "--db", str(db)).stderr


def test_show_follows_a_merged_storyline(tmp_path: Path) -> None:
    from test_store import result, visit

    db = tmp_path / "v.db"
    with open_store(str(db)) as store:
        store.ingest(result("jan", [visit("jan", published=date(2023, 1, 1))]))
        store.ingest(result("aug", [visit("aug", published=date(2023, 8, 1))]))
        before = {s.id for s in store.storylines()}
        store.ingest(result("apr", [visit("apr", published=date(2023, 4, 15))]))
        (merged,) = store.storylines()
    (gone,) = before - {merged.id}
    proc = _vt("show", gone, "--db", str(db), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert f"storyline {gone} was merged into {merged.id}" in proc.stderr
    assert json.loads(proc.stdout)["id"] == merged.id


def test_reprocess_refuses_a_version_that_is_not_one(tmp_path: Path) -> None:
    proc = _vt("reprocess", "--since-version", "newest", "--db", str(tmp_path / "v.db"))
    assert proc.returncode == 2
    assert "not an extractor version" in proc.stderr and "'newest'" in proc.stderr
