"""Triggers: which words of a sentence make a trip, and of what kind.

A trigger's kind from the table in :mod:`visitrack.extract.lexicon`, the clause's main verb and
subject, a ``visiting`` guest, the occasion attended, and the places of a visiting guest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from visitrack import resolve
from visitrack.extract.actors import TITLE_WORDS, Actor, Discourse
from visitrack.extract.lexicon import (
    ACTIVITY_VERBS,
    ARRIVAL_WORDS,
    EVENT_NOUNS,
    HOST_VERBS,
    INVITE_WORDS,
    MOTION_VERBS,
    ROUTE_NOUNS,
    TAKE_VERBS,
    TRAVEL_VERBS,
    TRIP_NOUNS,
)
from visitrack.extract.places import DEST_PREPS, place_of_token, places_under
from visitrack.records import Kind

if TYPE_CHECKING:
    from spacy.tokens import Token


GROUP_WORDS = frozenset({"leaders", "heads", "presidents", "delegations", "leader", "officials"})


def trigger_kind(tok: Token) -> str | None:
    lemma = tok.lemma_.lower()
    if lemma == "present" and tok.dep_ == "acomp":
        # "leaders from A and B were present"
        return "attend"
    if visiting_guest(tok) is not None:
        return "visiting"
    if lemma in ARRIVAL_WORDS and any(
        c.dep_ == "prep" and c.lower_ in {"in", "at"} for c in tok.children
    ):
        # 'is expected in Helsinki', 'is due in Ankara': an arrival announced
        return "travel"
    if tok.pos_ in {"VERB", "AUX"}:
        if lemma in INVITE_WORDS:
            return "invite"
        if lemma in HOST_VERBS:
            return "host"
        if lemma == "meet" and any(
            c.dep_ == "prep" and c.lower_ in {"in", "at"} for c in meeting_place_heads(tok)
        ):
            return "meet"
        if (
            lemma == "meet"
            and tok.dep_ == "ROOT"
            and any(c.dep_ == "dobj" for c in tok.children)
            and not any(e.label_ in {"GPE", "LOC", "FAC"} for e in tok.doc.ents)
        ):
            return "meet_home"  # 'X has met A and B', no place named: where X is
        if lemma in ACTIVITY_VERBS and _placed_act(tok):
            return "travel"
        if lemma in TRAVEL_VERBS:
            # motion verbs are trips only with a direction: "went to Paris", not "went on";
            # a verb of leaving names the place left: 'left Bonn yesterday evening'
            if (
                lemma in MOTION_VERBS
                and not any(c.dep_ == "prep" and c.lower_ in DEST_PREPS for c in tok.children)
                and not (lemma in LEAVING_VERBS and _leaves_a_place(tok))
                and not _journey_from_a_place(tok)
            ):
                return None
            return "travel"
        if lemma in TAKE_VERBS and any(c.dep_ == "prep" and c.lower_ == "to" for c in tok.children):
            # 'a tour that has taken X to A, B and C': the trip carries its traveller
            subj = _subject(tok)
            if subj is not None and subj.lemma_.lower() in TRIP_NOUNS:
                return "take"
            return None
        if lemma == "be" and any(c.dep_ == "prep" and c.lower_ == "in" for c in tok.children):
            return "be_in"
        if lemma == "be" and _here_for_a_purpose(tok):
            return "be_in"  # where the story is filed (see frames._said_here)
        return None
    if tok.pos_ in {"NOUN", "PROPN"}:
        if lemma in INVITE_WORDS:
            return "invite"
        if lemma in TRIP_NOUNS or tok.lower_ in TRIP_NOUNS:
            return "trip"
        if lemma in ROUTE_NOUNS and _en_route(tok):
            return "trip"
        if (lemma in EVENT_NOUNS or tok.lower_ in EVENT_NOUNS) and any(
            c.dep_ == "prep" and c.lower_ in {"in", "at"} for c in event_place_heads(tok)
        ):
            return "event"
    return None


def _en_route(noun: Token) -> bool:
    """'on her way to Rome', 'en route to Washington': a journey towards a named place (not
    'on the way to a deal', 'paved the way to talks')."""
    return noun.head.lower_ in {"on", "en"} and any(
        c.dep_ == "prep"
        and c.lower_ == "to"
        and any(place_of_token(p) is not None for p in c.children if p.dep_ == "pobj")
        for c in noun.children
    )


def _here_for_a_purpose(be: Token) -> bool:
    """'X, who is here for talks', 'is here on a two-day visit', 'was here to sign a pact':
    present where the story is filed, and for something (not 'the crisis is here'). Not in
    the first or second person: a quote's 'we are here for the long haul' is seldom a place."""
    if any(c.dep_ == "nsubj" and c.lower_ in {"i", "we", "you"} for c in be.children):
        return False
    return any(c.dep_ == "advmod" and c.lower_ == "here" for c in be.children) and any(
        (c.dep_ == "prep" and c.lower_ in {"for", "on"}) or c.dep_ in {"xcomp", "advcl"}
        for c in be.children
    )


# Verbs of leaving: their object is the place left ('left Bonn', 'departed Tokyo').
LEAVING_VERBS = frozenset({"leave", "depart", "quit"})


def _leaves_a_place(verb: Token) -> bool:
    return any(c.dep_ == "dobj" and place_of_token(c) is not None for c in verb.children)


def origin_places(verb: Token) -> list[tuple[resolve.Place, Token]]:
    """The places a journey starts from, named outright ('flying from the United States');
    not a thing there ('from a holiday in Egypt')."""
    out = []
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ == "from":
            for p in c.children:
                place = place_of_token(p) if p.dep_ == "pobj" else None
                if place is not None:
                    out.append((place, p))
    return out


def _journey_from_a_place(verb: Token) -> bool:
    return bool(origin_places(verb))


def _placed_act(verb: Token) -> bool:
    """Whether an act names where it happens ('addressed parliament in Nairobi', 'signed the
    accord at a ceremony in Hanoi'), on the verb or on its object."""
    heads = [verb, *(c for c in verb.children if c.dep_ == "dobj")]
    return any(
        c.dep_ == "prep"
        and c.lower_ in {"in", "at"}
        and any(place_of_token(p) is not None for p in c.subtree if p.dep_ == "pobj")
        for h in heads
        for c in h.children
    )


def event_place_heads(noun: Token) -> list[Token]:
    """Tokens an event's place may hang on: the noun's own children, and, for an event that
    is a verb's object, the verb's ('will hold talks in Beijing', parsed onto 'hold')."""
    out = list(noun.children)
    if noun.dep_ == "dobj":
        out.extend(noun.head.children)
    return out


def meeting_place_heads(verb: Token) -> list[Token]:
    """Tokens a meeting's place may hang on: the verb's own children, and those of the person
    met ('met with President X in Kyiv', where the parser attaches 'in Kyiv' to X)."""
    out = list(verb.children)
    for c in verb.children:
        met = [c] if c.dep_ == "dobj" else list(c.children) if c.lower_ == "with" else []
        for person in met:
            out.extend(person.children)
    return out


# Prepositions that take the clause's own act as a gerund: 'before visiting X', 'after meeting'
# (not 'by': 'attended by visiting President X' names the guest).
GERUND_PREPS = frozenset({"before", "after", "while", "since", "without", "upon"})


def visiting_guest(tok: Token) -> Token | None:
    """The guest a 'visiting' attribute marks: 'talks with the visiting Polish leader',
    'told visiting Secretary of State X' (parsed as the verb 'visiting' taking the name as its
    object). None when 'visiting' is no attribute of a person."""
    if tok.lower_ != "visiting":
        return None
    if tok.dep_ in {"amod", "compound"} and tok.head.pos_ in {"NOUN", "PROPN"}:
        return tok.head
    if tok.dep_ == "pcomp" and tok.head.lower_ in GERUND_PREPS:
        return None  # 'before visiting Secretary X': the subject visits X, who is the host
    if tok.dep_ in {"pcomp", "acl", "xcomp", "advcl"}:
        for c in tok.children:
            if c.dep_ == "dobj" and c.pos_ == "PROPN" and c.ent_type_ not in {"GPE", "LOC", "FAC"}:
                return c
    if tok.dep_ == "csubj" and not any(c.dep_ in {"dobj", "prep"} for c in tok.children):
        # 'Visiting US Secretary X said here ...': the parser makes the attribute a clause
        # subject beside the name, which is the verb's own subject
        subj = next((c for c in tok.head.children if c.dep_ == "nsubj" and c.i > tok.i), None)
        if subj is not None and subj.pos_ == "PROPN":
            return subj
    return None


def main_verb(tok: Token) -> Token | None:
    for a in tok.ancestors:
        if a.pos_ in {"VERB", "AUX"}:
            return a
    return None


# Entity types of places: never the person a verb's subject names.
PLACE_ENTS = frozenset({"GPE", "LOC", "FAC"})


def _subject(verb: Token) -> Token | None:
    """The subject of a verb, climbing through control and coordination ('plans to attend')."""
    tok = verb
    for _ in range(5):
        subjects = [c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"}]
        if len(subjects) > 1:
            # a dateline glued to the sentence ('TEL AVIV, June 19 -- X is expected to meet')
            # is parsed as a second subject: the person is the subject
            subjects = [c for c in subjects if c.ent_type_ not in PLACE_ENTS] or subjects
        for c in subjects:
            if c.lower_ in {"who", "that", "which"} and tok.dep_ == "relcl":
                return tok.head  # "the minister who visited Tehran"
            return c
        if tok.dep_ in {"xcomp", "conj", "advcl", "ccomp", "acl", "pcomp", "acomp"} or (
            tok.dep_ in {"dobj", "pobj", "prep"} and tok.pos_ != "VERB"
        ):
            if tok.dep_ == "acl" and tok.head.pos_ in {"NOUN", "PROPN"}:
                # "an invitation to attend": the invitee is the subject of the noun's verb
                tok = tok.head
                continue
            tok = tok.head
            continue
        break
    return None


def _occasion(trigger: Token) -> tuple[str | None, Token | None]:
    """The event attended: the object of 'attend' or an event noun near the trigger."""
    for t in trigger.subtree:
        if t.lemma_.lower() in EVENT_NOUNS - {"meeting", "talks", "dialogue"} and t.pos_ == "NOUN":
            left = [
                c
                for c in t.lefts
                if c.dep_ in {"compound", "amod", "nummod"}
                and c.pos_ in {"PROPN", "NOUN", "ADJ", "NUM"}
            ]
            # "Republic Day celebrations": a compound's own modifiers belong to the name
            start = min(c.left_edge.i for c in left) if left else t.i
            text = t.doc[start : t.i + 1].text
            return text, t
    return None, None


def _kind(trigger: Token, sentence: str, occasion: str | None) -> Kind:
    low = sentence.lower()
    if "state visit" in low:
        return "state_visit"
    if "official visit" in low:
        return "official_visit"
    if "working visit" in low:
        return "working_visit"
    if occasion or trigger.lemma_.lower() in {"attend", "present", "attendance"}:
        return "event_attendance"
    return "visit"


def guest_places(
    tok: Token, host: Actor | None, skip: frozenset[int], disc: Discourse
) -> list[tuple[resolve.Place, Token]]:
    """Where a 'visiting' guest is: the place the sentence gives them or its verb, else the
    host's country, else the dateline's."""
    guest = visiting_guest(tok)
    main = main_verb(tok)
    for anchor in (guest, main):
        if anchor is not None:
            found = places_under(anchor, skip, preps=frozenset({"in", "at"}))
            if found:
                return found
    if host is not None and host.country:
        return [(resolve.Place(host.country, None), tok)]
    if disc.home is not None:
        return [(disc.home, tok)]
    return []


def subject_of(trigger: Token) -> Token | None:
    """The subject of a trigger verb, or of the copula a trigger adjective completes ('the
    delegates will be present')."""
    head = trigger.head if trigger.pos_ == "ADJ" and trigger.dep_ == "acomp" else trigger
    if head.pos_ not in {"VERB", "AUX"}:
        return None
    return next((c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)


def thing_subject(trigger: Token) -> bool:
    """Whether a travel verb's subject is a thing, not a person: 'attention will go to X',
    'exports went to Y'. (Trip nouns and titles are people's trips and offices.)"""
    if trigger.pos_ not in {"VERB", "AUX"}:
        return False
    subj = next((c for c in trigger.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subj is None or subj.pos_ != "NOUN":
        return False
    low = subj.lemma_.lower()
    return low not in TITLE_WORDS and low not in TRIP_NOUNS and low not in GROUP_WORDS
