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
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from visitrack import __version__
from visitrack.errors import VisitrackError
from visitrack.ingest import read_inputs
from visitrack.pipeline import run
from visitrack.records import InputFailure, RawDocument, Visit

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


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
    ex.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, or - for stdin")
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
    ex.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    failures = 0
    visits: list[Visit] = []
    docs = 0

    out_id: tuple[int, int] | None = None

    def raws() -> Iterator[RawDocument]:
        nonlocal failures
        for item in read_inputs(args.paths, published=args.published):
            # A directory walk can reach the output file itself (`-o dir/out.jsonl dir`):
            # reading back what this run is writing is never wanted.
            if out_id is not None and _file_id(_source_path(item.source)) == out_id:
                continue
            if isinstance(item, InputFailure):
                failures += 1
                _report(item)
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
    try:
        for result in run(raws()):
            docs += 1
            if result.failure is not None:
                failures += 1
                _report(result.failure)
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
    if not args.quiet and sys.stderr.isatty():
        print(f"visitrack: {docs} documents, {failures} failed", file=sys.stderr)
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


def _report(f: InputFailure) -> None:
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
    try:
        if args.command == "extract":
            return cmd_extract(args)
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
