"""Command line: a thin shell over the library.

Exit codes: 0 when every input was read and processed, 1 when some failed (each failure is one
line on stderr naming the input and the reason), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from visitrack import __version__
from visitrack.errors import VisitrackError
from visitrack.limits import DOCUMENT_TIME_LIMIT_S
from visitrack.parallel import run_parallel
from visitrack.pipeline import DocumentResult
from visitrack.progress import Progress
from visitrack.records import STAGES, InputFailure, RawDocument, Visit

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def _iso3(value: str) -> str:
    if len(value) != 3 or not value.isalpha():
        raise argparse.ArgumentTypeError(f"not an ISO 3166-1 alpha-3 code: {value!r}")
    return value.upper()


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return n


def _port(value: str) -> int:
    n = _positive(value)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port (1-65535): {value!r}")
    return n


def _non_negative_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"not a number of seconds >= 0: {value!r}")
    return seconds


def _positive_seconds(value: str) -> float:
    seconds = _non_negative_seconds(value)
    if seconds == 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds > 0: {value!r}")
    return seconds


def _add_corpus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--urls",
        action="append",
        default=[],
        metavar="FILE",
        help="a file of URLs, one a line, fetched politely (robots.txt, per-host "
        "delay); repeatable",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="extraction processes on this machine (default 1)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or an existing Dask cluster",
    )
    p.add_argument("--scheduler", metavar="URL", help="Dask scheduler address, tcp://HOST:PORT")
    p.add_argument(
        "--fetch-timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="how long a web server may take to connect or to send more of a page before "
        "the attempt counts as timed out (default 15)",
    )
    p.add_argument(
        "--time-limit",
        type=_non_negative_seconds,
        default=DOCUMENT_TIME_LIMIT_S,
        metavar="SECONDS",
        help="cut a document off as a failure when one stage spends longer on it "
        f"(default {DOCUMENT_TIME_LIMIT_S:g}; 0 for none)",
    )
    p.add_argument(
        "--published-from-capture",
        action="store_true",
        help="use a WARC record's capture date as the publication date",
    )
    p.add_argument(
        "--keep-non-english",
        action="store_true",
        help="do not skip web documents detected as non-English",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar or log lines")


def progress_wanted(args: argparse.Namespace) -> bool:
    """Progress on a terminal, and in corpus-scale runs (several workers, a cluster, URL lists)
    whatever stderr is; a small run in a script keeps stderr for failures only."""
    if args.quiet or args.no_progress:
        return False
    corpus_scale = args.workers > 1 or args.engine == "dask" or bool(args.urls)
    return sys.stderr.isatty() or corpus_scale


def pipeline_results(
    args: argparse.Namespace, raws: Iterable[RawDocument]
) -> Iterator[DocumentResult]:
    """The pipeline over ``raws`` as the corpus options ask: workers, engine, time limit."""
    return run_parallel(
        raws,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
        time_limit_s=args.time_limit,
    )


def corpus_items(args: argparse.Namespace) -> Iterator[RawDocument | InputFailure]:
    """Every input the command names: paths (files, archives, feeds, URLs) and URL lists."""
    from visitrack.sources import SourceKind, read_sources
    from visitrack.sources.web import DEFAULT_TIMEOUT_S, Fetcher

    groups: tuple[tuple[list[str], SourceKind], ...] = ((args.paths, "auto"), (args.urls, "urls"))
    with Fetcher(timeout=args.fetch_timeout or DEFAULT_TIMEOUT_S) as fetch:
        for paths, kind in groups:
            if paths:
                yield from read_sources(
                    paths,
                    kind=kind,
                    fetch=fetch,
                    english_only=not args.keep_non_english,
                    published=args.published,
                    published_from_capture=args.published_from_capture,
                )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="visitrack",
        description="Track high-level diplomatic visits in news text.",
    )
    parser.add_argument("--version", action="version", version=f"visitrack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ex = sub.add_parser(
        "extract",
        help="extract visit records from documents",
        description="Read documents (.txt, .html, .jsonl corpora, directories, - for stdin) "
        "and write one JSON line per distinct visit each document reports.",
    )
    ex.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="file, directory, WARC, feed, http(s) URL, or - for stdin",
    )
    ex.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    ex.add_argument(
        "--format",
        choices=("jsonl", "table"),
        default="jsonl",
        help="jsonl (default) or a readable table",
    )
    ex.add_argument(
        "--published",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="publication date for every input (overrides what the text says)",
    )
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    _add_corpus_options(ex)

    db_help = "database URL or SQLite path (default $VISITRACK_DB or ./visitrack.db)"
    ing = sub.add_parser(
        "ingest",
        help="extract visits from documents and store them, linking storylines",
        description="Extract and store: documents, visit mentions with evidence, failures, and "
        "the storylines they link into. Re-ingesting unchanged documents adds nothing.",
    )
    ing.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="file, directory, WARC, feed, http(s) URL, or - for stdin",
    )
    ing.add_argument("--db", metavar="URL", help=db_help)
    ing.add_argument(
        "--published", type=_iso_date, metavar="YYYY-MM-DD", help="publication date for every input"
    )
    ing.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")
    _add_corpus_options(ing)

    vis = sub.add_parser(
        "visits",
        help="list stored visit storylines",
        description="List storylines, newest first, with optional filters.",
    )
    vis.add_argument("--db", metavar="URL", help=db_help)
    vis.add_argument("--country", type=_iso3, metavar="ISO3", help="visitor or destination country")
    vis.add_argument("--visitor", metavar="NAME", help="visitor name (substring, any case)")
    vis.add_argument("--destination", type=_iso3, metavar="ISO3", help="destination country")
    vis.add_argument("--stage", choices=STAGES, help="current stage")
    vis.add_argument(
        "--from",
        dest="date_from",
        type=_iso_date,
        metavar="DATE",
        help="window ends on or after this date",
    )
    vis.add_argument(
        "--to",
        dest="date_to",
        type=_iso_date,
        metavar="DATE",
        help="window starts on or before this date",
    )
    vis.add_argument(
        "--upcoming",
        action="store_true",
        help="only visits still ahead (window not over, not completed or cancelled)",
    )
    vis.add_argument("--limit", type=_positive, metavar="N", help="at most N storylines")
    vis.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")

    show = sub.add_parser(
        "show",
        help="show one storyline with its history, sources and evidence",
        description="Print one storyline's stage history with its source documents and the "
        "evidence sentences.",
    )
    show.add_argument("id", metavar="ID", help="storyline id (from `visitrack visits`)")
    show.add_argument("--db", metavar="URL", help=db_help)
    show.add_argument("--format", choices=("text", "json"), default="text")

    chk = sub.add_parser(
        "check",
        help="check the store's integrity (after a crash, say)",
        description="Run the database's consistency check and verify that every mention is "
        "in a storyline and every storyline has its mentions. Exit 0 when sound, 1 otherwise.",
    )
    chk.add_argument("--db", metavar="URL", help=db_help)

    exp = sub.add_parser(
        "export",
        help="export storylines and mentions: csv, jsonl, parquet, ics, panel",
        description="csv/jsonl: storylines (or mentions with --table mentions); parquet: both "
        "tables (FILE and FILE.mentions.parquet); ics: a calendar of announced and upcoming "
        "visits; panel: a dyad-year panel (visitor country, destination, year, counts by stage).",
    )
    exp.add_argument("--db", metavar="URL", help=db_help)
    exp.add_argument("--format", choices=("csv", "jsonl", "parquet", "ics", "panel"), required=True)
    exp.add_argument(
        "--table",
        choices=("storylines", "mentions"),
        default="storylines",
        help="which table for csv/jsonl (default storylines)",
    )
    exp.add_argument("-o", "--output", metavar="FILE", help="write here (required for parquet)")

    srv = sub.add_parser(
        "serve",
        help="HTTP API and web dashboard",
        description="Serve the JSON API (/api, docs at /docs) and the dashboard (/) over the "
        "store. Writes need VISITRACK_TOKEN unless the server listens on loopback only.",
    )
    srv.add_argument("--db", metavar="URL", help=db_help)
    srv.add_argument(
        "--host",
        default="127.0.0.1",
        help="bind address (default 127.0.0.1; writes need VISITRACK_TOKEN otherwise)",
    )
    srv.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    srv.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="server processes (default 1; each holds its own connections)",
    )
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    failures = 0
    visits: list[Visit] = []
    docs = 0

    out_id: tuple[int, int] | None = None

    def raws() -> Iterator[RawDocument]:
        nonlocal failures
        for item in corpus_items(args):
            # A directory walk can reach the output file itself (`-o dir/out.jsonl dir`):
            # reading back what this run is writing is never wanted.
            if out_id is not None and _file_id(_source_path(item.source)) == out_id:
                continue
            if isinstance(item, InputFailure):
                failures += 1
                progress.fail()
                report(item)
                continue
            yield item

    out: TextIO
    out_path = Path(args.output) if args.output else None
    if out_path is not None:
        # Opening the output truncates it, so an input named as the output would be lost.
        target = _file_id(str(out_path))
        clash = next((p for p in args.paths if p != "-" and _file_id(p) == target), None)
        if target is not None and clash is not None:
            print(f"visitrack: {clash}: is also the output file; not overwriting", file=sys.stderr)
            return EXIT_USAGE
        try:
            out = out_path.open("w", encoding="utf-8")
            out_id = _file_id(str(out_path))
        except OSError as exc:
            print(f"visitrack: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        out = sys.stdout
    progress = Progress(None, enabled=progress_wanted(args))
    try:
        with progress:
            for result in pipeline_results(args, raws()):
                progress.advance(result)
                docs += 1
                if result.failure is not None:
                    failures += 1
                    report(result.failure)
                    continue
                if args.format == "jsonl":
                    for v in result.visits:
                        out.write(json.dumps(v.to_dict(), ensure_ascii=False) + "\n")
                    out.flush()
                else:
                    visits.extend(result.visits)
            if args.format == "table":
                _print_table(visits, out)
    finally:
        if out_path is not None:
            out.close()
    return EXIT_SOME_FAILED if failures else EXIT_OK


def _file_id(path: str) -> tuple[int, int] | None:
    """(device, inode) of an existing regular file, else ``None``."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def _source_path(source: str) -> str:
    """The file behind an input's source: a JSONL row's source is ``path:lineno``."""
    path, sep, lineno = source.rpartition(":")
    return path if sep and lineno.isdigit() and not os.path.exists(source) else source


def report(f: InputFailure) -> None:
    """One line on stderr naming the input and the reason."""
    print(f"visitrack: {f.source}: {f.reason}", file=sys.stderr)


def _print_table(visits: list[Visit], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(visits)} visits", show_lines=False)
    for col in ("document", "visitor", "from", "to", "stage", "when", "occasion"):
        table.add_column(col)
    for v in visits:
        when = ""
        if v.when is not None:
            when = (
                f"{v.when.start}..{v.when.end}" if v.when.start != v.when.end else str(v.when.start)
            )
        table.add_row(
            v.doc_id,
            v.visitor.name or f"({v.visitor.role})",
            v.visitor.country or "-",
            v.destination.country + (f" {v.destination.city}" if v.destination.city else ""),
            v.stage,
            when,
            v.occasion or "",
        )
    Console(file=out, width=160).print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("extract", "ingest"):
        if not args.paths and not args.urls:
            parser.error("give at least one PATH or --urls FILE")
        if args.engine == "dask" and not args.scheduler:
            parser.error("--engine dask needs --scheduler tcp://HOST:PORT")
    try:
        if args.command == "extract":
            return cmd_extract(args)
        from visitrack import cli_store

        command = {
            "ingest": cli_store.cmd_ingest,
            "visits": cli_store.cmd_visits,
            "show": cli_store.cmd_show,
            "check": cli_store.cmd_check,
            "export": cli_store.cmd_export,
            "serve": cli_store.cmd_serve,
        }.get(args.command)
        if command is not None:
            return command(args)
    except VisitrackError as exc:
        print(f"visitrack: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
