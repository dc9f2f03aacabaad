"""End-to-end tests of the ``visitrack extract`` console script, run as a subprocess.

Every start of the script loads spaCy (about two seconds), so the runs are few and shared: each
module-scoped fixture runs the command once and the tests check different parts of its result.
All texts are written here for the tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

EXE = Path(sys.executable).parent / "visitrack"

PUTIN = (
    "date 2024-05-14\n\n"
    "Russian President Vladimir Putin will visit China on May 16-17 at the invitation of "
    "Chinese President Xi Jinping, the Kremlin said.\n"
)
MACRON = (
    "date 2024-05-14\n\n"
    "French President Emmanuel Macron visited Germany on Monday, meeting Chancellor Olaf Scholz "
    "in Berlin.\n"
)
KISHIDA = "Japanese Prime Minister Fumio Kishida will visit India next week."
SCHOLZ = "German Chancellor Olaf Scholz arrived in Beijing on Sunday for a three-day visit."
# Latin-1 bytes: "café" is not valid UTF-8, yet the file is text and must still be processed.
LATIN1 = (
    "date 2024-05-14\n\n"
    "French President Emmanuel Macron visited Germany on Monday, meeting Chancellor Olaf Scholz "
    "at a café in Berlin.\n"
).encode("latin-1")

# The spec's field table (shared/spec/visit-record.md), hard-coded so the tests run without it;
# tests/test_records.py checks these against the spec itself when ../shared is present.
TOP_KEYS = [
    "doc_id",
    "published",
    "visitor",
    "host",
    "destination",
    "kind",
    "occasion",
    "stage",
    "when",
    "evidence",
    "confidence",
]
ROLES = {
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "minister",
    "legislator",
    "royal",
    "diplomat",
    "military",
    "intl_org",
    "other",
}
KINDS = {"state_visit", "official_visit", "working_visit", "event_attendance", "visit"}
STAGES = {
    "proposed",
    "invited",
    "in_preparation",
    "announced",
    "ongoing",
    "completed",
    "postponed",
    "cancelled",
}
ISO3 = re.compile(r"[A-Z]{3}")


def short_id(doc_id: str) -> str:
    """A document id's last part without extension, as the shared scorer matches ids."""
    tail = re.split(r"[/#]", doc_id)[-1]
    return "stdin" if tail.startswith("stdin-") else tail.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def visitrack(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None) -> Run:
    proc = subprocess.run(
        [str(EXE), *map(str, args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8"),
        proc.stderr.decode("utf-8", errors="replace"),
    )


def is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def check_party(p: Any, what: str) -> None:
    assert isinstance(p, dict), what
    assert set(p) == {"name", "role", "country"}, what
    assert p["name"] is None or (isinstance(p["name"], str) and p["name"].strip()), what
    assert p["role"] in ROLES, what
    assert p["country"] is None or ISO3.fullmatch(p["country"]), what


def check_record(r: dict[str, Any]) -> None:
    """Validate one output line against the visit-record spec."""
    assert list(r) == TOP_KEYS
    assert isinstance(r["doc_id"], str) and r["doc_id"]
    assert r["published"] is None or is_iso_date(r["published"])
    check_party(r["visitor"], "visitor")
    if r["host"] is not None:
        check_party(r["host"], "host")
    assert set(r["destination"]) == {"country", "city"}
    assert ISO3.fullmatch(r["destination"]["country"])
    assert r["destination"]["city"] is None or isinstance(r["destination"]["city"], str)
    assert r["kind"] in KINDS
    assert r["occasion"] is None or isinstance(r["occasion"], str)
    assert r["stage"] in STAGES
    when = r["when"]
    if when is not None:
        assert set(when) == {"text", "start", "end"}
        assert isinstance(when["text"], str) and when["text"]
        for key in ("start", "end"):
            assert when[key] is None or is_iso_date(when[key])
        if when["start"] and when["end"]:
            assert when["start"] <= when["end"]
    assert isinstance(r["evidence"], list) and r["evidence"]
    for ev in r["evidence"]:
        assert set(ev) == {"start", "end", "text"}
        assert isinstance(ev["start"], int) and isinstance(ev["end"], int)
        assert 0 <= ev["start"] < ev["end"]
        assert isinstance(ev["text"], str) and ev["text"].strip()
    assert isinstance(r["confidence"], int | float) and 0 <= r["confidence"] <= 1


def corpus_line(**row: Any) -> str:
    return json.dumps(row) + "\n"


# --- a run where every input is fine: files, a directory, a corpus, stdin, -o ---------------------


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    tmp = tmp_path_factory.mktemp("good")
    (tmp / "putin.txt").write_text(PUTIN, encoding="utf-8")
    walked = tmp / "walked"
    (walked / "sub").mkdir(parents=True)
    (walked / "macron.txt").write_text(MACRON, encoding="utf-8")
    (walked / "sub" / "scholz.txt").write_text("date 2024-04-14\n\n" + SCHOLZ, encoding="utf-8")
    (walked / "ignored.csv").write_text("not,an,article\n", encoding="utf-8")
    (walked / ".hidden.txt").write_text(PUTIN, encoding="utf-8")
    (tmp / "corpus.jsonl").write_text(
        corpus_line(id="row-kishida", text=KISHIDA, published="2024-03-01")
        + "\n"
        + corpus_line(id=7, text=SCHOLZ, published="2024-04-14"),
        encoding="utf-8",
    )
    out = tmp / "out.jsonl"
    run = visitrack(
        "extract",
        "-o",
        out,
        "putin.txt",
        "walked",
        "corpus.jsonl",
        "-",
        stdin=MACRON.encode("utf-8"),
        cwd=tmp,
    )
    return run, out


def test_all_fine_exits_zero_quietly(good_run: tuple[Run, Path]) -> None:
    run, _ = good_run
    assert run.code == 0, run.stderr
    assert run.stderr_lines() == []


def test_output_file_written_instead_of_stdout(good_run: tuple[Run, Path]) -> None:
    run, out = good_run
    assert run.stdout == ""
    assert out.is_file()
    assert out.read_text(encoding="utf-8").endswith("\n")


def test_output_records_follow_the_spec(good_run: tuple[Run, Path]) -> None:
    _, out = good_run
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records
    for r in records:
        check_record(r)


def test_every_input_kind_gives_records(good_run: tuple[Run, Path]) -> None:
    _, out = good_run
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_doc.setdefault(short_id(r["doc_id"]), []).append(r)
    # File (the path as given), directory walk (recursive, hidden and .csv skipped), JSONL
    # corpus (the file's id, '#', the row's `id`, an integer id as a string) and stdin (named
    # by a hash of its content).
    assert set(by_doc) == {"putin", "macron", "scholz", "row-kishida", "7", "stdin"}
    assert {r["doc_id"].rsplit("/", 1)[-1] for r in records} >= {
        "putin.txt",
        "corpus.jsonl#row-kishida",
        "corpus.jsonl#7",
    }
    # Output follows input order.
    assert short_id(records[0]["doc_id"]) == "putin"
    assert records[-1]["doc_id"].startswith("stdin-")

    putin = by_doc["putin"][0]
    assert putin["published"] == "2024-05-14"
    assert putin["visitor"]["name"] == "Vladimir Putin"
    assert putin["visitor"]["country"] == "RUS"
    assert putin["destination"]["country"] == "CHN"
    assert putin["stage"] == "announced"
    assert putin["when"] == {"text": "May 16-17", "start": "2024-05-16", "end": "2024-05-17"}
    assert "Vladimir Putin will visit China" in putin["evidence"][0]["text"]

    kishida = by_doc["row-kishida"][0]
    assert kishida["published"] == "2024-03-01"  # the corpus row's date
    assert kishida["destination"]["country"] == "IND"

    assert by_doc["stdin"][0]["visitor"]["name"] == "Emmanuel Macron"
    assert by_doc["macron"][0]["destination"]["country"] == "DEU"


# --- a run where some inputs are bad --------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path]:
    tmp = tmp_path_factory.mktemp("mixed")
    (tmp / "putin.txt").write_text(PUTIN, encoding="utf-8")
    (tmp / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "latin.txt").write_bytes(LATIN1)
    (tmp / "rows.jsonl").write_text(
        corpus_line(id="row-1", text=KISHIDA, published="2024-03-01")
        + '{"id": "row-2", "text": "unterminated\n'
        + corpus_line(id="row-3", text=SCHOLZ, published="2024-04-14"),
        encoding="utf-8",
    )
    run = visitrack(
        "extract",
        "putin.txt",
        "image.txt",
        "empty.txt",
        "latin.txt",
        "no-such-file.txt",
        "rows.jsonl",
        cwd=tmp,
    )
    return run, tmp


def test_some_failed_exits_one(mixed_run: tuple[Run, Path]) -> None:
    run, _ = mixed_run
    assert run.code == 1


def test_no_traceback(mixed_run: tuple[Run, Path]) -> None:
    run, _ = mixed_run
    assert "Traceback" not in run.stderr
    assert "Traceback" not in run.stdout


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("image.txt", "binary"),
        ("empty.txt", "empty"),
        ("no-such-file.txt", "no such file"),
        ("rows.jsonl:2", "malformed json"),
    ],
)
def test_each_bad_input_is_one_stderr_line(
    mixed_run: tuple[Run, Path], source: str, reason: str
) -> None:
    run, _ = mixed_run
    lines = [line for line in run.stderr_lines() if f" {source}:" in line]
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert line.startswith("visitrack: ")
    assert reason in line.lower()
    # A reason follows the input's name, worded once.
    reason_text = line.split(f"{source}:", 1)[1].strip()
    assert reason_text
    assert " at at " not in reason_text


def test_only_bad_inputs_on_stderr(mixed_run: tuple[Run, Path]) -> None:
    run, _ = mixed_run
    assert len(run.stderr_lines()) == 4, run.stderr
    assert "latin.txt" not in run.stderr
    assert "putin.txt" not in run.stderr


def test_good_inputs_still_processed(mixed_run: tuple[Run, Path]) -> None:
    run, _ = mixed_run
    records = run.records()
    for r in records:
        check_record(r)
    docs = {short_id(r["doc_id"]) for r in records}
    assert {"putin", "row-1", "row-3"} <= docs
    assert not docs & {"image", "empty", "no-such-file", "row-2"}


def test_invalid_utf8_is_still_processed(mixed_run: tuple[Run, Path]) -> None:
    run, _ = mixed_run
    latin = [r for r in run.records() if short_id(r["doc_id"]) == "latin"]
    assert latin, run.stdout
    assert latin[0]["visitor"]["name"] == "Emmanuel Macron"
    assert latin[0]["destination"]["country"] == "DEU"
    # Decoded, not mangled: the evidence quotes the text with its accent.
    assert "café" in latin[0]["evidence"][0]["text"]


# --- --published, --format table ------------------------------------------------------------------


def test_published_override_and_table(tmp_path: Path) -> None:
    (tmp_path / "putin.txt").write_text(PUTIN, encoding="utf-8")

    run = visitrack("extract", "--published", "2024-05-10", tmp_path / "putin.txt")
    assert run.code == 0, run.stderr
    records = run.records()
    assert records
    for r in records:
        check_record(r)
        # The override wins over the date the text gives (2024-05-14).
        assert r["published"] == "2024-05-10"

    run = visitrack("extract", "--format", "table", tmp_path / "putin.txt")
    assert run.code == 0, run.stderr
    assert "1 visits" in run.stdout
    for header in ("document", "visitor", "stage", "when"):
        assert header in run.stdout
    assert "Vladimir Putin" in run.stdout
    assert "2024-05-16..2024-05-17" in run.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(run.stdout.splitlines()[0])


# --- -o next to the inputs ------------------------------------------------------------------------


def test_output_never_reads_or_overwrites_an_input(tmp_path: Path) -> None:
    walked = tmp_path / "walked"
    walked.mkdir()
    (walked / "putin.txt").write_text(PUTIN, encoding="utf-8")

    # The output lands inside the directory being walked: it is not read back as a corpus.
    out = walked / "visits.jsonl"
    run = visitrack("extract", "-o", out, walked)
    assert run.code == 0, run.stderr
    assert run.stderr_lines() == []
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [short_id(r["doc_id"]) for r in records] == ["putin"]

    # An input named as the output is refused before it is truncated.
    src = walked / "putin.txt"
    run = visitrack("extract", "-o", src, src)
    assert run.code == 2
    assert len(run.stderr_lines()) == 1 and "putin.txt" in run.stderr
    assert src.read_text(encoding="utf-8") == PUTIN


# --- usage errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "required"),
        (("extract",), "give at least one PATH"),
        (("extract", "--published", "2024-13-01", "x.txt"), "--published"),
        (("extract", "--published", "yesterday", "x.txt"), "--published"),
        (("extract", "--format", "xml", "x.txt"), "--format"),
    ],
)
def test_usage_errors_exit_two(args: tuple[str, ...], message: str) -> None:
    run = visitrack(*args)
    assert run.code == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
