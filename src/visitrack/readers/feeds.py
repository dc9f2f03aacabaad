"""RSS and Atom feeds to :class:`RawDocument` s, following each entry to its article.

A feed entry is usually a headline and a teaser; the story is on the linked page, so each
entry's link is fetched (politely, through :class:`~visitrack.readers.web.Fetcher`). When
fetching is off or fails, the entry's own content or summary stands in for the article, so a
feed still yields something rather than nothing; only an entry with neither a fetchable link
nor any text becomes a failure.

Dates: the entry's ``published`` (or ``updated``) date is the publisher's own statement of when
the story appeared, so it is passed on as the document's date for the fetched page and the
fallback text alike (``--published`` still overrides it).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import feedparser  # type: ignore[import-untyped]

from visitrack.readers.decode import looks_like_html
from visitrack.readers.web import Fetcher, FetchResult
from visitrack.records import InputFailure, RawDocument

__all__ = ["FEED_SUFFIXES", "looks_like_feed", "parse_feed", "read_feed"]

FEED_SUFFIXES = (".rss", ".atom", ".xml")
# Enough of a file's head to see its root element past an XML declaration and comments.
FEED_SNIFF_CHARS = 4096
_FEED_ROOT_RE = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
DOC_ID_HEX = 16
MAX_FEED_BYTES = 20 * 1024 * 1024


def looks_like_feed(head: str) -> bool:
    """Whether the head of a file is an RSS, Atom or RDF feed."""
    return _FEED_ROOT_RE.search(head[:FEED_SNIFF_CHARS]) is not None


def read_feed(
    path: str,
    *,
    fetch: Fetcher | None,
    published: date | None = None,
) -> Iterator[RawDocument | InputFailure]:
    """Yield one document per entry of the feed file at ``path``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FEED_BYTES + 1)
    except OSError as err:
        yield InputFailure(path, f"cannot read feed ({(err.strerror or str(err)).lower()})")
        return
    if len(data) > MAX_FEED_BYTES:
        yield InputFailure(path, "feed too large")
        return
    yield from parse_feed(data, source=path, fetch=fetch, published=published)


def parse_feed(
    data: bytes | str,
    *,
    source: str,
    fetch: Fetcher | None,
    published: date | None = None,
) -> Iterator[RawDocument | InputFailure]:
    """Yield one document per entry of feed bytes already in memory (a file or a fetched URL)."""
    # feedparser is forgiving by design ("bozo" feeds still parse); it only gives up entirely
    # when nothing feed-like is there, which shows as no entries. It is handed a stream: given
    # bytes or a string it first tries them as a file name or URL, so a feed whose content is
    # "/dev/zero" or "file:///etc/passwd" would be read from there.
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        parsed: Any = feedparser.parse(io.BytesIO(raw))
    except ValueError:
        # feedparser trips over some encoding names in the XML declaration: bytes that are not
        # UTF-8 (UnicodeDecodeError) or a NUL inside the name (ValueError from the codec lookup).
        yield InputFailure(source, "malformed feed XML (unusable encoding declaration)")
        return
    entries = list(parsed.get("entries", []))
    if not entries:
        yield InputFailure(source, _why_no_entries(data, parsed.get("bozo_exception")))
        return
    for index, entry in enumerate(entries, start=1):
        yield _entry_document(entry, index, source, fetch, published)


def _why_no_entries(data: bytes | str, problem: object) -> str:
    head = data[:FEED_SNIFF_CHARS]
    text = head.decode("utf-8", errors="replace") if isinstance(head, bytes) else head
    detail = f" ({str(problem).strip()[:120]})" if problem else ""
    if not text.strip():
        return "not a feed: empty"
    if not looks_like_feed(text):
        if looks_like_html(text):
            return "not a feed: an HTML page"
        return f"not a feed: no <rss>, <feed> or <rdf:RDF> element{detail}"
    if problem:
        return f"malformed feed XML{detail}"
    return "feed has no entries"


def _entry_document(
    entry: Any, index: int, source: str, fetch: Fetcher | None, published: date | None
) -> RawDocument | InputFailure:
    link = str(entry.get("link") or "").strip() or None
    where = f"{source}#{index}" + (f" ({link})" if link else "")
    title = str(entry.get("title") or "").strip() or None
    day = published if published is not None else _entry_day(entry)
    doc_id = _entry_id(entry, link, source, index)
    why_not_fetched = "no link" if link is None else "fetching disabled"
    if link is not None and fetch is not None:
        page = fetch.fetch(link)
        if isinstance(page, FetchResult):
            # The article, as a URL list would fetch it: the same id and source, so reading
            # it through both is one document.
            return RawDocument(
                doc_id=link,
                source=where,
                content=page.text,
                is_html=looks_like_html(page.text) or page.content_type.endswith("html"),
                published=day,
                url=page.final_url,
                title=title,
                source_key=f"url:{link}",
            )
        why_not_fetched = page.reason
    text = _entry_text(entry)
    if not text:
        return InputFailure(
            where, f"entry has no text and its article was not fetched ({why_not_fetched})"
        )
    # The title leads, as on the article page, so the cleaner and the lede rules see it.
    content = f"{title}\n\n{text}" if title and not looks_like_html(text) else text
    return RawDocument(
        doc_id=doc_id,
        source=where,
        content=content,
        is_html=looks_like_html(content),
        published=day,
        url=link,
        title=title,
        source_key=f"feed-entry:{_entry_key(entry, link, source, index)}",
    )


def _entry_text(entry: Any) -> str:
    # Full content (Atom <content>, RSS content:encoded) beats the summary when both exist.
    best = ""
    for item in entry.get("content") or []:
        value = str(item.get("value") or "").strip()
        if len(value) > len(best):
            best = value
    summary = str(entry.get("summary") or "").strip()
    return best if len(best) >= len(summary) else summary


def _entry_day(entry: Any) -> date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return date(value.tm_year, value.tm_mon, value.tm_mday)
            except (AttributeError, ValueError):
                continue
    return None


def _entry_id(entry: Any, link: str | None, source: str, index: int) -> str:
    # The entry's guid/id (or link) is stable across polls of the same feed, so re-ingesting
    # a feed later recognises the entries it already stored.
    key = _entry_key(entry, link, source, index)
    return "feed-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:DOC_ID_HEX]


def _entry_key(entry: Any, link: str | None, source: str, index: int) -> str:
    return str(entry.get("id") or link or f"{source}#{index}")
