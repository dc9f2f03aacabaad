"""``merge_frames`` on hand-built frames: one row per merge rule (see visitrack/merge.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import NamedTuple

import pytest

from visitrack.extract.actors import Actor
from visitrack.extract.frames import Frame
from visitrack.merge import CONF_CAP, CONF_PER_SUPPORT, merge_frames
from visitrack.records import Role, Stage, Visit, When

PUBLISHED = date(2031, 5, 20)


def window(start: date, end: date | None = None) -> When:
    return When("the dates", start, end or start)


def person(name: str | None, country: str = "CL", role: Role = "head_of_state") -> Actor:
    return Actor(name=name, role=role, country=country)


def frame(
    visitor: Actor,
    stage: Stage,
    when: When | None = None,
    *,
    sent: int = 0,
    confidence: float = 0.9,
    country: str = "PE",
    city: str | None = None,
) -> Frame:
    return Frame(
        visitor=visitor,
        host=None,
        country=country,
        city=city,
        kind="visit",
        occasion=None,
        stage=stage,
        when=when,
        sent_start=sent,
        sent_end=sent + 30,
        sent_text=f"sentence at {sent}",
        confidence=confidence,
    )


FERREIRA = person("Ana Ferreira")
OLSEN = person("Erik Olsen", country="NO", role="foreign_minister")


class Case(NamedTuple):
    rule: str
    frames: tuple[Frame, ...]
    check: Callable[[list[Visit]], bool]


def _one(pred: Callable[[Visit], bool]) -> Callable[[list[Visit]], bool]:
    return lambda visits: len(visits) == 1 and pred(visits[0])


CASES: tuple[Case, ...] = (
    Case(
        "compatible windows merge",
        (
            frame(FERREIRA, "announced", window(date(2031, 6, 3), date(2031, 6, 5))),
            frame(FERREIRA, "announced", window(date(2031, 6, 4)), sent=50),
        ),
        _one(lambda v: v.stage == "announced"),
    ),
    Case(
        "adjacent short windows merge",
        (
            frame(FERREIRA, "completed", window(date(2031, 5, 12))),
            frame(FERREIRA, "completed", window(date(2031, 5, 14)), sent=50),
        ),
        _one(lambda v: v.stage == "completed"),
    ),
    Case(
        "far windows split",
        (
            frame(FERREIRA, "completed", window(date(2031, 2, 3))),
            frame(FERREIRA, "announced", window(date(2031, 9, 10)), sent=50),
        ),
        lambda vs: [v.stage for v in vs] == ["completed", "announced"],
    ),
    Case(
        "other destination splits",
        (
            frame(FERREIRA, "announced"),
            frame(FERREIRA, "announced", sent=50, country="BO"),
        ),
        lambda vs: [v.destination.country for v in vs] == ["PE", "BO"],
    ),
    Case(
        "completed and announced undated split",
        (
            frame(FERREIRA, "completed"),
            frame(FERREIRA, "announced", sent=50),
        ),
        lambda vs: [v.stage for v in vs] == ["completed", "announced"],
    ),
    Case(
        "ongoing visit absorbs an announced leg",
        (
            frame(FERREIRA, "ongoing"),
            frame(FERREIRA, "completed", sent=50),
            frame(FERREIRA, "announced", sent=90),
        ),
        _one(lambda v: v.stage == "ongoing"),
    ),
    Case(
        "bare surname joins the full name",
        (
            frame(FERREIRA, "announced"),
            frame(person("Ferreira"), "announced", sent=50),
        ),
        _one(lambda v: v.visitor.name == "Ana Ferreira"),
    ),
    Case(
        "unnamed official takes the one compatriot's name",
        (
            frame(person(None), "announced"),
            frame(FERREIRA, "announced", sent=50),
            frame(OLSEN, "announced", sent=90),
        ),
        lambda vs: sorted(v.visitor.name or "" for v in vs) == ["Ana Ferreira", "Erik Olsen"],
    ),
    Case(
        "unnamed official stays unnamed between two compatriots",
        (
            frame(person(None, role="minister"), "announced", sent=200),
            frame(FERREIRA, "announced"),
            frame(person("Luis Mena", role="head_of_government"), "announced", sent=50),
        ),
        lambda vs: len(vs) == 3 and vs[0].visitor.name is None,
    ),
    Case(
        "cancellation outranks a plan",
        (
            frame(FERREIRA, "announced"),
            frame(FERREIRA, "cancelled", sent=50),
        ),
        _one(lambda v: v.stage == "cancelled"),
    ),
    Case(
        "furthest planning stage wins among equals",
        (
            frame(FERREIRA, "invited"),
            frame(FERREIRA, "in_preparation", sent=50),
        ),
        _one(lambda v: v.stage == "in_preparation"),
    ),
    Case(
        "most confident frame decides",
        (
            frame(FERREIRA, "completed", confidence=0.85),
            frame(FERREIRA, "ongoing", sent=50, confidence=0.95),
        ),
        _one(lambda v: v.stage == "ongoing"),
    ),
    Case(
        "narrowest window kept",
        (
            frame(FERREIRA, "announced", window(date(2031, 6, 1), date(2031, 6, 30))),
            frame(FERREIRA, "announced", window(date(2031, 6, 12)), sent=50),
            frame(FERREIRA, "announced", sent=90),
        ),
        _one(lambda v: v.when == window(date(2031, 6, 12))),
    ),
    Case(
        "city kept from any frame",
        (
            frame(FERREIRA, "announced"),
            frame(FERREIRA, "announced", sent=50, city="Cusco"),
        ),
        _one(lambda v: v.destination.city == "Cusco"),
    ),
    Case(
        "evidence ordered and one per sentence",
        (
            frame(FERREIRA, "announced", sent=80),
            frame(FERREIRA, "announced", sent=0),
            frame(FERREIRA, "announced", sent=80),
        ),
        _one(lambda v: [e.start for e in v.evidence] == [0, 80]),
    ),
    Case(
        "confidence support bonus",
        (
            frame(FERREIRA, "announced", confidence=0.85),
            frame(FERREIRA, "announced", sent=50, confidence=0.85),
        ),
        _one(lambda v: v.confidence == pytest.approx(0.85 + CONF_PER_SUPPORT)),
    ),
    Case(
        "an undated ongoing trip is dated to the day of the news",
        (frame(FERREIRA, "ongoing"),),
        _one(lambda v: v.when is not None and (v.when.start, v.when.end) == (PUBLISHED, PUBLISHED)),
    ),
    Case(
        "an ongoing trip keeps the window its text gives",
        (frame(FERREIRA, "ongoing", window(date(2031, 5, 19), date(2031, 5, 21))),),
        _one(lambda v: v.when is not None and v.when.start == date(2031, 5, 19)),
    ),
    Case(
        "an undated trip of another stage stays undated",
        (frame(FERREIRA, "completed"),),
        _one(lambda v: v.when is None),
    ),
    Case(
        "confidence cap",
        tuple(frame(FERREIRA, "announced", sent=i * 40, confidence=0.95) for i in range(4)),
        _one(lambda v: v.confidence == CONF_CAP),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_merge_rule(case: Case) -> None:
    visits = merge_frames(case.frames, "doc-1", {0: PUBLISHED})
    assert case.check(visits), visits
    assert all(v.doc_id == "doc-1" and v.published == PUBLISHED for v in visits)


def test_stories_do_not_merge() -> None:
    later = replace(frame(FERREIRA, "announced", sent=500), story=1)
    frames = (frame(FERREIRA, "announced"), later)
    visits = merge_frames(frames, "doc-2", {0: PUBLISHED, 1: date(2031, 5, 21)})
    assert [v.published for v in visits] == [PUBLISHED, date(2031, 5, 21)]
