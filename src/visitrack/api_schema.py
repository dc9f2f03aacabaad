"""The OpenAPI document of the HTTP API (``/openapi.json``), written out rather than inferred.

The handlers in :mod:`visitrack.api` read their query strings and bodies themselves (one
filter vocabulary with the CLI, :mod:`visitrack.filters`; one row reader with the CLI,
:mod:`visitrack.readers.files`), so FastAPI could not see their parameters. This module states
them: every parameter with its type and allowed values, the request bodies and their content
types, the bearer scheme, every status an operation answers with its ``{"error": ...}`` body.
``tests/test_openapi.py`` runs schemathesis against the server with it.

What JSON Schema cannot say is in the descriptions: ``from`` must not be after ``to``; the
documents of one request need distinct ids; a body that is only a URL, a feed or a WARC
archive is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from visitrack.fields import MAX_ID_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS
from visitrack.filters import (
    INTERNATIONAL,
    MAX_SEARCH_CHARS,
    SORT_ALIASES,
    SORT_KEYS,
    country_spellings,
)
from visitrack.records import STAGES

__all__ = ["ApiLimits", "openapi_document"]

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_JSON_ERROR = {"application/json": {"schema": _ERROR_REF}}
# Day, month or year: the filters' partial dates. Years 0001-9999, as Python's dates.
_YEAR = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH = r"(0[1-9]|1[0-2])"
# Stated as "not: pattern" and a bare pattern rather than one anchored pattern: schemathesis
# rewrites an anchored pattern together with the length bounds, and loses its classes.
_NOT_BLANK = r"\S"
_NO_NUL = {"not": {"pattern": "\u0000"}}
# No C0/C1 control character (visitrack.fields): ids, titles and URLs.
_NO_CONTROLS = {"not": {"pattern": "[\u0000-\u001f\u007f-\u009f]"}}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": _JSON_ERROR}
    if headers:
        out["headers"] = headers
    return out


_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
}
# Answers any request may get: a Host this server does not answer, an unreadable store.
_COMMON = {
    "400": _error("a parameter or the Host header cannot be read; the error names it"),
    "403": _error("the Host header names a host this server does not answer"),
    "503": _error("the store could not be read or written; try again"),
}


def _date_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {
            "anyOf": [
                {"type": "string", "pattern": f"^{_YEAR}$"},
                {"type": "string", "pattern": f"^{_YEAR}-{_MONTH}$"},
                {"type": "string", "format": "date"},
            ]
        },
    }


def _filter_params() -> list[dict[str, Any]]:
    country = {"type": "string", "enum": list(country_spellings())}
    how = (
        "an ISO 3166 alpha-3 or alpha-2 code or an English name; any case, accents optional "
        "(the enum lists the spellings as written)"
    )
    return [
        {
            "name": "q",
            "in": "query",
            "description": "free text, read as plain words (quotes, `*`, `NEAR`, `-` are no "
            "syntax): storylines whose visitor, host, occasion, place or evidence holds every "
            "word, regardless of case and accents; text with no letter or digit matches none",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_SEARCH_CHARS,
                "pattern": _NOT_BLANK,
                **_NO_CONTROLS,
            },
        },
        {
            "name": "country",
            "in": "query",
            "description": f"the visitor's country or the destination: {how}; "
            f"{INTERNATIONAL}: an international body",
            "schema": country,
        },
        {
            "name": "origin",
            "in": "query",
            "description": f"the visitor's country: {how}; {INTERNATIONAL}: an international "
            "body (a visitor with no state)",
            "schema": country,
        },
        {
            "name": "destination",
            "in": "query",
            "description": f"the destination: {how}",
            "schema": country,
        },
        {
            "name": "visitor",
            "in": "query",
            "description": "part of the visitor's name, regardless of case and accents",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_SEARCH_CHARS,
                "pattern": _NOT_BLANK,
                **_NO_CONTROLS,
            },
        },
        {
            "name": "stage",
            "in": "query",
            "description": "the storyline's current stage",
            "schema": {"type": "string", "enum": list(STAGES)},
        },
        _date_param(
            "from",
            "keep storylines whose window ends on or after this day (a year or month: its "
            "first day); must not be after `to`",
        ),
        _date_param(
            "to",
            "keep storylines whose window starts on or before this day (a year or month: its "
            "last day)",
        ),
        {
            "name": "upcoming",
            "in": "query",
            "description": "only visits still ahead: window not over, not completed or cancelled",
            "schema": {
                "type": "string",
                "enum": ["true", "false", "1", "0", "yes", "no", "on", "off"],
            },
        },
        _date_param(
            "as_of",
            "the day `upcoming` counts from instead of today (a year or month: its first day); "
            "no effect without `upcoming`",
        ),
        _date_param(
            "changed_since",
            "keep storylines created or whose stage changed on or after this day, by the "
            "dates of their reports (a year or month: its first day)",
        ),
    ]


def _storyline_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "visitor", "destination", "stage", "history", "doc_ids"],
        "properties": {
            "id": {"type": "string"},
            "visitor": {"type": "object"},
            "host": {"type": ["object", "null"]},
            "destination": {"type": "object"},
            "stage": {"type": "string", "enum": list(STAGES)},
            "history": {"type": "array"},
            "doc_ids": {"type": "array", "items": {"type": "string"}},
        },
    }


def _stats_schema() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    # A row's storylines by stage: only the stages it has any in, so every count is positive.
    split = {
        "type": "object",
        "description": "stage -> storylines of this row in it (stages with none left out)",
        "propertyNames": {"enum": list(STAGES)},
        "additionalProperties": {"type": "integer", "minimum": 1},
    }
    country = {"type": ["string", "null"], "description": "ISO3; null: an international body"}
    by_country = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["country", "count"],
            "properties": {"country": country, "count": count},
        },
    }
    return {
        "type": "object",
        "required": [
            "total",
            "by_stage",
            "by_visitor_country",
            "by_destination_country",
            "pairs",
            "over_time",
            "store",
        ],
        "properties": {
            "total": count,
            "by_stage": {
                "type": "object",
                "description": "every stage, zeros included",
                "required": list(STAGES),
                "additionalProperties": count,
            },
            "by_visitor_country": by_country,
            "by_destination_country": by_country,
            "pairs": {
                "type": "array",
                "description": "the largest first, ties by codes",
                "items": {
                    "type": "object",
                    "required": ["visitor_country", "destination_country", "count", "by_stage"],
                    "properties": {
                        "visitor_country": country,
                        "destination_country": {"type": "string"},
                        "count": count,
                        "by_stage": split,
                    },
                },
            },
            "over_time": {
                "type": "array",
                "description": "by the month a storyline's window starts (else its first "
                "report), oldest first; storylines with neither are left out",
                "items": {
                    "type": "object",
                    "required": ["month", "count", "by_stage"],
                    "properties": {
                        "month": {"type": "string", "pattern": f"^{_YEAR}-{_MONTH}$"},
                        "count": count,
                        "by_stage": split,
                    },
                },
            },
            "store": {"type": "object", "additionalProperties": count},
        },
    }


def _document_schema() -> dict[str, Any]:
    text = {"type": "string", "pattern": _NOT_BLANK}
    return {
        "type": "object",
        "description": "one document: its text or HTML, and optionally an id (else one is "
        "made from the content), a URL, a title and a publication date",
        "anyOf": [{"required": ["text"]}, {"required": ["html"]}],
        "properties": {
            "text": {**text, **_NO_NUL},
            "html": {**text, **_NO_NUL},
            "id": {
                "oneOf": [
                    {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_ID_CHARS,
                        "pattern": _NOT_BLANK,
                        **_NO_CONTROLS,
                    },
                    {"type": "integer", "minimum": 0, "maximum": 10**15},
                ]
            },
            "url": {"type": "string", "maxLength": MAX_URL_CHARS, **_NO_CONTROLS},
            "title": {"type": "string", "maxLength": MAX_TITLE_CHARS, **_NO_CONTROLS},
            "published": {"type": ["string", "null"], "format": "date"},
        },
    }


def _submission(limits: ApiLimits) -> dict[str, Any]:
    MAX_BATCH_DOCUMENTS, MAX_BODY_BYTES = limits.max_batch_documents, limits.max_body_bytes
    raw_text = {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_BODY_BYTES // 4,
        "pattern": _NOT_BLANK,
        **_NO_NUL,
    }
    documents = {
        "type": "object",
        "required": ["documents"],
        "properties": {
            "documents": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH_DOCUMENTS,
                "items": {"$ref": "#/components/schemas/Document"},
            }
        },
    }
    query = [
        {
            "name": "doc_id",
            "in": "query",
            "description": "for a text/plain or text/html body: the document's id",
            "schema": _document_schema()["properties"]["id"]["oneOf"][0],
        },
        {
            "name": "published",
            "in": "query",
            "description": "for a text/plain or text/html body: its publication date",
            "schema": {"type": "string", "format": "date"},
        },
        {
            "name": "url",
            "in": "query",
            "description": "for a text/plain or text/html body: its address",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_URL_CHARS,
                **_NO_CONTROLS,
            },
        },
        {
            "name": "title",
            "in": "query",
            "description": "for a text/plain or text/html body: its title",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TITLE_CHARS,
                **_NO_CONTROLS,
            },
        },
    ]
    return {
        "summary": "Submit text, HTML, JSON or a JSONL batch for extraction",
        "description": (
            f"At most {MAX_BODY_BYTES // (1024 * 1024)} MB and {MAX_BATCH_DOCUMENTS} "
            "documents. Every row is checked before any is extracted or stored: one bad row "
            "refuses the request (400, naming the row and the field), and a batch is stored "
            "whole or not at all. The documents of one request need distinct ids; a body that "
            "is only a URL, a feed or a WARC archive is refused. Answered 201 with the "
            "documents and their visits when extraction finishes within a short wait, else "
            "202 with the job to ask (`GET /api/jobs/{job_id}`). Needs `Authorization: "
            "Bearer <token>` when the server has a token; without one, only same-origin "
            "requests to a loopback server may write."
        ),
        "operationId": "submit_documents",
        "security": [{"bearer": []}],
        "parameters": query,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            documents,
                            {
                                "allOf": [
                                    {"$ref": "#/components/schemas/Document"},
                                    {"not": {"required": ["documents"]}},
                                ]
                            },
                        ]
                    }
                },
                "application/x-ndjson": {
                    "schema": {
                        **raw_text,
                        "description": "one JSON document object a line",
                    }
                },
                "text/plain": {"schema": raw_text},
                "text/html": {"schema": raw_text},
            },
        },
        "responses": {
            "201": {
                "description": "extracted and stored: each document's outcome and visits",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Submitted"}}
                },
            },
            "202": {
                "description": "accepted; extraction goes on: ask the job's URL",
                "headers": {
                    "Location": {"schema": {"type": "string"}},
                    **_RETRY_AFTER,
                },
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["job", "state", "url", "count"],
                            "properties": {
                                "job": {"type": "string"},
                                "state": {"type": "string", "enum": ["pending"]},
                                "url": {"type": "string"},
                                "count": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            **_COMMON,
            "400": _error("a row, a field or a parameter is refused; the error names it"),
            "401": _error(
                "the server has a token and the request did not send it",
                {"WWW-Authenticate": {"schema": {"type": "string"}}},
            ),
            "403": _error(
                "the Host is not answered here, or a write without a token is not from the "
                "same loopback origin, or the server takes no writes without a token"
            ),
            "408": _error("the body took too long to arrive"),
            "413": _error("the body or the batch is too large"),
            "415": _error("the content type, or the body, is not a document"),
            "429": _error("the extraction queue is full", _RETRY_AFTER),
        },
    }


def _get(
    summary: str,
    operation_id: str,
    params: list[dict[str, Any]],
    ok: dict[str, Any],
    extra: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "operationId": operation_id,
        "parameters": params,
        "responses": {"200": ok, **_COMMON, **(extra or {})},
    }
    if description:
        op["description"] = description
    return op


def _json_ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


@dataclass(frozen=True)
class ApiLimits:
    """The bounds :mod:`visitrack.api` enforces, as the document states them."""

    max_body_bytes: int
    max_batch_documents: int
    max_page_size: int
    max_offset: int
    export_media: dict[str, tuple[str, str]]
    feed_entries: int


def openapi_document(version: str, limits: ApiLimits) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API."""
    EXPORT_MEDIA, MAX_OFFSET, MAX_PAGE_SIZE = (
        limits.export_media,
        limits.max_offset,
        limits.max_page_size,
    )
    filters = _filter_params()
    page = [
        {
            "name": "limit",
            "in": "query",
            "description": "storylines per page",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        },
        {
            "name": "offset",
            "in": "query",
            "description": "storylines to skip",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
        },
    ]
    ordering = [
        {
            "name": "sort",
            "in": "query",
            "description": "order by this key of the storyline (`origin`: the visitor's "
            "country, `when`: the window's start; aliases "
            + ", ".join(f"`{a}`={k}" for a, k in SORT_ALIASES.items())
            + "); default first_reported, newest first; ties by id; unknown values last",
            "schema": {"type": "string", "enum": [*SORT_KEYS, *SORT_ALIASES]},
        },
        {
            "name": "order",
            "in": "query",
            "description": "asc or desc (default: desc for dates and counts, asc otherwise)",
            "schema": {"type": "string", "enum": ["asc", "desc"]},
        },
    ]
    fmt = {
        "name": "format",
        "in": "query",
        "description": "the export's format (default jsonl)",
        "schema": {"type": "string", "enum": list(EXPORT_MEDIA)},
    }
    doc_id_path = {
        "name": "doc_id",
        "in": "path",
        "required": True,
        "description": "the document's id; slashes as they are (an id with a dot segment "
        "such as '..': use GET /api/document?id=)",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_ID_CHARS,
            **_NO_NUL,
        },
    }
    unique = {"description": "an id, in the query, as the row gave it"}
    visit_list = {
        "type": "object",
        "required": ["visits", "limit", "offset", "count", "total", "next", "previous"],
        "properties": {
            "visits": {"type": "array", "items": {"$ref": "#/components/schemas/Storyline"}},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "count": {"type": "integer"},
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "storylines the filters keep, on every page",
            },
            "next": {"type": ["string", "null"], "description": "relative link"},
            "previous": {"type": ["string", "null"], "description": "relative link"},
        },
    }
    document = {
        "type": "object",
        "required": ["doc_id", "text", "visits", "sources"],
        "properties": {
            "doc_id": {"type": "string"},
            "text": {"type": ["string", "null"]},
            "visits": {"type": "array"},
            "sources": {"type": "array", "items": {"type": "string"}},
        },
    }
    exports = {
        "description": "the storylines, streamed",
        "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
        "content": {
            media.split(";")[0]: {"schema": {"type": "string"}}
            for media, _ in dict.fromkeys(EXPORT_MEDIA.values())
        },
    }
    paths: dict[str, Any] = {
        "/api/visits": {
            "get": _get(
                "Storylines, filtered and paged",
                "list_visits",
                [*filters, *ordering, *page],
                _json_ok("a page of storylines", visit_list),
            )
        },
        "/api/countries": {
            "get": _get(
                "Every country code with its English name",
                "list_countries",
                [],
                _json_ok(
                    f"ISO3 code, ISO2 code and English name of every country; {INTERNATIONAL} "
                    "(no ISO2) stands for international bodies",
                    {
                        "type": "object",
                        "required": ["countries"],
                        "properties": {
                            "countries": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["code", "iso2", "name"],
                                    "properties": {
                                        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                        "iso2": {"type": ["string", "null"]},
                                        "name": {"type": "string"},
                                    },
                                },
                            }
                        },
                    },
                ),
            )
        },
        "/api/visits/{storyline_id}": {
            "get": _get(
                "One storyline with history and sources",
                "get_visit",
                [
                    {
                        "name": "storyline_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,255}$"},
                    }
                ],
                _json_ok("the storyline", {"$ref": "#/components/schemas/Storyline"}),
                {
                    "308": {
                        "description": "the id moved (merged or split): the new one",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "404": _error("no storyline has this id"),
                },
            )
        },
        "/api/documents/{doc_id}": {
            "get": _get(
                "A stored document and the visits found in it",
                "get_document",
                [doc_id_path],
                _json_ok("the document", document),
                {"404": _error("no document has this id, or no such page")},
            )
        },
        "/api/document": {
            "get": _get(
                "A stored document by id, any id",
                "get_document_by_id",
                [
                    {
                        "name": "id",
                        "in": "query",
                        "required": True,
                        **unique,
                        "schema": _document_schema()["properties"]["id"]["oneOf"][0],
                    }
                ],
                _json_ok("the document", document),
                {"404": _error("no document has this id")},
            )
        },
        "/api/stats": {
            "get": _get(
                "Storylines by stage, country, country pair and month",
                "stats",
                filters,
                _json_ok(
                    "counts of the storylines the filters keep; `store`: the whole store's",
                    _stats_schema(),
                ),
            )
        },
        "/api/export": {
            "get": _get(
                "Filtered storylines as CSV, JSONL, iCalendar or a panel",
                "export_visits",
                [fmt, *filters],
                exports,
                {"429": _error("as many exports as the server allows are running", _RETRY_AFTER)},
                description="Streamed in constant memory. CSV cells that a spreadsheet would "
                "run as a formula start with a quote.",
            )
        },
        "/api/feed.atom": {
            "get": _get(
                "New storylines and stage changes as an Atom feed",
                "feed",
                filters,
                {
                    "description": f"an Atom feed of at most {limits.feed_entries} entries, "
                    "newest first: one per storyline begun and per stage change, dated by the "
                    "first report of it; each links to /storyline/ID on this server",
                    "content": {"application/atom+xml": {"schema": {"type": "string"}}},
                },
            )
        },
        "/api/documents": {"post": _submission(limits)},
        "/api/jobs/{job_id}": {
            "get": _get(
                "A submitted batch: pending, or its answer",
                "get_job",
                [
                    {
                        "name": "job_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    }
                ],
                _json_ok(
                    "the job: `documents` once done, `error` once failed or dropped",
                    {
                        "type": "object",
                        "required": ["id", "state", "count", "submitted_at", "finished_at"],
                        "properties": {
                            "state": {
                                "type": "string",
                                "enum": ["pending", "done", "failed", "dropped", "refused"],
                            }
                        },
                    },
                ),
                {"404": _error("no job has this id (answers are kept for a day)")},
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "visitrack",
            "summary": "Diplomatic visit storylines extracted from news.",
            "version": version,
            "description": 'Every error is JSON {"error": "..."} naming what to change. '
            "Unknown or repeated query parameters are refused (400).",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "additionalProperties": False,
                    "properties": {"error": {"type": "string", "minLength": 1}},
                },
                "Storyline": _storyline_schema(),
                "Document": _document_schema(),
                "Submitted": {
                    "type": "object",
                    "required": ["documents"],
                    "properties": {
                        "documents": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["doc_id", "outcome", "visits"],
                                "properties": {
                                    "outcome": {
                                        "type": "string",
                                        "enum": [
                                            "added",
                                            "replaced",
                                            "duplicate",
                                            "unchanged",
                                            "failed",
                                        ],
                                    }
                                },
                            },
                        }
                    },
                },
            },
        },
    }
