"""Typed, frozen records passed between the pipeline's stages.

The visit record mirrors ``shared/spec/visit-record.md`` field for field;
:meth:`Visit.to_dict` and :meth:`Visit.from_dict` are the only path to and from JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

Stage = Literal[
    "proposed",
    "invited",
    "in_preparation",
    "announced",
    "ongoing",
    "completed",
    "postponed",
    "cancelled",
]
Role = Literal[
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "minister",
    "legislator",
    "royal",
    "diplomat",
    "military",
    "intl_org",
    "other",
]
Kind = Literal["state_visit", "official_visit", "working_visit", "event_attendance", "visit"]

STAGES: tuple[str, ...] = get_args(Stage)
# How far along its life a stage puts a visit: later steps say more; postponement and
# cancellation override any plan. The order of the ``Stage`` literal is the order of a visit's
# life, so the rank is its position.
STAGE_RANK: dict[str, int] = {stage: rank for rank, stage in enumerate(STAGES, start=1)}
# The two groups of stages the later layers ask about. A trip in an AHEAD stage is still to
# come or under way (it belongs in a calendar; a later report of it after one that ENDED it is a
# new trip). A trip in an ENDED stage is over: done or called off. "postponed" is in neither.
AHEAD_STAGES: tuple[Stage, ...] = ("proposed", "invited", "in_preparation", "announced", "ongoing")
ENDED_STAGES: tuple[Stage, ...] = ("completed", "cancelled")
ROLES: tuple[str, ...] = get_args(Role)
KINDS: tuple[str, ...] = get_args(Kind)
# Which extractor made a set of visit records. Bump it when a change to the pipeline changes
# what it extracts: the store keeps it per document, and `visitrack reprocess` re-extracts the
# stored documents an older version made. Dotted whole numbers, compared part by part.
EXTRACTOR_VERSION = "2"


# --- documents -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input document as read from disk, stdin or a JSONL row, decoded to text.

    ``published`` is an override (``--published`` or the JSONL field); the cleaner finds the
    date in the text when it is ``None``. ``source_key`` says what makes two inputs the same
    source (``file:`` and the resolved path, ``url:`` and the URL, ``row:`` and the corpus
    file's path with the row id); the store replaces a document only through the same key.
    ``None`` keys the document by its ``doc_id``.
    """

    doc_id: str
    source: str
    content: str
    is_html: bool = False
    published: date | None = None
    url: str | None = None
    title: str | None = None
    source_key: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """One news story inside a cleaned document: a ``[start, end)`` slice of its text."""

    start: int
    end: int
    published: date | None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class CleanDocument:
    """A document with boilerplate removed, split into stories.

    Every offset in the visit records points into ``text``.
    """

    doc_id: str
    text: str
    stories: tuple[Story, ...]
    title: str | None = None
    url: str | None = None
    published: date | None = None
    # <link rel="canonical"> or og:url, when the page declares one.
    canonical_url: str | None = None


@dataclass(frozen=True, slots=True)
class InputFailure:
    """An input that could not be read or processed, with a reason a person can act on."""

    source: str
    reason: str
    stage: str = "ingest"


# --- visit record ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A travelling or receiving official: canonical name, role and represented state."""

    name: str | None
    role: Role
    country: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "country": self.country}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Party | None:
        return cls(data.get("name"), data["role"], data.get("country")) if data else None


@dataclass(frozen=True, slots=True)
class Destination:
    country: str
    city: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"country": self.country, "city": self.city}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Destination:
        return cls(data["country"], data.get("city"))


@dataclass(frozen=True, slots=True)
class When:
    """The time of a trip as the text gives it, normalised to a closed date window."""

    text: str
    start: date | None
    end: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": _iso(self.start),
            "end": _iso(self.end),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> When | None:
        return cls(data["text"], _day(data.get("start")), _day(data.get("end"))) if data else None


def window_text(when: When | None) -> str:
    """A window as people read it: ``2024-05-01``, ``2024-05-01..2024-05-03``, or ``""`` with no
    date. A side the text left open is ``?`` (``2024-05-01..?``)."""
    if when is None or (when.start is None and when.end is None):
        return ""
    if when.start == when.end:
        return str(when.start)
    return f"{when.start or '?'}..{when.end or '?'}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A supporting sentence: ``[start, end)`` character offsets into the cleaned text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Visit:
    """One distinct visit reported by one document (the public output contract)."""

    doc_id: str
    published: date | None
    visitor: Party
    host: Party | None
    destination: Destination
    kind: Kind
    occasion: str | None
    stage: Stage
    when: When | None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    confidence: float = 0.5

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "published": _iso(self.published),
            "visitor": self.visitor.to_dict(),
            "host": self.host.to_dict() if self.host else None,
            "destination": self.destination.to_dict(),
            "kind": self.kind,
            "occasion": self.occasion,
            "stage": self.stage,
            "when": self.when.to_dict() if self.when else None,
            "evidence": [e.to_dict() for e in self.evidence],
            "confidence": round(self.confidence, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Visit:
        visitor = Party.from_dict(data["visitor"])
        assert visitor is not None
        return cls(
            doc_id=data["doc_id"],
            published=_day(data.get("published")),
            visitor=visitor,
            host=Party.from_dict(data.get("host")),
            destination=Destination.from_dict(data["destination"]),
            kind=data["kind"],
            occasion=data.get("occasion"),
            stage=data["stage"],
            when=When.from_dict(data.get("when")),
            evidence=tuple(
                Evidence(e["start"], e["end"], e["text"]) for e in data.get("evidence", [])
            ),
            confidence=float(data.get("confidence", 0.5)),
        )


# --- storyline record (shared/spec/storyline.md) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageStep:
    """One stage a visit went through: when it was first reported and by which documents.

    A step no dated report gives (``first_reported`` is ``None``) is placed in the history by
    its stage; its JSON says so (``"placed_by": "stage"``).
    """

    stage: Stage
    first_reported: date | None
    doc_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "first_reported": _iso(self.first_reported),
            "doc_ids": list(self.doc_ids),
        }
        if self.first_reported is None:
            out["placed_by"] = "stage"
        return out


@dataclass(frozen=True, slots=True)
class Storyline:
    """One real visit followed across every document that reports it."""

    id: str
    visitor: Party
    host: Party | None
    destination: Destination
    kind: Kind
    occasion: str | None
    stage: Stage
    when: When | None
    history: tuple[StageStep, ...]
    doc_ids: tuple[str, ...]
    mentions: int
    first_reported: date | None
    last_reported: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "visitor": self.visitor.to_dict(),
            "host": self.host.to_dict() if self.host else None,
            "destination": self.destination.to_dict(),
            "kind": self.kind,
            "occasion": self.occasion,
            "stage": self.stage,
            "when": self.when.to_dict() if self.when else None,
            "history": [h.to_dict() for h in self.history],
            "doc_ids": list(self.doc_ids),
            "mentions": self.mentions,
            "first_reported": _iso(self.first_reported),
            "last_reported": _iso(self.last_reported),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Storyline:
        visitor = Party.from_dict(data["visitor"])
        assert visitor is not None
        return cls(
            id=data["id"],
            visitor=visitor,
            host=Party.from_dict(data.get("host")),
            destination=Destination.from_dict(data["destination"]),
            kind=data["kind"],
            occasion=data.get("occasion"),
            stage=data["stage"],
            when=When.from_dict(data.get("when")),
            history=tuple(
                StageStep(h["stage"], _day(h.get("first_reported")), tuple(h["doc_ids"]))
                for h in data.get("history", [])
            ),
            doc_ids=tuple(data.get("doc_ids", [])),
            mentions=int(data.get("mentions", 0)),
            first_reported=_day(data.get("first_reported")),
            last_reported=_day(data.get("last_reported")),
        )


# --- pipeline output -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """What the pipeline made of one input document: its visits, or the failure.

    Defined here rather than in :mod:`visitrack.pipeline` so that the layers that take results
    (the store, the command line) need not import the NLP side.
    """

    raw: RawDocument
    document: CleanDocument | None
    visits: tuple[Visit, ...]
    failure: InputFailure | None = None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
