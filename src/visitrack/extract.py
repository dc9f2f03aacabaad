"""Extract stage: find visit mentions (frames) in parsed sentences.

A *frame* is one sentence's claim that somebody travels somewhere: a trigger (``visit``,
``trip``, ``invited ... to``, ``arrive in``, ``attend``, ``host`` ...), the visitor found through
the dependency tree (subject, possessor, ``visit by``, invitee), the destination (``to``/``in``
+ place, the object of ``visit``, the host's country), the time expression nearest the trigger,
and a stage. Frames are merged into visit records by :mod:`visitrack.merge`.

The stage keeps discourse state across a story's sentences (the last person named, people
already resolved) so that "he", "the Chinese leader" and a bare surname resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from visitrack import pubdate, resolve, timex
from visitrack.actors import (
    PRONOUNS,
    TITLE_WORDS,
    Actor,
    Discourse,
    find_actors,
    org_in,
    pronoun_fits,
)
from visitrack.lexicon import (
    ARRIVAL_WORDS,
    EVENT_NOUNS,
    HOST_VERBS,
    INVITE_WORDS,
    MOTION_VERBS,
    NON_OFFICIAL_TITLE_WORDS,
    OFFICIAL_TITLE_WORDS,
    TAKE_VERBS,
    TRAVEL_VERBS,
    TRIP_NOUNS,
)
from visitrack.records import Kind, Stage, When
from visitrack.stage import decide_stage, guest_stage, is_infinitive

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Verbs whose direction words carry the destination ("head to", "leave for", "fly into").
DEST_PREPS = frozenset({"to", "in", "for", "into", "at", "inside"})
# Prepositions that place a trip without being a direction of travel ('met just outside X'):
# they name where it happens but do not make a motion verb a trip.
NEAR_PREPS = frozenset({"outside", "near"})
# Inside a 'visit by X' agent phrase only 'to' marks the trip's direction (see
# _agent_destination).
AGENT_DEST_PREPS = frozenset({"to"})
# Titles whose own 'to X' is a posting, not a trip: 'the ambassador to X'.
POSTED_TITLES = frozenset({"ambassador", "envoy", "representative", "delegate"})
# "visit" used for things that are no diplomatic visit.
# Objects of "visit" that are no trip abroad (a foreign official visiting a hospital abroad is
# still abroad, so places are not listed: the destination country decides).
NON_DIPLOMATIC_OBJECTS = frozenset({"website", "site", "page", "doctor", "account", "profile"})
ADJUNCT_PREPS = frozenset({"after", "before", "during", "since", "following", "until", "amid"})
GROUP_WORDS = frozenset({"leaders", "heads", "presidents", "delegations", "leader", "officials"})

# Confidence of a frame by how its visitor and destination were found. Calibrated on gold/dev
# and gold/dev2 (2026-12-01, `make eval`'s reliability table): records from the parse were
# right 93% of the time, records from a guess (nearest person, a guessed country) 91-93%; on
# the unseen Reuters sample (audit/) both were lower, so the guess stays a notch below.
CONF_DEPENDENCY = 0.9
CONF_FALLBACK = 0.85


@dataclass(frozen=True, slots=True)
class Frame:
    """One sentence's claim about one visit: the unit :mod:`visitrack.merge` groups."""

    visitor: Actor
    host: Actor | None
    country: str
    city: str | None
    kind: Kind
    occasion: str | None
    stage: Stage
    when: When | None
    sent_start: int
    sent_end: int
    sent_text: str
    confidence: float
    story: int = 0


# --- places --------------------------------------------------------------------------------------


def place_of_token(tok: Token) -> resolve.Place | None:
    """The place a token names, looking at its whole entity when it is part of one."""
    doc = tok.doc
    if tok.ent_type_ in {"GPE", "LOC", "FAC", "ORG", "NORP"} and tok.ent_iob_ != "O":
        for ent in doc.ents:
            if ent.start <= tok.i < ent.end:
                text = ent.text
                if ent.label_ == "NORP":
                    return None
                p = resolve.place(text.removeprefix("the ").removeprefix("The "))
                if p:
                    return p
                break
    if tok.pos_ == "PROPN" and (tok.ent_iob_ == "O" or tok.ent_type_ == "PERSON"):
        # Outside an entity only a country's name or capital counts: small towns share their
        # names with surnames and common words.
        code = resolve.country_named(tok.text)
        if code is not None:
            p = resolve.place(tok.text)
            return p if p is not None and p.country == code else resolve.Place(code, None)
    return None


def _appositive_country(tok: Token) -> str | None:
    """The country written right after a place name: 'Cornwall, U.K.', 'Paris, Texas'."""
    doc = tok.doc
    end = tok.i + 1
    if end + 1 < len(doc) and doc[end].text == ",":
        for n in (3, 2, 1):
            if end + 1 + n <= len(doc):
                code = resolve.country_named(doc[end + 1 : end + 1 + n].text)
                if code is not None:
                    return code
    return None


def _places_under(
    tok: Token, skip: frozenset[int], preps: frozenset[str] = DEST_PREPS | NEAR_PREPS
) -> list[tuple[resolve.Place, Token]]:
    """Places reached from a trigger through direction prepositions (``preps``) or as its
    object, including coordinated ones ('France, Germany and Italy')."""
    out: list[tuple[resolve.Place, Token]] = []

    def add(t: Token) -> None:
        if t.i in skip:
            return
        p = place_of_token(t)
        if p is None and t.pos_ in {"NOUN", "PROPN"}:
            # "Kenya's biggest shantytown", "a palace outside Saint Petersburg"; not the
            # members in "a summit of the Gulf states plus Egypt"
            for q in _located_in(t):
                if q.i != t.i and q.pos_ == "PROPN" and q.i not in skip:
                    p = place_of_token(q)
                    if p is not None:
                        out.append((p, q))
                        break
        elif p is not None:
            named = _appositive_country(t)
            if p.city is not None and named is not None and named != p.country:
                # 'Cornwall, U.K.': the country given beside a city names which one it is
                p = resolve.Place(named, p.city)
            out.append((p, t))
        for c in t.children:
            if c.dep_ in {"conj", "appos"}:
                add(c)

    def prep(c: Token) -> None:
        for p in c.children:
            if p.dep_ == "pobj":
                add(p)
            elif p.dep_ == "conj" and p.pos_ == "ADP" and p.lower_ in DEST_PREPS:
                # "visits to A in October and to B in November": the parser hangs the second
                # direction phrase off the first preposition
                prep(p)

    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            prep(c)
        elif c.dep_ in {"dobj", "attr", "npadvmod"}:
            add(c)
    return out


# Dependencies through which a noun's own location is named: 'Kenya's shantytown', 'the
# Nairobi slum', 'a palace outside Saint Petersburg', 'a base in Niger'.
LOCATING_DEPS = frozenset({"poss", "compound", "nmod", "amod", "pobj", "appos"})


# Clauses under a noun that can say where it is: 'a meeting (to be) held in X'.
PASSING_DEPS = frozenset({"prep", "acl", "relcl", "xcomp"})


def _located_in(tok: Token) -> list[Token]:
    """Tokens under a noun that can name where it is (not members or topics: in 'a summit of
    the Gulf states plus Egypt' only a clause under the 'of' phrase, such as 'a meeting of
    heads of government (to be) held in Islamabad', can place it)."""
    out: list[Token] = []
    stack: list[tuple[Token, bool]] = [(c, False) for c in tok.children]
    while stack:
        c, only_clauses = stack.pop()
        if c.dep_ == "prep":
            if c.lower_ in DEST_PREPS | NEAR_PREPS:
                stack.extend((ch, False) for ch in c.children)
            elif c.lower_ == "of":
                stack.extend((ch, True) for ch in c.children)
            continue
        if c.dep_ in LOCATING_DEPS and not only_clauses:
            out.append(c)
            stack.extend(
                (ch, False) for ch in c.children if ch.dep_ in LOCATING_DEPS | PASSING_DEPS
            )
        elif c.dep_ in PASSING_DEPS - {"prep"}:
            # 'a meeting scheduled to be held in Islamabad'
            stack.extend((ch, False) for ch in c.children)
        elif only_clauses:
            stack.extend((ch, True) for ch in c.children)
    return sorted(out, key=lambda t: t.i)


def _agent_destination(trigger: Token, skip: frozenset[int]) -> list[tuple[resolve.Place, Token]]:
    """'the visit by X of A to B': the parser often hangs 'to B' on the visitor's name (or
    country) rather than on the trip noun, so the direction phrase is sought inside the
    'by' phrase. Only 'to' is taken there: 'in'/'at' inside a name phrase usually describe
    the person ('the ambassador in Rome'), not the trip."""
    for c in trigger.children:
        if c.dep_ != "prep" or c.lower_ != "by":
            continue
        for t in c.subtree:
            if (
                t.dep_ == "prep"
                and t.lower_ == "to"
                and t.head.i != trigger.i
                and t.head.lemma_.lower() not in POSTED_TITLES
            ):
                found = _places_under(t.head, skip, preps=AGENT_DEST_PREPS)
                if found:
                    return found
    return []


# --- triggers ------------------------------------------------------------------------------------


def _trigger_kind(tok: Token) -> str | None:
    lemma = tok.lemma_.lower()
    if lemma == "present" and tok.dep_ == "acomp":
        # "leaders from A and B were present"
        return "attend"
    if _visiting_guest(tok) is not None:
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
            c.dep_ == "prep" and c.lower_ in {"in", "at"} for c in tok.children
        ):
            return "meet"
        if (
            lemma == "meet"
            and tok.dep_ == "ROOT"
            and any(c.dep_ == "dobj" for c in tok.children)
            and not any(e.label_ in {"GPE", "LOC", "FAC"} for e in tok.doc.ents)
        ):
            return "meet_home"  # 'X has met A and B', no place named: where X is
        if lemma in TRAVEL_VERBS:
            # motion verbs are trips only with a direction: "went to Paris", not "went on"
            if lemma in MOTION_VERBS and not any(
                c.dep_ == "prep" and c.lower_ in DEST_PREPS for c in tok.children
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
        return None
    if tok.pos_ in {"NOUN", "PROPN"}:
        if lemma in INVITE_WORDS:
            return "invite"
        if lemma in TRIP_NOUNS or tok.lower_ in TRIP_NOUNS:
            return "trip"
        if lemma in EVENT_NOUNS and any(
            c.dep_ == "prep" and c.lower_ in {"in", "at"} for c in tok.children
        ):
            return "event"
    return None


def _visiting_guest(tok: Token) -> Token | None:
    """The guest a 'visiting' attribute marks: 'talks with the visiting Polish leader',
    'told visiting Secretary of State X' (parsed as the verb 'visiting' taking the name as its
    object). None when 'visiting' is no attribute of a person."""
    if tok.lower_ != "visiting":
        return None
    if tok.dep_ in {"amod", "compound"} and tok.head.pos_ in {"NOUN", "PROPN"}:
        return tok.head
    if tok.dep_ in {"pcomp", "acl", "xcomp", "advcl"}:
        for c in tok.children:
            if c.dep_ == "dobj" and c.pos_ == "PROPN" and c.ent_type_ not in {"GPE", "LOC", "FAC"}:
                return c
    return None


def _main_verb(tok: Token) -> Token | None:
    for a in tok.ancestors:
        if a.pos_ in {"VERB", "AUX"}:
            return a
    return None


def _subject(verb: Token) -> Token | None:
    """The subject of a verb, climbing through control and coordination ('plans to attend')."""
    tok = verb
    for _ in range(5):
        for c in tok.children:
            if c.dep_ in {"nsubj", "nsubjpass"}:
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


def _expand(
    tok: Token, actors: dict[int, Actor], disc: Discourse, *, share_country: bool = True
) -> list[Actor]:
    """Actors a token stands for, with coordinated ones ('Fico, Vucic and Lula'); with
    ``share_country`` an unplaced partner takes the placed partners' country."""
    out: list[Actor] = []
    seen: set[str] = set()

    def one(t: Token) -> None:
        a = actors.get(t.i)
        if a is None and t.lower_ in PRONOUNS:
            a = _antecedent(t, actors, disc)
        if a is None and t.lower_ in {"their", "they", "them"}:
            for g in _group_in_sentence(t.doc, actors, disc):
                if g.key not in seen:
                    seen.add(g.key)
                    out.append(g)
        if a is None:
            # the head noun of a titled name: 'Lavrov' within 'Minister Sergei Lavrov'
            for c in t.children:
                if c.dep_ == "compound" and c.i in actors:
                    a = actors[c.i]
                    break
        leader = _led_by(t, actors)
        if leader is not None:
            if leader.country is None and a is not None:
                leader = replace(leader, country=a.country, role=a.role)
            a = leader
        if a is not None and a.key not in seen:
            seen.add(a.key)
            out.append(a)
        for c in t.children:
            # A list of titled names is often parsed as appositions ('Fico, President Vucic,').
            if c.dep_ == "conj" or (
                # 'his sister, chief of staff Karina Milei': the name in apposition
                c.dep_ == "appos" and c.i in actors and (a is None or actors[c.i].key != a.key)
            ):
                one(c)
        if t.lower_ in GROUP_WORDS or t.lemma_ in GROUP_WORDS:
            # "leaders from A, B and C", "the leaders of A, B and C"
            for c in t.children:
                if c.dep_ == "prep" and c.lower_ in {"from", "of"}:
                    for p in c.children:
                        _group_countries(p, out, seen)

    one(tok)
    # "Funaro and Gros visited": a partner nobody placed shares the placed partners' country
    countries = {a.country for a in out if a.country}
    if share_country and len(countries) == 1 and any(a.country is None and a.name for a in out):
        only = next(iter(countries))
        out = [replace(a, country=only) if a.country is None and a.name else a for a in out]
    return out


def _led_by(tok: Token, actors: dict[int, Actor]) -> Actor | None:
    """The person leading a delegation: 'a mission led by X'."""
    for c in tok.children:
        if c.dep_ == "acl" and c.lemma_ == "lead":
            for b in c.children:
                if b.dep_ == "agent" or (b.dep_ == "prep" and b.lower_ == "by"):
                    for p in b.children:
                        if p.i in actors:
                            return actors[p.i]
                        for q in p.subtree:
                            if q.i in actors and actors[q.i].name:
                                return actors[q.i]
                        if p.pos_ == "PROPN":
                            # a name the recogniser missed after a long title
                            name = (
                                " ".join(
                                    t.text
                                    for t in p.lefts
                                    if t.dep_ == "compound" and t.pos_ == "PROPN"
                                )
                                + " "
                                + p.text
                            )
                            return Actor(name.strip(), "other", None, frozenset({p.i}), p.text)
                    # The parser may end the 'by' phrase at a long title and make the name
                    # after it a second subject: 'led by minister of state in the presidency X
                    # will visit'. The title's own tokens may belong to the name's actor.
                    for j in (c.right_edge.i, c.right_edge.i + 1):
                        a = actors.get(j)
                        if a is not None and a.name and max(a.tokens) > c.right_edge.i:
                            return a
                    missed = _second_subject_name(tok, c.right_edge.i + 1)
                    if missed is not None:
                        return missed
    return None


def _second_subject_name(group: Token, start: int) -> Actor | None:
    """A name the recogniser missed, parsed as a second subject of the group's verb right
    after its 'led by' phrase."""
    doc = group.doc
    if start >= len(doc) or doc[start].pos_ != "PROPN":
        return None
    head = doc[start].head if doc[start].dep_ == "compound" else doc[start]
    if (
        head.pos_ != "PROPN"
        or head.dep_ != "nsubj"
        or head.head.i != group.head.i
        or group.dep_ != "nsubj"
        or head.i < start
        or place_of_token(head) is not None
    ):
        return None
    span = doc[start : head.i + 1]
    if not all(t.pos_ == "PROPN" for t in span):
        return None
    return Actor(span.text, "other", None, frozenset(range(start, head.i + 1)), span.text)


def _antecedent(pron: Token, actors: dict[int, Actor], disc: Discourse) -> Actor | None:
    """What 'he'/'his' refers to: the nearest earlier named non-speaker in the sentence, else
    the last person the story named; never one whose given name contradicts the pronoun."""
    best: Actor | None = None
    subject: Actor | None = None
    doc = pron.doc
    for i in sorted(actors):
        a = actors[i]
        if i < pron.i and a.name and not a.speaker and a.country and pronoun_fits(pron.text, a):
            best = a
            if doc[i].dep_ in {"nsubj", "nsubjpass"} or any(
                doc[j].dep_ in {"nsubj", "nsubjpass"} for j in a.tokens
            ):
                subject = a
    found = subject or best
    if found is None:
        # the story's last subject, not its last object: "Macron will hold talks with
        # Prabowo. He will end the tour in Singapore." Token positions of an earlier sentence
        # mean nothing here.
        earlier = disc.last_subject or disc.last_person
        if earlier is not None and not pronoun_fits(pron.text, earlier):
            # 'she' after a man was named last: the last woman the story named
            earlier = next(
                (
                    a
                    for a in reversed(list(disc.people.values()))
                    if a.country and not a.speaker and pronoun_fits(pron.text, a)
                ),
                None,
            )
        if earlier is not None:
            found = replace(earlier, tokens=frozenset({pron.i}))
    return found


def _group_countries(tok: Token, out: list[Actor], seen: set[str]) -> None:
    """Unnamed leaders of each country in a coordinated list ('from A, B and C')."""
    items: list[Token] = []

    def walk(t: Token) -> None:
        if t.pos_ == "PROPN":
            items.append(t)
        for c in t.children:
            if c.dep_ in {"conj", "appos"}:
                walk(c)

    walk(tok)
    texts = [_entity_text(t) for t in items]
    codes = [resolve.country_named(x) for x in texts]
    known = [c for c in codes if c]
    for t, text, code in zip(items, texts, codes, strict=True):
        if code is None and len(known) >= 2:
            # a slip in a list of states ('Almania, Belarus, Kazakhstan'): only a state of the
            # list's own region fits
            code = resolve.fuzzy_country(text, among=resolve.region_mates(known))
        if code is None:
            continue
        a = Actor(None, "head_of_state", code, _entity_tokens(t), t.text)
        if a.key not in seen:
            seen.add(a.key)
            out.append(a)


def _entity_tokens(tok: Token) -> frozenset[int]:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return frozenset(range(ent.start, ent.end))
    return frozenset({tok.i})


def _entity_text(tok: Token) -> str:
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return str(ent.text)
    return str(tok.text)


def _visitors(
    trigger: Token, kind: str, actors: dict[int, Actor], disc: Discourse
) -> tuple[list[Actor], Actor | None, bool]:
    """Visitors of a trigger, its host if named, and whether the parse (not a guess) found them."""
    host: Actor | None = None
    if kind == "invite":
        inviter = _subject(trigger) if trigger.pos_ == "VERB" else None
        if inviter is not None:
            hs = _expand(inviter, actors, disc)
            host = hs[0] if hs else None
        if trigger.pos_ == "VERB":
            for c in trigger.children:
                if c.dep_ in {"dobj", "nsubjpass"}:
                    vs = _expand(c, actors, disc)
                    if vs:
                        return vs, host, True
        else:
            # "an invitation to X", "accepted an invitation": the acceptor, or the addressee
            for c in trigger.children:
                if c.dep_ == "prep" and c.lower_ in {"to", "for"}:
                    for p in c.children:
                        vs = _expand(p, actors, disc)
                        if vs:
                            return vs, host, True
            head = trigger.head
            if head.lemma_.lower() in {
                "accept",
                "receive",
                "snub",
                "decline",
                "reject",
                "extend",
                "convey",
                "send",
                "deliver",
            }:
                if head.lemma_.lower() in {"extend", "convey", "send", "deliver"}:
                    for c in head.children:
                        if c.dep_ in {"dative", "prep"} and c.lower_ in {"to", "for"}:
                            for p in c.children:
                                vs = _expand(p, actors, disc)
                                if vs:
                                    return vs, host, True
                    subj = _subject(head)
                    if subj is not None:
                        hs = _expand(subj, actors, disc)
                        host = hs[0] if hs else host
                else:
                    subj = _subject(head)
                    if subj is not None:
                        vs = _expand(subj, actors, disc)
                        if vs:
                            return vs, host, True
        return [], host, False
    if kind == "meet":
        # everyone at a meeting abroad is a visitor there; the host's compatriots drop out later
        # (people who meet are as often of two states as of one: no country is shared)
        people: list[Actor] = []
        subj = _subject(trigger)
        if subj is not None:
            people += _expand(subj, actors, disc, share_country=False)
        for c in trigger.children:
            if c.dep_ == "dobj":
                people += _expand(c, actors, disc, share_country=False)
            if c.dep_ == "prep" and c.lower_ == "with":
                for p in c.children:
                    people += _expand(p, actors, disc, share_country=False)
        return people, None, bool(people)
    if kind == "meet_home":
        # the guests a leader met at home ('LONDON - Blair has met Berlusconi and Schroeder')
        subj = _subject(trigger)
        hs = _expand(subj, actors, disc) if subj is not None else []
        host = hs[0] if len(hs) == 1 and hs[0].country else None
        if host is None or host.country not in _home_states(disc):
            return [], None, False
        guests: list[Actor] = []
        for c in trigger.children:
            if c.dep_ == "dobj":
                guests += [a for a in _expand(c, actors, disc) if a.country != host.country]
        return guests, host, bool(guests)
    if kind == "host":
        subj = _subject(trigger)
        if subj is not None:
            hs = _expand(subj, actors, disc)
            host = hs[0] if hs else None
        for c in trigger.children:
            # "hosts X", and the passive "X will be received in Hanoi by Y"
            if c.dep_ in {"dobj", "nsubjpass"}:
                vs = _expand(c, actors, disc)
                if vs:
                    if c.dep_ == "nsubjpass":
                        host = next(
                            (
                                a
                                for b in trigger.children
                                if b.dep_ == "agent"
                                for p in b.children
                                for a in _expand(p, actors, disc)
                            ),
                            None,
                        )
                    return vs, host, True
        return [], host, False
    if kind == "visiting":
        guest = _visiting_guest(trigger)
        vs = _expand(guest, actors, disc) if guest is not None else []
        main = _main_verb(trigger)
        subj = _subject(main) if main is not None else None
        hs = _expand(subj, actors, disc) if subj is not None else []
        host = next((h for h in hs if h.country), None)
        return vs, host, bool(vs)
    if kind == "take":
        for c in trigger.children:
            if c.dep_ == "dobj":
                vs = _expand(c, actors, disc)
                if vs:
                    return vs, host, True
        return [], host, False
    if kind == "trip" and trigger.lemma_.lower() in {"delegation", "mission"}:
        vs = _expand(trigger, actors, disc)
        if vs:
            return vs, host, True
    if kind == "trip":
        for c in trigger.children:
            if c.dep_ in {"poss", "compound"}:
                vs = _expand(c, actors, disc)
                if vs:
                    return vs, host, True
            if c.dep_ == "prep" and c.lower_ in {"by", "of"}:
                for p in c.children:
                    vs = _expand(p, actors, disc)
                    if vs:
                        return vs, host, True
        if trigger.head.pos_ in {"PROPN", "NOUN"} and trigger.dep_ in {"pobj"}:
            # "Lavrov, on a two-day visit to Beijing, met ..."
            holder = trigger.head.head
            vs = _expand(holder, actors, disc)
            if vs:
                return vs, host, True
    if trigger.dep_ == "pobj" and trigger.head.lower_ in ADJUNCT_PREPS - {"during"}:
        # "released shortly after the arrival of X": the subject of 'released' did not travel
        # (but 'will hold talks during a visit to China': the subject is the traveller)
        return [], host, False
    subj = _subject(trigger)
    if subj is not None:
        vs = _expand(subj, actors, disc)
        if vs:
            # a list of titled names the parser split into several subjects
            for other in subj.head.children:
                if other.dep_ == subj.dep_ and other.i != subj.i and other.i in actors:
                    vs += _expand(other, actors, disc)
            keys = {a.key for a in vs}
            vs = list({a.key: a for a in vs}.values())
            vs += [a for a in _listed_before(subj, actors) if a.key not in keys]
            return vs, host, True
    return [], host, False


# Tokens that end one item of a list of people: 'A, B and C will travel'.
LIST_SEPARATORS = frozenset({",", "and", ";"})


def _listed_before(subj: Token, actors: dict[int, Actor]) -> list[Actor]:
    """People listed before a subject whose long titles broke the parse into nested phrases
    ('Adviser A, Commander B, and Assistant Secretary of Defense C traveled'): named actors
    inside the subject's phrase, each closing a list item, with an 'and' before the subject."""
    doc = subj.doc
    head = actors.get(subj.i)
    if head is None or not head.name:
        return []
    first = min(head.tokens)
    start = subj.left_edge.i
    if not any(doc[j].lower_ == "and" for j in range(start, first)):
        return []
    out: list[Actor] = []
    seen = {head.key}
    for i in range(start, first):
        a = actors.get(i)
        if a is None or not a.name or a.key in seen or a.speaker:
            continue
        after = max(a.tokens) + 1
        if after < len(doc) and doc[after].lower_ in LIST_SEPARATORS:
            seen.add(a.key)
            out.append(a)
    return out


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


def _clause_chain(trigger: Token) -> set[int]:
    """The trigger and the heads that govern it up to and including its clause's verb, plus the
    control verbs above that ('is expected to arrive', 'plans to attend')."""
    chain = {trigger.i}
    tok = trigger
    while tok.head.i != tok.i:
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


def _pick_time(
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
        return None
    return min(attached, key=lambda pair: pair[0])[1].when


# Verbs of saying: a time on them dates the report, not the trip ('said on Wednesday he will
# visit in April').
REPORTING_VERBS = frozenset(
    {
        "say",
        "announce",
        "tell",
        "confirm",
        "reveal",
        "report",
        "state",
        "add",
        "note",
        "disclose",
        "declare",
        "write",
        "tweet",
        "post",
        "inform",
    }
)


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


NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "week": 7,
}
# 'a four-day state visit', 'a 3-day trip', 'a week-long tour'
_LENGTH_RE = re.compile(r"\b(\w+)[- ](?:day|long)\b", re.I)
# Longer stated lengths are campaigns or postings, not one visit's window.
TRIP_MAX_STATED_DAYS = 21


def _with_length(trigger: Token, when: When | None) -> When | None:
    """A one-day start widened by the trip's stated length: 'a four-day state visit on
    Tuesday' lasts from Tuesday to Friday."""
    if when is None or when.start is None or when.start != when.end:
        return when
    trip = trigger if trigger.pos_ in {"NOUN", "PROPN"} else None
    if trip is None:
        trip = next((c for c in trigger.children if c.lemma_.lower() in TRIP_NOUNS), None)
    if trip is None:
        return when
    words = trigger.doc[trip.left_edge.i : trip.i].text
    m = _LENGTH_RE.search(words)
    if m is None:
        return when
    word = m.group(1).lower()
    days = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
    if days is None or not 1 < days <= TRIP_MAX_STATED_DAYS:
        return when
    return When(when.text, when.start, when.start + timedelta(days=days - 1))


def _coordinated_prep(place_tok: Token) -> Token | None:
    """The preposition of a second direction phrase a place sits in: 'to' in 'to A in March
    and to B in May'. Such a phrase carries its own time, the one that follows it."""
    tok = place_tok
    while tok.dep_ in {"conj", "appos", "pobj"} and tok.pos_ != "ADP":
        tok = tok.head
    if tok.pos_ == "ADP" and tok.dep_ == "conj" and tok.head.pos_ == "ADP":
        return tok
    return None


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


def _attachment(tok: Token, chain: set[int], trigger: Token) -> bool:
    """Whether a time token hangs off the trigger's clause (or off no verb at all)."""
    for anc in [tok, *tok.ancestors]:
        if anc.i in chain:
            return True
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


def _tense_hint(trigger: Token) -> timex.Tense | None:
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
_YEAR_IN_TEXT_RE = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


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
    years = [int(y) for y in _YEAR_IN_TEXT_RE.findall(text)]
    return max(years) if years else None


_CAPITALISED_RUN_RE = re.compile(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}")


def story_countries(text: str) -> tuple[str, ...]:
    """The states a story names (by name, demonym, capital or seat of government), most
    named first; ties keep the order of first mention."""
    counts: dict[str, int] = {}
    for m in _CAPITALISED_RUN_RE.finditer(text):
        words = m.group(0).split()
        i = 0
        while i < len(words):
            for n in (3, 2, 1):
                if i + n > len(words):
                    continue
                code = resolve.country_named(" ".join(words[i : i + n]))
                if code is not None:
                    counts[code] = counts.get(code, 0) + 1
                    i += n
                    break
            else:
                i += 1
    return tuple(sorted(counts, key=lambda c: -counts[c]))


# Stages of a trip still ahead of the report.
PLANNED_STAGES = frozenset({"proposed", "invited", "in_preparation", "announced"})


# A dated trip this long or shorter can be a tour whose undated legs share its window ('from
# July 13-16 ... will then travel to Jeddah'); longer windows are seasons or years, no tour.
TOUR_MAX_DAYS = 31


def _tour_key(f: Frame) -> tuple[str, bool]:
    return (f.visitor.key, f.stage in PLANNED_STAGES)


def fill_tour_times(frames: list[Frame]) -> list[Frame]:
    """Give the undated legs of a trip the window of the same visitor's one dated trip of the
    same tense in the story ('will visit the region from July 13-16 ... will then travel to
    Jeddah'). Several different dated trips leave the legs undated: which one is unknown."""
    windows: dict[tuple[str, bool], set[tuple[date, date]]] = {}
    for f in frames:
        w = f.when
        if w is not None and w.start and w.end and (w.end - w.start).days <= TOUR_MAX_DAYS:
            windows.setdefault(_tour_key(f), set()).add((w.start, w.end))
    out: list[Frame] = []
    for f in frames:
        found = windows.get(_tour_key(f), set())
        if f.when is None and f.stage not in {"postponed", "cancelled"} and found:
            start = min(a for a, _ in found)
            end = max(b for _, b in found)
            if (end - start).days <= TOUR_MAX_DAYS:
                f = replace(f, when=When("(the trip's window)", start, end))
        out.append(f)
    return out


def fill_event_times(frames: list[Frame], disc: Discourse) -> list[Frame]:
    """Give an attendance with no time of its own the date the story gives its event
    ('accepted an invitation to attend celebrations' ... 'the May 9 celebrations')."""
    out: list[Frame] = []
    for f in frames:
        if f.when is None and f.kind == "event_attendance":
            key = (f.occasion or "*").lower().split()[-1].rstrip("s")
            when = disc.event_times.get(key) or disc.event_times.get("*")
            if when is not None and f.stage in PLANNED_STAGES:
                # the event's date was read without a tense: a planned attendance is ahead
                again = timex.find_times(when.text, disc.published, "future")
                when = again[0].when if again and again[0].when.start else when
            if when is not None:
                f = replace(f, when=when)
        out.append(f)
    return out


def _times(text: str, disc: Discourse, tense: timex.Tense | None) -> list[timex.TimeMention]:
    if disc.published is None and disc.year is not None:
        # No publication date: read yearless dates as falling in the story's own year.
        return timex.find_times(text, date(disc.year, 7, 1), None)
    return timex.find_times(text, disc.published, tense)


def _relative_year(text: str, trigger: Token, disc: Discourse) -> When | None:
    """'the following year' after a sentence about 2022 means 2023."""
    if disc.last_year is None:
        return None
    m = _FOLLOWING_YEAR_RE.search(text)
    if m is None:
        return None
    y = disc.last_year + 1
    return When(m.group(0), date(y, 1, 1), date(y, 12, 31))


def _event_place(
    tok: Token, occasion_tok: Token | None, disc: Discourse
) -> list[tuple[resolve.Place, Token]]:
    """Where an event attended takes place when the sentence does not say: the place the story
    gave the same kind of event earlier ('the celebration' after 'the celebration in Moscow')."""
    lemma = occasion_tok.lemma_.lower() if occasion_tok is not None else None
    place = disc.event_places.get(lemma) if lemma else None
    if place is None and (
        occasion_tok is not None or tok.lemma_.lower() in {"attend", "present", "attendance"}
    ):
        place = disc.event_places.get("*")
    return [(place, tok)] if place is not None else []


def _note_events(doc: Doc, disc: Discourse, times: list[timex.TimeMention]) -> None:
    """Remember where the events a sentence names take place ('the Moscow parade')."""
    for t in doc:
        if t.pos_ != "NOUN" or t.lemma_.lower() not in EVENT_NOUNS:
            continue
        found = _places_under(t, frozenset())
        if not found:
            for c in t.children:
                if c.dep_ in {"compound", "amod", "nmod", "poss"}:
                    p = place_of_token(c)
                    if p is not None:
                        found = [(p, c)]
                        break
        if found:
            disc.event_places[t.lemma_.lower()] = found[0][0]
            disc.event_places["*"] = found[0][0]
        for tm in times:
            span = doc.char_span(tm.start, tm.end, alignment_mode="expand")
            if (
                span is not None
                and tm.when.start is not None
                and any(a.i == t.i for a in span.root.ancestors)
                and not any(a.pos_ == "VERB" for a in span.root.ancestors if a.i > t.i)
            ):
                key = t.lemma_.lower().rstrip("s")
                disc.event_times.setdefault(key, tm.when)
                disc.event_times.setdefault("*", tm.when)


def sentence_frames(doc: Doc, sent_start: int, disc: Discourse, story: int = 0) -> list[Frame]:
    """All frames of one parsed sentence; updates the discourse state."""
    actors = find_actors(doc, disc)
    frames: list[Frame] = []
    text = doc.text
    times_cache: dict[str | None, list[timex.TimeMention]] = {}
    for tok in doc:
        kind = _trigger_kind(tok)
        if kind is None:
            continue
        visitors, host, parsed = _visitors(tok, kind, actors, disc)
        skip = frozenset(i for a in visitors for i in a.tokens)
        places = _places_under(tok, skip)
        if kind == "visiting":
            places = _guest_places(tok, host, skip, disc)
        if kind == "meet_home" and host is not None and host.country:
            places = [(resolve.Place(host.country, None), tok)]
        if kind == "trip" and not places and tok.head.lower_ not in ADJUNCT_PREPS:
            # "considering China for his first foreign trip", "made a trip to ..."; not
            # "following the President's travel in Asia, X will travel to Bangkok"
            gov = tok.head.head if tok.head.dep_ == "prep" else tok.head
            if gov.pos_ in {"VERB", "AUX"}:
                places = _places_under(gov, skip)
        if kind == "trip" and not places:
            places = _agent_destination(tok, skip)
        if kind == "invite" and not places:
            for t in tok.subtree:
                if t.lemma_ in TRAVEL_VERBS | TRIP_NOUNS and t.i != tok.i:
                    places = _places_under(t, skip)
                    if places:
                        break
        occasion, event_tok = _occasion(tok)
        if not places and event_tok is not None:
            places = _places_under(event_tok, skip)
        if kind == "invite" and not places:
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ == "from":
                    for p in c.children:
                        pl = place_of_token(p)
                        if pl is not None:
                            places = [(pl, p)]
        if (
            not places
            and disc.home is not None
            and (
                any(c.lower_ == "here" for c in tok.children)
                or (
                    kind == "trip"
                    and tok.lemma_.lower() == "visit"
                    and visitors
                    and all(v.country and v.country != disc.home.country for v in visitors)
                )
            )
        ):
            # "his visit here"; "the visit this week by X" in a story filed from the host city
            places = [(disc.home, tok)]
        if kind in {"invite", "host"} and not places and host is not None and host.country:
            places = [(resolve.Place(host.country, None), tok)]
        if kind == "host" and host is None:
            subj = _subject(tok)
            host_place = place_of_token(subj) if subj is not None else None
            if host_place is not None and subj is not None:
                places = [(host_place, subj)]
        if not places and (
            event_tok is not None or kind == "attend" or tok.lemma_.lower() == "attendance"
        ):
            places = _event_place(tok, event_tok, disc)
        referred = False
        if not places:
            if frames:  # an earlier clause of this sentence: '... to Chile, but the trip ...'
                last = frames[-1]
                disc.last_trip = (last.visitor, resolve.Place(last.country, last.city))
            earlier = _trip_referred_to(tok, kind, visitors, text, disc)
            if earlier is None:
                continue
            visitors, places, parsed = [earlier[0]], [(earlier[1], tok)], True
            referred = True
        if any(
            t.lemma_.lower() in NON_DIPLOMATIC_OBJECTS for t in tok.children if t.dep_ == "dobj"
        ):
            continue
        if not visitors and kind == "host":
            continue  # "will host a news conference": nobody comes
        if not visitors:
            visitors = _group_in_sentence(doc, actors, disc)
            parsed = False
            taken = {i for a in visitors for i in a.tokens}
            places = [(p, t) for p, t in places if t.i not in taken]
        if not visitors:
            if _thing_subject(tok):
                continue  # 'special attention would go to Brazil': no person travels
            guess = _nearest_actor(tok, actors, skip=host)
            if guess is None:
                continue
            visitors = [guess]
        tense = _tense_hint(tok)
        if tense not in times_cache:
            times_cache[tense] = _times(text, disc, tense)
        when = _pick_time(tok, times_cache[tense]) or _relative_year(text, tok, disc)
        if referred:
            when = None  # 'on Tuesday the visit was cancelled': the day of the news, not the trip
        stage = decide_stage(tok, text, when, disc.published, skip)
        if kind == "visiting" and stage is not None:
            stage = guest_stage(_main_verb(tok), when, disc.published)
        if stage is None:
            continue
        when = _with_length(tok, when)  # after the stage: that reads the day it starts
        kind_ = _kind(tok, text, occasion)
        for visitor in visitors:
            conf = CONF_DEPENDENCY if parsed else CONF_FALLBACK
            if visitor.speaker:
                continue
            unplaced = visitor.country is None and visitor.role != "intl_org"
            if unplaced:
                if visitor.name is None:
                    continue
                titled = disc.last_unnamed
                if titled is not None and titled.country:
                    # 'Australia's trade minister is optimistic ... Michael Duffy said': the
                    # story named the office first and the person later
                    role = visitor.role if visitor.role != "other" else titled.role
                    visitor = replace(visitor, role=role, title=visitor.title or titled.surface)
                elif disc.home is None and (
                    not _official(visitor) or tok.lemma_.lower() == "return"
                ):
                    # 'return to X' is most often a trip home: no guess of where from
                    continue
                conf = CONF_FALLBACK
            base = visitor
            for place, ptok in places:
                if unplaced:
                    legs = frozenset(p.country for p, _ in places)
                    origin = _unplaced_origin(base, disc, place.country, tok.lemma_.lower(), legs)
                    if origin is None:
                        continue
                    visitor = replace(base, country=origin)
                if visitor.country == place.country:
                    continue
                if visitor.name and disc.posted.get(visitor.name) == place.country:
                    continue  # the ambassador to X is at work in X, not visiting
                if visitor.role == "intl_org" and place.country in resolve.org_seats(
                    org_in(visitor.title)
                ):
                    continue  # an international official at the body's own seat
                branch = _coordinated_prep(ptok)
                place_when = when
                if branch is not None:
                    place_when = _pick_time(tok, times_cache[tense], after=branch.i) or when
                receiver = host if host and host.country == place.country else None
                if receiver is None and kind == "meet":
                    # a meeting abroad: the named participant of the destination country
                    # receives the others ('met President Lena Holm of Finland in Helsinki')
                    receiver = next(
                        (a for a in visitors if a.name and a.country == place.country), None
                    )
                frames.append(
                    Frame(
                        visitor=visitor,
                        host=receiver,
                        country=place.country,
                        city=place.city,
                        kind=kind_,
                        occasion=occasion,
                        stage=stage,
                        when=place_when,
                        sent_start=sent_start,
                        sent_end=sent_start + len(text),
                        sent_text=text,
                        confidence=conf,
                        story=story,
                    )
                )
    if frames:
        last = frames[-1]
        disc.last_trip = (last.visitor, resolve.Place(last.country, last.city))
    for f in frames:
        # a person the sentence placed (beside a compatriot) stays placed in later sentences
        known = disc.people.get(f.visitor.name.lower()) if f.visitor.name else None
        if known is not None and known.country is None and f.visitor.country:
            disc.place_person(f.visitor)
    for f in frames:
        if f.occasion or f.kind == "event_attendance" or f.stage == "invited":
            disc.event_places.setdefault("*", resolve.Place(f.country, f.city))
    _note_events(doc, disc, times_cache.get(None) or _times(text, disc, None))
    for tm in (
        times_cache.get(None) or next(iter(times_cache.values()), None) or _times(text, disc, None)
    ):
        m = _YEAR_IN_TEXT_RE.search(tm.text)
        if m:
            disc.last_year = int(m.group(1))
    _note_postings(doc, actors, disc)
    for a in sorted(set(actors.values()), key=lambda a: min(a.tokens) if a.tokens else 0):
        subject = any(doc[i].dep_ in {"nsubj", "nsubjpass"} for i in a.tokens if i < len(doc))
        if a.name is None and a.country and not a.speaker and a.role != "other" and subject:
            disc.last_unnamed = a
        if a.name:
            disc.remember(a)
            if (
                not a.speaker
                and a.country
                and any(doc[i].dep_ in {"nsubj", "nsubjpass"} for i in a.tokens if i < len(doc))
            ):
                disc.last_subject = a
    return frames


# Stages whose news a bare 'the trip' carries back to the trip the story reported last.
REFERRED_TRIP_STAGES = frozenset({"postponed", "cancelled"})
# Determiners that make a trip noun refer back: 'the visit', 'this trip', 'his tour'.
REFERRING_DETS = frozenset({"the", "this", "that", "his", "her", "their"})


# Words that set a trip noun before the story's trip: it is another one.
_EARLIER_TRIP_RE = re.compile(r"\b(?:previous(?:ly)?|earlier|last year|in the past|once)\b", re.I)


def _trip_referred_to(
    tok: Token, kind: str, visitors: list[Actor], text: str, disc: Discourse
) -> tuple[Actor, resolve.Place] | None:
    """'... but the trip has been postponed': a placeless trip noun that is called off or put
    off refers to the trip the story reported last (by the same visitor, when one is named)."""
    if kind != "trip" or disc.last_trip is None:
        return None
    if not any(c.dep_ in {"det", "poss"} and c.lower_ in REFERRING_DETS for c in tok.children):
        return None
    actor, place = disc.last_trip
    if visitors and all(v.key != actor.key for v in visitors):
        return None
    if _EARLIER_TRIP_RE.search(text) or any(
        disc.published is not None and int(y) < disc.published.year
        for y in _YEAR_IN_TEXT_RE.findall(text)
    ):
        return None  # 'after previously cancelling his trip in 2013': another, earlier trip
    if decide_stage(tok, text, None, disc.published) not in REFERRED_TRIP_STAGES:
        return None
    return actor, place


def _guest_places(
    tok: Token, host: Actor | None, skip: frozenset[int], disc: Discourse
) -> list[tuple[resolve.Place, Token]]:
    """Where a 'visiting' guest is: the place the sentence gives them or its verb, else the
    host's country, else the dateline's."""
    guest = _visiting_guest(tok)
    main = _main_verb(tok)
    for anchor in (guest, main):
        if anchor is not None:
            found = _places_under(anchor, skip, preps=frozenset({"in", "at"}))
            if found:
                return found
    if host is not None and host.country:
        return [(resolve.Place(host.country, None), tok)]
    if disc.home is not None:
        return [(disc.home, tok)]
    return []


# A capitalised word right before 'President'/'Chairman' names whose head the person is; a
# company's unless it is a state or a rank ('Vice President', 'Deputy Chairman').
_COMPANY_HEAD_RE = re.compile(r"\b([A-Z][\w.&-]+) (?:President|Chairman|Chairwoman|Chief)\b")
RANK_PREFIXES = frozenset({"Vice", "Deputy", "First", "Acting", "Interim", "Former", "The"})


def _home_states(disc: Discourse) -> set[str]:
    """The state a story is filed from: its dateline's (the state it names most is as often
    the one a visit goes to)."""
    return {disc.home.country} if disc.home is not None else set()


# 'Ambassador to Mexico, Ken Salazar', 'the US envoy in Kabul': where a diplomat is posted.
_POSTING_RE = re.compile(
    r"\b(?:ambassador|envoy|consul(?: general)?|charg[ée] d.affaires|high commissioner)\s+"
    r"(?:to|in)\s+(?:the\s+)?([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2})",
    re.I,
)
# How far before a name a posting title is looked for (characters).
POSTING_WINDOW_CHARS = 80


def _note_postings(doc: Doc, actors: dict[int, Actor], disc: Discourse) -> None:
    """Remember where the diplomats a sentence names are posted."""
    for a in set(actors.values()):
        if not a.name or not a.tokens:
            continue
        first = a.name.split()[0]
        start = next(
            (doc[i].idx for i in sorted(a.tokens) if doc[i].text == first), doc[min(a.tokens)].idx
        )
        found = list(_POSTING_RE.finditer(doc.text, max(0, start - POSTING_WINDOW_CHARS), start))
        m = found[-1] if found else None
        # the title must run up to the name: 'Ambassador to Mexico, Ken Salazar'
        if m is not None and not doc.text[m.end() : start].strip(" ,"):
            code = resolve.country_of(m.group(1))
            if code is not None:
                disc.posted[a.name] = code


def _official(actor: Actor) -> bool:
    """Whether an actor's title makes them a state's official (not a company's or a club's)."""
    words = set(re.findall(r"[a-z]+", actor.title.lower()))
    if words & NON_OFFICIAL_TITLE_WORDS:
        return False
    if words and words <= {"president", "the", "chairman", "leader"}:
        # the gazetteer knows the world's leaders: an unknown 'President X' heads a company,
        # a party or a club far more often than a state
        return False
    m = _COMPANY_HEAD_RE.search(actor.title)
    if m and resolve.country_named(m.group(1)) is None and m.group(1) not in RANK_PREFIXES:
        return False  # 'Didi Chuxing President': a company's president
    return actor.role != "other" or bool(words & OFFICIAL_TITLE_WORDS)


def _unplaced_origin(
    visitor: Actor,
    disc: Discourse,
    destination: str,
    trigger_lemma: str,
    legs: frozenset[str] = frozenset(),
) -> str | None:
    """Where a person no title or gazetteer places comes from, for one destination: the
    office the story named first ('Australia's trade minister ... Duffy'), the dateline of a
    wire story filed from their own capital ('SEOUL (Yonhap) -- Kang traveled to Poland'),
    else, for an official, the publisher's or the story's state."""
    titled = disc.last_unnamed
    if trigger_lemma == "return":
        return None  # 'return to X' is most often a trip home
    if titled is not None and titled.country and titled.country != destination:
        return titled.country
    named = _origin(disc, destination, legs)
    if disc.home is not None and disc.home.country != destination:
        # a wire story filed from the person's own capital ('SEOUL (Yonhap) -- Kang traveled
        # to Poland'), unless the story is about another state ('LONDON - Brazil's debt ...
        # Gros will visit Paris'): then that state
        return named if named is not None and disc.source is None else disc.home.country
    if not _official(visitor):
        return None
    return named


def _origin(disc: Discourse, destination: str, legs: frozenset[str] = frozenset()) -> str | None:
    """The state an official no title or gazetteer places comes from: the publisher's (a
    government's own readout), else the state the story names most that no trip of the story
    goes to."""
    if disc.source is not None:
        return disc.source if disc.source != destination else None
    return next((c for c in disc.countries if c != destination and c not in legs), None)


def _group_in_sentence(doc: Doc, actors: dict[int, Actor], disc: Discourse) -> list[Actor]:
    """Leaders of listed countries when the parse lost the subject ('In addition to X, the
    leaders of A, B and C have confirmed their attendance')."""
    for t in doc:
        if t.lemma_.lower() in GROUP_WORDS and t.tag_ == "NNS":
            group = _expand(t, actors, disc)
            if group and all(a.name is None for a in group):
                return group
    return []


def _thing_subject(trigger: Token) -> bool:
    """Whether a travel verb's subject is a thing, not a person: 'attention will go to X',
    'exports went to Y'. (Trip nouns and titles are people's trips and offices.)"""
    if trigger.pos_ not in {"VERB", "AUX"}:
        return False
    subj = next((c for c in trigger.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subj is None or subj.pos_ != "NOUN":
        return False
    low = subj.lemma_.lower()
    return low not in TITLE_WORDS and low not in TRIP_NOUNS and low not in GROUP_WORDS


def _nearest_actor(tok: Token, actors: dict[int, Actor], skip: Actor | None) -> Actor | None:
    best: tuple[int, Actor] | None = None
    for i, a in actors.items():
        if skip is not None and a.key == skip.key:
            continue
        if a.role == "other" and a.name:
            continue
        d = abs(i - tok.i) + (0 if i < tok.i else 3)
        if best is None or d < best[0]:
            best = (d, a)
    return best[1] if best else None
