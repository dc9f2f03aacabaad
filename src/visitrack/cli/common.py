"""What the commands share: exit codes, argument types, the corpus options and their use."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from datetime import date

from visitrack.filters import Filters, parse_filters
from visitrack.limits import DOCUMENT_TIME_LIMIT_S
from visitrack.records import STAGES, DocumentResult, InputFailure, RawDocument

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {value!r}") from None


def extractor_version(value: str) -> str:
    """A version as ``records.EXTRACTOR_VERSION`` writes them: dotted whole numbers."""
    parts = value.strip().split(".")
    if not all(part.isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"not an extractor version (whole numbers with dots, e.g. 2 or 2.1): {value!r}"
        )
    return value.strip()


def positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return n


def port(value: str) -> int:
    n = positive(value)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port (1-65535): {value!r}")
    return n


def non_negative_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):  # also refuses nan
        raise argparse.ArgumentTypeError(f"not a number of seconds >= 0: {value!r}")
    return seconds


def positive_seconds(value: str) -> float:
    seconds = non_negative_seconds(value)
    if seconds == 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds > 0: {value!r}")
    return seconds


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """The storyline filters, spelt as the API's parameters (:mod:`visitrack.filters`)."""
    where = "a country: ISO3 or ISO2 code or English name, any case"
    p.add_argument(
        "--q",
        metavar="TEXT",
        help="free text: every word in the visitor, host, occasion, place or evidence "
        "(plain words, any case or accents)",
    )
    p.add_argument("--country", metavar="COUNTRY", help=f"visitor's or destination ({where})")
    p.add_argument("--origin", metavar="COUNTRY", help=f"the visitor's country ({where})")
    p.add_argument("--destination", metavar="COUNTRY", help=f"destination ({where})")
    p.add_argument(
        "--visitor", metavar="NAME", help="visitor name (substring, any case or accents)"
    )
    p.add_argument("--stage", metavar="STAGE", help=f"current stage: {', '.join(STAGES)}")
    p.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help="window ends on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)",
    )
    p.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help="window starts on or before this date (YYYY, YYYY-MM or YYYY-MM-DD)",
    )
    p.add_argument(
        "--upcoming",
        action="store_true",
        help="only visits still ahead (window not over, not completed or cancelled)",
    )
    p.add_argument(
        "--as-of",
        dest="as_of",
        metavar="DATE",
        help="the day --upcoming counts from (default today)",
    )
    p.add_argument(
        "--changed-since",
        dest="changed_since",
        metavar="DATE",
        help="created or changed stage on or after this date (by report dates)",
    )


def filters_from_args(args: argparse.Namespace) -> Filters:
    """The options of :func:`add_filter_options`, read as the API reads its parameters.

    Raises:
        FilterError: a value cannot be read, or --from is after --to.
    """
    return parse_filters(
        {
            "country": args.country,
            "origin": args.origin,
            "destination": args.destination,
            "visitor": args.visitor,
            "stage": args.stage,
            "from": args.date_from,
            "to": args.date_to,
            "upcoming": "true" if args.upcoming else None,
            "q": args.q,
            "as_of": args.as_of,
            "changed_since": args.changed_since,
        }
    )


def add_corpus_options(p: argparse.ArgumentParser) -> None:
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
        type=positive,
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
        type=positive_seconds,
        metavar="SECONDS",
        help="how long a web server may take to connect or to send more of a page before "
        "the attempt counts as timed out (default 15)",
    )
    p.add_argument(
        "--time-limit",
        type=non_negative_seconds,
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
    p.add_argument(
        "--id-from",
        choices=("path", "relative", "name"),
        default="path",
        help="document ids of files: path (default; the path as given, a directory argument "
        "joined with the path inside it), relative (the path inside the directory argument), "
        "name (the file name without extension). JSONL rows add '#' and the row's id",
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
    # Imported here: the store's commands that read no documents need not load the NLP side.
    from visitrack.parallel import run_parallel

    return run_parallel(
        raws,
        workers=args.workers,
        engine=args.engine,
        scheduler=args.scheduler,
        time_limit_s=args.time_limit,
    )


def corpus_items(args: argparse.Namespace) -> Iterator[RawDocument | InputFailure]:
    """Every input the command names: paths (files, archives, feeds, URLs) and URL lists."""
    from visitrack.readers.dispatch import SourceKind, read_sources
    from visitrack.readers.web import DEFAULT_TIMEOUT_S, Fetcher

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
                    id_from=args.id_from,
                )


def report(f: InputFailure) -> None:
    """One line on stderr naming the input and the reason."""
    print(f"visitrack: {f.source}: {f.reason}", file=sys.stderr)
