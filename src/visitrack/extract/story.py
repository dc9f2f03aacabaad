"""Story-level clues: the dateline's place, the story's year, the states it speaks of, and
mentions that refer back to a trip already told.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from visitrack import pubdate, resolve
from visitrack.extract.actors import Actor, Discourse
from visitrack.extract.stage import decide_stage

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.tokens import Token


YEAR_IN_TEXT_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


_DATELINE_RES = (
    # "SEOUL, Dec. 29 (Yonhap) --", "LONDON, March 2 -", "MOSCOW, October 8. /TASS/."
    re.compile(
        r"\b([A-Z]{3,}(?:[ -][A-Z]{3,})?),\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    ),
    # "MOSCOW: ...", "CARACAS - ...", "ROME Iranian President ..." at a paragraph's start
    re.compile(r"(?m)^\s*([A-Z]{3,}(?:[ -][A-Z]{3,})?)(?::|\s+[-—–]|\s+(?=[A-Z][a-z]))"),
)


# How far into a story a dateline may stand: past the headline and a byline.
DATELINE_WINDOW_CHARS = 700


def dateline_place(text: str) -> resolve.Place | None:
    """The place a wire story was filed from, when it opens with a dateline."""
    found = pubdate.dateline(text)
    if found is not None:
        place = resolve.place(found.place.title())
        if place is not None:
            return place
    head = text[:DATELINE_WINDOW_CHARS]
    for rx in _DATELINE_RES:
        for m in rx.finditer(head):
            place = resolve.place(m.group(1).title())
            if place is not None:
                return place
    return None


# Anniversaries that date an undated story: "the 70th anniversary of the victory over Nazi
# Germany" is 1945 + 70. Only events that news about state visits commemorates again and again.
ANNIVERSARY_EVENTS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"world war (?:ii|two|2)|second world war|nazi|great patriotic war|fascism"), 1945),
    (re.compile(r"diplomatic (?:relations|ties)"), 0),  # depends on the pair: no anchor
)


_ANNIVERSARY_RE = re.compile(
    r"\b(\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+of\s+([^.;]{0,120})", re.IGNORECASE
)


def year_hint(text: str) -> int | None:
    """For an undated story: the year an anniversary it celebrates falls in, else the latest
    year it mentions, taken as roughly its own year."""
    for m in _ANNIVERSARY_RE.finditer(text):
        tail = m.group(2).lower()
        for rx, year in ANNIVERSARY_EVENTS:
            if year and rx.search(tail):
                return year + int(m.group(1))
    years = [int(y) for y in YEAR_IN_TEXT_RE.findall(text)]
    return max(years) if years else None


_CAPITALISED_RUN_RE = re.compile(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}")


# A story relaying another outlet's report ('the official Sudan News Agency reported', 'radio
# said, monitored in London'): its dateline is a listening post, not where things happen.
RELAY_RE = re.compile(
    r"\b(?:news agency|press agency|agency said|agency reported|radio said|radio reported"
    r"|television said|monitored (?:by|in)|received in|quoted by)\b",
    re.IGNORECASE,
)
# How far into a story the relaying outlet is named: the lede and the next sentence or two.
RELAY_WINDOW_CHARS = 600


def relayed(text: str) -> bool:
    """Whether a story relays another outlet's report in its opening."""
    return RELAY_RE.search(text[:RELAY_WINDOW_CHARS]) is not None


def story_countries(text: str) -> tuple[str, ...]:
    """The states a story names (by name, demonym, capital or seat of government), most
    named first; ties keep the order of first mention."""
    counts = _state_mentions(text, resolve.country_named)
    return tuple(sorted(counts, key=lambda c: -counts[c]))


# A word with the letters, apostrophes and hyphens of a name (O'Neill, Jean-Luc, McDonald).
_NAME_LIKE_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")


def written_names(text: str) -> frozenset[str]:
    """The capitalised words of a story written in mixed case, lowered: the words a name in
    a headline set in capitals ('BAKER MEETS ...') may be checked against."""
    return frozenset(
        w.lower()
        for w in _NAME_LIKE_RE.findall(text)
        if w[0].isupper() and any(c.islower() for c in w)
    )


def states_by_name(text: str) -> dict[str, int]:
    """How often a story names each state by its name or demonym (its cities left out)."""
    return _state_mentions(text, resolve.state_by_name)


def _state_mentions(text: str, lookup: Callable[[str], str | None]) -> dict[str, int]:
    """Mentions of states in the story's capitalised phrases, as ``lookup`` reads them; the
    longest phrase (up to three words) wins at each place."""
    counts: dict[str, int] = {}
    for m in _CAPITALISED_RUN_RE.finditer(text):
        words = m.group(0).split()
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                if i + n > len(words):
                    continue
                code = lookup(" ".join(words[i : i + n]))
                if code is not None:
                    counts[code] = counts.get(code, 0) + 1
                    i += n
                    break
            else:
                i += 1
    return counts


# Stages whose news a bare 'the trip' carries back to the trip the story reported last.
# 'His visit was a success': a past trip noun with no place of its own is the trip reported.
REFERRED_TRIP_STAGES = frozenset({"postponed", "cancelled", "completed"})


# Determiners that make a trip noun refer back: 'the visit', 'this trip', 'his tour'.
REFERRING_DETS = frozenset({"the", "this", "that", "his", "her", "their"})


# Words that set a trip noun before the story's trip: it is another one.
_EARLIER_TRIP_RE = re.compile(r"\b(?:previous(?:ly)?|earlier|last year|in the past|once)\b", re.I)


def trip_referred_to(
    tok: Token, kind: str, visitors: list[Actor], text: str, disc: Discourse
) -> tuple[Actor, resolve.Place] | None:
    """'... but the trip has been postponed': a placeless trip noun that is called off or put
    off refers to the trip the story reported last (by the same visitor, when one is named)."""
    if kind != "trip" or disc.last_trip is None:
        return None
    if not any(
        (c.dep_ in {"det", "poss"} and c.lower_ in REFERRING_DETS)
        # 'Pope Leo's visit': the possessor is the visitor, checked below
        or (c.dep_ == "poss" and c.pos_ == "PROPN" and visitors)
        for c in tok.children
    ):
        return None
    actor, place = disc.last_trip
    if visitors and all(v.key != actor.key for v in visitors):
        return None
    if _EARLIER_TRIP_RE.search(text) or any(
        disc.published is not None and int(y) < disc.published.year
        for y in YEAR_IN_TEXT_RE.findall(text)
    ):
        return None  # 'after previously cancelling his trip in 2013': another, earlier trip
    stage = decide_stage(tok, text, None, disc.published)
    if stage not in REFERRED_TRIP_STAGES:
        return None
    if stage == "completed" and tok.dep_ not in {"nsubj", "nsubjpass"}:
        return None  # 'following the president's trip': past only to the clause it sets
    return actor, place
