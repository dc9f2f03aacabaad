"""HTTP API and dashboard: ``visitrack serve``.

One FastAPI app serves the JSON API under ``/api``, a dependency-free API reference at
``/docs`` (the stock Swagger UI loads from a CDN, which must not be needed offline) and the
dashboard (``src/visitrack/web``) at ``/``. Reads are open; writes (``POST /api/documents``)
need ``Authorization: Bearer <token>`` when a token is configured, and are refused without one
unless the server listens on loopback only.

Every error is JSON ``{"error": "..."}`` saying what to change. Handlers are plain ``def`` so
FastAPI runs the blocking store and pipeline calls in its thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import hmac
import io
import ipaddress
import json
import os
import re
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import anyio
import h11
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from visitrack import export
from visitrack.api_schema import ApiLimits, openapi_document
from visitrack.errors import ConfigError
from visitrack.filters import (
    FILTER_PARAMS,
    FilterError,
    Filters,
    check_params,
    countries,
    parse_filters,
    parse_sort,
)
from visitrack.jobs import DEFAULT_BUDGET_S, DEFAULT_MAX_PENDING, Extractor
from visitrack.limits import DOCUMENT_TIME_LIMIT_S
from visitrack.readers.decode import SNIFF_BYTES, Refusal, binary_kind, decode_text
from visitrack.readers.feeds import FEED_SNIFF_CHARS, looks_like_feed
from visitrack.readers.files import corpus_row, parse_corpus_row
from visitrack.records import DocumentResult, InputFailure, RawDocument
from visitrack.store import ENV_DB, ID_LENGTH, DocumentInfo, StoreError, open_store

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ENV_ALLOWED_HOSTS",
    "ENV_TOKEN",
    "MAX_BATCH_DOCUMENTS",
    "MAX_BODY_BYTES",
    "MAX_PAGE_SIZE",
    "HostGuard",
    "HostPort",
    "allowed_host_names",
    "create_app",
    "is_loopback",
    "parse_host",
    "same_origin",
    "serve",
]

ENV_TOKEN = "VISITRACK_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# One news page is well under 1 MB of HTML; 5 MB leaves room for a JSONL batch of a few
# hundred articles while keeping one request from tying up the extractor for minutes.
MAX_BODY_BYTES = 5 * 1024 * 1024
# A JSONL batch runs synchronously inside the request: cap it so a response comes back in
# seconds, not minutes (the CLI's `visitrack ingest` is the tool for bulk loads).
MAX_BATCH_DOCUMENTS = 200
DEFAULT_PAGE_SIZE = 50
# The dashboard's timeline asks for one large page; beyond this the list should be paged.
MAX_PAGE_SIZE = 1000
# Largest page offset accepted: far past any store's size, and inside the 64-bit integers
# both databases bind (a larger Python int made SQLite raise OverflowError, a 500).
MAX_OFFSET = 1_000_000_000

WEB_DIR = Path(__file__).resolve().parent / "web"
INDEX_HTML = WEB_DIR / "index.html"
DOCS_HTML = WEB_DIR / "docs.html"

# The dashboard loads only its own files and shows article text as text; anything injected
# into a page can neither run nor phone home.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_JOB_ID_RE = re.compile(r"[0-9a-f]{32}")
_STORYLINE_ID_RE = re.compile(rf"[A-Za-z0-9_.:-]{{1,{ID_LENGTH}}}")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

EXPORT_MEDIA: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "storylines.csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "storylines.jsonl"),
    "ics": ("text/calendar; charset=utf-8", "visits.ics"),
    "panel": ("text/csv; charset=utf-8", "dyad_year_panel.csv"),
}
JSONL_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/x-jsonlines"})


class ApiError(Exception):
    """A request the API refuses, with the status and a message a person can act on."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def is_loopback(host: str) -> bool:
    """Whether a bind address or Host name reaches this machine only."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# --- Host and Origin ---------------------------------------------------------------------------

# RFC 9110 Host: a bracketed IPv6 literal or a name of letters, digits, dots and hyphens, then
# an optional port. Anything else (userinfo, a second colon, text after the bracket) is refused:
# a lax split once read "[::1]evil.example:8000" as loopback.
_HOST_RE = re.compile(
    r"(?:\[(?P<ip6>[0-9A-Fa-f:.]{2,45})\]|(?P<name>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?))"
    r"(?::(?P<port>[0-9]{1,5}))?"
)
_ORIGIN_RE = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<authority>[^/?#@\s]+)")
HTTP_DEFAULT_PORT = 80
MAX_PORT = 65535


@dataclass(frozen=True)
class HostPort:
    """A parsed Host header or Origin authority: the name (IPv6 without brackets), lowercased."""

    name: str
    port: int | None


def parse_host(value: str) -> HostPort | None:
    """The Host header ``value`` parsed strictly, or ``None`` when it is not one."""
    match = _HOST_RE.fullmatch(value)
    if match is None:
        return None
    port = int(match["port"]) if match["port"] is not None else None
    if port is not None and not 0 < port <= MAX_PORT:
        return None
    if match["ip6"] is not None:
        try:
            return HostPort(ipaddress.IPv6Address(match["ip6"]).compressed, port)
        except ValueError:
            return None
    name = match["name"].lower()
    if ".." in name:
        return None
    return HostPort(name, port)


def same_origin(origin: str, host: HostPort) -> bool:
    """Whether an Origin header names this plain-HTTP server at ``host`` exactly."""
    match = _ORIGIN_RE.fullmatch(origin)
    if match is None or match["scheme"] != "http":
        return False
    theirs = parse_host(match["authority"])
    if theirs is None:
        return False
    return theirs.name == host.name and (theirs.port or HTTP_DEFAULT_PORT) == (
        host.port or HTTP_DEFAULT_PORT
    )


def _host_header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return str(value.decode("latin-1"))
    return None


class HostGuard:
    """ASGI middleware: answer only requests addressed to a name this server is meant to have.

    On loopback that is a loopback name or address (plus ``allowed``): a page from any other
    name, even one whose DNS now points at 127.0.0.1 (DNS rebinding), reads nothing. On any
    other bind, ``allowed`` when given; otherwise any well-formed Host.
    """

    def __init__(self, app: ASGIApp, *, loopback_only: bool, allowed: frozenset[str]) -> None:
        self.app = app
        self.loopback_only = loopback_only
        self.allowed = allowed

    def admits(self, host: HostPort) -> bool:
        if host.name in self.allowed:
            return True
        if self.loopback_only:
            return is_loopback(host.name)
        return not self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = _host_header(scope)
        parsed = parse_host(raw) if raw is not None else None
        if parsed is None:
            message = (
                "the request has no Host header"
                if raw is None
                else f"malformed Host header {raw!r}: expected NAME[:PORT] or [IPv6][:PORT]"
            )
            await JSONResponse({"error": message}, status_code=400)(scope, receive, send)
            return
        if not self.admits(parsed):
            served = ", ".join(sorted(self.allowed)) or "any name"
            if self.loopback_only:
                served = "loopback names (localhost, 127.0.0.1, [::1])" + (
                    f" and {', '.join(sorted(self.allowed))}" if self.allowed else ""
                )
            message = (
                f"host {raw!r} is not served here: this server answers {served} only "
                "(`visitrack serve --allow-host NAME` adds one)"
            )
            await JSONResponse({"error": message}, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


# Characters a bearer token may hold (RFC 6750 b64token): anything else could not be sent in
# an Authorization header, so a token with it would lock writes out for good.
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~+/=-]+")


def write_token_from(configured: str | None) -> str | None:
    """The write token as configured, stripped of surrounding space, or ``None`` for none.

    Raises:
        ConfigError: the token is blank, or holds characters a header cannot carry.
    """
    if configured is None:
        return None
    token = configured.strip()
    if not token:
        raise ConfigError(f"{ENV_TOKEN} is blank: set a token, or unset it for no token")
    if not _TOKEN_RE.fullmatch(token):
        raise ConfigError(
            f"{ENV_TOKEN} holds spaces or characters an Authorization header cannot carry; "
            "use letters, digits and . _ ~ + / = -"
        )
    return token


# --- request body limit ------------------------------------------------------------------------


class BodyLimit:
    """ASGI middleware: refuse a declared Content-Length over ``limit`` with 413, unread.

    Bodies without the header (chunked) are counted as they are read by :func:`_read_body`,
    so leaving the header out does not get a client past the limit.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", []):
                if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                    await _too_large(self.limit)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def _read_body(request: Request, limit: int, timeout_s: float) -> bytes:
    """The request body, refused with 413 as soon as it grows past ``limit`` bytes, and with
    408 when it has not all arrived within ``timeout_s`` seconds."""
    parts: list[bytes] = []
    seen = 0
    try:
        with anyio.fail_after(timeout_s):
            async for chunk in request.stream():
                seen += len(chunk)
                if seen > limit:
                    raise ApiError(413, _too_large_message(limit))
                parts.append(chunk)
    except TimeoutError:
        raise ApiError(
            408,
            f"the request body took over {timeout_s:g} s to arrive ({seen:,} bytes came); "
            "send it at once",
            headers={"Connection": "close"},
        ) from None
    return b"".join(parts)


def _too_large_message(limit: int) -> str:
    return (
        f"request body is over {limit // (1024 * 1024)} MB; send fewer or smaller documents "
        "per request, or use `visitrack ingest` for bulk loads"
    )


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": _too_large_message(limit)}, status_code=413)


# --- parameter checks --------------------------------------------------------------------------


def _int(name: str, value: str | None, default: int, low: int, high: int | None) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number, got {value!r}") from None
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"{name} must be {bound}, got {number}")
    return number


def _filters(request: Request, allowed: Collection[str]) -> Filters:
    """The query string's filters (:mod:`visitrack.filters`, the CLI's vocabulary), after
    refusing any parameter the endpoint does not take."""
    try:
        check_params(request.query_params.multi_items(), allowed, request.url.path)
        return parse_filters(request.query_params)
    except FilterError as err:
        raise ApiError(400, err.message) from None


LIST_PARAMS = frozenset({*FILTER_PARAMS, "limit", "offset", "sort", "order"})
EXPORT_PARAMS = frozenset({*FILTER_PARAMS, "format"})
STATS_PARAMS = frozenset(FILTER_PARAMS)
FEED_PARAMS = frozenset(FILTER_PARAMS)
SUBMIT_PARAMS = frozenset({"doc_id", "published", "url", "title"})


# --- helpers ------------------------------------------------------------------------------------


async def _chunks(
    stream: export.ExportStream,
    keep: Callable[[bytes], None] | None = None,
    keep_limit: int = 0,
) -> AsyncIterator[bytes]:
    """``stream``'s chunks, each read off the event loop; closed however the response ends.

    A client that goes away cancels the response while it waits here, so the ``finally``
    closes the stream (stopping its writer and freeing its export slot) at once. With
    ``keep``, a stream that ends whole within ``keep_limit`` bytes is also handed to it (for
    the answer cache); a larger one is only streamed, never held.
    """
    held: list[bytes] | None = [] if keep is not None else None
    size = 0
    try:
        while (chunk := await run_in_threadpool(next, stream, None)) is not None:
            if held is not None:
                size += len(chunk)
                if size > keep_limit:
                    held = None
                else:
                    held.append(chunk)
            yield chunk
    finally:
        stream.close()
    if held is not None and keep is not None:
        keep(b"".join(held))


def _document_json(doc: DocumentInfo) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "url": doc.url,
        "published": doc.published.isoformat() if doc.published else None,
        "ingested_at": doc.ingested_at.isoformat(),
        "canonical_url": doc.canonical_url,
        "extractor_version": doc.extractor_version,
        "sources": list(doc.sources),
    }


def _page_link(request: Request, offset: int, limit: int) -> str:
    # Relative: a link built from the Host header would hand a cached page the first asker's
    # name (cache poisoning), and the client already knows where it is.
    url = request.url.include_query_params(offset=offset, limit=limit)
    return f"{url.path}?{url.query}"


# --- submitted documents -----------------------------------------------------------------------


def _body_text(body: bytes, content_type: str, media: str) -> str:
    """The body as text, decoded as the CLI decodes a file unless the client names a charset."""
    empty = "request body is empty; send the article text, HTML or JSON"
    if not body.strip():
        raise ApiError(400, empty)
    kind = binary_kind(body[:SNIFF_BYTES])
    if kind is not None and not kind.startswith("contains nul"):
        raise ApiError(415, f"request body is binary data ({kind}), not text; {_SEND_TEXT}")
    charset = _charset_param(content_type)
    if charset is None and (media == "application/json" or media in JSONL_TYPES):
        charset = "utf-8"  # RFC 8259: JSON travels as UTF-8
    if charset is not None:
        try:
            text = body.decode(charset)
        except LookupError:
            raise ApiError(400, f"unknown charset {charset!r} in the Content-Type") from None
        except UnicodeDecodeError:
            raise ApiError(400, f"request body is not valid {charset} text") from None
        text = text.removeprefix("\ufeff")
    else:
        decoded = decode_text(body)
        if isinstance(decoded, Refusal):
            if not decoded.reason.startswith("binary file"):
                raise ApiError(400, empty)  # a byte-order mark and nothing else
            # The file reader's words ("binary file, not text (...)") about the body.
            reason = decoded.reason.replace("binary file", "binary data", 1)
            raise ApiError(415, f"request body is {reason}; {_SEND_TEXT}")
        text = decoded
    if not text.strip():
        raise ApiError(400, empty)
    if "\x00" in text[:SNIFF_BYTES]:
        raise ApiError(415, f"request body is binary data (contains nul bytes); {_SEND_TEXT}")
    return text


_SEND_TEXT = "send the article as text/plain, text/html or JSON"
_URL_ONLY_RE = re.compile(r"https?://\S+", re.IGNORECASE)


def _charset_param(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def _refuse_non_document(text: str) -> None:
    """Refuse what only the CLI reads (URLs, WARC archives, feeds) instead of storing it as text."""
    head = text.lstrip()[:FEED_SNIFF_CHARS]
    if _URL_ONLY_RE.fullmatch(text.strip()):
        raise ApiError(
            400,
            "the body is a URL; the API does not fetch pages: send the article's text or "
            "HTML, or fetch it with `visitrack ingest URL`",
        )
    if head.startswith("WARC/"):
        raise ApiError(
            415, "the body is a WARC archive, not a document: load it with `visitrack ingest`"
        )
    if looks_like_feed(head) and "<html" not in head.lower():
        raise ApiError(
            415,
            "the body is an RSS/Atom feed, not a document; the API does not follow its links: "
            "read it with `visitrack ingest`",
        )


def _submitted(body: bytes, content_type: str, request: Request) -> list[RawDocument]:
    """The documents in a POST body: JSON (one or ``{"documents": [...]}``), JSONL, or raw.

    Every row is parsed and checked (:func:`visitrack.readers.files.corpus_row`: types, dates,
    and each string field by :mod:`visitrack.fields`) before any is extracted or stored: one
    bad row refuses the whole request with a 400 naming the row and the field.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or media in JSONL_TYPES:
        for name in request.query_params:
            # Ignoring it would store the rows without what the client meant to say.
            raise ApiError(
                400,
                f"parameter {name!r} is for a text/plain or text/html body; give it as a field "
                "of the JSON document",
            )
    text = _body_text(body, content_type, media)
    rows: list[Any]
    if media == "application/json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ApiError(400, f"malformed JSON: {err.msg} at column {err.colno}") from None
        except RecursionError:
            raise ApiError(400, "malformed JSON: nested too deeply") from None
        except ValueError as err:  # e.g. a number longer than Python's 4,300-digit limit
            raise ApiError(400, f"malformed JSON: {err}") from None
        if isinstance(data, dict) and "documents" in data:
            rows = data["documents"]
            if not isinstance(rows, list):
                raise ApiError(400, "'documents' must be a list of objects")
        elif isinstance(data, dict):
            rows = [data]
        else:
            raise ApiError(400, "JSON body must be an object with 'text' or 'html'")
        _check_batch_size(len(rows))
    elif media in JSONL_TYPES:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        # Counted before any row is parsed: a body of a million tiny rows costs a split.
        _check_batch_size(len(lines))
        rows = []
        for n, ln in enumerate(lines, 1):
            try:
                rows.append(json.loads(ln))
            except (ValueError, RecursionError):
                # The row parser words the error, with its column.
                failure = parse_corpus_row(ln.encode("utf-8"), f"request document {n}", None)
                assert isinstance(failure, InputFailure)
                raise ApiError(400, f"{failure.source}: {failure.reason}") from None
    elif media in ("text/plain", "text/html", ""):
        _refuse_non_document(text)
        row = {"text" if media != "text/html" else "html": text}
        for key, param in (
            ("id", "doc_id"),
            ("published", "published"),
            ("url", "url"),
            ("title", "title"),
        ):
            if request.query_params.get(param):
                row[key] = request.query_params[param]
        rows = [row]
    else:
        raise ApiError(
            415,
            f"unsupported content type {media!r}; send text/plain, text/html, "
            "application/json or application/x-ndjson",
        )
    if not rows:
        raise ApiError(400, "no documents in the request")
    raws: list[RawDocument] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, 1):
        where = f"request document {n}"
        parsed = corpus_row(_with_id(row), where, None)
        if isinstance(parsed, InputFailure):
            raise ApiError(400, f"{where}: {parsed.reason}")
        if parsed.doc_id in seen:
            raise ApiError(400, f"{where}: id {parsed.doc_id!r} appears twice in the request")
        seen.add(parsed.doc_id)
        raws.append(parsed)
    return raws


def _check_batch_size(count: int) -> None:
    if count > MAX_BATCH_DOCUMENTS:
        raise ApiError(413, f"{count} documents in one request; send at most {MAX_BATCH_DOCUMENTS}")


def _with_id(row: Any) -> Any:
    """Give a row without an id a stable one from its content, so a resubmission is a no-op."""
    if isinstance(row, dict) and row.get("id") in (None, ""):
        content = row.get("text") or row.get("html") or ""
        if isinstance(content, str):
            digest = hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
            return {**row, "id": f"api-{digest[:16]}"}
    return row


# --- the app -----------------------------------------------------------------------------------


# /api/visits answers are kept this long: a dashboard and its users ask the same pages again
# and again, and 20 concurrent clients on 2 cores otherwise queue behind the database
# (scripts/bench_api.py: p95 440 ms uncached). Two seconds keeps other processes' ingests
# visible almost at once.
LIST_CACHE_TTL_S = 2.0
# The consistency promise: no list, stats or export answer older than this is served, so a
# submission shows in every server process's answers within it (its own 201 answer and job
# show it at once). Between the TTL and this, a stale list or stats answer is served while one
# refresh recomputes it: under scripts/bench_load.py (one request in ten a write) readers
# otherwise waited on misses the writes caused.
LIST_CACHE_MAX_STALE_S = 5.0
# A write through this process does not make an answer computed less than this long ago stale:
# under scripts/bench_load.py each server process stores about 4 writes a second, so marking
# every answer stale on every write refreshed each popular answer after each write, CPU the
# readers were queueing for (reads p95 161 -> 148 ms in one run, 2026-12-02). A write still
# shows in this process's lists within this bound plus one refresh, and the
# LIST_CACHE_MAX_STALE_S promise is unchanged.
REFRESH_AFTER_WRITE_S = 1.0
# Refreshes of stale answers one server process runs at once: each holds a thread and a
# database read, so that a burst of stale keys cannot take the CPU from readers. Two, so that
# refreshing a whole-store export (0.5-1.8 s on the busy 2-core machine under
# scripts/bench_load.py) does not hold back every other refresh until their answers expire.
MAX_CACHE_REFRESHES = 2
# How `visitrack serve --workers N` hands its settings to each server process: the database in
# the store's own variable (store.ENV_DB), the bind address in this one.
ENV_BIND_HOST = "VISITRACK_BIND_HOST"
# Host names the server answers besides loopback ones, comma-separated (`--allow-host`).
ENV_ALLOWED_HOSTS = "VISITRACK_ALLOWED_HOSTS"
LIST_CACHE_ENTRIES = 1024
# Bodies the list cache may hold in all: a few hundred ordinary pages, whatever the entry count.
LIST_CACHE_MAX_BYTES = 32 * 1024 * 1024
# A page larger than this share of the cache is answered but not kept: it would evict the rest.
CACHE_LARGEST_SHARE = 8
# Exports one server process streams at once; each holds a database read and a thread.
MAX_CONCURRENT_EXPORTS = 2
# A kept export this old is recomputed in the background while its readers still get the kept
# bytes, so a popular export (the whole store) is rendered less often on a reader's request,
# with others queueing behind it: under scripts/bench_load.py the whole-store exports (3,353
# storylines, about 0.2 s of CPU) were most of the exports' p95 of 450 ms. A refresh starts
# only when the export is asked for again, and took 0.5-1.8 s there, so it has half of
# LIST_CACHE_MAX_STALE_S to land: in 40 s of that load, a whole-store export was rendered on
# request 23 times with 2.5 s (8 of them the first of their kind), 35 times with 4 s. Writes
# change nothing here (exports were kept regardless of them before too).
EXPORT_FRESH_S = 2.5
EXPORT_RETRY_AFTER_S = 5
# How long a client may take to send a request body (5 MB at most): a slow sender must not hold
# a connection and a worker open indefinitely.
BODY_TIMEOUT_S = 30.0
# How long a submission's request waits for its extraction before answering 202 with a job.
SUBMIT_WAIT_S = 10.0
# How often a waiting submission checks whether its client is still there.
DISCONNECT_POLL_S = 0.25
QUEUE_RETRY_AFTER_S = 10
JOB_POLL_AFTER_S = 2
# A job still pending this many per-document time limits after its budget ran out has no
# process working on it any more (its server process was killed or restarted): the budget stops
# a batch between documents, so only the document in hand (each stage within the limit) and
# storing the batch run past it.
JOB_LOST_GRACE_LIMITS = 5
LOST_JOB_ERROR = (
    "the server process extracting this submission stopped before it finished, so its "
    "documents may not be stored: submit it again (a document already stored is answered "
    "as a duplicate)"
)
DEAD_WORKER_ERROR = (
    "the extraction process stopped (killed, or out of memory) before it finished this "
    "submission; nothing of it was stored: submit it again"
)
# Extraction processes per server process under `visitrack serve`.
SERVE_EXTRACT_PROCESSES = 1


class _SecurityHeaders:
    """Adds SECURITY_HEADERS to every response that does not set them itself.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's function middleware
    re-streams every response body through an extra task, a measurable cost under load.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class _Waiter:
    """A submission's request, waiting for its batch: set from the extractor's thread."""

    loop: asyncio.AbstractEventLoop
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answer: list[dict[str, Any]] | ApiError | None = None
    gone: bool = False


@dataclass(frozen=True, slots=True)
class CachedBody:
    """A cached answer: its body, and whether it is still fresh or only still servable."""

    body: bytes
    fresh: bool


@dataclass(frozen=True, slots=True)
class CacheStamp:
    """When a computation of an answer began, and the cache's generation then."""

    at: float
    generation: int


@dataclass(slots=True)
class _Entry:
    body: bytes
    computed_at: float
    generation: int


class ResponseCache:
    """A thread-safe LRU of response bodies that may be served a little stale.

    A body is *fresh* for ``ttl`` seconds after its computation began, and, once
    :meth:`invalidate` is called (a write through this process), only until it is
    ``refresh_after_write`` seconds old: writes arriving faster than that do not force a
    refresh each. After that :meth:`lookup` still returns it, marked stale, until ``max_stale``
    seconds after its computation began, so a reader can be answered at once while one refresh
    recomputes it; no body older than ``max_stale`` is ever returned. A body is stamped with
    the generation its computation began in (:meth:`stamp`), so one that raced a write counts
    as computed before it.

    Bounded twice: at most ``size`` entries and ``max_bytes`` of bodies. Entries past
    ``max_stale`` are dropped on every write, not only when the entry count overflows; a body
    over an eighth of ``max_bytes`` is not kept. At most ``max_refreshes`` refreshes run at
    once (:meth:`claim`). ``clock`` is the time source (seconds, monotonic).
    """

    def __init__(
        self,
        ttl: float,
        size: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_stale: float | None = None,
        max_refreshes: int = 1,
        refresh_after_write: float = 0.0,
    ) -> None:
        self._ttl = ttl
        self._refresh_after_write = refresh_after_write
        self._max_stale = max(ttl, max_stale if max_stale is not None else ttl)
        self._size = size
        self._max_bytes = max_bytes
        self._max_refreshes = max_refreshes
        self._clock = clock
        self._items: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._generation = 0
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    @property
    def max_stale(self) -> float:
        return self._max_stale

    @property
    def largest(self) -> int:
        """The largest body :meth:`put` keeps."""
        return self._max_bytes // CACHE_LARGEST_SHARE

    def stamp(self) -> CacheStamp:
        """Take this before computing an answer and give it to :meth:`put` with the body."""
        with self._lock:
            return CacheStamp(self._clock(), self._generation)

    def lookup(self, key: str, fresh_for: float | None = None) -> CachedBody | None:
        """The body kept for ``key``, fresh or still servable. With ``fresh_for``, it is fresh
        until that many seconds old, writes or not (for answers kept regardless of writes)."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            age = self._clock() - hit.computed_at
            if age > self._max_stale:
                self._drop(key)
                return None
            self._items.move_to_end(key)
            if fresh_for is not None:
                fresh = age <= fresh_for
            else:
                fresh = age <= self._ttl and (
                    hit.generation == self._generation or age < self._refresh_after_write
                )
            return CachedBody(hit.body, fresh)

    def get(self, key: str) -> bytes | None:
        """The body kept for ``key``, fresh or still servable; ``None`` when there is none."""
        hit = self.lookup(key)
        return hit.body if hit is not None else None

    def put(self, key: str, body: bytes, stamp: CacheStamp | None = None) -> None:
        """Keep ``body`` for ``key``; ``stamp`` is when its computation began (default: now)."""
        if len(body) > self.largest:
            return
        with self._lock:
            now = self._clock()
            if stamp is None:
                stamp = CacheStamp(now, self._generation)
            for stale in [
                k for k, e in self._items.items() if now - e.computed_at > self._max_stale
            ]:
                self._drop(stale)
            held = self._items.get(key)
            if held is not None:
                if held.computed_at > stamp.at:
                    return  # a later computation finished first: keep the newer body
                self._drop(key)
            self._items[key] = _Entry(body, stamp.at, stamp.generation)
            self._bytes += len(body)
            while len(self._items) > self._size or self._bytes > self._max_bytes:
                self._drop(next(iter(self._items)))

    def invalidate(self) -> None:
        """Mark every body stale: still servable within ``max_stale`` while it is refreshed."""
        with self._lock:
            self._generation += 1

    def claim(self, key: str) -> bool:
        """Whether the caller may refresh ``key`` now (it must :meth:`release` it after): not
        when a refresh of it is running, or ``max_refreshes`` are."""
        with self._lock:
            if key in self._refreshing or len(self._refreshing) >= self._max_refreshes:
                return False
            self._refreshing.add(key)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._refreshing.discard(key)

    def _drop(self, key: str) -> None:
        entry = self._items.pop(key)
        self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


def create_app(
    db_url: str | None = None,
    *,
    token: str | None = None,
    bind_host: str = DEFAULT_HOST,
    time_limit_s: float | None = DOCUMENT_TIME_LIMIT_S,
    create: bool = True,
    allowed_hosts: Sequence[str] | None = None,
    max_exports: int = MAX_CONCURRENT_EXPORTS,
    body_timeout_s: float = BODY_TIMEOUT_S,
    extract_processes: int = 0,
    max_pending: int = DEFAULT_MAX_PENDING,
    budget_s: float = DEFAULT_BUDGET_S,
    submit_wait_s: float = SUBMIT_WAIT_S,
    cache_ttl_s: float = LIST_CACHE_TTL_S,
    cache_max_stale_s: float = LIST_CACHE_MAX_STALE_S,
    cache_export_fresh_s: float = EXPORT_FRESH_S,
) -> FastAPI:
    """The API and dashboard over the store at ``db_url`` (as :func:`open_store` reads it).

    Args:
        db_url: database URL or SQLite path; ``None`` means ``$VISITRACK_DB`` or the default.
        token: the bearer token writes need; ``None`` reads ``$VISITRACK_TOKEN``.
        bind_host: the address the server listens on. Without a token, writes are allowed
            only when this is a loopback address.
        time_limit_s: seconds extraction may spend on one submitted document before it is
            answered as that document's failure (see :mod:`visitrack.limits`).
        create: create the store when there is none (``visitrack serve`` passes ``False``:
            serving a mistyped database name is refused instead).
        allowed_hosts: Host names the server answers besides loopback ones (on loopback), or
            instead of any name (elsewhere); ``None`` reads ``$VISITRACK_ALLOWED_HOSTS``.
        max_exports: exports one server process streams at once; more get 429.
        body_timeout_s: how long a request body may take to arrive before a 408.
        extract_processes: processes extracting submissions (:class:`visitrack.jobs.Extractor`;
            ``0``: one thread of this process). ``visitrack serve`` runs one per server process.
        max_pending: submissions accepted and not yet extracted; more get 429.
        budget_s: seconds a submission may take from arrival to its last document.
        submit_wait_s: how long ``POST /api/documents`` waits for the extraction before
            answering 202 with the job's URL instead of 201 with the result.
        cache_ttl_s: seconds a cached list, stats or export answer is fresh (and only until
            a write through this process).
        cache_max_stale_s: seconds after which a cached answer is never served: a submission
            shows in every list, the stats and exports within this time.
        cache_export_fresh_s: seconds after which a kept export is recomputed in the
            background while it is still served (at most ``cache_max_stale_s``).

    Raises:
        StoreError: the database cannot be opened (or, with ``create=False``, does not exist).
        ConfigError: the token or an allowed host name cannot work.
    """
    write_token = write_token_from(token if token is not None else os.environ.get(ENV_TOKEN))
    if allowed_hosts is None:
        listed = os.environ.get(ENV_ALLOWED_HOSTS, "")
        allowed_hosts = [name for name in listed.split(",") if name.strip()]
    allowed = allowed_host_names(allowed_hosts)
    store = open_store(db_url, create=create)
    loopback_only = is_loopback(bind_host)
    extractor = Extractor(
        processes=extract_processes,
        max_pending=max_pending,
        time_limit_s=time_limit_s,
        budget_s=budget_s,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        extractor.warm_up()
        yield
        extractor.close()
        # A refresh holds a store read on a worker thread: let it end before the store does.
        await asyncio.gather(*refreshes, return_exceptions=True)
        store.close()

    app = FastAPI(
        title="visitrack",
        summary="Diplomatic visit storylines extracted from news.",
        version="1",
        docs_url=None,  # the stock pages load Swagger UI / ReDoc from a CDN; see /docs below
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.extractor = extractor
    schema = openapi_document(
        app.version,
        ApiLimits(
            max_body_bytes=MAX_BODY_BYTES,
            max_batch_documents=MAX_BATCH_DOCUMENTS,
            max_page_size=MAX_PAGE_SIZE,
            max_offset=MAX_OFFSET,
            export_media=EXPORT_MEDIA,
            feed_entries=export.FEED_ENTRIES,
        ),
    )

    def openapi() -> dict[str, Any]:
        # Written out (visitrack.api_schema): the handlers read their own parameters, so
        # FastAPI's inferred document described another API.
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StoreError)
    async def _store_error(_request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            message = f"no such page: {request.url.path}"
        elif exc.status_code == 405:
            allowed = headers.get("Allow", "")
            message = f"{request.method} is not allowed on {request.url.path}; use {allowed}"
        else:
            message = str(exc.detail)
        # headers: a 405 keeps its Allow header
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        ]
        return JSONResponse({"error": "; ".join(problems) or "invalid request"}, 422)

    @app.exception_handler(Exception)
    async def _internal_error(_request: Request, _exc: Exception) -> JSONResponse:
        # A bug, not the client's fault: still JSON, without the internals (uvicorn logs the
        # traceback).
        return JSONResponse({"error": "internal error; the server log has the details"}, 500)

    app.add_middleware(_SecurityHeaders)

    def check_write(request: Request) -> None:
        if write_token is not None:
            given = request.headers.get("authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                value.strip().encode(), write_token.encode()
            ):
                raise ApiError(
                    401,
                    "this server needs a token to write: send Authorization: Bearer <token>",
                    headers={"WWW-Authenticate": 'Bearer realm="visitrack"'},
                )
            return
        if not loopback_only:
            raise ApiError(
                403,
                f"writes are disabled: the server listens on {bind_host} without a token; "
                f"set {ENV_TOKEN} and send Authorization: Bearer <token>",
            )
        # Loopback without a token: a web page in the user's browser can still reach us
        # (a cross-site form POST, or DNS rebinding). Only same-origin loopback requests pass.
        host = request.headers.get("host", "")
        parsed = parse_host(host)
        if parsed is None or not is_loopback(parsed.name):
            raise ApiError(
                403, f"writes without a token must address a loopback host, not {host!r}"
            )
        origin = request.headers.get("origin")
        if origin is not None and not same_origin(origin, parsed):
            raise ApiError(
                403, f"cross-origin write from {origin!r} refused: the origin must be http://{host}"
            )

    # --- reading ---------------------------------------------------------------------------

    list_cache = ResponseCache(
        cache_ttl_s,
        LIST_CACHE_ENTRIES,
        LIST_CACHE_MAX_BYTES,
        max_stale=cache_max_stale_s,
        max_refreshes=MAX_CACHE_REFRESHES,
        refresh_after_write=REFRESH_AFTER_WRITE_S,
    )
    # Refreshes running in the background, kept so that they are not collected half-way and
    # so that shutdown can wait for them before closing the store.
    refreshes: set[asyncio.Task[None]] = set()

    async def cached(key: str, compute: Callable[[], Response]) -> Response:
        """The JSON answer for ``key``: from the cache when it holds one, refreshed in the
        background when it is stale (this reader does not wait for that); else ``compute``d on
        a worker thread now and kept. Errors (``ApiError``) are raised, not kept."""
        hit = list_cache.lookup(key)
        if hit is not None:
            # A hit is answered on the event loop; only a miss pays for a worker thread.
            if not hit.fresh:
                start_refresh(key, lambda: bytes(compute().body))
            return Response(hit.body, media_type="application/json")
        stamp = list_cache.stamp()
        response = await run_in_threadpool(compute)
        list_cache.put(key, bytes(response.body), stamp)
        return response

    def start_refresh(key: str, compute: Callable[[], bytes]) -> None:
        """Recompute ``key``'s body in the background, unless a refresh of it (or
        ``MAX_CACHE_REFRESHES``) is running."""
        if list_cache.claim(key):
            task = asyncio.get_running_loop().create_task(refresh(key, compute))
            refreshes.add(task)
            task.add_done_callback(refreshes.discard)

    async def refresh(key: str, compute: Callable[[], bytes]) -> None:
        try:
            stamp = list_cache.stamp()
            body = await run_in_threadpool(compute)
            list_cache.put(key, body, stamp)
        except (ApiError, StoreError):
            # The stale body is served until it is too old; then a reader computes the answer
            # itself and gets the error.
            pass
        finally:
            list_cache.release(key)

    export_slots = threading.BoundedSemaphore(max_exports)

    @app.get("/api/visits", summary="Storylines, filtered and paged")
    async def list_visits(request: Request) -> Response:
        """Filters: country, visitor, destination, stage, from, to, upcoming; limit, offset.

        Answers are cached: fresh for ``LIST_CACHE_TTL_S`` seconds, or after a submission
        through this server process only until ``REFRESH_AFTER_WRITE_S`` old, then served
        stale while one refresh recomputes them, and never older than
        ``LIST_CACHE_MAX_STALE_S`` (the bound on any process's ingest).
        """
        return await cached(f"{date.today()}?{request.url.query}", lambda: _list_visits(request))

    def _list_visits(request: Request) -> JSONResponse:
        filters = _filters(request, LIST_PARAMS)
        q = request.query_params
        limit = _int("limit", q.get("limit"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        offset = _int("offset", q.get("offset"), 0, 0, MAX_OFFSET)
        try:
            sort, descending = parse_sort(q.get("sort"), q.get("order"))
        except FilterError as err:
            raise ApiError(400, err.message) from None
        kwargs = filters.store_kwargs(today=date.today())
        # One row more than asked says whether a next page exists.
        rows = store.storylines(
            **kwargs, limit=limit + 1, offset=offset, sort=sort, descending=descending
        )
        more = len(rows) > limit
        rows = rows[:limit]
        # The last page's own rows tell the total; otherwise (or past the end) one COUNT.
        last = not more and (rows or not offset)
        total = offset + len(rows) if last else store.count_storylines(**kwargs)
        # JSONResponse directly: FastAPI's generic encoder would walk every value of every
        # storyline again, which doubled this endpoint's cost under load.
        return JSONResponse(
            {
                "visits": [s.to_dict() for s in rows],
                "limit": limit,
                "offset": offset,
                "count": len(rows),
                "total": total,
                "next": _page_link(request, offset + limit, limit) if more else None,
                "previous": _page_link(request, max(0, offset - limit), limit) if offset else None,
            }
        )

    @app.get("/api/countries", summary="Every country code with its English name")
    def list_countries(request: Request) -> JSONResponse:
        _filters(request, ())
        return JSONResponse({"countries": countries()}, headers={"Cache-Control": "max-age=86400"})

    @app.get("/api/visits/{storyline_id}", summary="One storyline with history and sources")
    def get_visit(storyline_id: str) -> JSONResponse:
        if not _STORYLINE_ID_RE.fullmatch(storyline_id):
            raise ApiError(400, f"not a storyline id: {storyline_id!r}")
        found = store.storyline(storyline_id)
        if found is None:
            moved = store.redirect(storyline_id)
            if moved is not None:
                # 308: a cited id keeps working, and clients keep the method on the way.
                return JSONResponse(
                    {"id": storyline_id, "moved_to": moved.new_id, "reason": moved.reason},
                    status_code=308,
                    headers={"Location": f"/api/visits/{moved.new_id}"},
                )
            raise ApiError(404, f"no storyline with id {storyline_id!r}")
        line, members = found
        data = line.to_dict()
        data["sources"] = [
            {"visit": v.to_dict(), "document": _document_json(d)} for v, d in members
        ]
        return JSONResponse(data)

    # :path, because document ids are paths and URLs (`news/siteA/index.html`).
    @app.get("/api/documents/{doc_id:path}", summary="A stored document and the visits found in it")
    def get_document(doc_id: str) -> JSONResponse:
        return document_answer(doc_id)

    # Any id, as a query parameter: clients and browsers resolve dot segments in a path
    # ("a/../b", ".."), so an id holding one cannot be fetched by the path form above.
    @app.get("/api/document", summary="A stored document by id, any id (?id=...)")
    def get_document_by_id(request: Request) -> JSONResponse:
        _filters(request, ("id",))
        doc_id = request.query_params.get("id")
        if not doc_id:
            raise ApiError(400, "give the document id as ?id=ID")
        return document_answer(doc_id)

    def document_answer(doc_id: str) -> JSONResponse:
        if len(doc_id) > ID_LENGTH:
            raise ApiError(400, f"document ids are at most {ID_LENGTH} characters")
        if "\x00" in doc_id:
            raise ApiError(400, "document ids do not contain NUL characters")
        doc = store.document(doc_id)
        if doc is None:
            raise ApiError(404, f"no document with id {doc_id!r}")
        data = _document_json(doc)
        data["text"] = doc.cleaned_text
        data["visits"] = [
            {**v.to_dict(), "storyline_id": sid} for sid, v in store.document_mentions(doc_id)
        ]
        return JSONResponse(data)

    @app.get("/api/stats", summary="Storylines by stage, country, country pair and month")
    async def stats(request: Request) -> Response:
        # Cached like the list: each answer groups every storyline the filters keep.
        key = f"stats:{date.today()}?{request.url.query}"
        return await cached(key, lambda: _stats(request))

    def _stats(request: Request) -> JSONResponse:
        filters = _filters(request, STATS_PARAMS)
        data = store.stats(**filters.store_kwargs(today=date.today()))
        data["store"] = store.counts()
        return JSONResponse(data)

    export_fresh_s = min(cache_export_fresh_s, list_cache.max_stale)

    @app.get("/api/export", summary="Filtered storylines as CSV, JSONL, iCalendar or a panel")
    async def export_visits(request: Request) -> Response:
        fmt = request.query_params.get("format", "jsonl")
        if fmt not in EXPORT_MEDIA:
            raise ApiError(400, f"format must be one of {', '.join(EXPORT_MEDIA)}; got {fmt!r}")
        filters = _filters(request, EXPORT_PARAMS)
        media, filename = EXPORT_MEDIA[fmt]
        # Kept like the lists when small (an eighth of the cache at most), and refreshed in
        # the background once EXPORT_FRESH_S old: an export asked again within seconds is the
        # same bytes, and rendering exports was most of the readers' CPU under
        # scripts/bench_load.py. The key holds the base URL the answer's links may be built
        # on. A larger export is only ever streamed. Asynchronous: a hit is answered on the
        # event loop, and a miss only sets up the stream, whose rows are written on its own
        # thread.
        base_url = str(request.base_url)
        disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
        key = f"export:{date.today()}:{base_url}?{request.url.query}"
        hit = list_cache.lookup(key, fresh_for=export_fresh_s)
        if hit is not None:
            if not hit.fresh:
                start_refresh(key, lambda: render_export(fmt, filters, base_url))
            return Response(hit.body, media_type=media, headers=disposition)
        stamp = list_cache.stamp()
        if not export_slots.acquire(blocking=False):
            raise ApiError(
                429,
                f"{max_exports} exports are running on this server process; try again in "
                f"{EXPORT_RETRY_AFTER_S} s",
                headers={"Retry-After": str(EXPORT_RETRY_AFTER_S)},
            )
        try:
            # Streamed: rows are read, written and sent a batch at a time, so an export of
            # the whole store costs the server a few chunks of memory, not the store's size.
            body = open_export(fmt, filters, base_url, on_close=export_slots.release)
        except BaseException:
            export_slots.release()
            raise
        return StreamingResponse(
            _chunks(
                body,
                keep=lambda whole: list_cache.put(key, whole, stamp),
                keep_limit=list_cache.largest,
            ),
            media_type=media,
            headers=disposition,
        )

    def open_export(
        fmt: str, filters: Filters, base_url: str, on_close: Callable[[], None] | None = None
    ) -> export.ExportStream:
        """The stream of an export's bytes, for a reader or for a refresh alike."""
        today = date.today()
        return export.ExportStream(
            fmt,
            store.stream_storylines(**filters.store_kwargs(today=today)),
            today=today,
            on_close=on_close,
            urls=store.document_urls,
            base_url=base_url,
        )

    def render_export(fmt: str, filters: Filters, base_url: str) -> bytes:
        """An export's whole body, for a background refresh of a kept (small) one: read from
        the same stream a reader gets, so the same bytes."""
        stream = open_export(fmt, filters, base_url)
        try:
            return b"".join(stream)
        finally:
            stream.close()

    @app.get("/api/feed.atom", summary="New storylines and stage changes as an Atom feed")
    def feed(request: Request) -> Response:
        filters = _filters(request, FEED_PARAMS)
        # The storylines that changed last hold the newest entries (each has one on the day
        # it last changed), so the feed reads no more storylines than it has entries.
        lines = store.storylines(
            **filters.store_kwargs(today=date.today()),
            limit=export.FEED_ENTRIES,
            sort="changed",
            descending=True,
        )
        out = io.StringIO()
        base = str(request.base_url)
        export.atom_feed(lines, out, base_url=base, self_url=str(request.url))
        return Response(out.getvalue(), media_type="application/atom+xml; charset=utf-8")

    # --- writing ---------------------------------------------------------------------------

    @app.post("/api/documents", summary="Submit text, HTML or a JSONL batch for extraction")
    async def submit(request: Request) -> JSONResponse:
        check_write(request)
        _filters(request, SUBMIT_PARAMS)
        body = await _read_body(request, MAX_BODY_BYTES, body_timeout_s)
        # Off the event loop: guessing the encoding of a 5 MB body takes about a second.
        ctype = request.headers.get("content-type", "")
        raws = await run_in_threadpool(_submitted, body, ctype, request)
        if extractor.pending >= extractor.max_pending:
            raise _queue_full()
        job_id = uuid.uuid4().hex
        await run_in_threadpool(store.create_job, job_id, len(raws))
        waiter = _Waiter(asyncio.get_running_loop())
        future = extractor.submit(raws)
        if future is None:
            await run_in_threadpool(store.finish_job, job_id, "refused", None)
            raise _queue_full()
        future.add_done_callback(lambda done: _finish(job_id, done, waiter))
        # A short wait: most submissions are a page or two, answered 201 with their visits;
        # a batch that takes longer is answered 202 with the job to ask later.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + submit_wait_s
        while not waiter.done.is_set() and loop.time() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    waiter.done.wait(), min(DISCONNECT_POLL_S, deadline - loop.time())
                )
            if not waiter.done.is_set() and await request.is_disconnected():
                # Nobody will read the answer: drop the work not yet done.
                waiter.gone = True
                future.cancel()
                return JSONResponse({"error": "the client went away"}, status_code=499)
        if waiter.done.is_set():
            if isinstance(waiter.answer, ApiError):
                raise waiter.answer
            return JSONResponse({"documents": waiter.answer}, status_code=201)
        url = f"/api/jobs/{job_id}"
        return JSONResponse(
            {"job": job_id, "state": "pending", "url": url, "count": len(raws)},
            status_code=202,
            headers={"Location": url, "Retry-After": str(JOB_POLL_AFTER_S)},
        )

    def _queue_full() -> ApiError:
        return ApiError(
            429,
            f"{extractor.max_pending} submissions are waiting for extraction on this server "
            f"process; try again in {QUEUE_RETRY_AFTER_S} s",
            headers={"Retry-After": str(QUEUE_RETRY_AFTER_S)},
        )

    def _finish(job_id: str, future: Future[list[DocumentResult]], waiter: _Waiter) -> None:
        """Store a finished batch and record its job (on the extractor's thread)."""
        try:
            waiter.answer = _settle(job_id, future, waiter)
        except StoreError:
            waiter.answer = ApiError(503, "the store could not record the submission; try again")
        finally:
            waiter.loop.call_soon_threadsafe(waiter.done.set)

    def _settle(
        job_id: str, future: Future[list[DocumentResult]], waiter: _Waiter
    ) -> list[dict[str, Any]] | ApiError:
        gone = {"error": "the client went away before the extraction finished"}
        if waiter.gone or future.cancelled():
            store.finish_job(job_id, "dropped", gone)
            return ApiError(499, gone["error"])
        try:
            results = future.result()
        except BrokenProcessPool:
            failed = ApiError(503, DEAD_WORKER_ERROR)
            store.finish_job(job_id, "failed", {"error": failed.message})
            return failed
        except Exception as exc:
            failed = ApiError(503, f"extraction failed ({type(exc).__name__}); try again")
            store.finish_job(job_id, "failed", {"error": failed.message})
            return failed
        if waiter.gone:  # went while the batch ran: its results are not stored either
            store.finish_job(job_id, "dropped", gone)
            return ApiError(499, gone["error"])
        try:
            answer = _store_results(results)
        except StoreError as exc:
            store.finish_job(job_id, "failed", {"error": exc.message})
            return ApiError(503, exc.message)
        store.finish_job(job_id, "done", {"documents": answer})
        return answer

    @app.get("/api/jobs/{job_id}", summary="A submitted batch: pending, or its answer")
    def get_job(job_id: str) -> JSONResponse:
        if not _JOB_ID_RE.fullmatch(job_id):
            raise ApiError(400, f"not a job id: {job_id[:80]!r}")
        job = store.job(job_id)
        if job is None:
            raise ApiError(404, f"no job with id {job_id!r} (answers are kept for a day)")
        if job.state == "pending" and _lost(job.submitted_at):
            # The server process that took it stopped (killed, restarted) before finishing
            # it: nothing will, so the submitter is told instead of polling for ever.
            store.finish_job(job_id, "failed", {"error": LOST_JOB_ERROR}, only_pending=True)
            job = store.job(job_id) or job
        return JSONResponse(
            {
                "id": job.id,
                "state": job.state,
                "count": job.documents,
                "submitted_at": job.submitted_at.isoformat(),
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                **(job.answer or {}),
            }
        )

    lost_after = timedelta(
        seconds=budget_s + JOB_LOST_GRACE_LIMITS * (time_limit_s or DOCUMENT_TIME_LIMIT_S)
    )

    def _lost(submitted_at: datetime) -> bool:
        if submitted_at.tzinfo is None:  # SQLite keeps no zone; the store writes UTC
            submitted_at = submitted_at.replace(tzinfo=UTC)
        return datetime.now(UTC) - submitted_at > lost_after

    def _store_results(results: list[DocumentResult]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        try:
            # One transaction: a batch the database refuses part of is stored not at all.
            batch = store.ingest_batch(results)
            for result, stored in zip(results, batch, strict=True):
                doc_id = stored.doc_id or result.raw.doc_id
                entry: dict[str, Any] = {"doc_id": doc_id, "outcome": stored.outcome}
                if stored.note is not None and result.failure is None:
                    entry["note"] = stored.note
                if result.failure is not None:
                    entry["error"] = result.failure.reason
                    entry["visits"] = []
                else:
                    entry["visits"] = [
                        {**v.to_dict(), "storyline_id": sid}
                        for sid, v in store.document_mentions(doc_id)
                    ]
                out.append(entry)
        finally:
            # After the writes, not before: a read that began in between is stamped with the
            # old generation, so its answer is stale as soon as it is kept. Stale, not
            # dropped: readers are answered at once while one refresh recomputes each answer.
            list_cache.invalidate()
        return out

    # --- pages -----------------------------------------------------------------------------

    def page(path: Path) -> FileResponse:
        # no-cache: a new version of the dashboard shows up on the next load.
        return FileResponse(path, media_type="text/html", headers={"Cache-Control": "no-cache"})

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return page(INDEX_HTML)

    @app.get("/storyline/{storyline_id}", include_in_schema=False)
    def storyline_page(storyline_id: str) -> FileResponse:
        return page(INDEX_HTML)

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return page(DOCS_HTML)

    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")
    # Outermost, so an oversized body is refused before any handler buffers it.
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    # Outside even that: a request to a name this server does not have gets nothing else.
    app.add_middleware(HostGuard, loopback_only=loopback_only, allowed=allowed)
    return app


def allowed_host_names(names: Sequence[str]) -> frozenset[str]:
    """Host names as ``--allow-host`` gives them, checked and lowercased.

    Raises:
        ConfigError: a name is not a host name (a port, a scheme or a path is not one either).
    """
    out: set[str] = set()
    for given in names:
        parsed = parse_host(given.strip())
        if parsed is None or parsed.port is not None:
            raise ConfigError(
                f"not a host name to allow: {given!r} (give the name alone, e.g. visits.example)"
            )
        out.add(parsed.name)
    return frozenset(out)


# How long a client may take to send a request's headers (from connecting, or from the end of
# its previous response): uvicorn has no such limit, so a client that sends a byte a minute
# would hold a connection open for ever (slowloris).
HEADER_TIMEOUT_S = 10.0


class TimedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers do not all
    arrive within ``header_timeout_s`` seconds (module level: worker processes unpickle it)."""

    header_timeout_s: ClassVar[float] = HEADER_TIMEOUT_S
    _header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        _no_delay(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the headers are in; the body has its own limit (BODY_TIMEOUT_S)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()  # the next request on this connection gets the same time

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def _no_delay(transport: asyncio.BaseTransport) -> None:
    """Send each answer at once (TCP_NODELAY) on a TCP connection.

    asyncio sets it only on sockets whose protocol number says TCP, and the listening socket
    uvicorn binds for ``--workers N`` says 0, so the connections two server processes accepted
    kept Nagle's algorithm: an answer written in two parts waited for the client's delayed
    acknowledgement, about 40 ms on every small answer (scripts/bench_api.py: sequential
    requests 44 ms with two processes, 1.2 ms with one).
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def timed_protocol(header_timeout_s: float = HEADER_TIMEOUT_S) -> type[TimedH11Protocol]:
    """:class:`TimedH11Protocol` with another header time limit."""
    if header_timeout_s == HEADER_TIMEOUT_S:
        return TimedH11Protocol
    return type("TimedH11Protocol", (TimedH11Protocol,), {"header_timeout_s": header_timeout_s})


def server_config(
    app: ASGIApp | str,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 1,
    header_timeout_s: float = HEADER_TIMEOUT_S,
    log_level: str = "info",
) -> Any:
    """The uvicorn configuration ``visitrack serve`` runs (tests start the same)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        factory=isinstance(app, str),
        http=timed_protocol(header_timeout_s),
        log_level=log_level,
        server_header=False,
        lifespan="on",
    )


def serve(
    db_url: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 1,
    *,
    create: bool = True,
    allowed_hosts: Sequence[str] = (),
) -> None:
    """Run the API and dashboard with uvicorn until interrupted.

    ``workers`` > 1 runs that many server processes (each with its own store connection and
    response cache); uvicorn then needs an import string, so the settings travel in the
    environment to :func:`app_from_env`. ``create=False`` refuses a store that does not exist
    (checked here, before any worker starts).

    Raises:
        StoreError: the database cannot be opened, or does not exist and ``create`` is off.
        ConfigError: the token or an allowed host name cannot work.
    """
    import uvicorn

    if workers <= 1:
        app = create_app(
            db_url,
            bind_host=host,
            create=create,
            allowed_hosts=allowed_hosts,
            extract_processes=SERVE_EXTRACT_PROCESSES,
        )
        _freeze_startup_objects()
        uvicorn.Server(server_config(app, host=host, port=port)).run()
        return
    # Checked here, once, so a bad setting stops the command instead of every worker.
    write_token_from(os.environ.get(ENV_TOKEN))
    allowed = allowed_host_names(allowed_hosts)
    open_store(db_url, create=create).close()
    if db_url is not None:
        os.environ[ENV_DB] = db_url
    os.environ[ENV_BIND_HOST] = host
    os.environ[ENV_ALLOWED_HOSTS] = ",".join(sorted(allowed))
    uvicorn.run(
        "visitrack.api:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        http=TimedH11Protocol,
        log_level="info",
        server_header=False,
    )


def app_from_env() -> FastAPI:
    """The app of one of several server processes (see :func:`serve`)."""
    app = create_app(
        os.environ.get(ENV_DB),
        bind_host=os.environ.get(ENV_BIND_HOST, DEFAULT_HOST),
        extract_processes=SERVE_EXTRACT_PROCESSES,
    )
    _freeze_startup_objects()
    return app


def _freeze_startup_objects() -> None:
    """Keep what a server process holds from its start (modules, the app, the store's engine:
    about 130,000 objects) out of the garbage collector's full passes. Each such pass walked
    them all, holding the event loop ~140 ms several times a minute under the
    scripts/bench_load.py mix (measured in-process, 1,500 reads: 5 full passes, 0.69 s; frozen,
    7 passes, 0.12 s). Only for `visitrack serve`'s processes: anything frozen is never freed."""
    gc.freeze()
