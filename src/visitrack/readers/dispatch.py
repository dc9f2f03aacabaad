"""Corpus-scale readers: WARC archives, RSS/Atom feeds, URL lists, plus the plain inputs.

:func:`read_sources` is the one entry point. It names each path's kind (forced, or by extension,
else by sniffing the head) and looks its reader up in :data:`READERS`; what it does not
recognise goes to :func:`visitrack.readers.files.read_inputs` (text, HTML, JSONL corpora,
stdin), and it drops
documents that are not in English, yielding them as failures with stage ``"language"`` so runs
count and report them. Like ``read_inputs`` it never raises for one bad input.

Fetching: URL lists, ``http(s)://`` paths and feed entries need the network. Pass a
:class:`Fetcher` to control politeness (or to share one across calls); with ``fetch=None`` a
default one is made when first needed and closed at the end. ``follow_feed_links=False`` keeps
feeds offline: each entry's own text is used instead of its article.
"""

from __future__ import annotations

import gzip
import os
import stat
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO, Literal

from visitrack.readers.decode import head, looks_like_html
from visitrack.readers.feeds import FEED_SUFFIXES, looks_like_feed, parse_feed, read_feed
from visitrack.readers.files import (
    DEFAULT_ID_SCHEME,
    HTML_SUFFIXES,
    READABLE_SUFFIXES,
    STDIN_PATH,
    IdScheme,
    read_inputs,
    walk,
)
from visitrack.readers.lang import detect_language
from visitrack.readers.warc import WARC_SUFFIXES, looks_like_warc, read_warc
from visitrack.readers.web import Fetcher, FetchFailure, FetchResult
from visitrack.records import InputFailure, RawDocument

__all__ = [
    "LANGUAGE_STAGE",
    "READERS",
    "Fetcher",
    "SourceKind",
    "read_sources",
    "read_url_list",
]

SourceKind = Literal["auto", "warc", "feed", "urls"]

LANGUAGE_STAGE = "language"
URL_LIST_SUFFIXES = frozenset({".urls"})
# Lines of a URL list starting with this are comments.
COMMENT_PREFIX = "#"
# URLs fetched at once from a list. The per-host lock keeps this to one connection per host,
# so the extra threads only help when the list mixes hosts; a small number stays polite.
DEFAULT_FETCH_CONCURRENCY = 4
FEED_CONTENT_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
XML_CONTENT_TYPES = frozenset({"application/xml", "text/xml"})


def read_sources(
    paths: Sequence[str],
    *,
    kind: SourceKind = "auto",
    fetch: Fetcher | None = None,
    english_only: bool = True,
    published: date | None = None,
    published_from_capture: bool = False,
    follow_feed_links: bool = True,
    stdin: BinaryIO | None = None,
    id_from: IdScheme = DEFAULT_ID_SCHEME,
) -> Iterator[RawDocument | InputFailure]:
    """Yield documents (or failures) from every path, in the order given.

    Args:
        paths: files, directories, ``-`` for stdin, or ``http(s)://`` URLs.
        kind: ``auto`` picks a reader per path; ``warc``, ``feed`` or ``urls`` forces one for
            every path (``urls``: each path is a file of URLs, one a line).
        fetch: the fetcher for URLs and feed links (default: a polite one made on demand).
        english_only: yield non-English documents from the web (anything with a URL) as
            ``language`` failures (the default).
        published: override every document's publication date.
        published_from_capture: use a WARC record's capture date as its publication date.
        follow_feed_links: fetch each feed entry's article (else use the entry's text).
        stdin: the stream for ``-`` (default ``sys.stdin.buffer``).
        id_from: how files' document ids are made (:data:`~visitrack.readers.files.IdScheme`);
            a fetched page's id is its URL whatever the scheme.
    """
    if isinstance(paths, str):
        paths = [paths]
    fetcher = _LazyFetcher(fetch)
    ctx = _Context(
        fetcher=fetcher,
        published=published,
        from_capture=published_from_capture,
        follow_feed_links=follow_feed_links,
        stdin=stdin,
        id_from=id_from,
    )
    try:
        items = (item for path in paths for item in _read(path, kind, ctx))
        for item in items:
            # Only what came from the web (WARC records, feed entries, fetched pages, corpus rows
            # with a URL) is screened: a file a user names is theirs to have read, and loading
            # the language model costs seconds a one-file run should not pay.
            if english_only and isinstance(item, RawDocument) and item.url:
                yield _keep_english(item)
            else:
                yield item
    finally:
        fetcher.close()


def read_url_list(
    path: str,
    *,
    fetch: Fetcher,
    published: date | None = None,
    concurrency: int = DEFAULT_FETCH_CONCURRENCY,
) -> Iterator[RawDocument | InputFailure]:
    """Fetch every URL listed in ``path`` (one a line, ``#`` comments), yielding in list order."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            urls = [
                line.strip()
                for line in fh
                if line.strip() and not line.lstrip().startswith(COMMENT_PREFIX)
            ]
    except OSError as err:
        yield InputFailure(path, f"cannot read URL list ({(err.strerror or str(err)).lower()})")
        return
    if not urls:
        yield InputFailure(path, "empty URL list")
        return
    yield from _fetch_urls(urls, fetch, published, concurrency)


# --- dispatch ----------------------------------------------------------------------------------


class _LazyFetcher:
    """The caller's fetcher, or a default one made on first use and closed by us."""

    def __init__(self, given: Fetcher | None) -> None:
        self._given = given
        self._own: Fetcher | None = None

    def get(self) -> Fetcher:
        if self._given is not None:
            return self._given
        if self._own is None:
            self._own = Fetcher()
        return self._own

    def close(self) -> None:
        if self._own is not None:
            self._own.close()


@dataclass(frozen=True, slots=True)
class _Context:
    """What every reader may need besides the path."""

    fetcher: _LazyFetcher
    published: date | None
    from_capture: bool
    follow_feed_links: bool
    stdin: BinaryIO | None
    id_from: IdScheme = DEFAULT_ID_SCHEME

    def feed_fetcher(self) -> Fetcher | None:
        return self.fetcher.get() if self.follow_feed_links else None


Reader = Callable[[str, _Context], Iterator[RawDocument | InputFailure]]


def _read_warc(path: str, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    return read_warc(path, published=ctx.published, published_from_capture=ctx.from_capture)


def _read_feed(path: str, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    return read_feed(path, fetch=ctx.feed_fetcher(), published=ctx.published)


def _read_urls(path: str, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    return read_url_list(path, fetch=ctx.fetcher.get(), published=ctx.published)


def _read_url(url: str, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    return _fetch_urls([url], ctx.fetcher.get(), ctx.published, 1)


def _read_dir(root: str, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    """A directory: WARC archives and feeds inside it are read too, the rest as ``read_inputs``.

    A directory holding neither goes to ``read_inputs`` whole, so its messages stay the same.
    """
    # Only files: a directory that cannot be listed is reported by read_inputs' own walk.
    files = [p for p in walk(root) if isinstance(p, str)]
    if not any(_special_in_walk(p) for p in files):
        yield from read_inputs([root], published=ctx.published, id_from=ctx.id_from)
        return
    for path in files:
        if _special_in_walk(path):
            yield from _read(path, "auto", ctx)
        elif Path(path).suffix.lower() in READABLE_SUFFIXES:
            yield from read_inputs([path], published=ctx.published, id_from=ctx.id_from, root=root)


def _read_plain(path: str, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    return read_inputs([path], published=ctx.published, stdin=ctx.stdin, id_from=ctx.id_from)


# Input kind -> its reader. "auto" is not a reader: _kind_of names the kind per path.
READERS: dict[str, Reader] = {
    "warc": _read_warc,
    "feed": _read_feed,
    "urls": _read_urls,
    "url": _read_url,
    "dir": _read_dir,
    "plain": _read_plain,
}


def _read(path: str, kind: SourceKind, ctx: _Context) -> Iterator[RawDocument | InputFailure]:
    yield from READERS[_kind_of(path) if kind == "auto" else kind](path, ctx)


def _kind_of(path: str) -> str:
    """``url``, ``warc``, ``feed``, ``urls``, ``dir`` or ``plain`` (left to ``read_inputs``)."""
    if path.startswith(("http://", "https://")):
        return "url"
    if path == STDIN_PATH:
        return "plain"
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return "plain"  # read_inputs words the failure
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    name = path.lower()
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    suffix = Path(name).suffix
    if suffix in URL_LIST_SUFFIXES:
        return "urls"
    if suffix == ".jsonl" or not stat.S_ISREG(info.st_mode):
        return "plain"
    if suffix in {".rss", ".atom"}:
        return "feed"  # named as a feed: if it is none, say so rather than read it as text
    start = head(path)
    if looks_like_warc(start) or _gzip_warc(path, start):
        return "warc"
    if (suffix in FEED_SUFFIXES or suffix not in HTML_SUFFIXES) and looks_like_feed(
        start.decode("utf-8", errors="replace")
    ):
        return "feed"
    return "plain"


def _special_in_walk(path: str) -> bool:
    # URL lists are never picked up by a walk: fetching must be asked for by name.
    name = path.lower()
    if name.endswith(WARC_SUFFIXES):
        return True
    if Path(name).suffix in FEED_SUFFIXES:
        return looks_like_feed(head(path).decode("utf-8", errors="replace"))
    return False


def _gzip_warc(path: str, start: bytes) -> bool:
    if not start.startswith(b"\x1f\x8b"):
        return False
    try:
        with gzip.open(path, "rb") as fh:
            return looks_like_warc(fh.read(len(b"WARC/")))
    except (OSError, EOFError):
        return False


# --- URLs --------------------------------------------------------------------------------------


def _fetch_urls(
    urls: list[str], fetch: Fetcher, published: date | None, concurrency: int
) -> Iterator[RawDocument | InputFailure]:
    # Fetched a few at a time, yielded in list order; the window bounds memory on a long list.
    window = max(1, concurrency)
    with ThreadPoolExecutor(max_workers=window, thread_name_prefix="visitrack-fetch") as pool:
        pending: deque[tuple[str, Future[FetchResult | FetchFailure]]] = deque()
        it = iter(urls)
        for url in it:
            pending.append((url, pool.submit(fetch.fetch, url)))
            if len(pending) >= window:
                done_url, fut = pending.popleft()
                yield from _url_documents(done_url, fut.result(), fetch, published)
        while pending:
            done_url, fut = pending.popleft()
            yield from _url_documents(done_url, fut.result(), fetch, published)


def _url_documents(
    url: str, page: FetchResult | FetchFailure, fetch: Fetcher, published: date | None
) -> Iterator[RawDocument | InputFailure]:
    if isinstance(page, FetchFailure):
        yield InputFailure(url, page.reason)
        return
    ctype = page.content_type
    if ctype in FEED_CONTENT_TYPES or (ctype in XML_CONTENT_TYPES and looks_like_feed(page.text)):
        # A feed's URL in the list: read it as a feed, following its entries.
        yield from parse_feed(page.text, source=url, fetch=fetch, published=published)
        return
    if not page.text.strip():
        yield InputFailure(url, "empty page")
        return
    # The URL is the id and the source: fetching the same list again finds the stored
    # document, and the same page reached through a feed is the same source.
    yield RawDocument(
        doc_id=url,
        source=url,
        content=page.text,
        is_html=ctype != "text/plain" and (ctype.endswith("html") or looks_like_html(page.text)),
        published=published,
        url=page.final_url,
        source_key=f"url:{url}",
    )


# --- language ----------------------------------------------------------------------------------


def _keep_english(doc: RawDocument) -> RawDocument | InputFailure:
    guess = detect_language(doc.content, is_html=doc.is_html)
    if guess.is_english:
        return doc
    return InputFailure(doc.source, f"not English (detected: {guess.lang})", LANGUAGE_STAGE)
