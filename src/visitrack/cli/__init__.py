"""Command line: a thin shell over the library.

Exit codes: 0 when every input was read and processed, 1 when some failed (each failure is one
line on stderr naming the input and the reason), 2 for usage errors.

``common`` holds what the commands share, ``extract`` the extract command and ``store`` the
commands over the store; this module parses the arguments and dispatches. The modules import
``common`` and nothing imports back, so the package has no import cycle.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from visitrack import __version__
from visitrack.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    add_corpus_options,
    add_filter_options,
    extractor_version,
    filters_from_args,
    iso_date,
    non_negative_seconds,
    port,
    positive,
)
from visitrack.errors import VisitrackError
from visitrack.filters import SORT_KEYS, FilterError, parse_sort
from visitrack.limits import DOCUMENT_TIME_LIMIT_S


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
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="publication date for every input (overrides what the text says)",
    )
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    add_corpus_options(ex)

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
        "--published", type=iso_date, metavar="YYYY-MM-DD", help="publication date for every input"
    )
    ing.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")
    add_corpus_options(ing)

    rep = sub.add_parser(
        "reprocess",
        help="re-extract stored documents an older extractor made",
        description="Run the current extractor over the stored text of every document an "
        "older one made, in batches (resumable: a stopped run goes on where it was), and "
        "relink the storylines of the documents whose visits changed.",
    )
    rep.add_argument("--db", metavar="URL", help=db_help)
    rep.add_argument(
        "--since-version",
        type=extractor_version,
        metavar="V",
        help="re-extract documents made by extractor versions older than V (default: the "
        "current version)",
    )
    rep.add_argument(
        "--batch",
        type=positive,
        default=256,
        metavar="N",
        help="documents read from the store at a time (default 256)",
    )
    rep.add_argument(
        "--workers", type=positive, default=1, metavar="N", help="extraction processes"
    )
    rep.add_argument(
        "--time-limit",
        type=non_negative_seconds,
        default=DOCUMENT_TIME_LIMIT_S,
        metavar="SECONDS",
        help=f"per-document stage time limit (default {DOCUMENT_TIME_LIMIT_S:g}; 0 for none)",
    )
    rep.add_argument("--no-progress", action="store_true", help="no progress bar or log lines")
    rep.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")
    # What the shared corpus helpers read; reprocess runs locally on stored text.
    rep.set_defaults(engine="local", scheduler=None, urls=[])

    vis = sub.add_parser(
        "visits",
        help="list stored visit storylines",
        description="List storylines, newest first, with optional filters.",
    )
    vis.add_argument("--db", metavar="URL", help=db_help)
    add_filter_options(vis)
    vis.add_argument("--limit", type=positive, metavar="N", help="at most N storylines")
    vis.add_argument(
        "--sort",
        metavar="KEY",
        help=f"order by {', '.join(SORT_KEYS)} (default first_reported, newest first)",
    )
    vis.add_argument("--order", metavar="ORDER", help="asc or desc (default by the key)")
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
    exp.add_argument(
        "--base-url",
        metavar="URL",
        help="where `visitrack serve` runs (http://host:port): ics entries link to their "
        "storyline's page there",
    )
    add_filter_options(exp)

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
    srv.add_argument("--port", type=port, default=8000, help="port (default 8000)")
    srv.add_argument(
        "--workers",
        type=positive,
        default=1,
        metavar="N",
        help="server processes (default 1; each holds its own connections)",
    )
    srv.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the server answers (repeatable): on loopback, besides loopback "
        "names; on another address, the only names answered (default: any)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("visits", "export"):
        try:
            args.filters = filters_from_args(args)
            if args.command == "visits":
                parse_sort(args.sort, args.order)
        except FilterError as err:
            parser.error(f"--{err.param.replace('_', '-')}: {err.message}")
    if args.command in ("extract", "ingest"):
        if not args.paths and not args.urls:
            parser.error("give at least one PATH or --urls FILE")
        if args.engine == "dask" and not args.scheduler:
            parser.error("--engine dask needs --scheduler tcp://HOST:PORT")
    try:
        # Each command's module is imported when it runs: ``extract`` does not load the
        # database layer, and the store's commands do not load the NLP side unless they parse.
        if args.command == "extract":
            from visitrack.cli.extract import cmd_extract

            return cmd_extract(args)
        from visitrack.cli import store

        command = {
            "ingest": store.cmd_ingest,
            "reprocess": store.cmd_reprocess,
            "visits": store.cmd_visits,
            "show": store.cmd_show,
            "check": store.cmd_check,
            "export": store.cmd_export,
            "serve": store.cmd_serve,
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
