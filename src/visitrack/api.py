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

import hashlib
import hmac
import io
import ipaddress
import json
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import extract, func, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visitrack import export
from visitrack.ingest import _parse_row
from visitrack.pipeline import run
from visitrack.records import STAGES, InputFailure, RawDocument, Storyline, Visit
from visitrack.store import DocumentInfo, Store, StoreError, open_store
from visitrack.store.db import _visit
from visitrack.store.models import ID_LENGTH, Mention
from visitrack.store.models import Storyline as StorylineRow

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ENV_TOKEN",
    "MAX_BATCH_DOCUMENTS",
    "MAX_BODY_BYTES",
    "MAX_PAGE_SIZE",
    "create_app",
    "is_loopback",
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
# Longest visitor search string accepted: names are short, and a bound keeps LIKE cheap.
MAX_SEARCH_CHARS = 200
# Rows returned per breakdown in /api/stats (countries, country pairs).
STATS_TOP = 50

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

_ISO3_RE = re.compile(r"[A-Z]{3}")
_STORYLINE_ID_RE = re.compile(rf"[A-Za-z0-9_.:-]{{1,{ID_LENGTH}}}")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

ExportFormat = Literal["csv", "jsonl", "ics", "panel"]
EXPORT_MEDIA: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "storylines.csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "storylines.jsonl"),
    "ics": ("text/calendar; charset=utf-8", "visits.ics"),
    "panel": ("text/csv; charset=utf-8", "dyad_year_panel.csv"),
}
JSONL_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/x-jsonlines"})


class ApiError(Exception):
    """A request the API refuses, with the status and a message a person can act on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_loopback(host: str) -> bool:
    """Whether a bind address or Host name reaches this machine only."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


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


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it grows past ``limit`` bytes."""
    parts: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise ApiError(413, _too_large_message(limit))
        parts.append(chunk)
    return b"".join(parts)


def _too_large_message(limit: int) -> str:
    return (
        f"request body is over {limit // (1024 * 1024)} MB; send fewer or smaller documents "
        "per request, or use `visitrack ingest` for bulk loads"
    )


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"error": _too_large_message(limit)}, status_code=413)


# --- parameter checks --------------------------------------------------------------------------


def _iso3(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _ISO3_RE.fullmatch(value):
        raise ApiError(400, f"{name} must be an ISO 3166-1 alpha-3 code, got {value!r}")
    return value


def _day(name: str, value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None


def _stage(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in STAGES:
        raise ApiError(400, f"stage must be one of {', '.join(STAGES)}; got {value!r}")
    return value


def _visitor(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_SEARCH_CHARS:
        raise ApiError(400, f"visitor must be at most {MAX_SEARCH_CHARS} characters")
    return value.strip()


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


def _flag(name: str, value: str | None) -> bool:
    if value is None or value == "":
        return False
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ApiError(400, f"{name} must be true or false, got {value!r}")


def _filters(request: Request) -> dict[str, Any]:
    """The CLI's `visitrack visits` filters, read and checked from the query string."""
    q = request.query_params
    date_from = _day("from", q.get("from"))
    date_to = _day("to", q.get("to"))
    if date_from and date_to and date_from > date_to:
        raise ApiError(400, f"from ({date_from}) must not be after to ({date_to})")
    return {
        "country": _iso3("country", q.get("country")),
        "visitor": _visitor(q.get("visitor")),
        "destination": _iso3("destination", q.get("destination")),
        "stage": _stage(q.get("stage")),
        "date_from": date_from,
        "date_to": date_to,
        "upcoming": _flag("upcoming", q.get("upcoming")),
    }


# --- helpers over the store --------------------------------------------------------------------
#
# The store has no per-document mention lookup and no aggregates; these read its tables with
# SQLAlchemy expressions (bound parameters only) on its own engine, as scripts/bench_store.py
# does. They belong in Store (see the integration notes); until then they live here.


def _document_mentions(store: Store, doc_id: str) -> list[tuple[str | None, Visit]]:
    query = select(Mention).where(Mention.doc_id == doc_id).order_by(Mention.ordinal)
    with store._read() as session:
        return [(row.storyline_id, _visit(row)) for row in session.scalars(query)]


def _stats(store: Store) -> dict[str, Any]:
    with store._read() as session:
        by_stage = {s: 0 for s in STAGES}
        for stage, n in session.execute(
            select(StorylineRow.stage, func.count()).group_by(StorylineRow.stage)
        ):
            by_stage[stage] = n
        visitor_rows = session.execute(
            select(StorylineRow.visitor_country, func.count().label("n"))
            .group_by(StorylineRow.visitor_country)
            .order_by(func.count().desc(), StorylineRow.visitor_country)
            .limit(STATS_TOP)
        ).all()
        dest_rows = session.execute(
            select(StorylineRow.destination_country, func.count().label("n"))
            .group_by(StorylineRow.destination_country)
            .order_by(func.count().desc(), StorylineRow.destination_country)
            .limit(STATS_TOP)
        ).all()
        pair_rows = session.execute(
            select(StorylineRow.visitor_country, StorylineRow.destination_country, func.count())
            .group_by(StorylineRow.visitor_country, StorylineRow.destination_country)
            .order_by(func.count().desc(), StorylineRow.visitor_country)
            .limit(STATS_TOP)
        ).all()
        # Month of each visit's window (its first report when undated): EXTRACT compiles to
        # strftime on SQLite and to EXTRACT on PostgreSQL.
        year = extract("year", StorylineRow.span_start)
        month = extract("month", StorylineRow.span_start)
        time_rows = session.execute(
            select(year, month, func.count())
            .where(StorylineRow.span_start.is_not(None))
            .group_by(year, month)
            .order_by(year, month)
        ).all()
    return {
        "total": sum(by_stage.values()),
        "by_stage": by_stage,
        "by_visitor_country": [{"country": c, "count": n} for c, n in visitor_rows],
        "by_destination_country": [{"country": c, "count": n} for c, n in dest_rows],
        "pairs": [
            {"visitor_country": v, "destination_country": d, "count": n} for v, d, n in pair_rows
        ],
        "over_time": [{"month": f"{int(y):04d}-{int(m):02d}", "count": n} for y, m, n in time_rows],
    }


def _document_json(doc: DocumentInfo) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "url": doc.url,
        "published": doc.published.isoformat() if doc.published else None,
        "ingested_at": doc.ingested_at.isoformat(),
    }


def _page_link(request: Request, offset: int, limit: int) -> str:
    return str(request.url.include_query_params(offset=offset, limit=limit))


# --- submitted documents -----------------------------------------------------------------------


def _submitted(body: bytes, content_type: str, request: Request) -> list[RawDocument]:
    """The documents in a POST body: JSON (one or ``{"documents": [...]}``), JSONL, or raw."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "request body must be UTF-8 text") from None
    if not text.strip():
        raise ApiError(400, "request body is empty; send the article text, HTML or JSON")
    if media == "application/json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ApiError(400, f"malformed JSON: {err.msg} at column {err.colno}") from None
        if isinstance(data, dict) and "documents" in data:
            rows = data["documents"]
            if not isinstance(rows, list):
                raise ApiError(400, "'documents' must be a list of objects")
        elif isinstance(data, dict):
            rows = [data]
        else:
            raise ApiError(400, "JSON body must be an object with 'text' or 'html'")
        lines = [json.dumps(_with_id(r), ensure_ascii=False) for r in rows]
    elif media in JSONL_TYPES:
        lines = []
        for ln in text.splitlines():
            if ln.strip():
                try:
                    row = json.loads(ln)
                except json.JSONDecodeError:
                    lines.append(ln)  # the row parser words the error with its line number
                    continue
                lines.append(json.dumps(_with_id(row), ensure_ascii=False))
    elif media in ("text/plain", "text/html", ""):
        row = {"text" if media != "text/html" else "html": text}
        for key, param in (
            ("id", "doc_id"),
            ("published", "published"),
            ("url", "url"),
            ("title", "title"),
        ):
            if request.query_params.get(param):
                row[key] = request.query_params[param]
        lines = [json.dumps(_with_id(row), ensure_ascii=False)]
    else:
        raise ApiError(
            415,
            f"unsupported content type {media!r}; send text/plain, text/html, "
            "application/json or application/x-ndjson",
        )
    if not lines:
        raise ApiError(400, "no documents in the request")
    if len(lines) > MAX_BATCH_DOCUMENTS:
        raise ApiError(
            413, f"{len(lines)} documents in one request; send at most {MAX_BATCH_DOCUMENTS}"
        )
    raws: list[RawDocument] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        where = f"request document {n}"
        parsed = _parse_row(line.encode("utf-8"), where, None)
        if isinstance(parsed, InputFailure):
            raise ApiError(400, f"{where}: {parsed.reason}")
        if len(parsed.doc_id) > ID_LENGTH:
            raise ApiError(400, f"{where}: 'id' must be at most {ID_LENGTH} characters")
        if parsed.doc_id in seen:
            raise ApiError(400, f"{where}: id {parsed.doc_id!r} appears twice in the request")
        seen.add(parsed.doc_id)
        raws.append(parsed)
    return raws


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
# How `visitrack serve --workers N` hands its settings to each server process.
ENV_DB = "VISITRACK_DB"
ENV_BIND_HOST = "VISITRACK_BIND_HOST"
LIST_CACHE_ENTRIES = 1024


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


class _TtlCache:
    """A small thread-safe LRU of response bodies that expire after ``ttl`` seconds."""

    def __init__(self, ttl: float, size: int) -> None:
        self._ttl = ttl
        self._size = size
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None or hit[0] < time.monotonic():
                self._items.pop(key, None)
                return None
            self._items.move_to_end(key)
            return hit[1]

    def put(self, key: str, body: bytes) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self._ttl, body)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def create_app(
    db_url: str | None = None, *, token: str | None = None, bind_host: str = DEFAULT_HOST
) -> FastAPI:
    """The API and dashboard over the store at ``db_url`` (as :func:`open_store` reads it).

    Args:
        db_url: database URL or SQLite path; ``None`` means ``$VISITRACK_DB`` or the default.
        token: the bearer token writes need; ``None`` reads ``$VISITRACK_TOKEN``.
        bind_host: the address the server listens on. Without a token, writes are allowed
            only when this is a loopback address.

    Raises:
        StoreError: the database cannot be opened.
    """
    store = open_store(db_url)
    write_token = token if token is not None else (os.environ.get(ENV_TOKEN) or None)
    loopback_only = is_loopback(bind_host)
    # spaCy pipelines are not documented as thread-safe, and extraction is CPU-bound anyway:
    # one submission is extracted at a time.
    extract_lock = threading.Lock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status)

    @app.exception_handler(StoreError)
    async def _store_error(_request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=503)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = f"no such page: {request.url.path}" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse({"error": message}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        ]
        return JSONResponse({"error": "; ".join(problems) or "invalid request"}, 422)

    app.add_middleware(_SecurityHeaders)

    def check_write(request: Request) -> None:
        if write_token is not None:
            given = request.headers.get("authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                value.strip().encode(), write_token.encode()
            ):
                raise ApiError(
                    401, "this server needs a token to write: send Authorization: Bearer <token>"
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
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0]
        if not is_loopback(hostname):
            raise ApiError(
                403, f"writes without a token must address a loopback host, not {host!r}"
            )
        origin = request.headers.get("origin")
        if origin is not None and origin.split("://", 1)[-1] != host:
            raise ApiError(403, f"cross-origin write from {origin!r} refused")

    # --- reading ---------------------------------------------------------------------------

    list_cache = _TtlCache(LIST_CACHE_TTL_S, LIST_CACHE_ENTRIES)

    @app.get("/api/visits", summary="Storylines, filtered and paged")
    async def list_visits(request: Request) -> Response:
        """Filters: country, visitor, destination, stage, from, to, upcoming; limit, offset.

        Answers are cached for ``LIST_CACHE_TTL_S`` seconds (a submission through this server
        clears the cache at once; an ingest by another process shows within the TTL).
        """
        key = f"{date.today()}?{request.url.query}"
        cached = list_cache.get(key)
        if cached is not None:
            return Response(cached, media_type="application/json")
        # a hit is answered on the event loop; only a miss pays for a worker thread
        response = await run_in_threadpool(_list_visits, request)
        list_cache.put(key, bytes(response.body))
        return response

    def _list_visits(request: Request) -> JSONResponse:
        filters = _filters(request)
        q = request.query_params
        limit = _int("limit", q.get("limit"), DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        offset = _int("offset", q.get("offset"), 0, 0, None)
        today = date.today()
        # One row more than asked says whether a next page exists without a COUNT(*), which
        # would scan every matching row on a large store.
        rows = store.storylines(**filters, today=today, limit=limit + 1, offset=offset)
        more = len(rows) > limit
        rows = rows[:limit]
        # JSONResponse directly: FastAPI's generic encoder would walk every value of every
        # storyline again, which doubled this endpoint's cost under load.
        return JSONResponse(
            {
                "visits": [s.to_dict() for s in rows],
                "limit": limit,
                "offset": offset,
                "count": len(rows),
                "next": _page_link(request, offset + limit, limit) if more else None,
                "previous": _page_link(request, max(0, offset - limit), limit) if offset else None,
            }
        )

    @app.get("/api/visits/{storyline_id}", summary="One storyline with history and sources")
    def get_visit(storyline_id: str) -> JSONResponse:
        if not _STORYLINE_ID_RE.fullmatch(storyline_id):
            raise ApiError(400, f"not a storyline id: {storyline_id!r}")
        found = store.storyline(storyline_id)
        if found is None:
            raise ApiError(404, f"no storyline with id {storyline_id!r}")
        line, members = found
        data = line.to_dict()
        data["sources"] = [
            {"visit": v.to_dict(), "document": _document_json(d)} for v, d in members
        ]
        return JSONResponse(data)

    @app.get("/api/documents/{doc_id}", summary="A stored document and the visits found in it")
    def get_document(doc_id: str) -> JSONResponse:
        if len(doc_id) > ID_LENGTH:
            raise ApiError(400, f"document ids are at most {ID_LENGTH} characters")
        doc = store.document(doc_id)
        if doc is None:
            raise ApiError(404, f"no document with id {doc_id!r}")
        data = _document_json(doc)
        data["text"] = doc.cleaned_text
        data["visits"] = [
            {**v.to_dict(), "storyline_id": sid} for sid, v in _document_mentions(store, doc_id)
        ]
        return JSONResponse(data)

    @app.get("/api/stats", summary="Storylines by stage, country, country pair and month")
    def stats() -> JSONResponse:
        data = _stats(store)
        data["store"] = store.counts()
        return JSONResponse(data)

    @app.get("/api/export", summary="Filtered storylines as CSV, JSONL, iCalendar or a panel")
    def export_visits(request: Request) -> Response:
        fmt = request.query_params.get("format", "jsonl")
        if fmt not in EXPORT_MEDIA:
            raise ApiError(400, f"format must be one of {', '.join(EXPORT_MEDIA)}; got {fmt!r}")
        filters = _filters(request)
        lines = store.storylines(**filters, today=date.today())
        out = io.StringIO(newline="")
        _write_export(fmt, lines, out)
        media, filename = EXPORT_MEDIA[fmt]
        return Response(
            out.getvalue(),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    # --- writing ---------------------------------------------------------------------------

    @app.post("/api/documents", summary="Submit text, HTML or a JSONL batch for extraction")
    async def submit(request: Request) -> JSONResponse:
        check_write(request)
        body = await _read_body(request, MAX_BODY_BYTES)
        raws = _submitted(body, request.headers.get("content-type", ""), request)
        results = await run_in_threadpool(_ingest, raws)
        return JSONResponse({"documents": results}, status_code=201)

    def _ingest(raws: list[RawDocument]) -> list[dict[str, Any]]:
        with extract_lock:
            results = list(run(raws))
        list_cache.clear()
        out: list[dict[str, Any]] = []
        for result in results:
            outcome = store.ingest(result)
            entry: dict[str, Any] = {"doc_id": result.raw.doc_id, "outcome": outcome}
            if result.failure is not None:
                entry["error"] = result.failure.reason
                entry["visits"] = []
            else:
                entry["visits"] = [
                    {**v.to_dict(), "storyline_id": sid}
                    for sid, v in _document_mentions(store, result.raw.doc_id)
                ]
            out.append(entry)
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
    return app


def _write_export(fmt: str, lines: list[Storyline], out: io.StringIO) -> None:
    if fmt == "csv":
        export.storylines_csv(lines, out)
    elif fmt == "jsonl":
        export.storylines_jsonl(lines, out)
    elif fmt == "ics":
        export.ics_feed(lines, out, today=date.today())
    else:
        export.panel_csv(export.dyad_year_panel(lines), out)


def serve(
    db_url: str | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = 1,
) -> None:
    """Run the API and dashboard with uvicorn until interrupted.

    ``workers`` > 1 runs that many server processes (each with its own store connection and
    response cache); uvicorn then needs an import string, so the settings travel in the
    environment to :func:`app_from_env`.
    """
    import uvicorn

    if workers <= 1:
        app = create_app(db_url, bind_host=host)
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
        return
    if db_url is not None:
        os.environ[ENV_DB] = db_url
    os.environ[ENV_BIND_HOST] = host
    uvicorn.run(
        "visitrack.api:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
    )


def app_from_env() -> FastAPI:
    """The app of one of several server processes (see :func:`serve`)."""
    return create_app(os.environ.get(ENV_DB), bind_host=os.environ.get(ENV_BIND_HOST, DEFAULT_HOST))
