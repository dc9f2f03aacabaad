"""Command line for the store: ingest, visits, show, check, export, serve.

Kept apart from :mod:`visitrack.cli.extract` so that ``visitrack extract`` does not import the
database layer.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from visitrack import export
from visitrack.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    corpus_items,
    pipeline_results,
    progress_wanted,
    report,
)
from visitrack.filters import INTERNATIONAL, Filters, country_name, parse_sort
from visitrack.progress import Progress
from visitrack.records import (
    EXTRACTOR_VERSION,
    InputFailure,
    RawDocument,
    Storyline,
    window_text,
)
from visitrack.store import OUTCOMES, Ingested, open_store


def cmd_ingest(args: argparse.Namespace) -> int:
    counts = dict.fromkeys(OUTCOMES, 0)
    with open_store(args.db) as store, Progress(None, enabled=progress_wanted(args)) as progress:

        def raws() -> Iterator[RawDocument]:
            for item in corpus_items(args):
                if isinstance(item, InputFailure):
                    report(item)
                    store.record_failure(item.source, item.stage, item.reason)
                    counts["failed"] += 1
                    progress.fail()
                    continue
                # The same bytes are stored already: a hash, no extraction.
                known = store.known(item)
                if known is not None:
                    counts[known.outcome] += 1
                    _tell(args, item, known)
                    progress.skip()
                    continue
                yield item

        for result in pipeline_results(args, raws()):
            progress.advance(result)
            if result.failure is not None:
                report(result.failure)
            stored = store.ingest_document(result)
            counts[stored.outcome] += 1
            _tell(args, result.raw, stored)
        totals = store.counts()
    if not args.quiet:
        print(
            f"visitrack: {sum(counts.values())} inputs: {counts['added']} added, "
            f"{counts['replaced']} replaced, {counts['duplicate']} duplicates, "
            f"{counts['unchanged']} unchanged, {counts['failed']} failed; the store holds "
            f"{totals['documents']} documents, {totals['mentions']} mentions, "
            f"{totals['storylines']} storylines",
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if counts["failed"] else EXIT_OK


def _tell(args: argparse.Namespace, raw: RawDocument, stored: Ingested) -> None:
    """One line per document whose fate a user would not guess: a replacement, an id that
    another source's document already had. Duplicates are only counted: a large corpus holds
    many, and each is kept as a source of the document it repeats (shown with that document)."""
    if args.quiet or stored.outcome in ("failed", "unchanged", "duplicate"):
        return
    if stored.outcome == "replaced":
        line = f"replaced document {stored.doc_id} ({stored.note})"
    elif stored.doc_id != raw.doc_id:
        line = f"stored as {stored.doc_id} (id {raw.doc_id} is another source's document)"
    else:
        return
    print(f"visitrack: {raw.source}: {line}", file=sys.stderr)


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Re-extract stored documents an older extractor made, from their stored text."""
    since = args.since_version or EXTRACTOR_VERSION
    changed = unchanged = failed = 0
    with (
        open_store(args.db, create=False) as store,
        Progress(store.count_stale(since), enabled=progress_wanted(args)) as progress,
    ):
        for result in pipeline_results(args, store.stale_documents(since, batch=args.batch)):
            progress.advance(result)
            if result.failure is not None:
                # The stored document and its visits stay as they are.
                report(result.failure)
                store.record_failure(result.failure.source, "reprocess", result.failure.reason)
                failed += 1
            elif store.reprocess(result):
                changed += 1
            else:
                unchanged += 1
        totals = store.counts()
    if not args.quiet:
        print(
            f"visitrack: reprocessed {changed + unchanged + failed} documents made before "
            f"extractor {since}: {changed} changed and relinked, {unchanged} unchanged, "
            f"{failed} failed; the store holds {totals['storylines']} storylines",
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_visits(args: argparse.Namespace) -> int:
    with open_store(args.db, create=False) as store:
        sort, descending = parse_sort(args.sort, args.order)
        lines = store.storylines(
            **args.filters.store_kwargs(today=date.today()),
            limit=args.limit,
            sort=sort,
            descending=descending,
        )
    if args.format == "jsonl":
        export.storylines_jsonl(lines, sys.stdout)
    elif args.format == "csv":
        export.storylines_csv(lines, sys.stdout)
    else:
        _table(lines, sys.stdout)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with open_store(args.db, create=False) as store:
        problems = store.check()
        counts = store.counts()
    for problem in problems:
        print(f"visitrack: {problem}", file=sys.stderr)
    if problems:
        return EXIT_SOME_FAILED
    print(
        f"ok: {counts['documents']} documents, {counts['mentions']} mentions, "
        f"{counts['storylines']} storylines"
    )
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with open_store(args.db, create=False) as store:
        found = store.storyline(args.id)
        moved = store.redirect(args.id) if found is None else None
        if moved is not None:
            # A cited id keeps working: say where the storyline went, then show it.
            print(
                f"visitrack: storyline {args.id} was {moved.reason} into {moved.new_id}; "
                f"showing {moved.new_id}",
                file=sys.stderr,
            )
            found = store.storyline(moved.new_id)
    if found is None:
        print(
            f"visitrack: no storyline with id {args.id!r} (see `visitrack visits`)", file=sys.stderr
        )
        return EXIT_SOME_FAILED
    line, members = found
    if args.format == "json":
        data = line.to_dict()
        data["sources"] = [
            {"visit": v.to_dict(), "title": d.title, "url": d.url} for v, d in members
        ]
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return EXIT_OK
    from rich.console import Console

    console = Console(file=sys.stdout, width=120, highlight=False)
    who = line.visitor.name or f"unnamed {line.visitor.role}"
    dest = line.destination.country + (
        f" ({line.destination.city})" if line.destination.city else ""
    )
    console.print(
        f"[bold]{line.id}[/bold]  {who} ({line.visitor.country or 'intl'}) -> {dest}", markup=True
    )
    console.print(
        f"stage {line.stage}; {_when(line)}; kind {line.kind}"
        + (f"; occasion {line.occasion}" if line.occasion else ""),
        markup=False,
    )
    console.print("history:", markup=False)
    for step in line.history:
        # An undated step sits where its stage puts it; say so rather than show a date.
        day = str(step.first_reported) if step.first_reported else "undated   "
        placed = "" if step.first_reported else "  (placed by its stage)"
        console.print(f"  {day}  {step.stage:<15} {', '.join(step.doc_ids)}{placed}", markup=False)
    console.print("sources:", markup=False)
    for v, d in members:
        title = f" {d.title}" if d.title else ""
        console.print(f"  {v.published or '?'} {v.doc_id}{title} [{v.stage}]", markup=False)
        for e in v.evidence:
            console.print(f"      “{e.text}” (chars {e.start}-{e.end})", markup=False)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "parquet" and not args.output:
        print("visitrack: export --format parquet needs -o FILE", file=sys.stderr)
        return EXIT_USAGE
    with open_store(args.db, create=False) as store:
        lines = store.storylines(**args.filters.store_kwargs(today=date.today()))
        mentions = (
            list(store.mentions()) if args.table == "mentions" or (args.format == "parquet") else []
        )
    if args.filters != Filters():
        # Mentions of the storylines kept, as the API's export keeps them.
        kept = {line.id for line in lines}
        mentions = [(sid, v) for sid, v in mentions if sid in kept]
    if args.format == "parquet":
        with open_store(args.db, create=False) as store:
            export.write_parquet(lines, mentions, Path(args.output), urls=store.document_urls)
        return EXIT_OK
    # CSV and iCalendar lines end in CRLF by their standards: no newline translation.
    out: TextIO = (
        open(args.output, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        if args.output
        else sys.stdout
    )
    try:
        with open_store(args.db, create=False) as store:
            export.write(
                args.format,
                lines,
                out,
                mentions=mentions if args.table == "mentions" else None,
                today=date.today(),
                urls=store.document_urls,
                base_url=args.base_url,
            )
    finally:
        if args.output:
            out.close()
    return EXIT_OK


def _when(line: Storyline) -> str:
    span = window_text(line.when)
    if line.when is None or not span:
        return "no date given"
    return f"when {span} ({line.when.text})"


def _table(lines: list[Storyline], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(lines)} storylines")
    for col in ("id", "visitor", "from", "to", "stage", "when", "reports", "last reported"):
        table.add_column(col)
    for line in lines:
        table.add_row(
            line.id,
            line.visitor.name or f"({line.visitor.role})",
            _country(line.visitor.country),
            _country(line.destination.country)
            + (f", {line.destination.city}" if line.destination.city else ""),
            line.stage,
            window_text(line.when),
            str(len(line.doc_ids)),
            str(line.last_reported or ""),
        )
    Console(file=out, width=160).print(table)


def _country(code: str | None) -> str:
    """A country as the table shows it: its name with its code ("Russia (RUS)"); no country
    is an international body's ("International body (XIO)")."""
    shown = code or INTERNATIONAL
    return f"{country_name(shown)} ({shown})"


def cmd_serve(args: argparse.Namespace) -> int:
    from visitrack.api import serve  # FastAPI is loaded only for this command

    serve(
        args.db,
        args.host,
        args.port,
        workers=args.workers,
        create=False,
        allowed_hosts=args.allow_host,
    )
    return EXIT_OK
