"""Coverage-guided fuzzing (atheris + libFuzzer) of the readers, cleaner, time normaliser and
extractor.

Usage: python scripts/fuzz.py [--target readers|cleaner|timex|extractor|all]
                              [--runs N] [--runs TARGET=N ...] [--seconds S] [--seed N]
                              [--regressions DIR]

``--runs N`` sets the inputs for every target, ``--runs TARGET=N`` for one (repeatable; the
extractor parses with spaCy and runs ~20x slower than the others, so a balanced run gives it
fewer), e.g. ``--runs 40000 --runs timex=150000 --runs extractor=6000``.

The targets are the functions of ``tests/fuzz_targets.py`` (bytes in; an exception, a broken
invariant or a record that fails the visit-record schema is a crash). Each target runs in its
own process, because ``atheris.Fuzz`` ends the process, with visitrack's own modules
instrumented for coverage and libFuzzer's flags: ``-runs`` (``--runs``, per target),
``-timeout`` (a document working longer than ``HANG_LIMIT_S`` is a hang), ``-rss_limit_mb``,
``-artifact_prefix``, a dictionary of the words the code looks for and a seed corpus built in
a temporary directory from the bundled examples and snippets written here.

At the end a table gives, per target, the inputs executed, crashes and hangs; the exit status
is 1 when there was any. Crashing and hanging inputs are copied to
``tests/fuzz_regressions/<target>/``, where ``tests/test_fuzz_regressions.py`` replays them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "src" / "visitrack" / "examples"
REGRESSIONS = REPO / "tests" / "fuzz_regressions"
WORKER_FLAG = "--worker"
ALL_TARGETS = ("readers", "cleaner", "timex", "extractor")
DEFAULT_RUNS = 1000

# spaCy's model and Python come to ~600 MB per process; far beyond that is a blow-up.
RSS_LIMIT_MB = 3072
# Longest input libFuzzer makes, per target: a WARC record with a page, a page, a sentence or
# two of time words, a short article. Longer inputs mostly cost time without new paths.
MAX_LEN = {"readers": 16384, "cleaner": 8192, "timex": 512, "extractor": 4096}
# After a crash libFuzzer stops; the target is restarted for the runs left at most this often,
# so one bug does not hide the rest of the run (and the same bug is not saved over and over).
MAX_RESTARTS = 2
# libFuzzer's artifact names by kind; slow-unit-* are reports, not failures.
HANG_PREFIXES = ("timeout-",)
CRASH_PREFIXES = ("crash-", "oom-", "leak-")

_EXECUTED = re.compile(r"^stat::number_of_executed_units:\s*(\d+)", re.M)
_DONE = re.compile(r"^Done (\d+) runs", re.M)
_STATUS = re.compile(r"^#(\d+)\s", re.M)


# --- the worker (one target, in its own process) --------------------------------------------


def _worker(target: str, libfuzzer_args: list[str]) -> None:
    import atheris

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    # Only visitrack is instrumented: coverage of spaCy or lxml would swamp the signal and
    # slow every run.
    with atheris.instrument_imports(include=["visitrack"]):
        import fuzz_targets

    fn = fuzz_targets.TARGETS[target]
    prefix = next((a.split("=", 1)[1] for a in libfuzzer_args if a.startswith("-artifact_")), "")

    def one_input(data: bytes) -> None:
        try:
            fn(data)
        except BaseException:
            # libFuzzer saves the input from its exit hook, which a dying interpreter does not
            # always reach; saved here too, under the name libFuzzer gives it.
            Path(f"{prefix}crash-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
            raise

    # Model loading and first-call caches must not count against the first input's timeout.
    fn(b"\x00\x00\x00President Emmanuel Macron will visit Japan next spring.")
    atheris.Setup([sys.argv[0], *libfuzzer_args], one_input)
    atheris.Fuzz()


# --- seeds and dictionaries ---------------------------------------------------------------------

# Written for the fuzzer (no third-party text): shapes each reader and the cleaner handle.
SNIPPETS = (
    "Foreign Minister Ana Example will travel to Kenya next week for talks, her office said.",
    "<REUTERS><DATE>3-MAR-1987</DATE><TITLE>MINISTER TO VISIT</TITLE><DATELINE>PARIS, March 3"
    " -</DATELINE><BODY>The trade minister will visit Japan in\nApril, officials said.\n"
    "Reuter\n</BODY></REUTERS>",
    '---\ntitle: "Leader to tour the region"\ndate: 2024-10-08\n---\n\n# Headline\n\n'
    "The **president** will [visit](https://example.org) Egypt on *Monday*.\n",
    "Updated 30 December 2022\n\nMenu\nNews\nWorld\nSport\n\nThe king arrived in Oslo on "
    "Tuesday for a three-day state visit.\n\nRead also\nMarkets rally\nStorm ahead\n",
    "SEOUL, Dec. 29 (Yonhap) -- The prime minister will head to Vietnam later this month.\n"
    "© 2005-2022 Example Agency",
    "<!doctype html><html><head><title>Trip</title><meta property='article:published_time' "
    "content='2025-03-03'></head><body><nav>Home</nav><article><h1>Envoy in Cairo</h1>"
    "<p>The envoy arrived in Cairo on Sunday.</p></article></body></html>",
    "<div>" * 64 + "<p>The minister visited Brazil in 2019." + "</div>" * 32,
    '<p title="' + "x" * 3000 + '">Unclosed <b>tags <i>everywhere<p>The president will fly',
    "Line one\r\nLine two\rthe visit was postponed\u2028to next spring\u00a0indeed.",
)
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
    "<item><title>Minister to visit Peru</title><link>https://example.org/a</link>"
    "<pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate><guid>a1</guid>"
    "<description>The minister will visit Peru in May.</description></item>"
    "<item><title>No text</title></item></channel></rss>"
)
ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>Wire</title><entry><title>Summit set</title><id>urn:x:1</id>"
    "<updated>2024-05-14T08:00:00Z</updated><content type='html'>&lt;p&gt;The leaders will "
    "meet in Rome next month.&lt;/p&gt;</content></entry></feed>"
)
READER_WORDS = (
    "WARC/1.0\r\n",
    "WARC-Type: response\r\n",
    "WARC-Type: request\r\n",
    "WARC-Target-URI: ",
    "WARC-Date: 2024-05-14T08:00:00Z\r\n",
    "Content-Length: ",
    "Content-Type: application/http; msgtype=response\r\n",
    "HTTP/1.1 200 OK\r\n",
    "Content-Type: text/html; charset=",
    "\r\n\r\n",
    '{"id": ',
    '"text": ',
    '"html": ',
    '"published": ',
    '"url": ',
    '"title": ',
    "\\ud800",
    "<rss",
    "<feed",
    "<item>",
    "<entry>",
    "<html>",
    "\x1f\x8b\x08",
    "\xef\xbb\xbf",
    "\xff\xfe",
)
CLEAN_WORDS = (
    "<p>",
    "</p>",
    "<div>",
    "<script>",
    "<!--",
    "-->",
    "<REUTERS>",
    "<BODY>",
    "</BODY>",
    "---\n",
    "](",
    "**",
    "&amp;",
    "&#x27;",
    "Read also",
    "Updated ",
    "Published: ",
    "©",
    "Dear reader",
    "This website uses cookies",
    "@highlight",
    "{{",
    "}}",
)


def _visit_sentences(vocab: ModuleType) -> list[str]:
    """A deterministic handful of grammar sentences, so the extractor seeds fire."""
    leaders = cycle(vocab.LEADERS)
    titles = cycle(vocab.TITLES)
    places = cycle(vocab.PLACES)
    times = cycle(vocab.TIME_PHRASES)
    tails = cycle(vocab.TAILS)
    out = []
    for phrase in (*vocab.TRIP_PHRASES, *vocab.NEGATED_PHRASES):
        country, demonym, city = next(places)
        dest = city if len(out) % 3 == 0 else country
        who = f"{demonym} {next(titles)} {next(leaders)}"
        out.append(f"{who} {phrase.format(dest=dest)} {next(times)}{next(tails)}")
    return out


def _seeds(target: str, vocab: ModuleType) -> list[bytes]:
    examples = sorted(EXAMPLES.iterdir())
    texts = [p.read_text(encoding="utf-8") for p in examples]
    html = [t for p, t in zip(examples, texts, strict=True) if p.suffix == ".html"]
    plain = [t for p, t in zip(examples, texts, strict=True) if p.suffix != ".html"]
    sentences = _visit_sentences(vocab)
    if target == "readers":
        kinds = vocab.READER_KINDS
        rows = [
            json.dumps({"id": f"doc-{i}", "text": t, "published": "2025-03-03"})
            for i, t in enumerate(plain)
        ]
        rows += [
            json.dumps({"id": 7, "html": html[0], "url": "https://example.org/a", "title": "T"}),
            '{"id": "broken", "text": ',
            "",
            json.dumps({"id": "u", "text": "caf\u00e9 \ud800 lone surrogate"}),
        ]
        pages = [
            ("200 OK", "text/html; charset=utf-8", html[0], "response"),
            ("200 OK", "text/plain", plain[0], "response"),
            ("404 Not Found", "text/html", "gone", "response"),
            ("200 OK", "application/xhtml+xml", SNIPPETS[5], "response"),
        ]
        plain_warc = vocab.warc_bytes(pages, gz=False)
        by_kind: dict[str, list[bytes]] = {
            "txt": [t.encode() for t in plain]
            + [SNIPPETS[0].encode("utf-16"), SNIPPETS[0].encode("cp1252"), b"\x00\x01binary"],
            "html": [t.encode() for t in html] + [SNIPPETS[6].encode()],
            "jsonl": ["\n".join(rows).encode()],
            "jsonl-web": ["\n".join(rows[:2]).encode()],
            "warc": [plain_warc],
            "warc.gz": [vocab.warc_bytes(pages, gz=True)],
            "warc-gzipped": [plain_warc],
            "feed": [RSS.encode(), ATOM.encode()],
            "sniffed": [plain_warc, RSS.encode(), plain[0].encode()],
            "stdin": [plain[0].encode(), html[0].encode()],
        }
        return [bytes([kinds.index(k)]) + p for k, payloads in by_kind.items() for p in payloads]
    if target == "cleaner":
        docs = [(t, False) for t in plain] + [(t, True) for t in html]
        docs += [(s, s.lstrip().startswith("<") and "REUTERS" not in s) for s in SNIPPETS]
        return [bytes([int(h), 0, 0]) + t.encode() for t, h in docs]
    if target == "timex":
        out = []
        for i, phrase in enumerate(vocab.TIME_PHRASES):
            head = bytes([i % 4, 0x40 + i % 0x40, i])
            out.append(head + f"The minister will visit the capital {phrase}.".encode())
        return out
    if target == "extractor":
        docs = texts + [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
        # 0x31xx: publication dates in late 2024, when most of the grammar's leaders held office.
        return [bytes([0x31, 0x80 + i]) + d.encode() for i, d in enumerate(docs)] + [b"\x00\x00"]
    raise ValueError(f"unknown target {target!r}")


def _words(target: str, vocab: ModuleType) -> list[str]:
    if target == "readers":
        return list(READER_WORDS)
    if target == "cleaner":
        return list(CLEAN_WORDS)
    times = [w for p in vocab.TIME_PHRASES for w in p.split()]
    if target == "timex":
        return sorted(set(times) | {"-", "–", "early", "late", "mid-", "the end of", "ago"})
    words = set(times)
    for country, demonym, city in vocab.PLACES:
        words |= {country, demonym, city}
    words |= set(vocab.LEADERS) | set(vocab.TITLES)
    for phrase in (*vocab.TRIP_PHRASES, *vocab.NEGATED_PHRASES):
        words |= set(phrase.replace("{dest}", "").split())
    return sorted(words)


def _dict_entry(word: str) -> str:
    escaped = "".join(
        chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else f"\\x{b:02x}"
        for b in word.encode("utf-8")
    )
    return f'"{escaped}"'


# --- the parent ------------------------------------------------------------------------------


@dataclass
class Outcome:
    target: str
    executed: int = 0
    crashes: int = 0
    hangs: int = 0
    seconds: float = 0.0
    artifacts: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _executed(log: str) -> int:
    for rx in (_EXECUTED, _DONE):
        found = rx.findall(log)
        if found:
            return int(found[-1])
    status = _STATUS.findall(log)
    return int(status[-1]) if status else 0


def _python_error(log: str) -> str:
    """The traceback (or libFuzzer summary) of a failed worker, for the console."""
    start = log.find("=== Uncaught Python exception")
    if start < 0:
        start = log.find("=== Timeout")
    if start < 0:
        start = max(0, len(log) - 2000)
    return log[start : start + 3000].strip()


def _fuzz_target(
    target: str, runs: int, seconds: float | None, seed: int, work: Path, hang_limit: float
) -> Outcome:
    import fuzz_targets as vocab

    out = Outcome(target)
    corpus = work / "corpus"
    artifacts = work / "artifacts"
    scratch = work / "scratch"
    for d in (corpus, artifacts, scratch):
        d.mkdir(parents=True)
    for i, seed_input in enumerate(_seeds(target, vocab)):
        (corpus / f"seed-{i:03d}").write_bytes(seed_input)
    dictionary = work / "words.dict"
    dictionary.write_text("\n".join(_dict_entry(w) for w in _words(target, vocab)) + "\n")
    env = {**os.environ, "TMPDIR": str(scratch)}
    began = time.monotonic()
    for attempt in range(MAX_RESTARTS + 1):
        left = runs - out.executed
        budget = None if seconds is None else seconds - (time.monotonic() - began)
        if left <= 0 or (budget is not None and budget < 1):
            break
        args = [
            str(corpus),
            f"-runs={left}",
            f"-timeout={round(hang_limit)}",
            f"-rss_limit_mb={RSS_LIMIT_MB}",
            f"-max_len={MAX_LEN[target]}",
            f"-dict={dictionary}",
            f"-artifact_prefix={artifacts}/",
            f"-seed={seed + attempt if seed else 0}",
            "-print_final_stats=1",
        ]
        if budget is not None:
            args.append(f"-max_total_time={max(1, int(budget))}")
        log_path = work / f"log-{attempt}.txt"
        with log_path.open("wb") as log_fh:
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), WORKER_FLAG, target, *args],
                stdout=log_fh,
                stderr=subprocess.STDOUT,
                env=env,
                check=False,
            )
        log = log_path.read_text(encoding="utf-8", errors="replace")
        out.executed += _executed(log)
        if proc.returncode == 0:
            break
        out.notes.append(_python_error(log))
        found = [p for p in sorted(artifacts.iterdir()) if p not in out.artifacts]
        hangs = [p for p in found if p.name.startswith(HANG_PREFIXES)]
        crashes = [p for p in found if p.name.startswith(CRASH_PREFIXES)]
        out.hangs += len(hangs)
        out.crashes += len(crashes)
        out.artifacts += hangs + crashes
        if not hangs and not crashes:
            # Either an input failed again (one from the seed corpus fails at every start) or
            # the worker died without saving one: a restart would only repeat it.
            out.crashes += 0 if "Test unit written to" in log else 1
            break
    out.seconds = time.monotonic() - began
    return out


def _save(outcome: Outcome, regressions: Path) -> list[Path]:
    saved = []
    for artifact in outcome.artifacts:
        dest = regressions / outcome.target / artifact.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact, dest)
        saved.append(dest)
    return saved


def _table(outcomes: Iterable[Outcome]) -> str:
    rows = [(o.target, o.executed, o.crashes, o.hangs, o.seconds) for o in outcomes]
    total = (
        "total",
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
        sum(r[3] for r in rows),
        sum(r[4] for r in rows),
    )
    lines = [f"{'target':<10} {'inputs':>9} {'crashes':>8} {'hangs':>6} {'seconds':>8}"]
    for name, executed, crashes, hangs, secs in [*rows, total]:
        lines.append(f"{name:<10} {executed:>9,} {crashes:>8} {hangs:>6} {secs:>8.1f}")
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def _runs(specs: Sequence[str]) -> dict[str, int]:
    """``["40000", "extractor=6000"]`` -> runs per target; later specs override earlier ones."""
    runs = dict.fromkeys(ALL_TARGETS, DEFAULT_RUNS)
    for spec in specs:
        name, _, count = spec.rpartition("=")
        if name and name not in ALL_TARGETS:
            raise ValueError(f"--runs {spec}: unknown target {name!r}")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--runs {spec}: want a positive number of inputs")
        for target in [name] if name else ALL_TARGETS:
            runs[target] = int(count)
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [WORKER_FLAG]:
        _worker(argv[1], argv[2:])
        return 0  # not reached: atheris.Fuzz exits the process
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--target", default="all", choices=[*ALL_TARGETS, "all"])
    ap.add_argument(
        "--runs",
        action="append",
        default=[],
        metavar="N|TARGET=N",
        help=f"inputs per target, or for one target (repeatable; default {DEFAULT_RUNS})",
    )
    ap.add_argument("--seconds", type=float, help="stop each target after this long")
    ap.add_argument("--seed", type=int, default=0, help="libFuzzer seed (0: random)")
    ap.add_argument(
        "--regressions", type=Path, default=REGRESSIONS, help="where crashing inputs are saved"
    )
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fuzz_targets import HANG_LIMIT_S

    targets = ALL_TARGETS if args.target == "all" else (args.target,)
    try:
        runs = _runs(args.runs)
    except ValueError as err:
        ap.error(str(err))
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="visitrack-fuzz-") as tmp:
        for target in targets:
            print(f"fuzz: {target}: up to {runs[target]:,} inputs ...", flush=True)
            outcome = _fuzz_target(
                target, runs[target], args.seconds, args.seed, Path(tmp) / target, HANG_LIMIT_S
            )
            for note in outcome.notes:
                print(f"fuzz: {target}: failure:\n{note}\n", flush=True)
            for path in _save(outcome, args.regressions):
                print(f"fuzz: {target}: saved {path}", flush=True)
            outcomes.append(outcome)
    print(_table(outcomes))
    failed = any(o.crashes or o.hangs for o in outcomes)
    print("fuzz: FAILED" if failed else "fuzz: no crashes, no hangs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
