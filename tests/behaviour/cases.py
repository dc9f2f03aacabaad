"""Behavioural cases, CheckList style: capabilities x templates x fills.

Every sentence here was written for this suite (the officials and places are real, the events
are made up). Three kinds of test, as in CheckList (Ribeiro et al., 2020):

* ``MFT`` (minimum functionality): each document of the case must yield its ``expected``
  records and none of its ``excluded`` (visitor country, destination) pairs;
* ``INV`` (invariance): two documents that differ only in a name, a country or an irrelevant
  clause; the records must be the same once the swap is applied to the first document's;
* ``DIR`` (directional): a small edit must move the output one way (a postponement moves the
  stage to ``postponed``; a time phrase adds a window) and change nothing else.

:func:`build_cases` is deterministic: one seeded generator draws every fill.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar

from behaviour.fills import (
    ATHLETES,
    BUSINESS,
    COUNTRIES,
    IN_GAZETTEER,
    NAVIES,
    OUTSIDE_GAZETTEER,
    SECOND_CITY,
    TEAMS,
    Country,
    Official,
)

SEED = 20261201
T = TypeVar("T")

Window = tuple[date, date]

ANNOUNCED = frozenset({"announced"})
ONGOING = frozenset({"ongoing"})
COMPLETED = frozenset({"completed"})
# A meeting reported on the day, or the day after: the visit may be under way or over.
HERE_OR_DONE = frozenset({"ongoing", "completed"})


@dataclass(frozen=True, slots=True)
class Expect:
    """A record that must come out: matched like ../shared/eval/score.py matches gold."""

    surname: str | None  # None: the text names no one (any name, or none, matches)
    visitor: str  # ISO3 of the visitor's country
    dest: str  # ISO3 of the destination
    stages: frozenset[str]
    window: Window | None = None  # when given, the record's window must overlap it


@dataclass(frozen=True, slots=True)
class Exclude:
    """A (visitor country, destination) pair no record may have."""

    visitor: str
    dest: str


@dataclass(frozen=True, slots=True)
class Doc:
    text: str
    published: date
    expected: tuple[Expect, ...] = ()
    excluded: tuple[Exclude, ...] = ()


@dataclass(frozen=True, slots=True)
class Case:
    capability: str
    test: str  # "MFT", "INV" or "DIR"
    docs: tuple[Doc, ...]
    # INV: ISO3 codes of the first document mapped to the second's.
    swap: tuple[tuple[str, str], ...] = ()
    # DIR: the pair whose record must move, and the stage it must move to (None: stage kept).
    pair: tuple[str, str] | None = None
    target_stage: str | None = None
    target_window: Window | None = None
    case_id: str = field(default="")


# --- dates -----------------------------------------------------------------------------------

WEEKDAYS = list(calendar.day_name)  # Monday first, like date.weekday()
MONTHS = list(calendar.month_name)


def day_month(d: date, style: int) -> str:
    if style == 0:
        return f"{d.day} {MONTHS[d.month]}"
    if style == 1:
        return f"{MONTHS[d.month]} {d.day}"
    return f"{MONTHS[d.month]} {d.day}, {d.year}"


def next_weekday(pub: date, wd: int) -> date:
    """The first ``wd`` strictly after ``pub``."""
    return pub + timedelta(days=(wd - pub.weekday() - 1) % 7 + 1)


def prev_weekday(pub: date, wd: int) -> date:
    """The last ``wd`` strictly before ``pub``."""
    return pub - timedelta(days=(pub.weekday() - wd - 1) % 7 + 1)


def next_week(pub: date) -> Window:
    monday = pub + timedelta(days=7 - pub.weekday())
    return monday, monday + timedelta(days=6)


def last_week(pub: date) -> Window:
    monday = pub - timedelta(days=pub.weekday() + 7)
    return monday, monday + timedelta(days=6)


def month_window(year: int, month: int) -> Window:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def next_month(pub: date) -> Window:
    y, m = (pub.year + 1, 1) if pub.month == 12 else (pub.year, pub.month + 1)
    return month_window(y, m)


def last_month(pub: date) -> Window:
    y, m = (pub.year - 1, 12) if pub.month == 1 else (pub.year, pub.month - 1)
    return month_window(y, m)


def tuesday(pub: date, *officials: Official) -> date:
    """The Tuesday of ``pub``'s week (so "on Monday" is yesterday), kept inside the terms."""
    out = pub - timedelta(days=pub.weekday() - 1) if pub.weekday() >= 1 else pub + timedelta(1)
    if any(out < o.span()[0] for o in officials):
        out += timedelta(days=7)
    if any(out > o.span()[1] for o in officials):
        out -= timedelta(days=7)
    return out


def day(d: date) -> Window:
    return d, d


# --- drawing fills ---------------------------------------------------------------------------


class Draw:
    """The suite's one source of randomness: fills drawn from a seeded generator."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    def official(
        self, pool: list[Official] | None = None, *, not_in: set[str] | frozenset[str] = frozenset()
    ) -> Official:
        cands = [o for o in (pool or IN_GAZETTEER) if o.country not in not_in]
        return self.rng.choice(cands)

    def country(self, *, not_in: set[str] | frozenset[str] = frozenset()) -> Country:
        cands = [c for iso, c in COUNTRIES.items() if iso not in not_in]
        return self.rng.choice(cands)

    def countries(
        self, n: int, *, not_in: set[str] | frozenset[str] = frozenset()
    ) -> list[Country]:
        cands = [c for iso, c in COUNTRIES.items() if iso not in not_in]
        return self.rng.sample(cands, n)

    def host_of(self, dest: str, *, not_in: set[str] | frozenset[str] = frozenset()) -> Official:
        """An official of ``dest`` (used as host or interlocutor)."""
        cands = [o for o in IN_GAZETTEER if o.country == dest and o.name not in not_in]
        return self.rng.choice(cands)

    def published(self, *officials: Official, max_day: int = 28) -> date:
        """A publication date inside every official's term (and the suite's span)."""
        start = max(o.span()[0] for o in officials)
        end = min(o.span()[1] for o in officials)
        for _ in range(200):
            d = start + timedelta(days=self.rng.randrange((end - start).days + 1))
            if d.day <= max_day:
                return d
        return start

    def choice(self, seq: Sequence[T]) -> T:
        return self.rng.choice(seq)

    def randint(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)


def full(o: Official, style: int = 0) -> str:
    """The official as a first mention: title, country and full name."""
    c = COUNTRIES[o.country]
    if style == 1:
        return f"{o.name}, {c.poss} {o.title.lower()},"
    if style == 2:
        return f"{o.title} {o.name} of {c.name}"
    if style == 3:
        return f"{c.poss} {o.title} {o.name}"
    return f"{c.adj} {o.title} {o.name}"


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def poss(s: str) -> str:
    return s[:-1] + "'s," if s.endswith(",") else s + "'s"


def hosts_countries() -> list[str]:
    """Destinations that have an in-gazetteer official (usable as host)."""
    return sorted({o.country for o in IN_GAZETTEER})


# --- capabilities ----------------------------------------------------------------------------

Builder = Callable[[Draw], Iterator[Case]]
BUILDERS: dict[str, Builder] = {}


def capability(name: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        BUILDERS[name] = fn
        return fn

    return register


def mft(cap_name: str, *docs: Doc) -> Case:
    return Case(cap_name, "MFT", tuple(docs))


def _visit_fill(dr: Draw, pool: list[Official] | None = None) -> tuple[Official, Country, date]:
    v = dr.official(pool)
    dest = dr.country(not_in={v.country})
    return v, dest, dr.published(v)


def _place(dr: Draw, dest: Country) -> str:
    return dr.choice([dest.name, dest.capital])


# Stage wordings: one template per way a news text puts the stage. {V} visitor first mention,
# {S} surname, {P} his/her, {D} destination (country or capital), {C} destination country,
# {H} a host of the destination, {HC} the visitor's capital.
STAGE_WORDINGS: dict[str, list[str]] = {
    "proposed": [
        "{V} is considering a visit to {D} later this year, officials said.",
        "{V} hopes to visit {D} before the end of the year, {P} spokesman said.",
        "Diplomats say {V} could travel to {D} in the coming months, though no decision has "
        "been taken.",
        "A possible trip by {V} to {D} is being discussed, according to people familiar with "
        "the matter.",
        "{V} said on Tuesday that {s} would like to visit {D} at some point.",
    ],
    "invited": [
        "{H} has invited {V} to visit {C}.",
        "{V} has received an invitation to visit {D}, the foreign ministry said.",
        "{H} extended an invitation to {V} to pay an official visit to {C}.",
        "{V} was invited to {D} by {H} during a phone call on Monday.",
    ],
    "in_preparation": [
        "Officials in {DC} and {HC} are working out the dates of a visit by {V} to {C}.",
        "Preparations are under way for a visit by {V} to {D}, the foreign ministry said.",
        "The two governments are discussing the dates and format of a trip by {V} to {C}.",
        "Contacts are planned to prepare a visit by {V} to {D}, a spokesman said.",
    ],
    "announced": [
        "{V} will visit {D}, {P} office said on Tuesday.",
        "{V} is scheduled to travel to {D} for talks on trade and energy.",
        "{V} is expected to arrive in {D} for an official visit, the foreign ministry said.",
        "The government confirmed that {V} would visit {D} for talks with {H}.",
        "{V} will pay an official visit to {D}, {P} spokesman announced.",
        "{V} is due in {D} later this week for talks with {H}.",
    ],
    "ongoing": [
        "{V} is on a three-day visit to {D}, where {s} met business leaders on arrival.",
        "{V}, who is on an official visit to {D}, told reporters that talks had gone well.",
        "{V} is in {D} this week for talks with {H}.",
        "{V} began a four-day state visit to {D} today with a ceremony at the presidential palace.",
    ],
    "completed": [
        "{V} visited {D} last week and signed several agreements there.",
        "{V} wrapped up a two-day visit to {D} and flew home.",
        "During {P} visit to {D} last week, {V} signed a defence pact.",
        "{V} returned from a visit to {D}, where {s} had held talks with {H}.",
        "{V} was in {D} last month for talks on a free trade agreement.",
    ],
    "postponed": [
        "{V} has postponed {P} visit to {D}, officials said.",
        "{Vp} planned trip to {D} has been put off until next year.",
        "The visit of {V} to {D} has been postponed because of the crisis at home.",
        "{V} has delayed {P} trip to {D} indefinitely, {P} office said.",
    ],
    "cancelled": [
        "{V} has cancelled {P} visit to {D}, the foreign ministry said.",
        "{V} called off a planned trip to {D} at the last minute.",
        "{V} declined an invitation to visit {D}, {P} spokesman said.",
        "The government denied reports that {V} would travel to {D} this month.",
    ],
}


def _stage_fields(dr: Draw, v: Official, dest: Country, style: int) -> dict[str, str]:
    h = dr.host_of(dest.iso3)
    return {
        "V": full(v, style),
        "Vp": poss(full(v, 0 if style == 1 else style)),
        "S": v.surname,
        "P": v.pron,
        "s": v.subj,
        "D": _place(dr, dest),
        "C": dest.name,
        "DC": dest.capital,
        "H": full(h),
        "HC": COUNTRIES[v.country].capital,
    }


def _stage_builder(stage: str, per_template: int) -> Builder:
    def build(dr: Draw) -> Iterator[Case]:
        for tpl in STAGE_WORDINGS[stage]:
            for _ in range(per_template):
                v = dr.official()
                dest = COUNTRIES[dr.choice([c for c in hosts_countries() if c != v.country])]
                f = _stage_fields(dr, v, dest, style=dr.choice([0, 0, 1, 3]))
                text = cap(tpl.format(**f))
                exp = Expect(v.surname, v.country, dest.iso3, frozenset({stage}))
                yield mft(f"stage_{stage}", Doc(text, dr.published(v), (exp,)))

    return build


for _stage in STAGE_WORDINGS:
    capability(f"stage_{_stage}")(_stage_builder(_stage, 3))


TENSE_TRIPLES = [
    (
        "{V} will visit {D} for talks on trade.",
        "{V} is visiting {D} for talks on trade.",
        "{V} visited {D} for talks on trade.",
    ),
    (
        "{V} will travel to {D} on a state visit, {P} office said.",
        "{V} is in {D} on a state visit, {P} office said.",
        "{V} was in {D} on a state visit, {P} office said.",
    ),
    (
        "{V} will hold talks with {H} during a visit to {D}.",
        "{V} is holding talks with {H} during a visit to {D}.",
        "{V} held talks with {H} during a visit to {D}.",
    ),
    (
        "{V} is to arrive in {D} for a two-day official visit.",
        "{V} has arrived in {D} for a two-day official visit.",
        "{V} has ended a two-day official visit to {D}.",
    ),
]


@capability("tense_triple")
def _tense(dr: Draw) -> Iterator[Case]:
    stages = (ANNOUNCED, ONGOING, COMPLETED)
    for triple in TENSE_TRIPLES:
        for _ in range(5):
            v = dr.official()
            dest = COUNTRIES[dr.choice([c for c in hosts_countries() if c != v.country])]
            f = _stage_fields(dr, v, dest, style=0)
            pub = dr.published(v)
            docs = [
                Doc(cap(t.format(**f)), pub, (Expect(v.surname, v.country, dest.iso3, st),))
                for t, st in zip(triple, stages, strict=True)
            ]
            yield mft("tense_triple", *docs)


# --- negatives -------------------------------------------------------------------------------


@capability("neg_calls")
def _calls(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{A} spoke by phone with {B} on Monday about the war and energy prices.",
        "{A} held a video call with {B}, discussing trade and climate finance.",
        "In a telephone conversation, {A} and {B} agreed to deepen cooperation.",
        "{A} and {B} held virtual talks on Wednesday, their offices said.",
    ]
    for tpl in tpls:
        for _ in range(4):
            a = dr.official()
            b = dr.official(not_in={a.country})
            text = cap(tpl.format(A=full(a), B=full(b)))
            excl = (Exclude(a.country, b.country), Exclude(b.country, a.country))
            yield mft("neg_calls", Doc(text, dr.published(a, b), excluded=excl))


@capability("neg_home_trips")
def _home(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{V} visited a steel plant in {city} on Monday, praising its workers.",
        "{V} toured flood-hit districts outside {city} and promised swift aid.",
        "{V} travelled to {city} to open a new railway line.",
        "{V} returned to {capital} on Sunday after a week of campaigning across the country.",
    ]
    for tpl in tpls:
        for _ in range(4):
            v = dr.official()
            c = COUNTRIES[v.country]
            text = cap(tpl.format(V=full(v), city=c.city, capital=c.capital))
            yield mft(
                "neg_home_trips",
                Doc(text, dr.published(v), excluded=(Exclude(v.country, v.country),)),
            )


@capability("neg_sports_teams")
def _teams(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{T} will play a friendly match in {D} next week.",
        "{T} arrived in {D} on Monday ahead of the tournament.",
        "{T} visited {D} last month for a series of exhibition games.",
    ]
    for tpl in tpls:
        for team, iso in TEAMS:
            dest = dr.country(not_in={iso})
            text = cap(tpl.format(T=team, D=_place(dr, dest)))
            pub = date(2024, dr.randint(1, 12), dr.randint(1, 28))
            yield mft("neg_sports_teams", Doc(text, pub, excluded=(Exclude(iso, dest.iso3),)))


@capability("neg_port_calls")
def _ports(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{N} docked in {city} on Monday for a five-day port call.",
        "{N} will make a port call at {city} next week, the embassy said.",
        "{N} visited {city} last month as part of a goodwill voyage.",
    ]
    for tpl in tpls:
        for ship, iso in NAVIES:
            dest = dr.country(not_in={iso})
            text = cap(tpl.format(N=ship, city=dr.choice([dest.capital, dest.city])))
            pub = date(2024, dr.randint(1, 12), dr.randint(1, 28))
            yield mft("neg_port_calls", Doc(text, pub, excluded=(Exclude(iso, dest.iso3),)))


@capability("neg_hypotheticals")
def _hypo(dr: Draw) -> Iterator[Case]:
    tpls = [
        "Had {V} visited {D} last year, the dispute might have been settled, analysts said.",
        "If {V} had travelled to {D} in 2019, the treaty would have been signed, the author "
        "argues.",
        "The novel imagines {V} on a secret visit to {D} during a war that never happened.",
        "Critics asked what would have happened if {V} had gone to {D} instead of staying home.",
    ]
    for tpl in tpls:
        for _ in range(4):
            v, dest, pub = _visit_fill(dr)
            text = cap(tpl.format(V=full(v), D=_place(dr, dest)))
            yield mft(
                "neg_hypotheticals", Doc(text, pub, excluded=(Exclude(v.country, dest.iso3),))
            )


# --- visitor forms ---------------------------------------------------------------------------


@capability("visitor_full_title")
def _full_title(dr: Draw) -> Iterator[Case]:
    preds = [
        ("{V} will visit {D} next week, {P} office said.", ANNOUNCED),
        ("{V} arrived in {D} on Monday for a three-day visit.", ONGOING),
        ("{V} visited {D} last month.", COMPLETED),
    ]
    for style in range(4):
        for tpl, stages in preds:
            for _ in range(2):
                v, dest, pub = _visit_fill(dr)
                pub = tuesday(pub, v)
                text = cap(tpl.format(V=full(v, style), D=_place(dr, dest), P=v.pron))
                exp = Expect(v.surname, v.country, dest.iso3, stages)
                yield mft("visitor_full_title", Doc(text, pub, (exp,)))


@capability("visitor_surname_backref")
def _backref(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{V} opened a trade fair in {home} on Monday, promising lower tariffs.\n\n"
        "{S} will travel to {D} on {wd} for talks with {P} counterpart, the foreign ministry "
        "said.",
        "{V} told parliament on Monday that the economy was growing faster than expected.\n\n"
        "Inflation has eased, and exports rose for a third month.\n\n"
        "{S} is due to arrive in {D} on {wd}, {P} office said.",
        "{V} met farmers' leaders in {home} on Monday.\n\n{S} then flies to {D}, where "
        "{s} will hold talks on {wd}, aides said.",
    ]
    for tpl in tpls:
        for _ in range(5):
            v, dest, pub = _visit_fill(dr)
            pub = tuesday(pub, v)  # so "Monday" was yesterday and {wd} is ahead
            wd = dr.choice([3, 4])
            when = day(next_weekday(pub, wd))
            f = {
                "V": full(v),
                "S": v.surname,
                "P": v.pron,
                "s": v.subj,
                "D": _place(dr, dest),
                "home": COUNTRIES[v.country].city,
                "wd": WEEKDAYS[wd],
            }
            exp = Expect(v.surname, v.country, dest.iso3, ANNOUNCED, when)
            yield mft("visitor_surname_backref", Doc(tpl.format(**f), pub, (exp,)))


@capability("visitor_who_is_in")
def _who_is_in(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{Mr}, who is in {D} for talks, said the two countries would sign a trade deal.",
        "{Mr}, who is in {D} for talks with {H}, said progress had been made on energy.",
        "{V} spoke at a university in {home} last month.\n\n{Mr}, who is in {D} for talks, "
        "said on Tuesday that a deal was close.",
        "{Mr}, who arrived in {D} on Monday, said {s} expected an agreement within days.",
    ]
    for tpl in tpls:
        for _ in range(4):
            v = dr.official()
            dest = COUNTRIES[dr.choice([c for c in hosts_countries() if c != v.country])]
            f = _stage_fields(dr, v, dest, 0)
            f["Mr"] = f"{v.honorific} {v.surname}"
            f["home"] = COUNTRIES[v.country].city
            f["D"] = dest.capital
            pub = dr.published(v)
            pub = tuesday(pub, v)
            exp = Expect(v.surname, v.country, dest.iso3, ONGOING)
            yield mft("visitor_who_is_in", Doc(tpl.format(**f), pub, (exp,)))


def _same_country_pairs() -> list[tuple[Official, Official]]:
    out = []
    for a in IN_GAZETTEER + OUTSIDE_GAZETTEER:
        for b in IN_GAZETTEER + OUTSIDE_GAZETTEER:
            if a.name < b.name and a.country == b.country and a.role != b.role:
                lo = max(a.span()[0], b.span()[0])
                hi = min(a.span()[1], b.span()[1])
                if lo <= hi:
                    out.append((a, b))
    return out


@capability("visitor_coordinated")
def _coord(dr: Draw) -> Iterator[Case]:
    same = [
        "{tA} {A} and {tB} {B} will visit {D} next week.",
        "{adj} {tA} {A} and {tB} {B} arrived in {D} on Monday for two days of talks.",
        "{A}, the {tAl}, and {B}, the {tBl}, will travel to {D} on Thursday.",
    ]
    for tpl in same:
        for _ in range(5):
            a, b = dr.choice(_same_country_pairs())
            dest = dr.country(not_in={a.country})
            pub = tuesday(dr.published(a, b), a, b)
            stages = ONGOING if "arrived" in tpl else ANNOUNCED
            adj = COUNTRIES[a.country].adj
            f = {
                "tA": f"{adj} {a.title}",
                "tB": b.title,
                "tAl": f"{adj} {a.title.lower()}",
                "tBl": b.title.lower(),
                "A": a.name,
                "B": b.name,
                "adj": adj,
                "D": _place(dr, dest),
            }
            if "{adj}" in tpl:
                f["tA"] = a.title
            exp = tuple(Expect(o.surname, o.country, dest.iso3, stages) for o in (a, b))
            yield mft("visitor_coordinated", Doc(cap(tpl.format(**f)), pub, exp))
    # Two countries' leaders in one subject.
    for _ in range(5):
        a = dr.official()
        b = dr.official(not_in={a.country})
        dest = dr.country(not_in={a.country, b.country})
        text = f"{full(a)} and {full(b)} will attend a summit in {dest.capital} next month."
        exp = tuple(Expect(o.surname, o.country, dest.iso3, ANNOUNCED) for o in (a, b))
        yield mft("visitor_coordinated", Doc(text, dr.published(a, b), exp))


@capability("visitor_outside_gazetteer")
def _outside(dr: Draw) -> Iterator[Case]:
    tpls = [
        ("{V} will visit {D} next week, {P} ministry said.", ANNOUNCED, 0),
        ("{V} arrived in {D} on Monday for talks on investment.", ONGOING, 0),
        ("{V} will travel to {D} later this month.", ANNOUNCED, 1),
        ("{V} visited {D} last week to promote exports.", COMPLETED, 3),
    ]
    for tpl, stages, style in tpls:
        for o in OUTSIDE_GAZETTEER:
            if o.surname == "Mitchell":
                continue
            dest = dr.country(not_in={o.country})
            pub = tuesday(dr.published(o, max_day=20), o)
            text = cap(tpl.format(V=full(o, style), D=_place(dr, dest), P=o.pron))
            yield mft(
                "visitor_outside_gazetteer",
                Doc(text, pub, (Expect(o.surname, o.country, dest.iso3, stages),)),
            )
    mitchell = next(o for o in OUTSIDE_GAZETTEER if o.surname == "Mitchell")
    for tpl in [
        "The Foreign Office's minister for Africa, Andrew Mitchell, will visit {D} next week.",
        "Britain's minister for development and Africa, Andrew Mitchell, arrived in {D} on Monday.",
    ]:
        for iso in ("ZMB", "KEN", "GHA", "NGA"):
            dest = COUNTRIES[iso]
            pub = tuesday(dr.published(mitchell), mitchell)
            stages = ONGOING if "arrived" in tpl else ANNOUNCED
            yield mft(
                "visitor_outside_gazetteer",
                Doc(tpl.format(D=dest.capital), pub, (Expect("Mitchell", "GBR", iso, stages),)),
            )


@capability("visitor_title_only")
def _title_only(dr: Draw) -> Iterator[Case]:
    tpls = [
        ("The {adj} {title} will visit {D} next week.", ANNOUNCED),
        ("{Poss} {title} arrived in {D} on Monday for a two-day visit.", ONGOING),
        ("The {adj} {title} is on a three-day visit to {D}.", ONGOING),
        ("The {adj} {title} visited {D} last month.", COMPLETED),
    ]
    for tpl, stages in tpls:
        for _ in range(4):
            v, dest, pub = _visit_fill(dr)
            pub = tuesday(pub, v)
            c = COUNTRIES[v.country]
            text = cap(
                tpl.format(adj=c.adj, title=v.title.lower(), Poss=c.poss, D=_place(dr, dest))
            )
            yield mft(
                "visitor_title_only",
                Doc(text, pub, (Expect(None, v.country, dest.iso3, stages),)),
            )


@capability("visitor_host_not_visitor")
def _hosts(dr: Draw) -> Iterator[Case]:
    tpls = [
        ("{H} will host {V} in {DC} on Friday.", ANNOUNCED),
        ("{H} held talks with visiting {V} in {DC} on Monday.", HERE_OR_DONE),
        ("{H} welcomed {V} to {DC} on Monday with a military parade.", HERE_OR_DONE),
        ("{V} met {H} in {DC} on Monday.", HERE_OR_DONE),
        ("{H} received {V} at the presidential palace in {DC} on Monday.", HERE_OR_DONE),
    ]
    for tpl, stages in tpls:
        for _ in range(4):
            v = dr.official()
            dest = COUNTRIES[dr.choice([c for c in hosts_countries() if c != v.country])]
            h = dr.host_of(dest.iso3)
            pub = tuesday(dr.published(v, h), v, h)
            text = tpl.format(H=full(h), V=full(v), DC=dest.capital)
            doc = Doc(
                cap(text),
                pub,
                (Expect(v.surname, v.country, dest.iso3, stages),),
                (Exclude(h.country, v.country), Exclude(h.country, h.country)),
            )
            yield mft("visitor_host_not_visitor", doc)


@capability("visitor_not_official")
def _not_official(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{B} visited {D} on Monday and met government ministers.",
        "{B} will travel to {D} next week to open a new factory.",
        "{B} arrived in {D} on Sunday for a week of meetings.",
    ]
    people = BUSINESS + ATHLETES
    for tpl in tpls:
        for who, _surname, iso in people:
            dest = dr.country(not_in={iso})
            text = cap(tpl.format(B=who, D=_place(dr, dest)))
            pub = date(2024, dr.randint(1, 12), dr.randint(1, 28))
            yield mft("visitor_not_official", Doc(text, pub, excluded=(Exclude(iso, dest.iso3),)))


@capability("visitor_every_official")
def _every_official(dr: Draw) -> Iterator[Case]:
    """One plain sentence per official of the fills: finds names the resolver misses."""
    for o in IN_GAZETTEER + OUTSIDE_GAZETTEER:
        dest = dr.country(not_in={o.country})
        pub = dr.published(o)
        text = f"{full(o)} will visit {dest.name} next week, {o.pron} office said."
        exp = Expect(o.surname, o.country, dest.iso3, ANNOUNCED, next_week(pub))
        yield mft("visitor_every_official", Doc(text, pub, (exp,)))


# --- destinations ----------------------------------------------------------------------------

_DEST_PREDS = [
    ("{V} will visit {X} next week, {P} office said.", ANNOUNCED),
    ("{V} arrived in {X} on Monday for a three-day visit.", ONGOING),
    ("{V} visited {X} last month to discuss trade.", COMPLETED),
    ("{V} is expected in {X} on Thursday for talks.", ANNOUNCED),
]


def _dest_builder(name: str, where: Callable[[Country], str], pool: list[str]) -> Builder:
    def build(dr: Draw) -> Iterator[Case]:
        for tpl, stages in _DEST_PREDS:
            for _ in range(4):
                v = dr.official()
                dest = COUNTRIES[dr.choice([c for c in pool if c != v.country])]
                pub = dr.published(v)
                pub = tuesday(pub, v)
                text = cap(tpl.format(V=full(v), X=where(dest), P=v.pron))
                exp = Expect(v.surname, v.country, dest.iso3, stages)
                yield mft(name, Doc(text, pub, (exp,)))

    return build


capability("dest_country")(_dest_builder("dest_country", lambda c: c.name, list(COUNTRIES)))
capability("dest_capital")(_dest_builder("dest_capital", lambda c: c.capital, list(COUNTRIES)))
capability("dest_other_city")(_dest_builder("dest_other_city", lambda c: c.city, SECOND_CITY))


@capability("dest_every_place")
def _every_place(dr: Draw) -> Iterator[Case]:
    """One plain sentence per capital and second city of the fills."""
    places = [(c, c.capital) for c in COUNTRIES.values()]
    places += [(COUNTRIES[iso], COUNTRIES[iso].city) for iso in SECOND_CITY]
    for dest, where in places:
        v = dr.official(not_in={dest.iso3})
        pub = dr.published(v)
        text = f"{full(v)} visited {where} last week for talks on trade."
        exp = Expect(v.surname, v.country, dest.iso3, COMPLETED, last_week(pub))
        yield mft("dest_every_place", Doc(text, pub, (exp,)))


def _and_list(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1]


@capability("dest_multi_country_tour")
def _tour(dr: Draw) -> Iterator[Case]:
    tpls = [
        ("{V} will tour {L} next month.", 3, ANNOUNCED),
        ("{V} will visit {L} next week, {P} office said.", 2, ANNOUNCED),
        ("{V} left on Monday for a week-long trip to {L}.", 3, frozenset({"ongoing", "announced"})),
        ("{V} visited {L} last month on a tour of the region.", 3, COMPLETED),
    ]
    for tpl, n, stages in tpls:
        for _ in range(4):
            v = dr.official()
            dests = dr.countries(n, not_in={v.country})
            pub = tuesday(dr.published(v), v)
            text = cap(tpl.format(V=full(v), L=_and_list([d.name for d in dests]), P=v.pron))
            exp = tuple(Expect(v.surname, v.country, d.iso3, stages) for d in dests)
            yield mft("dest_multi_country_tour", Doc(text, pub, exp))
    for _ in range(4):
        v = dr.official()
        d1, d2, d3 = dr.countries(3, not_in={v.country})
        pub = dr.published(v)
        pub = tuesday(pub, v)
        text = (
            f"{full(v)} arrived in {d1.capital} on Monday, the first stop of a tour that will "
            f"also take {'her' if v.female else 'him'} to {d2.name} and {d3.name}."
        )
        exp = (
            Expect(v.surname, v.country, d1.iso3, ONGOING),
            Expect(v.surname, v.country, d2.iso3, frozenset({"announced", "ongoing"})),
            Expect(v.surname, v.country, d3.iso3, frozenset({"announced", "ongoing"})),
        )
        yield mft("dest_multi_country_tour", Doc(text, pub, exp))


# --- time forms ------------------------------------------------------------------------------


@capability("time_date")
def _time_date(dr: Draw) -> Iterator[Case]:
    for style in range(3):
        for future in (True, False):
            for _ in range(3):
                v, dest, pub = _visit_fill(dr)
                offset = dr.randint(5, 60)
                when = pub + timedelta(days=offset if future else -offset)
                d = day_month(when, style)
                if future:
                    text = f"{full(v)} will visit {_place(dr, dest)} on {d}, {v.pron} office said."
                    stages = ANNOUNCED
                else:
                    text = f"{full(v)} visited {_place(dr, dest)} on {d} for talks on energy."
                    stages = COMPLETED
                exp = Expect(v.surname, v.country, dest.iso3, stages, day(when))
                yield mft("time_date", Doc(text, pub, (exp,)))


RANGE_FORMS = [
    lambda a, b: f"from {a.day}-{b.day} {MONTHS[a.month]}",
    lambda a, b: f"from {MONTHS[a.month]} {a.day} to {b.day}",
    lambda a, b: f"between {a.day} and {b.day} {MONTHS[a.month]}",
    lambda a, b: f"on {MONTHS[a.month]} {a.day}-{b.day}",
    lambda a, b: f"from {a.day} to {b.day} {MONTHS[a.month]}",
]


@capability("time_range")
def _time_range(dr: Draw) -> Iterator[Case]:
    for form in RANGE_FORMS:
        for _ in range(4):
            v, dest, pub = _visit_fill(dr)
            start = pub + timedelta(days=dr.randint(5, 70))
            start = start.replace(day=min(start.day, 25))
            end = start + timedelta(days=dr.randint(1, 3))
            text = f"{full(v)} will visit {_place(dr, dest)} {form(start, end)}."
            exp = Expect(v.surname, v.country, dest.iso3, ANNOUNCED, (start, end))
            yield mft("time_range", Doc(text, pub, (exp,)))


@capability("time_relative")
def _time_rel(dr: Draw) -> Iterator[Case]:
    forms: list[tuple[str, Callable[[date], Window], bool]] = [
        ("next week", next_week, True),
        ("next month", next_month, True),
        (
            "later this month",
            lambda p: (p + timedelta(days=1), month_window(p.year, p.month)[1]),
            True,
        ),
        ("last week", last_week, False),
        ("last month", last_month, False),
    ]
    for phrase, window, future in forms:
        for _ in range(4):
            v, dest, _pub = _visit_fill(dr)
            pub = dr.published(v, max_day=22)
            verb = "will travel to" if future else "travelled to"
            text = f"{full(v)} {verb} {_place(dr, dest)} {phrase} for talks on security."
            stages = ANNOUNCED if future else COMPLETED
            exp = Expect(v.surname, v.country, dest.iso3, stages, window(pub))
            yield mft("time_relative", Doc(text, pub, (exp,)))


@capability("time_weekday")
def _time_wd(dr: Draw) -> Iterator[Case]:
    for future in (True, False):
        for _ in range(10):
            v, dest, pub = _visit_fill(dr)
            wd = dr.choice([w for w in range(7) if w != pub.weekday()])
            if future:
                when = next_weekday(pub, wd)
                text = f"{full(v)} will arrive in {_place(dr, dest)} on {WEEKDAYS[wd]}."
                stages = ANNOUNCED
            else:
                when = prev_weekday(pub, wd)
                text = (
                    f"{full(v)} visited {_place(dr, dest)} on {WEEKDAYS[wd]}, meeting "
                    "business leaders."
                )
                stages = COMPLETED
            exp = Expect(v.surname, v.country, dest.iso3, stages, day(when))
            yield mft("time_weekday", Doc(text, pub, (exp,)))


# --- document context ------------------------------------------------------------------------

FILLER = [
    "Inflation eased to 3.1 percent in the year to April, the statistics office said, with food "
    "prices rising more slowly than economists had expected.",
    "Heavy rain is forecast for the weekend across the north, and the weather service has "
    "issued warnings for several coastal districts.",
    "Lawmakers debated a bill on pension reform late into the night, and a final vote is "
    "expected before the summer recess.",
    "The central bank left its benchmark rate unchanged for a fourth consecutive meeting, "
    "citing uncertainty over energy prices.",
    "Shares in the country's largest carmaker rose sharply after it reported record quarterly "
    "sales of electric vehicles.",
    "A court postponed the hearing in the corruption case to next month, lawyers for the "
    "defendants said.",
    "Tickets for the national football cup final sold out within an hour, the organisers said.",
    "The ministry of health said vaccination rates among children had risen for the first time "
    "in five years.",
]

BOILERPLATE_HEAD = [
    "Skip to main content\nHome | World | Business | Politics | Sport | Culture\n"
    "We use cookies to improve your experience. Accept all cookies / Manage settings",
    "Menu\nSearch\nSign in\nSubscribe for unlimited access\nLatest news\nMost read",
]
BOILERPLATE_TAIL = [
    "Sign up for our daily newsletter\nShare this article: Facebook Twitter Email\n"
    "Related stories\nMarkets close higher on tech rally\nHeatwave grips the south\n"
    "© 2024 The Daily Ledger. All rights reserved. Privacy policy | Terms of use",
    "Advertisement\nMore from this section\nRead more: the week in pictures\n"
    "Follow us on social media\nContact us | About us | Careers",
]


@capability("doc_buried_paragraph")
def _buried(dr: Draw) -> Iterator[Case]:
    for _ in range(15):
        v = dr.official()
        dest = COUNTRIES[dr.choice([c for c in hosts_countries() if c != v.country])]
        pub = dr.published(v)
        paras = dr.rng.sample(FILLER, 4)
        wd = dr.choice([w for w in range(7) if w != pub.weekday()])
        when = next_weekday(pub, wd)
        visit = (
            f"Separately, {full(v)} will visit {dest.capital} on {WEEKDAYS[wd]} for talks with "
            f"{full(dr.host_of(dest.iso3))}, {v.pron} office said."
        )
        text = "\n\n".join([*paras, visit, dr.choice(FILLER)])
        exp = Expect(v.surname, v.country, dest.iso3, ANNOUNCED, day(when))
        yield mft("doc_buried_paragraph", Doc(text, pub, (exp,)))


@capability("doc_boilerplate")
def _boiler(dr: Draw) -> Iterator[Case]:
    for _ in range(15):
        v, dest, pub = _visit_fill(dr)
        when = next_week(pub)
        body = (
            f"{full(v)} will travel to {_place(dr, dest)} next week for talks on trade and "
            f"investment, {v.pron} office said on {WEEKDAYS[pub.weekday()]}.\n\n"
            f"{dr.choice(FILLER)}"
        )
        text = "\n\n".join([dr.choice(BOILERPLATE_HEAD), body, dr.choice(BOILERPLATE_TAIL)])
        exp = Expect(v.surname, v.country, dest.iso3, ANNOUNCED, when)
        yield mft("doc_boilerplate", Doc(text, pub, (exp,)))


@capability("doc_digest")
def _digest(dr: Draw) -> Iterator[Case]:
    for _ in range(10):
        pub = date(2024, dr.randint(2, 6), dr.randint(1, 28))
        chosen: list[Official] = []
        for o in dr.rng.sample(IN_GAZETTEER, len(IN_GAZETTEER)):
            lo, hi = o.span()
            if lo <= pub <= hi and all(o.country != c.country for c in chosen):
                chosen.append(o)
            if len(chosen) == 3:
                break
        stories, exp = [], []
        used = {o.country for o in chosen}
        for k, o in enumerate(chosen):
            dest = dr.country(not_in=used)
            used.add(dest.iso3)
            if k == 0:
                head = f"{o.surname} to visit {dest.name}"
                body = f"{full(o)} will visit {dest.capital} next week, {o.pron} office said."
                exp.append(Expect(o.surname, o.country, dest.iso3, ANNOUNCED, next_week(pub)))
            elif k == 1:
                head = f"{o.surname} in {dest.capital}"
                body = f"{full(o)} is on a two-day visit to {dest.name} for talks on energy."
                exp.append(Expect(o.surname, o.country, dest.iso3, ONGOING))
            else:
                head = f"{o.surname} wraps up {dest.name} trip"
                body = f"{full(o)} visited {dest.name} last week and signed a trade accord."
                exp.append(Expect(o.surname, o.country, dest.iso3, COMPLETED, last_week(pub)))
            stories.append(f"{head}\n\n{body} {dr.choice(FILLER)}")
        text = "World briefing\n\n" + "\n\n".join(stories)
        yield mft("doc_digest", Doc(text, pub, tuple(exp)))


# --- invariance ------------------------------------------------------------------------------

INV_TEMPLATES = [
    "{V} will visit {D} next week for talks on trade, {P} office said.",
    "{V} arrived in {D} on Monday for a three-day official visit.",
    "{V} visited {D} last month and signed an energy agreement.",
    "{V} has postponed {P} visit to {D}, officials said.",
    "{H} will host {V} in {DC} on Friday.",
]


def _inv_doc(tpl: str, v: Official, dest: Country, h: Official, pub: date) -> Doc:
    text = tpl.format(V=full(v), D=dest.capital, DC=dest.capital, P=v.pron, H=full(h))
    return Doc(cap(text), pub)


@capability("inv_swap_visitor")
def _inv_visitor(dr: Draw) -> Iterator[Case]:
    for tpl in INV_TEMPLATES:
        for _ in range(4):
            v = dr.official()
            dest = COUNTRIES[dr.choice([c for c in hosts_countries() if c != v.country])]
            h = dr.host_of(dest.iso3)
            for _try in range(50):
                w = dr.official(
                    [o for o in IN_GAZETTEER if o.role == v.role], not_in={v.country, dest.iso3}
                )
                lo = max(v.span()[0], w.span()[0], h.span()[0])
                if lo <= min(v.span()[1], w.span()[1], h.span()[1]) and w.female == v.female:
                    break
            pub = tuesday(dr.published(v, w, h), v, w, h)
            docs = (_inv_doc(tpl, v, dest, h, pub), _inv_doc(tpl, w, dest, h, pub))
            yield Case("inv_swap_visitor", "INV", docs, swap=((v.country, w.country),))


@capability("inv_swap_destination")
def _inv_dest(dr: Draw) -> Iterator[Case]:
    for tpl in INV_TEMPLATES:
        for _ in range(4):
            v = dr.official()
            d1, d2 = (
                COUNTRIES[c]
                for c in dr.rng.sample([c for c in hosts_countries() if c != v.country], 2)
            )
            h1, h2 = dr.host_of(d1.iso3), dr.host_of(d2.iso3)
            pub = tuesday(dr.published(v, h1, h2), v, h1, h2)
            docs = (_inv_doc(tpl, v, d1, h1, pub), _inv_doc(tpl, v, d2, h2, pub))
            yield Case("inv_swap_destination", "INV", docs, swap=((d1.iso3, d2.iso3),))


INV_CLAUSES = [
    ("for talks on trade", "for talks on climate finance"),
    ("the foreign ministry said", "a government spokesman told reporters"),
    ("amid rising tensions in the region", "as the economy slows"),
    ("according to state media", "according to a statement"),
]


@capability("inv_irrelevant_clause")
def _inv_clause(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{V} will visit {D} next week {X}, {Y}.",
        "{V} arrived in {D} on Monday {X}, {Y}.",
        "{V} visited {D} last month {X}, {Y}.",
    ]
    for tpl in tpls:
        for _ in range(5):
            v, dest, pub = _visit_fill(dr)
            pub = tuesday(pub, v)
            x1, x2 = dr.choice(INV_CLAUSES[0:1] + INV_CLAUSES[2:3])
            y1, y2 = dr.choice(INV_CLAUSES[1:2] + INV_CLAUSES[3:4])
            place = _place(dr, dest)
            a = tpl.format(V=full(v), D=place, X=x1, Y=y1)
            b = tpl.format(V=full(v), D=place, X=x2, Y=y2)
            yield Case("inv_irrelevant_clause", "INV", (Doc(a, pub), Doc(b, pub)))


# --- directional -----------------------------------------------------------------------------

DIR_EDITS = {
    "postponed": [
        (
            "{V} will visit {D} next week, {P} office said.",
            "{V} has postponed {P} visit to {D} planned for next week, {P} office said.",
        ),
        (
            "{V} is scheduled to travel to {D} on Friday.",
            "{V} was scheduled to travel to {D} on Friday, but the trip has been postponed.",
        ),
        (
            "{V} will visit {D} next month for talks on energy.",
            "{V} will visit {D} next month for talks on energy.\n\nOn Tuesday the visit was "
            "postponed until further notice.",
        ),
    ],
    "cancelled": [
        (
            "{V} will visit {D} next week, {P} office said.",
            "{V} has cancelled {P} visit to {D} planned for next week, {P} office said.",
        ),
        (
            "{V} is scheduled to travel to {D} on Friday.",
            "{V} was scheduled to travel to {D} on Friday, but the trip has been called off.",
        ),
        (
            "{V} will visit {D} next month for talks on energy.",
            "{V} will visit {D} next month for talks on energy.\n\nOn Tuesday the visit was "
            "cancelled.",
        ),
    ],
}


def _dir_stage(stage: str) -> Builder:
    def build(dr: Draw) -> Iterator[Case]:
        for base, edited in DIR_EDITS[stage]:
            for _ in range(5):
                v, dest, pub = _visit_fill(dr)
                pub = tuesday(pub, v)
                f = {"V": full(v), "D": _place(dr, dest), "P": v.pron}
                docs = (Doc(base.format(**f), pub), Doc(edited.format(**f), pub))
                yield Case(
                    f"dir_{stage}", "DIR", docs, pair=(v.country, dest.iso3), target_stage=stage
                )

    return build


capability("dir_postponed")(_dir_stage("postponed"))
capability("dir_cancelled")(_dir_stage("cancelled"))


@capability("dir_add_time")
def _dir_time(dr: Draw) -> Iterator[Case]:
    tpls = [
        "{V} will visit {D}{T}, {P} office said.",
        "{V} is expected to travel to {D}{T} for talks on trade.",
    ]
    for tpl in tpls:
        for _ in range(8):
            v, dest, _ = _visit_fill(dr)
            pub = dr.published(v, max_day=20)
            kind = dr.randint(0, 2)
            if kind == 0:
                phrase, window = " next week", next_week(pub)
            elif kind == 1:
                phrase, window = " next month", next_month(pub)
            else:
                d = pub + timedelta(days=dr.randint(5, 40))
                phrase, window = f" on {day_month(d, 1)}", day(d)
            f = {"V": full(v), "D": _place(dr, dest), "P": v.pron}
            docs = (Doc(tpl.format(T="", **f), pub), Doc(tpl.format(T=phrase, **f), pub))
            yield Case(
                "dir_add_time", "DIR", docs, pair=(v.country, dest.iso3), target_window=window
            )


# --- the suite -------------------------------------------------------------------------------


def build_cases(seed: int = SEED) -> list[Case]:
    """Every case of the suite, in a fixed order, with ids ``capability-NNN``."""
    dr = Draw(seed)
    out: list[Case] = []
    for name, build in BUILDERS.items():
        for k, case in enumerate(build(dr)):
            assert case.capability == name, (name, case.capability)
            out.append(_with_id(case, f"{name}-{k:03d}"))
    return out


def _with_id(case: Case, case_id: str) -> Case:
    return Case(
        case.capability,
        case.test,
        case.docs,
        case.swap,
        case.pair,
        case.target_stage,
        case.target_window,
        case_id,
    )
