"""When: the time expression that dates a trigger, and the tense it is read in.

The time nearest the trigger in its own clause (not a reporting verb's date), a stated length
(``a three-day visit``), the tense a trigger's clause implies and ``the following year``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from visitrack import timex
from visitrack.extract.actors import Discourse
from visitrack.extract.lexicon import INVITE_WORDS, REPORTING_VERBS, TRIP_NOUNS
from visitrack.extract.stage import is_infinitive
from visitrack.records import When

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


# Words that set a trip before or after the event of the clause they hang on.
SEQUENCE_WORDS = frozenset({"after", "before", "following", "prior"})


def _auxes(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]


def _finite(verb: Token) -> bool:
    """A verb with a tense of its own ('takes', 'took', 'will take'), not an infinitive or a
    participle ('to coincide with', 'taking him to')."""
    return verb.tag_ in {"VBZ", "VBP", "VBD"} or any(
        a.tag_ in {"MD", "VBZ", "VBP", "VBD"} for a in _auxes(verb)
    )


def _past(verb: Token) -> bool:
    """Simple past or past perfect: 'took', 'had taken', 'was taken' ('will be explained' and
    'has taken' are not; stage's coarse tense counts the present perfect as past, which would
    let 'a tour that has taken him to A' share 'arrived on Sunday')."""
    auxes = _auxes(verb)
    return any(a.tag_ == "VBD" for a in auxes) or (verb.tag_ == "VBD" and not auxes)


def _own_tense(clause_verb: Token) -> bool:
    """Whether a finite clause describing a noun is told in another tense than the clause the
    noun is in (past against not past)."""
    if not _finite(clause_verb):
        return False
    outer = next((a for a in clause_verb.ancestors if a.pos_ in {"VERB", "AUX"}), None)
    return outer is not None and _past(clause_verb) != _past(outer)


def _clause_chain(trigger: Token) -> set[int]:
    """The trigger and the heads that govern it up to and including its clause's verb, plus the
    control verbs above that ('is expected to arrive', 'plans to attend')."""
    chain = {trigger.i}
    tok = trigger
    while tok.head.i != tok.i:
        if tok.head.lower_ in SEQUENCE_WORDS and tok.head.dep_ in {"prep", "mark"}:
            break  # 'after visiting A, he will fly to B on Friday': Friday is B's
        if tok.pos_ in {"VERB", "AUX"} and tok.dep_ in {"relcl", "acl"} and _own_tense(tok):
            # 'arrived in A on Sunday, the first stop of a tour that takes him to B': a
            # clause describing a noun in another tense has its own time (but 'On June 10 X
            # called on Y, who was in Delhi': the same time)
            break
        if (
            tok.pos_ in {"VERB", "AUX"}
            and tok.i != trigger.i
            and tok.dep_ not in {"xcomp"}
            and not is_infinitive(tok)
        ):
            break
        tok = tok.head
        chain.add(tok.i)
    return chain


def pick_time(
    trigger: Token, times: list[timex.TimeMention], after: int | None = None
) -> When | None:
    """The time expression that belongs to the trigger's clause, nearest first; with ``after``,
    the first one right of that token.

    A time attached to another verb ('suggested last month that ...') is not the trip's time.
    """
    if not times:
        return None
    doc = trigger.doc
    chain = _clause_chain(trigger)
    attached: list[tuple[int, timex.TimeMention]] = []
    for tm in times:
        if tm.when.start is None:
            continue
        span = doc.char_span(tm.start, tm.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        if after is not None and span.root.i <= after:
            continue
        verdict = _attachment(span.root, chain, trigger) and not _reported_on(span, trigger)
        if verdict:
            anchor = trigger.i if after is None else after
            attached.append((abs(span.root.i - anchor), tm))
    if not attached:
        if after is None and chain != (shared := _shared_clause(trigger, chain)):
            # 'will visit Vatican City and have an audience with the Pope on October 29': the
            # act joined to the trip's verb, sharing its subject and tense, dates the trip
            return pick_time_in(trigger, times, shared)
        return None
    return min(attached, key=lambda pair: pair[0])[1].when


def pick_time_in(trigger: Token, times: list[timex.TimeMention], chain: set[int]) -> When | None:
    """The nearest time attached to the clause ``chain``."""
    doc = trigger.doc
    best: tuple[int, When] | None = None
    for tm in times:
        if tm.when.start is None:
            continue
        span = doc.char_span(tm.start, tm.end, alignment_mode="expand")
        if span is None or len(span) == 0 or _reported_on(span, trigger):
            continue
        if any(anc.i in chain - {trigger.i} for anc in span.root.ancestors):
            dist = abs(span.root.i - trigger.i)
            if best is None or dist < best[0]:
                best = (dist, tm.when)
    return best[1] if best else None


def _shared_clause(trigger: Token, chain: set[int]) -> set[int]:
    """The trigger's clause plus the verbs joined to its verb that share its subject and tense
    (no subject or auxiliary of their own): 'will visit X and meet Y'."""
    verbs = [trigger.doc[i] for i in chain if trigger.doc[i].pos_ == "VERB"]
    if not verbs:
        return chain
    verb = max(verbs, key=lambda t: len(list(t.ancestors)) * -1)
    out = set(chain)
    for c in verb.children:
        if (
            c.dep_ == "conj"
            and c.pos_ == "VERB"
            and c.i > verb.i
            and c.lemma_.lower() not in REPORTING_VERBS
            and not any(g.dep_ in SHARED_CLAUSE_BLOCKERS for g in c.children)
        ):
            out.add(c.i)
    return out


# A joined verb with any of these has its own subject or tense, so its own time.
SHARED_CLAUSE_BLOCKERS = frozenset({"nsubj", "nsubjpass", "aux", "auxpass"})


def _reported_on(span: Span, trigger: Token) -> bool:
    """Whether a time dates the verb of saying that reports the trip, not the trip."""
    doc = trigger.doc
    before = [t for t in doc[max(0, span.start - 2) : span.start] if t.lower_ != "on"]
    if span.start < trigger.i and before and before[-1].lemma_.lower() in REPORTING_VERBS:
        return True  # 'said (on) Wednesday he will visit', however the parser hung it
    time_tok = span.root
    if time_tok.i > trigger.i or any(a.i == trigger.i for a in time_tok.ancestors):
        # the time hangs on the trip itself, or follows it (where the parser often hangs a
        # trip's own time on the main verb: 'told reporters after her visit in September')
        return False
    verb = time_tok.head.head if time_tok.head.dep_ == "prep" else time_tok.head
    if verb.i == trigger.i or verb.lemma_.lower() not in REPORTING_VERBS:
        return False  # only a time the verb of saying governs itself: 'said on Wednesday'
    return any(a.i == verb.i for a in trigger.ancestors)


# 'a four-day state visit', 'a 3-day trip', 'a two-week tour', 'a week-long tour'
_LENGTH_RE = re.compile(r"\b(?:(\w+)[- ](day|week)|week[- ]long)\b", re.I)


# Longer stated lengths are campaigns or postings, not one visit's window.
TRIP_MAX_STATED_DAYS = 21


def with_length(trigger: Token, when: When | None) -> When | None:
    """A one-day start widened by the trip's stated length: 'a four-day state visit on
    Tuesday' lasts from Tuesday to Friday."""
    if when is None or when.start is None or when.start != when.end:
        return when
    days = stated_days(trigger)
    if days is None:
        return when
    return When(when.text, when.start, when.start + timedelta(days=days - 1))


def running_window(trigger: Token, published: date | None) -> When | None:
    """The window of a trip of stated length under way on the report's day, when the text
    gives no date ('is on a two-day visit'): it began at most a length ago and ends at most a
    length ahead."""
    days = stated_days(trigger)
    if days is None or published is None:
        return None
    span = timedelta(days=days - 1)
    return When("(under way on the report's day)", published - span, published + span)


def stated_days(trigger: Token) -> int | None:
    """The length in days a trip noun states ('a four-day visit', 'a two-week tour')."""
    trip = trigger if trigger.pos_ in {"NOUN", "PROPN"} else None
    if trip is None:
        trip = next((c for c in trigger.children if c.lemma_.lower() in TRIP_NOUNS), None)
    if trip is None:
        # 'left for Seoul on a five-day visit'
        trip = next(
            (
                p
                for c in trigger.children
                if c.dep_ == "prep" and c.lower_ in {"on", "for"}
                for p in c.children
                if p.lemma_.lower() in TRIP_NOUNS
            ),
            None,
        )
    if trip is None:
        return None
    words = trigger.doc[trip.left_edge.i : trip.i].text
    m = _LENGTH_RE.search(words)
    if m is None:
        return None
    count = timex.number_word(m.group(1)) if m.group(1) else 1
    days = None if count is None else count * (1 if (m.group(2) or "").lower() == "day" else 7)
    if days is None or not 1 < days <= TRIP_MAX_STATED_DAYS:
        return None
    return days


def _below(verb: Token, trigger: Token) -> bool:
    """Whether a verb sits inside the trigger's own phrase ('a meeting to be held ...'), not in
    a clause coordinated with it ('traveled ... and is scheduled to return Tuesday')."""
    tok = verb
    while tok.head.i != tok.i:
        purpose = tok.dep_ == "advcl" and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in tok.children
        )  # 'travel to Bangkok to attend the November 18-19 meeting'
        if not purpose and tok.dep_ not in {
            "acl",
            "relcl",
            "xcomp",
            "prep",
            "pobj",
            "dobj",
            "compound",
            "nmod",
            "amod",
            "appos",
        }:
            return False
        tok = tok.head
        if tok.i == trigger.i:
            return True
    return False


# Prepositions whose time is what a trip is measured against ('the first visit since 1991').
COMPARISON_PREPS = frozenset({"since"})


def _attachment(tok: Token, chain: set[int], trigger: Token) -> bool:
    """Whether a time token hangs off the trigger's clause (or off no verb at all)."""
    for anc in [tok, *tok.ancestors]:
        if anc.i in chain:
            return True
        if anc.lower_ in COMPARISON_PREPS and anc.dep_ == "prep":
            # 'the first visit to Ukraine since its independence in 1991': the time the trip
            # is measured against, not the trip's
            return False
        if anc.pos_ in {"VERB", "AUX"} and anc.i != tok.i and anc.dep_ not in {"amod"}:
            # a verb inside the trigger's own phrase ('a meeting to be held in X later this
            # year') still speaks of the trip; a verb outside it does not
            return _below(anc, trigger)
    return True


# Verbs whose infinitive complement is a trip still to come: "invited X to visit", "plans to go".
FORWARD_VERBS = frozenset(
    {
        "invite",
        "plan",
        "expect",
        "hope",
        "intend",
        "schedule",
        "consider",
        "decide",
        "agree",
        "want",
        "wish",
        "seek",
        "set",
        "due",
        "prepare",
        "propose",
        "suggest",
        "ask",
        "urge",
    }
)


def tense_hint(trigger: Token) -> timex.Tense | None:
    """Whether the trip lies in the past or the future of the report, for reading partial
    dates ('in July', 'on Friday'). Modal and reported forms ('would be in Italy') give None:
    the nearest reading wins."""
    if trigger.lemma_.lower() in INVITE_WORDS:
        return "future"
    chain = sorted(_clause_chain(trigger), key=lambda i: i)
    doc = trigger.doc
    for i in [trigger.i, *[j for j in chain if j != trigger.i]]:
        t = doc[i]
        if t.lemma_.lower() in FORWARD_VERBS:
            return "future"
        auxes = {c.lower_ for c in t.children if c.dep_ in {"aux", "auxpass"}}
        if auxes & {"will", "'ll", "shall"} or t.lower_ == "will":
            return "future"
        if auxes & {"would", "could", "might", "may", "should", "can"}:
            return None
        if t.dep_ == "xcomp" or "to" in auxes:
            continue
        if t.lemma_ == "be" and any(
            c.dep_ == "xcomp" and any(a.lower_ == "to" for a in c.children) for c in t.children
        ):
            return "future"  # 'is to visit': a plan
        if t.tag_ == "VBD" or auxes & {"was", "were", "had", "did", "has", "have"}:
            return "past"
        if t.tag_ in {"VBZ", "VBP", "VBG"} and t.pos_ in {"VERB", "AUX"}:
            return "present"
    if trigger.pos_ in {"NOUN", "PROPN"}:
        for c in trigger.children:
            if c.lower_ in {"upcoming", "planned", "possible", "next", "proposed", "scheduled"}:
                return "future"
            if c.lower_ in {"last", "previous", "recent", "earlier"}:
                return "past"
    return None


_FOLLOWING_YEAR_RE = re.compile(
    r"\b(?:the\s+(?:following|next)\s+year|a\s+year\s+later)\b", re.IGNORECASE
)


def _times(text: str, disc: Discourse, tense: timex.Tense | None) -> list[timex.TimeMention]:
    if disc.published is None and disc.year is not None:
        # No publication date: read yearless dates as falling in the story's own year.
        return timex.find_times(text, date(disc.year, 7, 1), None)
    return timex.find_times(text, disc.published, tense)


_FOLLOWING_DAY_RE = re.compile(
    # 'the day after' only on its own: 'the day after the vote' follows the vote
    r"\b(?:the\s+(?:following|next)\s+day|a\s+day\s+later|the\s+day\s+after(?=\s*(?:[,.;]|$)))",
    re.IGNORECASE,
)


def relative_day(text: str, disc: Discourse) -> When | None:
    """'decided to visit Moscow the next day', after a sentence about the May 9 parade: the
    day after the last single day the story named."""
    if disc.last_day is None:
        return None
    m = _FOLLOWING_DAY_RE.search(text)
    if m is None:
        return None
    day = disc.last_day + timedelta(days=1)
    return When(m.group(0), day, day)


def relative_year(text: str, trigger: Token, disc: Discourse) -> When | None:
    """'the following year' after a sentence about 2022 means 2023."""
    if disc.last_year is None:
        return None
    m = _FOLLOWING_YEAR_RE.search(text)
    if m is None:
        return None
    y = disc.last_year + 1
    return When(m.group(0), date(y, 1, 1), date(y, 12, 31))
