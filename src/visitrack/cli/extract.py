"""``visitrack extract``: documents in, one JSON line (or a table row) per visit out."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from visitrack.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    corpus_items,
    pipeline_results,
    progress_wanted,
    report,
)
from visitrack.progress import Progress
from visitrack.records import InputFailure, RawDocument, Visit, window_text


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


def _print_table(visits: list[Visit], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(visits)} visits", show_lines=False)
    for col in ("document", "visitor", "from", "to", "stage", "when", "occasion"):
        table.add_column(col)
    for v in visits:
        table.add_row(
            v.doc_id,
            v.visitor.name or f"({v.visitor.role})",
            v.visitor.country or "-",
            v.destination.country + (f" {v.destination.city}" if v.destination.city else ""),
            v.stage,
            window_text(v.when),
            v.occasion or "",
        )
    Console(file=out, width=160).print(table)
