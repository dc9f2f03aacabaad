"""Merge stage: group a document's frames into one visit record per distinct visit.

Frames of the same visitor and destination country are one visit when their time windows are
compatible (overlapping, or one of them unknown). The record keeps the most informative reading:
the narrowest window, a city when any frame names one, and the stage that says the most
(an acceptance outranks an invitation, a cancellation outranks a plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from visitrack.extract import Frame
from visitrack.records import STAGE_RANK, Destination, Evidence, Stage, Visit, When

# Confidence added per extra frame that supports a visit, up to CONF_CAP.
CONF_PER_SUPPORT = 0.05
CONF_CAP = 0.98
# The window text of an ongoing trip the story dates only by being there now.
ONGOING_WHEN_TEXT = "now (the day of publication)"


# Two short windows this close are one trip told day by day ("arrived on Tuesday", "met on
# Wednesday"); tuned on written multi-day trip reports, a week-long tour being the widest.
ADJACENT_GAP_DAYS = 3
SHORT_WINDOW_DAYS = 7


def _overlap(a: When | None, b: When | None) -> bool:
    if a is None or b is None or a.start is None or b.start is None:
        return True
    a_end = a.end or a.start
    b_end = b.end or b.start
    if a.start <= b_end and b.start <= a_end:
        return True
    short = (a_end - a.start).days <= SHORT_WINDOW_DAYS and (b_end - b.start).days <= (
        SHORT_WINDOW_DAYS
    )
    gap = max((b.start - a_end).days, (a.start - b_end).days)
    return short and gap <= ADJACENT_GAP_DAYS


def _narrower(a: When | None, b: When | None) -> When | None:
    if a is None or a.start is None:
        return b if b is not None and b.start is not None else a
    if b is None or b.start is None:
        return a
    width_a = ((a.end or a.start) - a.start).days
    width_b = ((b.end or b.start) - b.start).days
    return b if width_b < width_a else a


def _compatible(group: list[Frame], f: Frame) -> bool:
    # A dated frame of the same stage anchors the group as this frame's visit: an undated
    # frame of the other stage that the anchor absorbed does not split it off.
    anchored = any(g.when is not None and g.stage == f.stage for g in group)
    for g in group:
        if not _overlap(g.when, f.when):
            return False
        if (
            {g.stage, f.stage} == {"completed", "announced"}
            and g.when is None
            and f.when is None
            and not anchored
            and not any(h.stage == "ongoing" for h in group)
            and not (g.stage_guessed or f.stage_guessed)
        ):
            # "last visited X" and "will visit X" are two visits even without dates; a stage
            # only guessed ('Papal Visit to Iraq' as a headline) tells of no second visit.
            return False
    return True


def merge_frames(
    frames: Sequence[Frame], doc_id: str, published: dict[int, date | None]
) -> list[Visit]:
    """One visit per group of compatible frames of the same visitor and destination."""
    groups: list[list[Frame]] = []
    for f in _unify_unnamed(frames):
        for g in groups:
            if (
                g[0].visitor.key == f.visitor.key
                and g[0].country == f.country
                and g[0].story == f.story
                and _compatible(g, f)
            ):
                g.append(f)
                break
        else:
            groups.append([f])
    return [_to_visit(g, doc_id, published.get(g[0].story)) for g in groups]


def _stage(group: list[Frame]) -> Stage:
    """The reading a document gives of a visit.

    A postponement or cancellation is the news whenever a confident frame reports it. Otherwise
    the most confident frame decides, and among equals the first one: headlines and ledes state
    a story's news, later sentences recall background. Among the planning stages the furthest
    along wins (an invitation under consultation is in preparation). A frame whose sentence
    gave no tense or cue for the stage ('Biden's Travel to Angola') yields to any that did.
    """
    told = [f for f in group if not f.stage_guessed] or group
    top = max(f.confidence for f in told)
    confident = [f for f in told if f.confidence >= top]
    for s in ("cancelled", "postponed"):
        if any(f.stage == s for f in confident):
            return s
    first = confident[0].stage
    planning = [f.stage for f in confident if STAGE_RANK[f.stage] <= STAGE_RANK["announced"]]
    if STAGE_RANK[first] <= STAGE_RANK["announced"] and planning:
        return max(planning, key=lambda s: STAGE_RANK[s])
    return first


def _unify_unnamed(frames: Sequence[Frame]) -> list[Frame]:
    """Give an unnamed official ('the Chinese leader', 'a high-level Indian official') the name
    of the one person of that country the document has going to the same destination at a
    compatible time, preferring a person named in the same sentence, then one of the same
    role."""
    out: list[Frame] = []
    for f in frames:
        if f.visitor.name is not None and " " not in f.visitor.name.strip():
            # a bare surname nobody resolved ('Harris') is the story's full name ending in it
            word = f.visitor.name.strip().lower()
            full = {
                g.visitor.key: g.visitor
                for g in frames
                if g.visitor.name
                and g.story == f.story
                and g.visitor.country == f.visitor.country
                and g.visitor.name.lower().split()[-1] == word
                and g.visitor.key != f.visitor.key
            }
            if len(full) == 1:
                f = replace(f, visitor=next(iter(full.values())))
        if f.visitor.name is None:
            same = [
                g
                for g in frames
                if g.visitor.name
                and g.story == f.story
                and g.visitor.country == f.visitor.country
                and g.country == f.country
                and _overlap(g.when, f.when)
            ]
            here = [g for g in same if g.sent_start == f.sent_start]
            # among several compatriots, the one holding the office the mention names
            # ('a mission' and the envoy leading it, not the president travelling later)
            peers = [g for g in same if g.visitor.role == f.visitor.role]
            for pool in (here, same, peers):
                keys = {g.visitor.key for g in pool}
                if len(keys) == 1:
                    f = replace(f, visitor=pool[0].visitor)
                    break
        out.append(f)
    return out


def _to_visit(group: list[Frame], doc_id: str, published: date | None) -> Visit:
    when: When | None = None
    for f in group:
        when = _narrower(when, f.when)
    stage = _stage(group)
    if stage == "ongoing" and (when is None or when.start is None) and published is not None:
        # 'the visitor is there now': the present tense dates the trip to the day of the news
        when = When(ONGOING_WHEN_TEXT, published, published)
    city = next((f.city for f in group if f.city), None)
    host = next((f.host for f in group if f.host), None)
    occasion = next((f.occasion for f in group if f.occasion), None)
    kinds = [f.kind for f in group if f.kind != "visit"]
    visitor = max((f.visitor for f in group), key=lambda a: (a.name is not None, a.role != "other"))
    evidence: list[Evidence] = []
    seen: set[int] = set()
    for f in sorted(group, key=lambda f: f.sent_start):
        if f.sent_start not in seen:
            seen.add(f.sent_start)
            evidence.append(Evidence(f.sent_start, f.sent_end, f.sent_text))
    conf = min(CONF_CAP, max(f.confidence for f in group) + CONF_PER_SUPPORT * (len(group) - 1))
    return Visit(
        doc_id=doc_id,
        published=published,
        visitor=visitor.party(),
        host=host.party() if host else None,
        destination=Destination(group[0].country, city),
        kind=kinds[0] if kinds else "visit",
        occasion=occasion,
        stage=stage,
        when=when if when is not None and when.start is not None else None,
        evidence=tuple(evidence),
        confidence=conf,
    )
